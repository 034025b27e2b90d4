#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/list_query.h"
#include "http/request.h"

namespace forgehook::cli {
namespace {

struct ListFlags {
  AdminTarget target;
  std::string forge, event, repository, status, since, until, cursor;
  int limit = 50;
  bool json = false;
};

void printTable(const nlohmann::json& page) {
  std::printf("%-8s %-7s %-28s %-16s %-30s %-8s %s\n", "ID", "FORGE", "EVENT", "ACTION", "REPOSITORY", "ATTEMPTS",
              "RECEIVED");
  for (const auto& d : page["deliveries"]) {
    std::printf("%-8lld %-7s %-28s %-16s %-30s %-8lld %s\n", d["id"].get<long long>(), cell(d["forge"]).c_str(),
                cell(d["event"]).c_str(), cell(d["action"]).c_str(), cell(d["repository"]).c_str(),
                d["attempts"].get<long long>(), cell(d["received_at"]).c_str());
  }
  if (!page["next_cursor"].is_null()) std::printf("more: --cursor %s\n", cell(page["next_cursor"]).c_str());
}

}  // namespace

void addDeliveriesCommand(CLI::App& app, int& exitCode) {
  auto* command = app.add_subcommand("deliveries", "List and show stored deliveries (through the admin API)");
  command->require_subcommand(1);

  auto list = std::make_shared<ListFlags>();
  auto* listCommand = command->add_subcommand("list", "Newest deliveries first");
  list->target.addTo(*listCommand);
  listCommand->add_option("--forge", list->forge, "github, gitlab or gitea");
  listCommand->add_option("--event", list->event, "event name");
  listCommand->add_option("--repository", list->repository, "owner/name");
  listCommand->add_option("--status", list->status, "queued");
  listCommand->add_option("--since", list->since, "RFC 3339 or Unix seconds (inclusive)");
  listCommand->add_option("--until", list->until, "RFC 3339 or Unix seconds (exclusive)");
  listCommand->add_option("--limit", list->limit, "1-500")->capture_default_str();
  listCommand->add_option("--cursor", list->cursor, "next_cursor of the previous page");
  listCommand->add_flag("--json", list->json, "print the API's JSON");
  listCommand->callback([list, &exitCode] {
    const auto query = listQuery(list->limit, {{"forge", &list->forge},
                                               {"event", &list->event},
                                               {"repository", &list->repository},
                                               {"status", &list->status},
                                               {"since", &list->since},
                                               {"until", &list->until},
                                               {"cursor", &list->cursor}});
    const auto body = list->target.get("/api/v1/deliveries" + query);
    if (list->json)
      std::cout << body << "\n";
    else
      printTable(nlohmann::json::parse(body));
    exitCode = 0;
  });

  auto show = std::make_shared<std::pair<AdminTarget, long long>>();
  auto json = std::make_shared<bool>(false);
  auto* showCommand = command->add_subcommand("show", "One delivery with headers and payload");
  show->first.addTo(*showCommand);
  showCommand->add_option("id", show->second, "delivery id (the id column of list)")->required();
  showCommand->add_flag("--json", *json, "print the API's JSON unformatted");
  showCommand->callback([show, json, &exitCode] {
    const auto body = show->first.get("/api/v1/deliveries/" + std::to_string(show->second));
    std::cout << (*json ? body : nlohmann::json::parse(body).dump(2)) << "\n";
    exitCode = 0;
  });
}

}  // namespace forgehook::cli
