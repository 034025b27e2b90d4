// forgehook repos connect|list|show|status|disconnect|rotate-secret|ping|test|poll|recheck and
// forgehook reconcile: forge connections (/api/v1/connections). A connection is named by its id or
// by OWNER/NAME (ORG with --org).
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

const std::vector<std::string> kColumns = {"id", "forge", "kind", "target", "mode", "status", "hook_id", "failing"};
const std::vector<std::string> kRunColumns = {"id",      "trigger",  "started_at", "listed",    "missing",
                                              "redelivery_requested", "arrived",    "given_up", "api_calls", "error"};

struct RepoFlags {
  AdminTarget target;
  std::string name;  // id, OWNER/NAME or ORG
  std::string forge;
  bool org = false;
  std::vector<std::string> events;
  std::string url, mode;
  bool json = false;
};

std::string lowered(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

json withTarget(json c) {
  c["target"] = c.contains("repository") ? c["repository"] : c["organization"];
  return c;
}

// The connection's id for an id, OWNER/NAME or ORG. Throws std::runtime_error when none or
// several match.
std::int64_t resolveId(const RepoFlags& f) {
  if (!f.name.empty() && f.name.find_first_not_of("0123456789") == std::string::npos) return std::stoll(f.name);
  const auto all = json::parse(f.target.get("/api/v1/connections"))["connections"];
  std::vector<std::int64_t> found;
  for (const auto& c : all) {
    const std::string kind = c["kind"].get<std::string>();
    const std::string name = kind == "organization" ? c["organization"].get<std::string>() : c["repository"].get<std::string>();
    if (lowered(name) != lowered(f.name) || (f.org != (kind == "organization"))) continue;
    if (!f.forge.empty() && c["forge"] != f.forge) continue;
    found.push_back(c["id"].get<std::int64_t>());
  }
  if (found.empty()) throw std::runtime_error("no connection for " + f.name + " (see forgehook repos list)");
  if (found.size() > 1) throw std::runtime_error(f.name + " is connected on several forges: name one with --forge");
  return found.front();
}

void addNameArgument(CLI::App& command, RepoFlags& f) {
  command.add_option("name", f.name, "the connection: its id, OWNER/NAME, or ORG with --org")->required();
  command.add_flag("--org", f.org, "name an organization (group) connection");
  command.add_option("--forge", f.forge, "github, gitlab or gitea (when the name is connected on several)");
  command.add_flag("--json", f.json, "print the API's JSON");
}

void printConnection(const json& c) {
  printObject(std::cout, withTarget(c), {"id", "forge", "target", "mode", "status", "hook_id", "url", "error", "hint"});
}

// A subcommand that POSTs /api/v1/connections/{id}/<action> and prints the answer.
void addAction(CLI::App& repos, const char* name, const char* help, int& exitCode,
               std::function<void(const json&)> print) {
  auto f = std::make_shared<RepoFlags>();
  auto* command = repos.add_subcommand(name, help);
  f->target.addTo(*command);
  addNameArgument(*command, *f);
  command->callback([f, name = std::string(name), print = std::move(print), &exitCode] {
    const auto id = resolveId(*f);
    const auto body = f->target.call("POST", "/api/v1/connections/" + std::to_string(id) + "/" + name, "{}");
    if (f->json)
      std::cout << body << "\n";
    else
      print(json::parse(body));
    exitCode = 0;
  });
}

}  // namespace

void addReposCommand(CLI::App& app, int& exitCode) {
  auto* repos = app.add_subcommand(
      "repos", "Connect repositories and organizations: forgehook manages their hooks through the forge API");
  repos->require_subcommand(1);

  auto connect = std::make_shared<RepoFlags>();
  auto* connectCommand = repos->add_subcommand(
      "connect", "Connect OWNER/NAME (or ORG with --org): create or adopt its hook with a secret of its own");
  connect->target.addTo(*connectCommand);
  connectCommand->add_option("name", connect->name, "OWNER/NAME, or ORG with --org")->required();
  connectCommand->add_flag("--org", connect->org, "connect an organization (GitLab: a group)");
  connectCommand->add_option("--forge", connect->forge, "github (default), gitlab or gitea");
  connectCommand->add_option("--events", connect->events, "events to subscribe to (comma-separated; default: those the model reads)")
      ->delimiter(',');
  connectCommand->add_option("--url", connect->url,
                             "forgehook's public address as the forge reaches it (default: forges.public_url)");
  connectCommand->add_option("--mode", connect->mode, "webhook (default) or poll (GitHub Events API, no hook)");
  connectCommand->add_flag("--json", connect->json, "print the API's JSON");
  connectCommand->callback([connect, &exitCode] {
    json body = {{connect->org ? "organization" : "repository", connect->name}};
    if (!connect->forge.empty()) body["forge"] = connect->forge;
    if (!connect->events.empty()) body["events"] = connect->events;
    if (!connect->url.empty()) body["url"] = connect->url;
    if (!connect->mode.empty()) body["mode"] = connect->mode;
    const auto answer = connect->target.call("POST", "/api/v1/connections", body.dump());
    const auto c = json::parse(answer);
    if (connect->json)
      std::cout << answer << "\n";
    else
      printConnection(c);
    // The connection is kept when the forge refused: say so in the exit code too.
    exitCode = c["status"] == "failed" ? 2 : 0;
  });

  auto list = std::make_shared<RepoFlags>();
  auto* listCommand = repos->add_subcommand("list", "Every connection and its state");
  list->target.addTo(*listCommand);
  listCommand->add_option("--forge", list->forge, "only github, gitlab or gitea");
  listCommand->add_flag("--json", list->json, "print the API's JSON");
  listCommand->callback([list, &exitCode] {
    const auto body = list->target.get("/api/v1/connections" + (list->forge.empty() ? "" : "?forge=" + list->forge));
    if (list->json) {
      std::cout << body << "\n";
    } else {
      const json all = json::parse(body)["connections"];
      json rows = json::array();
      for (const auto& c : all) rows.push_back(withTarget(c));
      printRows(std::cout, rows, kColumns);
    }
    exitCode = 0;
  });

  auto show = std::make_shared<RepoFlags>();
  auto* showCommand = repos->add_subcommand(
      "show", "A connection's status: last delivery, failures in 24 h, the forge's view of the hook, reconciliations");
  showCommand->alias("status");
  show->target.addTo(*showCommand);
  addNameArgument(*showCommand, *show);
  showCommand->callback([show, &exitCode] {
    const auto body = show->target.get("/api/v1/connections/" + std::to_string(resolveId(*show)) + "/status");
    if (show->json) {
      std::cout << body << "\n";
    } else {
      auto status = json::parse(body);
      auto runs = status["reconciliations"];
      status.erase("reconciliations");
      printObject(std::cout, withTarget(status),
                  {"id", "forge", "target", "mode", "status", "hook_id", "url", "last_delivery_at", "failures_24h",
                   "error", "hint"});
      if (!runs.empty()) {
        std::cout << "\nReconciliations:\n";
        printRows(std::cout, runs, kRunColumns);
      }
    }
    exitCode = 0;
  });

  auto disconnect = std::make_shared<RepoFlags>();
  auto* disconnectCommand =
      repos->add_subcommand("disconnect", "Delete the hook at the forge and forget the connection (deliveries stay)");
  disconnect->target.addTo(*disconnectCommand);
  addNameArgument(*disconnectCommand, *disconnect);
  disconnectCommand->callback([disconnect, &exitCode] {
    const auto body = disconnect->target.call(
        "DELETE", "/api/v1/connections/" + std::to_string(resolveId(*disconnect)), "");
    if (disconnect->json)
      std::cout << body << "\n";
    else
      std::cout << "disconnected " << withTarget(json::parse(body)["disconnected"])["target"].get<std::string>() << "\n";
    exitCode = 0;
  });

  addAction(*repos, "rotate-secret", "Give the hook a new secret (the old one is accepted for a grace period)", exitCode,
            [](const json& c) { printConnection(c); });
  addAction(*repos, "ping", "Ask the forge to ping the hook and wait for the ping to arrive here", exitCode,
            [](const json& p) {
              if (p["arrived"].get<bool>())
                std::cout << "ping arrived after " << p["round_trip_ms"] << " ms (delivery " << p["delivery"] << ")\n";
              else
                std::cout << "the forge accepted the ping request, but no ping arrived within the wait\n";
            });
  addAction(*repos, "test", "Check the public URL, the credential's rights and the hook as the forge reports it",
            exitCode, [](const json& r) {
              printObject(std::cout, r, {"url", "public_url", "access", "access_error", "hook", "hook_error"});
            });
  addAction(*repos, "poll", "Poll the forge's events for this repository now", exitCode,
            [](const json& p) { printObject(std::cout, p, {"new", "events", "not_modified", "next_poll_at"}); });
  addAction(*repos, "recheck", "Make the hook as wanted again (after a failure) and record the forge's view",
            exitCode, [](const json& c) { printConnection(c); });

  auto reconcile = std::make_shared<RepoFlags>();
  auto* reconcileCommand = app.add_subcommand(
      "reconcile", "Compare each hook's delivery log at the forge with what is stored here; redeliver what is missing");
  reconcile->target.addTo(*reconcileCommand);
  reconcileCommand->add_option("name", reconcile->name, "only this connection (id, OWNER/NAME or ORG with --org)");
  reconcileCommand->add_flag("--org", reconcile->org, "name an organization connection");
  reconcileCommand->add_option("--forge", reconcile->forge, "github or gitlab (Gitea has no delivery log to reconcile with)");
  reconcileCommand->add_flag("--json", reconcile->json, "print the API's JSON");
  reconcileCommand->callback([reconcile, &exitCode] {
    std::vector<std::pair<std::int64_t, std::string>> targets;
    if (!reconcile->name.empty()) {
      targets.emplace_back(resolveId(*reconcile), reconcile->name);
    } else {
      const json all = json::parse(reconcile->target.get("/api/v1/connections"))["connections"];
      for (const auto& c : all)
        if (c["mode"] == "webhook" && !c["hook_id"].is_null() && (c["forge"] == "github" || c["forge"] == "gitlab"))
          targets.emplace_back(c["id"].get<std::int64_t>(), withTarget(c)["target"].get<std::string>());
    }
    if (targets.empty()) std::cerr << "no connection has a hook delivery log to reconcile with\n";
    json runs = json::array();
    for (const auto& [id, name] : targets) {
      auto run = json::parse(reconcile->target.call("POST", "/api/v1/connections/" + std::to_string(id) + "/reconcile", "{}"));
      run["connection"] = name;
      runs.push_back(run);
    }
    if (reconcile->json)
      std::cout << runs.dump() << "\n";
    else
      printRows(std::cout, runs,
                {"connection", "listed", "missing", "redelivery_requested", "arrived", "given_up", "api_calls", "error"});
    exitCode = 0;
    for (const auto& run : runs)
      if (!run["error"].is_null()) exitCode = 2;
  });
}

}  // namespace forgehook::cli
