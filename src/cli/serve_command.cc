#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "app/service.h"
#include "cli/commands.h"
#include "cli/config_sources.h"

namespace forgehook::cli {

void addServeCommand(CLI::App& app, int& exitCode) {
  auto flags = std::make_shared<ConfigFlags>();
  auto options = std::make_shared<app::ServeOptions>();
  auto* command = app.add_subcommand("serve", "Receive webhooks (runs until SIGINT/SIGTERM)");
  flags->addTo(*command);
  command->add_flag("--show-secrets", options->showSecrets, "print the generated GitHub secret and admin token");
  command->callback([flags, options, &exitCode] {
    exitCode = app::serve(flags->load(), *options);  // a StoreUnusable ends in main() with its own status
  });
}

}  // namespace forgehook::cli
