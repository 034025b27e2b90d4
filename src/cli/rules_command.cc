// forgehook rules list | rules test --delivery ID: the configured [[rules]], and a dry run of them
// against a stored delivery (which match and the exact argv and environment; nothing runs).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/human_output.h"
#include "cli/table.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

std::string argvText(const json& argv) {
  std::string text;
  for (const auto& arg : argv) text.append(text.empty() ? "" : " ").append(arg.dump());
  return text;
}

void addList(CLI::App& rules, int& exitCode) {
  struct Flags {
    AdminTarget target;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* list = rules.add_subcommand("list", "The configured rules: what each matches and runs");
  flags->target.addTo(*list);
  list->add_flag("--json", flags->json, "print the API's JSON");
  list->callback([flags, &exitCode] {
    const auto answer = flags->target.get("/api/v1/rules");
    if (flags->json) {
      std::cout << answer << "\n";
    } else {
      Table table({"name", "forge", "event", "action", "repository", "command", "timeout_s", "concurrency"});
      // Named: a range-for over a member of a temporary reads a destroyed object.
      const json listed = json::parse(answer);
      for (const auto& r : listed["rules"])
        table.addRow({cell(r["name"]), cell(r["forge"]), cell(r["event"]), cell(r["action"]), cell(r["repository"]),
                      argvText(r["command"]), cell(r["timeout_s"]), cell(r["concurrency"])});
      table.print(std::cout);
    }
    exitCode = 0;
  });
}

void addTest(CLI::App& rules, int& exitCode) {
  struct Flags {
    AdminTarget target;
    long long delivery = 0;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* test = rules.add_subcommand("test",
                                    "Dry run: which rules a stored delivery matches, and the exact argv "
                                    "and environment each would run with (nothing runs)");
  flags->target.addTo(*test);
  test->add_option("--delivery", flags->delivery, "the delivery's id (forgehook deliveries list)")->required();
  test->add_flag("--json", flags->json, "print the API's JSON");
  test->callback([flags, &exitCode] {
    const auto answer = flags->target.call("POST", "/api/v1/rules/test", json{{"delivery", flags->delivery}}.dump());
    if (flags->json) {
      std::cout << answer << "\n";
      exitCode = 0;
      return;
    }
    const auto result = json::parse(answer);
    const auto& d = result["delivery"];
    std::cout << "delivery " << cell(d["id"]) << ": " << cell(d["forge"]) << " " << cell(d["event"])
              << (d["action"] == "" ? "" : "." + cell(d["action"])) << " " << cell(d["repository"]) << "\n";
    int matched = 0;
    for (const auto& r : result["rules"]) {
      if (r["matched"] != true) {
        std::cout << "  - " << cell(r["rule"]) << ": no match (" << cell(r["reason"]) << ")\n";
        continue;
      }
      ++matched;
      std::cout << "  + " << cell(r["rule"]) << ": matches\n";
      if (r["error"].is_string())
        std::cout << "      error: " << cell(r["error"]) << " (it would fail, nothing runs)\n";
      const auto& c = r["command"];
      std::cout << "      argv: " << argvText(c["argv"]) << "\n";
      std::cout << "      workdir: " << cell(c["workdir"]) << "   payload: " << cell(c["payload"]) << "\n";
      for (const auto& [name, value] : c["env"].items())
        std::cout << "      env: " << name << "=" << cell(value) << "\n";
      for (const auto& name : c["pass_env"])
        std::cout << "      env: " << cell(name) << " (from forgehook's environment)\n";
    }
    std::cout << matched << " of " << result["rules"].size() << " rules match\n";
    exitCode = 0;
  });
}

}  // namespace

void addRulesCommand(CLI::App& app, int& exitCode) {
  auto* rules = app.add_subcommand("rules", "The [[rules]] that run commands for deliveries: list, test --delivery");
  rules->require_subcommand(1);
  addList(*rules, exitCode);
  addTest(*rules, exitCode);
}

}  // namespace forgehook::cli
