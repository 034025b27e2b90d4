#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/query_escape.h"
#include "cli/commands.h"
#include "http/request.h"

namespace forgehook::cli {
namespace {

std::string text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.is_null() ? "-" : v.dump(); }

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
    std::printf("%-8lld %-7s %-28s %-16s %-30s %-8lld %s\n", d["id"].get<long long>(), text(d["forge"]).c_str(),
                text(d["event"]).c_str(), text(d["action"]).c_str(), text(d["repository"]).c_str(),
                d["attempts"].get<long long>(), text(d["received_at"]).c_str());
  }
  if (!page["next_cursor"].is_null()) std::printf("more: --cursor %s\n", text(page["next_cursor"]).c_str());
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
    std::string query = "?limit=" + std::to_string(list->limit);
    for (auto [name, value] : {std::pair{"forge", &list->forge}, std::pair{"event", &list->event},
                               std::pair{"repository", &list->repository}, std::pair{"status", &list->status},
                               std::pair{"since", &list->since}, std::pair{"until", &list->until},
                               std::pair{"cursor", &list->cursor}})
      if (!value->empty()) query += std::string("&") + name + "=" + queryEscape(*value);
    const auto body = list->target.get("/api/v1/deliveries" + query);
    if (list->json) std::cout << body << "\n";
    else printTable(nlohmann::json::parse(body));
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
