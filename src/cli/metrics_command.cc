// forgehook metrics status|pulls|sprint|health: the aggregate read endpoints
// (GET /api/v1/metrics/...) as key/value blocks and tables, or the API's JSON with --json.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/human_output.h"
#include "cli/list_query.h"

namespace forgehook::cli {
namespace {

struct MetricsFlags {
  AdminTarget target;
  // Parameter name → value, in the order of the endpoint's documentation.
  std::vector<std::pair<std::string, std::string>> params;
  bool json = false;
};

// One `metrics <name>` subcommand: GET /api/v1/metrics/<name> with `params` as flags
// ("stale_pull_days" is --stale-pull-days). `order` puts the important keys first.
CLI::App* addMetric(CLI::App& metrics, const std::string& name, const std::string& summary,
                    const std::vector<std::pair<std::string, std::string>>& params, std::vector<std::string_view> order,
                    int& exitCode) {
  auto f = std::make_shared<MetricsFlags>();
  auto* c = metrics.add_subcommand(name, summary);
  f->target.addTo(*c);
  f->params.reserve(params.size());  // the options below keep pointers into it
  for (const auto& [param, help] : params) {
    auto& slot = f->params.emplace_back(param, "");
    std::string flag = "--" + param;
    std::replace(flag.begin(), flag.end(), '_', '-');
    c->add_option(flag, slot.second, help);
  }
  c->add_flag("--json", f->json, "print the API's JSON");
  c->callback([f, name, order = std::move(order), &exitCode] {
    const auto body = f->target.get("/api/v1/metrics/" + name + listQuery(f->params));
    if (f->json)
      std::cout << body << "\n";
    else
      printObject(std::cout, nlohmann::json::parse(body), order);
    exitCode = 0;
  });
  return c;
}

}  // namespace

void addMetricsCommand(CLI::App& app, int& exitCode) {
  auto* metrics = app.add_subcommand("metrics", "Aggregates: status, pull request flow, sprint burndown, health");
  metrics->require_subcommand(1);
  const std::pair<std::string, std::string> repository{"repository", "owner/name (default: every repository)"};
  const std::pair<std::string, std::string> since{"since", "from: RFC 3339 or Unix seconds"};
  addMetric(*metrics, "status", "Open issues and pulls, open incidents, milestones, webhook intake", {repository},
            // One order for the block (open_issues, open_pulls, ...) and the milestones table (title, ...).
            {"title", "repository", "state", "open_issues", "closed_issues", "progress", "due_on", "open_pulls",
             "incidents_open"},
            exitCode);
  addMetric(*metrics, "pulls", "Pull request flow: opened, merged, cycle and review time, per week",
            {repository,
             since,
             {"until", "to (exclusive): RFC 3339 or Unix seconds"},
             {"timeframe", "the last 1h, 6h, 24h, 7d or 30d (default: 30 days)"}},
            {"since", "until", "week", "opened", "merged", "closed_unmerged", "merge_rate"}, exitCode);
  auto* sprint = addMetric(*metrics, "sprint", "A milestone's burndown, projected completion and velocity",
                           {{"milestone", "milestone title"}, repository},
                           {"milestone", "state", "due_on", "issues", "open", "closed", "closed_per_day",
                            "projected_completion", "on_track", "day"},
                           exitCode);
  sprint->get_option("--milestone")->required();
  addMetric(*metrics, "health", "Stale pulls and issues, CI failure rate, incident resolution",
            {repository,
             {"stale_pull_days", "a pull request is stale after this many idle days (default 14)"},
             {"stale_issue_days", "an issue is stale after this many idle days (default 30)"},
             since},
            {"stale_pulls", "stale_pull_days", "stale_issues", "stale_issue_days"}, exitCode);
}

}  // namespace forgehook::cli
