#include "api/activity_metrics_api.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/json_reply.h"
#include "api/query_params.h"

namespace forgehook::api {
namespace {

using nlohmann::json;
constexpr std::int64_t kDay = 86400;

store::FieldValue repositoryParam(const http::Request& request) {
  if (auto repo = request.queryParam("repository")) return *repo;
  return {};
}

core::Result<std::vector<json>> rows(store::Store& store, const std::string& name,
                                     const std::vector<store::FieldValue>& params) {
  auto result = store.aggregate(name, params);
  if (!result) return std::unexpected(result.error());
  std::vector<json> out;
  for (const auto& row : *result) out.push_back(json::parse(row));
  return out;
}

std::string rfc3339(std::int64_t seconds) {
  auto text = core::formatRfc3339(seconds * 1'000'000);
  // Whole seconds: drop the zero fraction.
  if (auto dot = text.find('.'); dot != std::string::npos) text = text.substr(0, dot) + "Z";
  return text;
}

json timeOrNull(const json& v) { return v.is_number() ? json(rfc3339(v.get<std::int64_t>())) : json(nullptr); }

// Nearest-rank percentile of hours; null when empty.
json percentile(std::vector<double> values, double p) {
  if (values.empty()) return nullptr;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return std::round(values[std::clamp<std::size_t>(rank, 1, values.size()) - 1] * 100) / 100;
}

std::int64_t weekStart(std::int64_t seconds) {
  // 1970-01-01 was a Thursday; weeks start on Monday.
  const std::int64_t days = seconds / kDay;
  return (days - ((days + 3) % 7)) * kDay;
}

// The range of a metrics endpoint in Unix seconds: since/until/timeframe, by default the last
// `defaultSpan` seconds up to now.
core::Result<std::pair<std::int64_t, std::int64_t>> rangeFrom(const http::Request& request, std::int64_t now,
                                                              std::int64_t defaultSpan) {
  auto range = readTimeRange(request, now * 1'000'000);
  if (!range) return std::unexpected(range.error());
  const std::int64_t since = range->sinceMicros ? *range->sinceMicros / 1'000'000 : now - defaultSpan;
  const std::int64_t until = range->untilMicros ? *range->untilMicros / 1'000'000 : now + 1;
  if (since >= until) return std::unexpected(invalidArgument("since must be before until"));
  return std::pair{since, until};
}

}  // namespace

http::Response ActivityMetricsApi::status(const http::Request& request) const {
  const auto repo = repositoryParam(request);
  auto counts = rows(store_, "status", {repo, clock_.nowMicros() - 24 * 3600 * 1'000'000LL});
  if (!counts) return http::errorResponse(counts.error());
  auto milestones = rows(store_, "milestones", {repo});
  if (!milestones) return http::errorResponse(milestones.error());
  json c = counts->front();
  json ms = json::array();
  for (auto& m : *milestones) {
    const auto open = m.value("open_issues", json(0)).is_number() ? m["open_issues"].get<std::int64_t>() : 0;
    const auto closed = m.value("closed_issues", json(0)).is_number() ? m["closed_issues"].get<std::int64_t>() : 0;
    ms.push_back({{"repository", m["repository"]},
                  {"title", m["title"]},
                  {"state", m["state"]},
                  {"open_issues", open},
                  {"closed_issues", closed},
                  {"due_on", timeOrNull(m["due_on"])},
                  {"progress", open + closed ? std::round(1000.0 * closed / (open + closed)) / 1000 : 0.0}});
  }
  json lastDelivery = c["last_delivery_at"].is_number()
                          ? json(core::formatRfc3339(c["last_delivery_at"].get<std::int64_t>()))
                          : json(nullptr);
  return jsonReply({{"open_issues", c["open_issues"]},
                    {"open_pulls", c["open_pulls"]},
                    {"incidents_open", c["incidents_open"]},
                    {"milestones", ms},
                    {"webhooks",
                     {{"last_delivery_at", lastDelivery},
                      {"deliveries_24h", c["deliveries_24h"]},
                      {"failures_24h", c["failures_24h"]},
                      {"processing_backlog", c["queued"]},
                      {"dead_letter", c["dead"]}}}});
}

http::Response ActivityMetricsApi::pulls(const http::Request& request) const {
  const auto now = clock_.nowSeconds();
  auto range = rangeFrom(request, now, 30 * kDay);
  if (!range) return http::errorResponse(range.error());
  const auto [since, until] = *range;
  auto all = rows(store_, "pulls", {repositoryParam(request), since, until});
  if (!all) return http::errorResponse(all.error());
  struct Bucket {
    std::vector<double> cycle, review;
    int opened = 0, merged = 0, closedUnmerged = 0, reverts = 0, hotfixes = 0;
  };
  std::map<std::int64_t, Bucket> weeks;
  Bucket total;
  auto in = [&](const json& v) {
    return v.is_number() && v.get<std::int64_t>() >= since && v.get<std::int64_t>() < until;
  };
  for (const auto& p : *all) {
    const auto created = p["created_at"].is_number() ? p["created_at"].get<std::int64_t>() : 0;
    if (in(p["created_at"])) {
      for (Bucket* b : {&weeks[weekStart(created)], &total}) {
        b->opened++;
        if (p["is_revert"] == 1) b->reverts++;
        if (p["is_hotfix"] == 1) b->hotfixes++;
      }
    }
    if (in(p["merged_at"])) {
      const auto merged = p["merged_at"].get<std::int64_t>();
      for (Bucket* b : {&weeks[weekStart(merged)], &total}) {
        b->merged++;
        b->cycle.push_back(static_cast<double>(merged - created) / 3600);
      }
    } else if (in(p["closed_at"]) && p["state"] == "closed") {
      const auto closed = p["closed_at"].get<std::int64_t>();
      for (Bucket* b : {&weeks[weekStart(closed)], &total}) b->closedUnmerged++;
    }
    if (in(p["first_review_at"])) {
      const auto reviewed = p["first_review_at"].get<std::int64_t>();
      for (Bucket* b : {&weeks[weekStart(reviewed)], &total})
        b->review.push_back(static_cast<double>(reviewed - created) / 3600);
    }
  }
  auto render = [](const Bucket& b) {
    const int decided = b.merged + b.closedUnmerged;
    return json{{"opened", b.opened},
                {"merged", b.merged},
                {"closed_unmerged", b.closedUnmerged},
                {"merge_rate", decided ? json(std::round(1000.0 * b.merged / decided) / 1000) : json(nullptr)},
                {"cycle_time_hours", {{"median", percentile(b.cycle, 0.5)}, {"p90", percentile(b.cycle, 0.9)}}},
                {"review_time_hours", {{"median", percentile(b.review, 0.5)}, {"p90", percentile(b.review, 0.9)}}},
                {"reverts", b.reverts},
                {"hotfixes", b.hotfixes}};
  };
  json perWeek = json::array();
  for (const auto& [start, bucket] : weeks) {
    json w = render(bucket);
    w["week"] = rfc3339(start);
    perWeek.push_back(std::move(w));
  }
  json out = render(total);
  out["since"] = rfc3339(since);
  out["until"] = rfc3339(until);
  out["weeks"] = std::move(perWeek);
  return jsonReply(out);
}

http::Response ActivityMetricsApi::sprint(const http::Request& request) const {
  const auto title = request.queryParam("milestone");
  if (!title || title->empty()) return http::errorResponse(invalidArgument("milestone (its title) is required"));
  const auto repo = repositoryParam(request);
  auto milestone = rows(store_, "sprint_milestone", {repo, *title});
  if (!milestone) return http::errorResponse(milestone.error());
  if (milestone->empty()) return http::errorResponse(core::Error::notFound("no milestone titled " + *title));
  auto issues = rows(store_, "sprint_issues", {repo, *title});
  if (!issues) return http::errorResponse(issues.error());
  auto past = rows(store_, "velocity", {repo});
  if (!past) return http::errorResponse(past.error());
  const json& m = milestone->front();
  const auto now = clock_.nowSeconds();
  std::int64_t start = m["created_at"].is_number() ? m["created_at"].get<std::int64_t>() : now;
  for (const auto& i : *issues)
    if (i["created_at"].is_number()) start = std::min(start, i["created_at"].get<std::int64_t>());
  start = start / kDay * kDay;
  std::int64_t end = now;
  if (m["closed_at"].is_number()) end = std::min(end, m["closed_at"].get<std::int64_t>());
  // Issues of the milestone created before `until`: still open (or closed later) and closed by then.
  auto countBefore = [&](std::int64_t until) {
    std::pair<int, int> openClosed{0, 0};
    for (const auto& i : *issues) {
      if (!i["created_at"].is_number() || i["created_at"].get<std::int64_t>() >= until) continue;
      if (i["state"] == "closed" && i["closed_at"].is_number() && i["closed_at"].get<std::int64_t>() < until)
        openClosed.second++;
      else
        openClosed.first++;
    }
    return openClosed;
  };
  const std::int64_t lastDay = start + (end - start) / kDay * kDay;
  const auto [remaining, closedSoFar] = countBefore(lastDay + kDay);
  // The chart shows at most the last 400 days; the totals above cover the whole milestone.
  json burndown = json::array();
  for (std::int64_t day = std::max(start, lastDay - 399 * kDay); day <= lastDay; day += kDay) {
    const auto [open, closed] = countBefore(day + kDay);
    burndown.push_back({{"day", rfc3339(day)}, {"open", open}, {"closed", closed}});
  }
  const double days = std::max<double>(1.0, static_cast<double>(end - start) / kDay);
  const double ratePerDay = closedSoFar / days;
  std::optional<std::int64_t> projection;
  if (remaining == 0 && closedSoFar > 0)
    projection = end;
  else if (ratePerDay > 0)
    projection = now + static_cast<std::int64_t>(remaining / ratePerDay * kDay);
  json onTrack = nullptr;
  if (m["due_on"].is_number() && projection) onTrack = *projection <= m["due_on"].get<std::int64_t>();
  json velocity = json::array();
  for (const auto& v : *past)
    velocity.push_back(
        {{"milestone", v["title"]}, {"closed_at", timeOrNull(v["closed_at"])}, {"closed_issues", v["closed_issues"]}});
  return jsonReply({{"milestone", m["title"]},
                    {"state", m["state"]},
                    {"due_on", timeOrNull(m["due_on"])},
                    {"issues", issues->size()},
                    {"open", remaining},
                    {"closed", closedSoFar},
                    {"burndown", burndown},
                    {"closed_per_day", std::round(ratePerDay * 100) / 100},
                    {"projected_completion", projection ? json(rfc3339(*projection)) : json(nullptr)},
                    {"on_track", onTrack},
                    {"velocity", velocity}});
}

http::Response ActivityMetricsApi::health(const http::Request& request) const {
  const auto now = clock_.nowSeconds();
  std::int64_t stalePullDays = 14, staleIssueDays = 30;
  for (auto [name, slot] :
       {std::pair{"stale_pull_days", &stalePullDays}, std::pair{"stale_issue_days", &staleIssueDays}}) {
    if (auto text = request.queryParam(name)) {
      auto v = parseInteger(*text);
      if (!v || *v < 1 || *v > 3650)
        return http::errorResponse(invalidArgument(std::string(name) + " must be between 1 and 3650"));
      *slot = *v;
    }
  }
  auto range = rangeFrom(request, now, 7 * kDay);
  if (!range) return http::errorResponse(range.error());
  auto result = rows(store_, "health",
                     {repositoryParam(request), now, stalePullDays * kDay, staleIssueDays * kDay, range->first});
  if (!result) return http::errorResponse(result.error());
  json h = result->front();
  const auto completed = h["runs_completed"].get<std::int64_t>(), failed = h["runs_failed"].get<std::int64_t>();
  return jsonReply(
      {{"stale_pulls", h["stale_pulls"]},
       {"stale_issues", h["stale_issues"]},
       {"stale_pull_days", stalePullDays},
       {"stale_issue_days", staleIssueDays},
       {"ci",
        {{"since", rfc3339(range->first)},
         {"runs_completed", completed},
         {"runs_failed", failed},
         {"failure_rate", completed ? json(std::round(1000.0 * failed / completed) / 1000) : json(nullptr)}}},
       {"incidents", {{"resolved", h["incidents_resolved"]}, {"mean_hours_to_resolve", h["mean_hours_to_resolve"]}}}});
}

}  // namespace forgehook::api
