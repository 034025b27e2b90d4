// forgehook config [--check] [--json]: the effective configuration (secrets masked), and whether
// `serve` would start with it.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "app/startup.h"
#include "cli/commands.h"
#include "cli/config_json.h"
#include "cli/config_sources.h"

namespace forgehook::cli {
namespace {

struct Flags {
  ConfigFlags config;
  bool check = false, json = false;
};

int run(const Flags& f) {
  std::optional<core::Config> config;
  std::vector<std::string> problems;
  try {
    config = f.config.load();
    problems = app::configProblems(*config);
  } catch (const std::invalid_argument& e) {
    problems.push_back(e.what());
  }
  if (f.check) {
    if (f.json) {
      std::cout << nlohmann::json{{"valid", problems.empty()}, {"problems", problems}}.dump() << "\n";
    } else if (problems.empty()) {
      std::cout << "configuration OK: forgehook serve would start with it\n";
    } else {
      std::cerr << "forgehook: forgehook serve would refuse this configuration:\n";
      for (const auto& p : problems) std::cerr << "  " << p << "\n";
    }
    return problems.empty() ? 0 : 1;
  }
  if (!config) throw std::invalid_argument(problems.front());
  if (f.json)
    std::cout << configJson(*config).dump(2) << "\n";
  else
    std::cout << core::describeConfig(*config);
  // Printing is not approving: say so when serve would refuse what was printed.
  for (const auto& p : problems) std::cerr << "forgehook: serve would refuse this configuration: " << p << "\n";
  return problems.empty() ? 0 : 1;
}

}  // namespace

void addConfigCommand(CLI::App& app, int& exitCode) {
  auto f = std::make_shared<Flags>();
  auto* command = app.add_subcommand("config", "Print the effective configuration (secrets masked), or --check it");
  f->config.addTo(*command);
  command->add_flag("--check", f->check, "only validate, as serve does before it starts; exit 1 with the problems");
  command->add_flag("--json", f->json, "print JSON: the configuration, or with --check {\"valid\", \"problems\"}");
  command->callback([f, &exitCode] { exitCode = run(*f); });
}

}  // namespace forgehook::cli
