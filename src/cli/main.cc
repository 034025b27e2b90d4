// forgehook: parse the command line, run the chosen subcommand.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "store/store_unusable.h"

int main(int argc, char** argv) {
  CLI::App app{"forgehook: receives, verifies and durably stores webhooks from GitHub, GitLab and Gitea"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("forgehook ") + FORGEHOOK_VERSION);
  int exitCode = 0;
  using namespace forgehook::cli;
  for (auto add :
       {addServeCommand,   addConfigCommand,      addSendCommand,         addEventsCommand,        addDeliveriesCommand,
        addListCommands,   addIncidentsCommand,   addItemsCommand,        addReplayCommands,       addPruneCommand,
        addMetricsCommand, addSecretsCommand,     addTokensCommand,       addSubscriptionsCommand, addWatchCommand,
        addReposCommand,   addCredentialsCommand, addBackupCommands,      addCommandsCommand,      addRulesCommand,
        addMcpCommand,     addMigrateCommand,     addMigrateStoreCommand, addCompletionCommand})
    add(app, exitCode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const forgehook::store::StoreUnusable& e) {
    // Its own status: retrying will not help, the database file needs a person (serve, backup, restore).
    std::cerr << "forgehook: " << e.what() << "\n";
    return forgehook::store::kExitStoreUnusable;
  } catch (const std::exception& e) {
    std::cerr << "forgehook: " << e.what() << "\n";
    return 1;
  }
  return exitCode;
}
