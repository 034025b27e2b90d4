#pragma once
// Each subcommand (or family of them) registers itself on the CLI11 app and sets `exitCode` when
// it runs. One file per registration function.
namespace CLI {
class App;
}

namespace forgehook::cli {

void addServeCommand(CLI::App& app, int& exitCode);          // serve_command.cc
void addConfigCommand(CLI::App& app, int& exitCode);         // config_command.cc
void addSendCommand(CLI::App& app, int& exitCode);           // send_command.cc
void addEventsCommand(CLI::App& app, int& exitCode);         // events_command.cc
void addDeliveriesCommand(CLI::App& app, int& exitCode);     // deliveries_command.cc
void addListCommands(CLI::App& app, int& exitCode);          // list_commands.cc: pulls, issues, ... activity
void addIncidentsCommand(CLI::App& app, int& exitCode);      // incidents_command.cc
void addItemsCommand(CLI::App& app, int& exitCode);          // items_command.cc
void addReplayCommands(CLI::App& app, int& exitCode);        // replay_command.cc: replay, rebuild
void addPruneCommand(CLI::App& app, int& exitCode);          // prune_command.cc
void addMetricsCommand(CLI::App& app, int& exitCode);        // metrics_command.cc
void addSecretsCommand(CLI::App& app, int& exitCode);        // secrets_command.cc
void addTokensCommand(CLI::App& app, int& exitCode);         // tokens_command.cc: create, list, revoke
void addSubscriptionsCommand(CLI::App& app, int& exitCode);  // subscriptions_command.cc
void addWatchCommand(CLI::App& app, int& exitCode);          // watch_command.cc
void addReposCommand(CLI::App& app, int& exitCode);          // repos_command.cc: repos ..., reconcile
void addCredentialsCommand(CLI::App& app, int& exitCode);    // repos_command.cc
void addCompletionCommand(CLI::App& app, int& exitCode);     // completion_command.cc
void addBackupCommands(CLI::App& app, int& exitCode);        // backup_command.cc: backup, restore
void addCommandsCommand(CLI::App& app, int& exitCode);       // commands_command.cc: commands, show, rerun
void addRulesCommand(CLI::App& app, int& exitCode);          // rules_command.cc: list, test
void addMcpCommand(CLI::App& app, int& exitCode);            // mcp_command.cc: MCP over stdio
void addMigrateCommand(CLI::App& app, int& exitCode);        // migrate_command.cc
void addMigrateStoreCommand(CLI::App& app, int& exitCode);   // migrate_store_command.cc: SQLite to PostgreSQL

}  // namespace forgehook::cli
