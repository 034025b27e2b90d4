// forgehook migrate-store --from sqlite:PATH --to postgres:URL: an SQLite installation copied into
// an empty PostgreSQL database (app/store_copy.h).
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "app/store_copy.h"
#include "cli/commands.h"

namespace forgehook::cli {
namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

void addMigrateStoreCommand(CLI::App& app, int& exitCode) {
  auto request = std::make_shared<app::StoreCopyRequest>();
  auto* m = app.add_subcommand(
      "migrate-store",
      "Copy an SQLite store with its whole history into an empty PostgreSQL database (for store.backend = postgres)");
  m->add_option("--from", request->from, "sqlite:PATH: the SQLite store's forgehook.db (or its data directory)")
      ->required();
  m->add_option("--to", request->to,
                "postgres:URL: the empty database (libpq URL; its password from FORGEHOOK_STORE_POSTGRES_PASSWORD "
                "or --password-file, not on the command line)")
      ->required();
  m->add_option("--password-file", request->passwordFile,
                "the database password is this file's first line (default: FORGEHOOK_STORE_POSTGRES_PASSWORD_FILE)");
  m->add_option("--copy-dir", request->copyDir,
                "where the consistent copy of the SQLite store is written while it is read, then removed "
                "(default: beside it; needs room for the database and its journal's bodies)");
  m->callback([request, &exitCode] {
    // The store's own settings: the password apart from the URL, else from a file; --password-file
    // named on the command line wins over both.
    if (request->passwordFile.empty()) {
      request->password = environment("FORGEHOOK_STORE_POSTGRES_PASSWORD");
      request->passwordFile = environment("FORGEHOOK_STORE_POSTGRES_PASSWORD_FILE");
    }
    exitCode = app::copyStoreToPostgres(*request, std::cout);
  });
}

}  // namespace forgehook::cli
