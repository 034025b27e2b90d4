// forgehook tokens create|list|revoke: read-only API tokens (/api/v1/tokens). A token's text is
// printed once, by create; the server keeps only its hash.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/human_output.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

struct TokenFlags {
  AdminTarget target;
  std::string name;
  long long id = 0;
  bool json = false;
};

}  // namespace

void addTokensCommand(CLI::App& app, int& exitCode) {
  auto* tokens = app.add_subcommand("tokens", "Read-only API tokens: create, list, revoke (needs the admin token)");
  tokens->require_subcommand(1);

  auto create = std::make_shared<TokenFlags>();
  auto* createCommand = tokens->add_subcommand("create", "Create a read-only token; its text is shown only now");
  create->target.addTo(*createCommand);
  createCommand->add_option("--name", create->name, "what the token is for (1 to 100 characters)")->required();
  createCommand->add_flag("--json", create->json, "print the API's JSON");
  createCommand->callback([create, &exitCode] {
    const auto body = create->target.call("POST", "/api/v1/tokens", json{{"name", create->name}}.dump());
    if (create->json) {
      std::cout << body << "\n";
    } else {
      printObject(std::cout, json::parse(body), {"id", "name", "created_at", "token"});
      std::cerr << "Store the token now: it is not shown again (the server keeps only its hash).\n";
    }
    exitCode = 0;
  });

  auto list = std::make_shared<TokenFlags>();
  auto* listCommand = tokens->add_subcommand("list", "Every token, revoked ones included (never their text)");
  list->target.addTo(*listCommand);
  listCommand->add_flag("--json", list->json, "print the API's JSON");
  listCommand->callback([list, &exitCode] {
    const auto body = list->target.get("/api/v1/tokens");
    if (list->json)
      std::cout << body << "\n";
    else
      printRows(std::cout, json::parse(body)["tokens"], {"id", "name", "created_at", "last_used_at", "revoked_at"});
    exitCode = 0;
  });

  auto revoke = std::make_shared<TokenFlags>();
  auto* revokeCommand = tokens->add_subcommand("revoke", "Revoke a token: it stops working at once");
  revoke->target.addTo(*revokeCommand);
  revokeCommand->add_option("id", revoke->id, "the token's id (tokens list)")->required();
  revokeCommand->add_flag("--json", revoke->json, "print the API's JSON");
  revokeCommand->callback([revoke, &exitCode] {
    const auto body = revoke->target.call("DELETE", "/api/v1/tokens/" + std::to_string(revoke->id), "");
    if (revoke->json)
      std::cout << body << "\n";
    else
      std::cout << "revoked token " << revoke->id << "\n";
    exitCode = 0;
  });
}

}  // namespace forgehook::cli
