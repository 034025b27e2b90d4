// forgehook: parse the command line, run the chosen subcommand.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"forgehook: receives, verifies and durably stores webhooks from GitHub, GitLab and Gitea"};
  app.require_subcommand(1);
  int exitCode = 0;
  forgehook::cli::addServeCommand(app, exitCode);
  forgehook::cli::addConfigCommand(app, exitCode);
  forgehook::cli::addSendCommand(app, exitCode);
  forgehook::cli::addDeliveriesCommand(app, exitCode);
  forgehook::cli::addActivityCommands(app, exitCode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "forgehook: " << e.what() << "\n";
    return 1;
  }
  return exitCode;
}
