#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/config_sources.h"

namespace forgehook::cli {

void addConfigCommand(CLI::App& app, int& exitCode) {
  auto flags = std::make_shared<ConfigFlags>();
  auto* command = app.add_subcommand("config", "Print the effective configuration (secrets masked)");
  flags->addTo(*command);
  command->callback([flags, &exitCode] {
    std::cout << core::describeConfig(flags->load());
    exitCode = 0;
  });
}

}  // namespace forgehook::cli
