#include "cli/config_sources.h"

#include <CLI/CLI.hpp>

namespace forgehook::cli {

void ConfigFlags::addTo(CLI::App& command) {
  command.add_option("--config", configPath, "TOML configuration file")->check(CLI::ExistingFile);
  command.add_option("--listen", listen, "HOST:PORT to serve on (default 127.0.0.1:8765)");
  command.add_option("--data-dir", dataDir, "data directory (default ./var)");
}

core::Config ConfigFlags::load() const {
  core::ConfigSources sources;
  if (!configPath.empty()) sources.tomlPath = configPath;
  sources.environment = core::processEnvironment();
  if (!listen.empty()) sources.flags["listen"] = listen;
  if (!dataDir.empty()) sources.flags["data_dir"] = dataDir;
  return core::loadConfig(sources);
}

}  // namespace forgehook::cli
