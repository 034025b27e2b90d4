#pragma once
// Each subcommand registers itself on the CLI11 app and sets `exitCode` when it runs.
namespace CLI {
class App;
}

namespace forgehook::cli {

void addServeCommand(CLI::App& app, int& exitCode);
void addConfigCommand(CLI::App& app, int& exitCode);
void addSendCommand(CLI::App& app, int& exitCode);
void addDeliveriesCommand(CLI::App& app, int& exitCode);
void addActivityCommands(CLI::App& app, int& exitCode);

}  // namespace forgehook::cli
