// forgehook credentials set|list|delete: the token or GitHub App forgehook calls each forge's API
// with (/api/v1/credentials). Secrets are read from standard input, the environment or a file,
// never from the command line (where `ps` would show them).
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/human_output.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

std::string readAll(std::istream& in) {
  std::stringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

std::string fromEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value || !*value) throw std::runtime_error("$" + name + " is not set");
  return value;
}

}  // namespace

void addCredentialsCommand(CLI::App& app, int& exitCode) {
  auto* credentials = app.add_subcommand(
      "credentials", "The token or GitHub App forgehook calls each forge's API with (stored encrypted)");
  credentials->require_subcommand(1);

  struct SetFlags {
    AdminTarget target;
    std::string forge, apiUrl, tokenEnv, appId, keyFile, webhookSecretEnv;
    bool tokenStdin = false;
  };
  auto set = std::make_shared<SetFlags>();
  auto* setCommand = credentials->add_subcommand("set", "Store the credential of a forge (replaces the previous one)");
  set->target.addTo(*setCommand);
  setCommand->add_option("forge", set->forge, "github, gitlab or gitea")->required();
  setCommand->add_option("--api-url", set->apiUrl,
                         "the API base URL (GitHub Enterprise: https://HOST/api/v3; GitLab/Gitea: the server's URL)");
  setCommand->add_flag("--token-stdin", set->tokenStdin, "read a personal access token from standard input");
  setCommand->add_option("--token-env", set->tokenEnv, "read a personal access token from this environment variable");
  setCommand->add_option("--app-id", set->appId, "GitHub App: its numeric id");
  setCommand->add_option("--private-key-file", set->keyFile, "GitHub App: its PEM private key file");
  setCommand->add_option("--webhook-secret-env", set->webhookSecretEnv,
                         "GitHub App: read its webhook secret from this environment variable");
  setCommand->callback([set, &exitCode] {
    json body = json::object();
    if (!set->apiUrl.empty()) body["api_url"] = set->apiUrl;
    const int ways = (set->tokenStdin ? 1 : 0) + (set->tokenEnv.empty() ? 0 : 1) + (set->appId.empty() ? 0 : 1);
    if (ways != 1)
      throw std::runtime_error("give one of --token-stdin, --token-env VAR or --app-id N --private-key-file PATH");
    if (set->tokenStdin) body["token"] = readAll(std::cin);
    if (!set->tokenEnv.empty()) body["token"] = fromEnv(set->tokenEnv);
    if (!set->appId.empty()) {
      if (set->keyFile.empty()) throw std::runtime_error("--app-id needs --private-key-file");
      std::ifstream key(set->keyFile);
      if (!key) throw std::runtime_error("cannot read " + set->keyFile);
      body["app_id"] = set->appId;
      body["private_key"] = readAll(key);
      if (!set->webhookSecretEnv.empty()) body["webhook_secret"] = fromEnv(set->webhookSecretEnv);
    }
    const auto answer = set->target.call("PUT", "/api/v1/credentials/" + set->forge, body.dump());
    printObject(std::cout, json::parse(answer), {"forge", "kind", "api_url"});
    exitCode = 0;
  });

  auto list = std::make_shared<SetFlags>();
  auto* listCommand = credentials->add_subcommand("list", "The stored credentials (never their secrets)");
  list->target.addTo(*listCommand);
  listCommand->callback([list, &exitCode] {
    printRows(std::cout, json::parse(list->target.get("/api/v1/credentials"))["credentials"],
              {"forge", "kind", "api_url", "app_id", "updated_at"});
    exitCode = 0;
  });

  auto remove = std::make_shared<SetFlags>();
  auto* removeCommand = credentials->add_subcommand("delete", "Forget a forge's credential");
  remove->target.addTo(*removeCommand);
  removeCommand->add_option("forge", remove->forge, "github, gitlab or gitea")->required();
  removeCommand->callback([remove, &exitCode] {
    (void)remove->target.call("DELETE", "/api/v1/credentials/" + remove->forge, "");
    std::cout << "deleted the " << remove->forge << " credential\n";
    exitCode = 0;
  });
}


}  // namespace forgehook::cli
