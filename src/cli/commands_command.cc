// forgehook commands [filters] | commands show ID | commands rerun ID: the runs of [[rules]] commands.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/human_output.h"
#include "cli/resource_list.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

struct RunFlags {
  AdminTarget target;
  long long id = 0;
  bool json = false;
};

// A run for people: its fields, what ran, then its output as the command wrote it.
void printRun(const json& run) {
  json summary = run;
  summary.erase("output");
  summary.erase("argv");
  summary.erase("env");
  if (summary["workdir"] == "") summary["workdir"] = "(the data directory)";
  printObject(std::cout, summary, {"id", "rule", "status", "attempt", "max_attempts", "exit_code", "error"});
  std::cout << "argv:";
  for (const auto& arg : run["argv"]) std::cout << " " << arg.dump();
  std::cout << "\n";
  for (const auto& [name, value] : run["env"].items()) std::cout << "env: " << name << "=" << cell(value) << "\n";
  const auto& output = run["output"];
  if (output.is_string() && !output.get<std::string>().empty()) {
    std::cout << "output" << (run["output_truncated"] == true ? " (truncated)" : "") << ":\n"
              << output.get<std::string>();
    if (output.get<std::string>().back() != '\n') std::cout << "\n";
  }
}

void addRunCommand(CLI::App& commands, const char* name, const char* help, const char* method, const char* suffix,
                   int& exitCode) {
  auto flags = std::make_shared<RunFlags>();
  auto* sub = commands.add_subcommand(name, help);
  flags->target.addTo(*sub);
  sub->add_option("id", flags->id, "the command run's id (the ID column of forgehook commands)")->required();
  sub->add_flag("--json", flags->json, "print the API's JSON");
  sub->callback([flags, method, suffix, &exitCode] {
    const auto answer =
        flags->target.call(method, "/api/v1/commands/" + std::to_string(flags->id) + suffix, std::string());
    if (flags->json)
      std::cout << answer << "\n";
    else
      printRun(json::parse(answer));
    exitCode = 0;
  });
}

}  // namespace

void addCommandsCommand(CLI::App& app, int& exitCode) {
  const auto& spec = store::specOf(store::Resource::Commands);
  auto* commands = addResourceList(
      app.add_subcommand(std::string(spec.name), std::string(spec.summary) + " (show: one with its output; rerun)"),
      spec, exitCode);
  addRunCommand(*commands, "show", "One command run: what ran (argv, env), how it ended, its output", "GET", "",
                exitCode);
  addRunCommand(*commands, "rerun", "Run a finished command again, with its rule's attempts", "POST", "/rerun",
                exitCode);
}

}  // namespace forgehook::cli
