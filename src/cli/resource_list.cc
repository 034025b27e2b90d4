#include "cli/resource_list.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/forge_option.h"
#include "cli/human_output.h"
#include "cli/list_query.h"

namespace forgehook::cli {
namespace {

struct ListFlags {
  AdminTarget target;
  std::string forge, repository, actor, state, number, since, until, timeframe, kind, cursor, limit = "50";
  bool json = false;
};

std::string joined(std::span<const std::string_view> values) {
  std::string out;
  for (auto v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

std::string numberHelp(const store::ResourceSpec& spec) {
  switch (spec.resource) {
    case store::Resource::Pulls:
    case store::Resource::Reviews:
      return "pull request number";
    case store::Resource::Milestones:
      return "milestone number";
    case store::Resource::Items:
      return "number of the linked issue";
    default:
      return "issue number";
  }
}

}  // namespace

void printResourceRows(const store::ResourceSpec& spec, const nlohmann::json& rows) {
  std::vector<std::string> columns(spec.columns.begin(), spec.columns.end());
  printRows(std::cout, rows, columns);
}

CLI::App* addResourceList(CLI::App* c, const store::ResourceSpec& spec, int& exitCode) {
  auto f = std::make_shared<ListFlags>();
  f->target.addTo(*c);
  addForgeOption(*c, f->forge, ForgeCheck::ByServer);
  c->add_option("--repository", f->repository, "owner/name");
  const std::string actorFlag = "--" + std::string(spec.actorParam);
  if (store::accepts(spec, store::kFilterActor))
    c->add_option(actorFlag, f->actor, "login of the " + std::string(spec.actorMeans));
  if (store::accepts(spec, store::kFilterState)) {
    std::vector<std::string> states(spec.states.begin(), spec.states.end());
    c->add_option("--state", f->state, "one of: " + joined(spec.states))->check(CLI::IsMember(states));
  }
  if (store::accepts(spec, store::kFilterNumber))
    c->add_option("--number", f->number, numberHelp(spec))->check(CLI::PositiveNumber);
  if (store::accepts(spec, store::kFilterTime)) {
    const std::string when(spec.timeMeans);
    c->add_option("--since", f->since, when + " at or after: RFC 3339 or Unix seconds");
    c->add_option("--until", f->until, when + " before: RFC 3339 or Unix seconds");
    c->add_option("--timeframe", f->timeframe, when + " within the last 1h, 6h, 24h, 7d or 30d");
  }
  if (store::accepts(spec, store::kFilterKind))
    c->add_option("--kind", f->kind, "event kinds, comma-separated (pull_request,issues,...)");
  c->add_option("--limit", f->limit, "rows per page, 1-500")->capture_default_str();
  c->add_option("--cursor", f->cursor, "next_cursor of the previous page");
  c->add_flag("--json", f->json, "print the API's JSON");
  c->callback([c, f, &spec, &exitCode] {
    if (!c->get_subcommands().empty()) return;  // e.g. `incidents ack`: the subcommand answers
    const auto query = listQuery({{"forge", f->forge},
                                  {"repository", f->repository},
                                  {std::string(spec.actorParam), f->actor},
                                  {"state", f->state},
                                  {"number", f->number},
                                  {"since", f->since},
                                  {"until", f->until},
                                  {"timeframe", f->timeframe},
                                  {"kind", f->kind},
                                  {"limit", f->limit},
                                  {"cursor", f->cursor}});
    const auto body = f->target.get("/api/v1/" + std::string(spec.name) + query);
    if (f->json) {
      std::cout << body << "\n";
    } else {
      const auto page = nlohmann::json::parse(body);
      printResourceRows(spec, page[std::string(spec.name)]);
      printNextCursor(page);
    }
    exitCode = 0;
  });
  return c;
}

}  // namespace forgehook::cli
