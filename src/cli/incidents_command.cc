// forgehook incidents [filters] | incidents ack ID [--by LOGIN] [--note TEXT]
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

void addAck(CLI::App& incidents, int& exitCode) {
  struct AckFlags {
    AdminTarget target;
    long long id = 0;
    std::string by, note;
    bool json = false;
  };
  auto flags = std::make_shared<AckFlags>();
  auto* ack = incidents.add_subcommand("ack", "Acknowledge an incident: who is on it, and a note");
  flags->target.addTo(*ack);
  ack->add_option("id", flags->id, "incident id (the ID column of forgehook incidents)")->required();
  ack->add_option("--by", flags->by, "who acknowledges (default: admin)");
  ack->add_option("--note", flags->note, "what is being done");
  ack->add_flag("--json", flags->json, "print the API's JSON");
  ack->callback([flags, &exitCode] {
    json body = json::object();
    if (!flags->by.empty()) body["by"] = flags->by;
    if (!flags->note.empty()) body["note"] = flags->note;
    const auto answer =
        flags->target.call("POST", "/api/v1/incidents/" + std::to_string(flags->id) + "/ack", body.dump());
    if (flags->json) {
      std::cout << answer << "\n";
    } else {
      const auto incident = json::parse(answer);
      printResourceRows(store::specOf(store::Resource::Incidents), json::array({incident}));
      const auto& acked = incident["acknowledged"];
      const bool hasNote = acked["note"].is_string() && !acked["note"].get<std::string>().empty();
      std::cout << "acknowledged by " << cell(acked["by"]) << " at " << cell(acked["at"])
                << (hasNote ? ": " + cell(acked["note"]) : "") << "\n";
    }
    exitCode = 0;
  });
}

}  // namespace

void addIncidentsCommand(CLI::App& app, int& exitCode) {
  const auto& spec = store::specOf(store::Resource::Incidents);
  auto* incidents = app.add_subcommand(std::string(spec.name), std::string(spec.summary) + " (ack: acknowledge one)");
  addAck(*addResourceList(incidents, spec, exitCode), exitCode);
}

}  // namespace forgehook::cli
