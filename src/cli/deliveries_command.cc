// forgehook deliveries list|show: stored deliveries through the admin API.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/forge_option.h"
#include "cli/human_output.h"
#include "cli/list_query.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

struct ListFlags {
  AdminTarget target;
  std::string forge, event, repository, deliveryId, status, since, until, timeframe, cursor, limit = "50";
  bool json = false;
};

const std::vector<std::string> kListColumns = {"id",     "status",     "source",   "forge",       "event",
                                               "action", "repository", "attempts", "received_at", "delivery_id"};

void addList(CLI::App& deliveries, int& exitCode) {
  auto f = std::make_shared<ListFlags>();
  auto* c = deliveries.add_subcommand("list", "Newest deliveries first");
  f->target.addTo(*c);
  addForgeOption(*c, f->forge, ForgeCheck::ByServer);
  c->add_option("--event", f->event, "event name (pull_request, \"Merge Request Hook\", ...)");
  c->add_option("--repository", f->repository, "owner/name");
  c->add_option("--delivery-id", f->deliveryId,
                "the forge's delivery id (GitHub's X-GitHub-Delivery GUID, as shown under Recent Deliveries)");
  c->add_option("--status", f->status,
                "queued (waiting for the pipeline), retrying (failed, retried later), processed, duplicate (the same "
                "event was applied from another source: webhook or poll), or dead (failed pipeline.max_attempts "
                "times; replay to retry)");
  c->add_option("--since", f->since, "received at or after: RFC 3339 or Unix seconds");
  c->add_option("--until", f->until, "received before: RFC 3339 or Unix seconds");
  c->add_option("--timeframe", f->timeframe, "received within the last 1h, 6h, 24h, 7d or 30d");
  c->add_option("--limit", f->limit, "rows per page, 1-500")->capture_default_str();
  c->add_option("--cursor", f->cursor, "next_cursor of the previous page");
  c->add_flag("--json", f->json, "print the API's JSON");
  c->callback([f, &exitCode] {
    const auto query = listQuery({{"forge", f->forge},
                                  {"event", f->event},
                                  {"repository", f->repository},
                                  {"delivery_id", f->deliveryId},
                                  {"status", f->status},
                                  {"since", f->since},
                                  {"until", f->until},
                                  {"timeframe", f->timeframe},
                                  {"limit", f->limit},
                                  {"cursor", f->cursor}});
    const auto body = f->target.get("/api/v1/deliveries" + query);
    if (f->json) {
      std::cout << body << "\n";
    } else {
      const auto page = json::parse(body);
      printRows(std::cout, page["deliveries"], kListColumns);
      printNextCursor(page);
    }
    exitCode = 0;
  });
}

// Metadata as a key/value block, the (redacted) headers as another, then the payload as indented JSON.
void printDelivery(const json& d) {
  json meta = d;
  meta.erase("headers");
  meta.erase("payload");
  printObject(std::cout, meta, {"id", "delivery_id", "forge", "event", "action", "repository", "source", "status"});
  if (d.contains("headers") && d["headers"].is_object()) {
    std::cout << "\nheaders:\n";
    printObject(std::cout, d["headers"]);
  }
  if (d.value("body_pruned", false))
    std::cout << "\npayload: pruned at " << d.value("body_pruned_at", std::string()) << " (store.retention_days)\n";
  else if (d.contains("payload"))
    std::cout << "\npayload:\n" << d["payload"].dump(2) << "\n";
}

void addShow(CLI::App& deliveries, int& exitCode) {
  struct ShowFlags {
    AdminTarget target;
    long long id = 0;
    bool json = false;
  };
  auto f = std::make_shared<ShowFlags>();
  auto* c = deliveries.add_subcommand("show", "One delivery with headers and payload");
  f->target.addTo(*c);
  c->add_option("id", f->id, "delivery id (the ID column of deliveries list)")->required();
  c->add_flag("--json", f->json, "print the API's JSON");
  c->callback([f, &exitCode] {
    const auto body = f->target.get("/api/v1/deliveries/" + std::to_string(f->id));
    if (f->json)
      std::cout << body << "\n";
    else
      printDelivery(json::parse(body));
    exitCode = 0;
  });
}

}  // namespace

void addDeliveriesCommand(CLI::App& app, int& exitCode) {
  auto* command = app.add_subcommand("deliveries", "List and show stored deliveries");
  command->require_subcommand(1);
  addList(*command, exitCode);
  addShow(*command, exitCode);
}

}  // namespace forgehook::cli
