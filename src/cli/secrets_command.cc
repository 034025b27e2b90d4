// forgehook secrets: the stored per-hook and per-repository secrets (GET /api/v1/secrets). Values
// are write-only on the server, so only their scope and count are shown. forgehook secrets
// rotate-key: a new master key for every secret sealed at rest (POST /api/v1/secrets/rotate-key).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/human_output.h"

namespace forgehook::cli {

void addSecretsCommand(CLI::App& app, int& exitCode) {
  struct Flags {
    AdminTarget target;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* c = app.add_subcommand("secrets", "Stored per-hook and per-repository secrets (scope and count only)");
  f->target.addTo(*c);
  c->add_flag("--json", f->json, "print the API's JSON");
  c->require_subcommand(0, 1);
  c->callback([f, c, &exitCode] {
    if (c->got_subcommand("rotate-key")) return;
    const auto body = f->target.get("/api/v1/secrets");
    if (f->json)
      std::cout << body << "\n";
    else
      printRows(std::cout, nlohmann::json::parse(body)["secrets"], {"forge", "scope", "key", "count"});
    exitCode = 0;
  });

  auto rotate = std::make_shared<Flags>();
  auto* r = c->add_subcommand("rotate-key",
                              "Seal every stored secret under a new random master key (master.key is replaced; "
                              "the server keeps serving)");
  rotate->target.addTo(*r);
  r->add_flag("--json", rotate->json, "print the API's JSON");
  r->callback([rotate, &exitCode] {
    const auto body = rotate->target.call("POST", "/api/v1/secrets/rotate-key", "{}");
    if (rotate->json)
      std::cout << body << "\n";
    else
      printObject(std::cout, nlohmann::json::parse(body), {"key_id", "resealed"});
    exitCode = 0;
  });
}

}  // namespace forgehook::cli
