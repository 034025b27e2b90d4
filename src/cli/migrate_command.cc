// forgehook migrate [--check]: the store's schema, checked or brought up to date (app/store_migration.h).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "app/store_migration.h"
#include "cli/commands.h"
#include "cli/config_sources.h"

namespace forgehook::cli {
namespace {

struct Flags {
  ConfigFlags config;
  bool check = false;
};

}  // namespace

void addMigrateCommand(CLI::App& app, int& exitCode) {
  auto flags = std::make_shared<Flags>();
  auto* m = app.add_subcommand("migrate", "Bring the store's schema up to date (--check: only tell whether it is)");
  flags->config.addTo(*m);
  m->add_flag("--check", flags->check, "change nothing; exit 1 when migrations are pending or there is no store yet");
  m->callback([flags, &exitCode] { exitCode = app::migrateStore(flags->config.load(), flags->check, std::cout); });
}

}  // namespace forgehook::cli
