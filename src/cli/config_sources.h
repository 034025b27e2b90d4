#pragma once
// The flags every configuration-reading subcommand shares (--config, --listen, --data-dir).
#include <string>

#include "core/config.h"

namespace CLI {
class App;
}

namespace forgehook::cli {

struct ConfigFlags {
  std::string configPath, listen, dataDir;
  void addTo(CLI::App& command);
  // Defaults < TOML < environment < these flags. Throws std::invalid_argument on a bad value.
  [[nodiscard]] core::Config load() const;
};

}  // namespace forgehook::cli
