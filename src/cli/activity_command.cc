// forgehook pulls|reviews|issues|runs|incidents|releases|branches|activity|items ... : the activity
// model's read endpoints as tables (or --json), planned items by hand, incident acks, replay and rebuild.
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/list_query.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

// Columns shown per resource; --json prints everything.
const std::map<std::string, std::vector<std::string>>& columns() {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"pulls", {"repository", "number", "state", "author", "title", "cycle_time_hours", "review_time_hours"}},
      {"reviews", {"repository", "pull_number", "reviewer", "state", "submitted_at"}},
      {"issues", {"repository", "number", "state", "state_reason", "title", "labels", "comments"}},
      {"runs", {"repository", "workflow", "branch", "run_id", "attempt", "status", "conclusion", "duration_seconds"}},
      {"incidents", {"id", "repository", "workflow", "branch", "state", "opened_at", "resolved_at", "failed_runs"}},
      {"releases", {"repository", "tag", "name", "published_at", "author"}},
      {"branches", {"repository", "ref", "type", "sha", "pushes", "forced_pushes", "commits"}},
      {"activity", {"at", "repository", "actor", "kind", "action", "summary"}},
      {"items", {"id", "status", "title", "owner", "tags", "completed_at", "issue"}},
  };
  return table;
}

void printTable(const std::string& resource, const json& page) {
  const auto& cols = columns().at(resource);
  for (const auto& c : cols) std::printf("%-20s ", c.c_str());
  std::printf("\n");
  for (const auto& row : page[resource]) {
    for (const auto& c : cols) {
      std::string v =
          c == "issue" && row[c].is_object() ? cell(row[c]["repository"]) + "#" + cell(row[c]["number"]) : cell(row[c]);
      if (v.size() > 60) v = v.substr(0, 57) + "...";
      std::printf("%-20s ", v.c_str());
    }
    std::printf("\n");
  }
  if (!page["next_cursor"].is_null()) std::printf("more: --cursor %s\n", cell(page["next_cursor"]).c_str());
}

struct ListFlags {
  AdminTarget target;
  std::string repository, actor, state, since, until, timeframe, kind, cursor;
  int limit = 50;
  bool json = false;
};

// Makes `c` list `resource` (GET /api/v1/<resource> with the list flags); returns c.
CLI::App* addList(CLI::App* c, const std::string& resource, int& exitCode) {
  auto flags = std::make_shared<ListFlags>();
  flags->target.addTo(*c);
  c->add_option("--repository", flags->repository, "owner/name");
  c->add_option("--actor", flags->actor, "author, reviewer or actor login");
  c->add_option("--state", flags->state, "e.g. open, closed, merged, resolved, in_progress");
  c->add_option("--since", flags->since, "RFC 3339 or Unix seconds");
  c->add_option("--until", flags->until, "RFC 3339 or Unix seconds");
  c->add_option("--timeframe", flags->timeframe, "1h, 6h, 24h, 7d or 30d");
  if (resource == "activity") c->add_option("--kind", flags->kind, "event kinds, comma-separated");
  c->add_option("--limit", flags->limit, "1-500")->capture_default_str();
  c->add_option("--cursor", flags->cursor, "next_cursor of the previous page");
  c->add_flag("--json", flags->json, "print the API's JSON");
  c->callback([c, flags, resource, &exitCode] {
    if (!c->get_subcommands().empty()) return;  // e.g. `incidents ack`: the subcommand answers
    const auto query = listQuery(flags->limit, {{"repository", &flags->repository},
                                                {"actor", &flags->actor},
                                                {"state", &flags->state},
                                                {"since", &flags->since},
                                                {"until", &flags->until},
                                                {"timeframe", &flags->timeframe},
                                                {"kind", &flags->kind},
                                                {"cursor", &flags->cursor}});
    const auto body = flags->target.get("/api/v1/" + resource + query);
    if (flags->json)
      std::cout << body << "\n";
    else
      printTable(resource, json::parse(body));
    exitCode = 0;
  });
  return c;
}

// "owner/name#42" → {"repository": "owner/name", "number": 42}
json issueRef(const std::string& text, const std::string& forge) {
  const auto hash = text.rfind('#');
  if (hash == std::string::npos || hash == 0) throw CLI::ValidationError("issue", "expected owner/name#NUMBER");
  const std::string_view digits = std::string_view(text).substr(hash + 1);
  long long number = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || number < 1)
    throw CLI::ValidationError("issue", "expected owner/name#NUMBER, got " + text);
  return {{"repository", text.substr(0, hash)}, {"number", number}, {"forge", forge}};
}

struct ItemFlags {
  AdminTarget target;
  long long id = 0;
  std::string title, description, owner, status, issue, forge = "github";
  std::vector<std::string> tags;
  bool json = false;
};

void printItem(const std::string& body, bool asJson) {
  if (asJson)
    std::cout << body << "\n";
  else
    printTable("items", json{{"items", json::array({json::parse(body)})}, {"next_cursor", nullptr}});
}

void addItems(CLI::App& app, int& exitCode) {
  auto* items = app.add_subcommand("items", "Planned items: list, add, update, link to an issue, remove");
  items->require_subcommand(1);
  addList(items->add_subcommand("list", "Planned items, newest first"), "items", exitCode);

  auto add = std::make_shared<ItemFlags>();
  auto* addCommand = items->add_subcommand("add", "Create a planned item");
  add->target.addTo(*addCommand);
  addCommand->add_option("--title", add->title, "what is planned")->required();
  addCommand->add_option("--description", add->description);
  addCommand->add_option("--owner", add->owner);
  addCommand->add_option("--status", add->status, "planned, in_progress, completed, not_planned or blocked");
  addCommand->add_option("--tag", add->tags, "a tag (repeatable)");
  addCommand->add_option("--issue", add->issue, "owner/name#NUMBER to follow");
  addCommand->add_option("--forge", add->forge, "forge of --issue")->capture_default_str();
  addCommand->add_flag("--json", add->json);
  addCommand->callback([add, &exitCode] {
    json body{{"title", add->title}};
    if (!add->description.empty()) body["description"] = add->description;
    if (!add->owner.empty()) body["owner"] = add->owner;
    if (!add->status.empty()) body["status"] = add->status;
    if (!add->tags.empty()) body["tags"] = add->tags;
    if (!add->issue.empty()) body["issue"] = issueRef(add->issue, add->forge);
    printItem(add->target.call("POST", "/api/v1/items", body.dump()), add->json);
    exitCode = 0;
  });

  auto update = std::make_shared<ItemFlags>();
  auto* updateCommand = items->add_subcommand("update", "Change fields of a planned item");
  update->target.addTo(*updateCommand);
  updateCommand->add_option("id", update->id)->required();
  updateCommand->add_option("--title", update->title);
  updateCommand->add_option("--description", update->description);
  updateCommand->add_option("--owner", update->owner);
  updateCommand->add_option("--status", update->status);
  updateCommand->add_flag("--json", update->json);
  updateCommand->callback([update, &exitCode] {
    json body = json::object();
    for (auto [name, value] : {std::pair{"title", &update->title}, std::pair{"description", &update->description},
                               std::pair{"owner", &update->owner}, std::pair{"status", &update->status}})
      if (!value->empty()) body[name] = *value;
    printItem(update->target.call("PATCH", "/api/v1/items/" + std::to_string(update->id), body.dump()), update->json);
    exitCode = 0;
  });

  auto link = std::make_shared<ItemFlags>();
  auto* linkCommand = items->add_subcommand("link", "Link a planned item to an issue (\"-\" unlinks)");
  link->target.addTo(*linkCommand);
  linkCommand->add_option("id", link->id)->required();
  linkCommand->add_option("issue", link->issue, "owner/name#NUMBER, or - to unlink")->required();
  linkCommand->add_option("--forge", link->forge)->capture_default_str();
  linkCommand->add_flag("--json", link->json);
  linkCommand->callback([link, &exitCode] {
    json body{{"issue", link->issue == "-" ? json(nullptr) : issueRef(link->issue, link->forge)}};
    printItem(link->target.call("PATCH", "/api/v1/items/" + std::to_string(link->id), body.dump()), link->json);
    exitCode = 0;
  });

  auto remove = std::make_shared<ItemFlags>();
  auto* removeCommand = items->add_subcommand("remove", "Delete a planned item");
  remove->target.addTo(*removeCommand);
  removeCommand->add_option("id", remove->id)->required();
  removeCommand->callback([remove, &exitCode] {
    std::cout << remove->target.call("DELETE", "/api/v1/items/" + std::to_string(remove->id), "") << "\n";
    exitCode = 0;
  });
}

// forgehook incidents ack ID [--by LOGIN] [--note TEXT]
void addIncidentAck(CLI::App& incidents, int& exitCode) {
  struct AckFlags {
    AdminTarget target;
    long long id = 0;
    std::string by, note;
    bool json = false;
  };
  auto flags = std::make_shared<AckFlags>();
  auto* ack = incidents.add_subcommand("ack", "Acknowledge an incident: who is on it, and a note");
  flags->target.addTo(*ack);
  ack->add_option("id", flags->id, "incident id (forgehook incidents)")->required();
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
      printTable("incidents", json{{"incidents", json::array({incident})}, {"next_cursor", nullptr}});
      const auto& acked = incident["acknowledged"];
      std::cout << "acknowledged by " << cell(acked["by"]) << " at " << cell(acked["at"])
                << (acked["note"].is_string() && !acked["note"].get<std::string>().empty() ? ": " + cell(acked["note"])
                                                                                           : "")
                << "\n";
    }
    exitCode = 0;
  });
}

void addPipeline(CLI::App& app, int& exitCode) {
  auto target = std::make_shared<AdminTarget>();
  auto filters = std::make_shared<std::map<std::string, std::string>>();
  auto id = std::make_shared<long long>(0);
  auto all = std::make_shared<bool>(false);
  auto* replay = app.add_subcommand("replay", "Process stored deliveries again: one by id, or a filtered set");
  target->addTo(*replay);
  replay->add_option("id", *id, "one delivery id");
  for (const char* name : {"forge", "event", "repository", "status", "since", "until"})
    replay->add_option(std::string("--") + name, (*filters)[name]);
  replay->add_flag("--all", *all, "every stored delivery");
  replay->callback([target, filters, id, all, &exitCode] {
    if (*id > 0) {
      std::cout << target->call("POST", "/api/v1/deliveries/" + std::to_string(*id) + "/replay", "") << "\n";
    } else {
      json body = json::object();
      for (const auto& [k, v] : *filters)
        if (!v.empty()) body[k] = v;
      if (*all) body["all"] = true;
      std::cout << target->call("POST", "/api/v1/replay", body.dump()) << "\n";
    }
    exitCode = 0;
  });
  auto rebuildTarget = std::make_shared<AdminTarget>();
  auto* rebuild =
      app.add_subcommand("rebuild", "Drop the projections and derive them again from every stored delivery");
  rebuildTarget->addTo(*rebuild);
  rebuild->callback([rebuildTarget, &exitCode] {
    std::cout << rebuildTarget->call("POST", "/api/v1/rebuild", "") << "\n";
    exitCode = 0;
  });
}

}  // namespace

void addActivityCommands(CLI::App& app, int& exitCode) {
  addList(app.add_subcommand("pulls", "Pull requests (GitLab merge requests)"), "pulls", exitCode);
  addList(app.add_subcommand("reviews", "Pull request reviews"), "reviews", exitCode);
  addList(app.add_subcommand("issues", "Issues"), "issues", exitCode);
  addList(app.add_subcommand("runs", "CI runs: workflow runs and jobs, check suites, GitLab pipelines"), "runs",
          exitCode);
  auto* incidents = app.add_subcommand("incidents", "Incidents opened by failed CI runs (ack: acknowledge one)");
  addIncidentAck(*addList(incidents, "incidents", exitCode), exitCode);
  addList(app.add_subcommand("releases", "Releases"), "releases", exitCode);
  addList(app.add_subcommand("branches", "Branches and tags with push counts"), "branches", exitCode);
  addList(app.add_subcommand("activity", "The activity feed, newest first"), "activity", exitCode);
  addItems(app, exitCode);
  addPipeline(app, exitCode);
}

}  // namespace forgehook::cli
