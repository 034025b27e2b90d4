#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "app/service.h"
#include "cli/commands.h"
#include "cli/config_sources.h"
#include "store/store_unusable.h"

namespace forgehook::cli {

void addServeCommand(CLI::App& app, int& exitCode) {
  auto flags = std::make_shared<ConfigFlags>();
  auto options = std::make_shared<app::ServeOptions>();
  auto* command = app.add_subcommand("serve", "Receive webhooks (runs until SIGINT/SIGTERM)");
  flags->addTo(*command);
  command->add_flag("--show-secrets", options->showSecrets, "print the generated GitHub secret and admin token");
  command->callback([flags, options, &exitCode] {
    try {
      exitCode = app::serve(flags->load(), *options);
    } catch (const store::StoreUnusable& e) {
      // Its own status: restarting will not help, the database file needs a person.
      std::cerr << "forgehook: " << e.what() << "\n";
      exitCode = store::kExitStoreUnusable;
    }
  });
}

}  // namespace forgehook::cli
