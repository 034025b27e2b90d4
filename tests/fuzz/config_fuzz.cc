// The TOML configuration (core::loadConfig) on any document. Input: the TOML text. Its contract: a
// Config, or std::invalid_argument naming what is wrong; any other exception escaping is a finding
// (libFuzzer reports it as a crash, the replay test as a failure).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/config.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forgehook;
  core::ConfigSources sources;
  sources.tomlText.emplace(reinterpret_cast<const char*>(data), size);
  try {
    const core::Config config = core::loadConfig(sources);
    fuzz::check(config.listen.find(':') != std::string::npos, "an accepted listen address is HOST:PORT");
    fuzz::check(config.pipeline.batchSize >= 1 && config.pipeline.batchSize <= 1000,
                "an accepted pipeline.batch_size is between 1 and 1000");
    (void)core::describeConfig(config);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
