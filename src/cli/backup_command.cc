// forgehook backup PATH / forgehook restore PATH: a consistent copy of the store while it serves,
// and that copy put back in place of a stopped server's store (app/backup.h).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "app/backup.h"
#include "cli/commands.h"
#include "cli/config_sources.h"

namespace forgehook::cli {
namespace {

struct Flags {
  ConfigFlags config;
  std::string path;
};

}  // namespace

void addBackupCommands(CLI::App& app, int& exitCode) {
  auto backup = std::make_shared<Flags>();
  auto* b = app.add_subcommand(
      "backup", "Copy the store to a new file while the server runs (SQLite online backup; on the server's host)");
  backup->config.addTo(*b);
  b->add_option("PATH", backup->path, "the backup file to write (must not exist)")->required();
  b->callback([backup, &exitCode] {
    app::backupStore(backup->config.load(), backup->path, std::cout);
    exitCode = 0;
  });

  auto restore = std::make_shared<Flags>();
  auto* r = app.add_subcommand("restore", "Put a backup in place of the store (the server must be stopped)");
  restore->config.addTo(*r);
  r->add_option("PATH", restore->path, "the backup file to restore")->required()->check(CLI::ExistingFile);
  r->callback([restore, &exitCode] {
    app::restoreStore(restore->config.load(), restore->path, std::cout);
    exitCode = 0;
  });
}

}  // namespace forgehook::cli
