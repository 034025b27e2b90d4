// forgehook events: the events a hook should subscribe to, the ones the activity model maps into
// entities, read from the mappers' own dispatch tables (model/mapped_events.h). No server needed.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/forge_option.h"
#include "model/mapped_events.h"

namespace forgehook::cli {

void addEventsCommand(CLI::App& app, int& exitCode) {
  struct Flags {
    std::string forge{core::forgeName(core::Forge::GitHub)};
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* c =
      app.add_subcommand("events", "The events to subscribe a hook to: the ones mapped into pulls, issues, runs, ...");
  addForgeOption(*c, f->forge, ForgeCheck::OnParse,
                 "GitHub event names, GitLab object_kind values, or the events Gitea sends")
      ->capture_default_str();
  c->add_flag("--json", f->json, "print a JSON array");
  c->callback([f, &exitCode] {
    const auto events = model::mappedEvents(*core::parseForge(f->forge));
    if (f->json) {
      std::cout << nlohmann::json(std::vector<std::string>(events.begin(), events.end())).dump() << "\n";
    } else {
      for (const auto event : events) std::cout << event << "\n";
    }
    exitCode = 0;
  });
}

}  // namespace forgehook::cli
