// forgehook pulls|reviews|issues|runs|releases|branches|milestones|deployments|repositories|activity:
// one list command per resource of the catalog (items, incidents and commands have files of their own).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/resource_list.h"
#include "store/resources.h"

namespace forgehook::cli {

void addListCommands(CLI::App& app, int& exitCode) {
  for (const auto& spec : store::resourceSpecs()) {
    // `items list` and `incidents` (with `ack`) are built in items_command.cc and incidents_command.cc.
    if (spec.resource == store::Resource::Items || spec.resource == store::Resource::Incidents ||
        spec.resource == store::Resource::Commands)
      continue;
    addResourceList(app.add_subcommand(std::string(spec.name), std::string(spec.summary)), spec, exitCode);
  }
}

}  // namespace forgehook::cli
