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
constexpr int kStatusMilestones = 50;

store::RepositoryFilter repositoryParam(const http::Request& request) { return request.queryParam("repository"); }

json timeOrNull(const std::optional<std::int64_t>& seconds) {
  return seconds ? json(core::formatRfc3339Seconds(*seconds)) : json(nullptr);
}

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
  auto c = reader_.statusCounts(repo, clock_.nowMicros() - 24 * 3600 * 1'000'000LL);
  if (!c) return http::errorResponse(c.error());
  // A bounded list: at 30,000 milestones the whole list was 3 MB and a quarter of a second.
  // GET /api/v1/milestones pages through all of them.
  auto milestones = reader_.milestones(repo, kStatusMilestones);
  if (!milestones) return http::errorResponse(milestones.error());
  json ms = json::array();
  for (const auto& m : *milestones) {
    const auto total = m.openIssues + m.closedIssues;
    ms.push_back({{"repository", m.repository},
                  {"title", m.title},
                  {"state", m.state},
                  {"open_issues", m.openIssues},
                  {"closed_issues", m.closedIssues},
                  {"due_on", timeOrNull(m.dueOn)},
                  {"progress", total ? std::round(1000.0 * m.closedIssues / total) / 1000 : 0.0}});
  }
  json lastDelivery = c->lastDeliveryMicros ? json(core::formatRfc3339(*c->lastDeliveryMicros)) : json(nullptr);
  json connections = json();
  if (connections_) {
    auto all = connections_->listConnections();
    if (!all) return http::errorResponse(all.error());
    json failing = json::array();
    std::int64_t active = 0, polling = 0;
    for (const auto& conn : *all) {
      if (repo && (conn.kind != "repository" || conn.target != *repo)) continue;
      if (conn.status == "active") ++active;
      if (conn.mode == "poll") ++polling;
      if (!store::isFailing(conn)) continue;
      const auto since = conn.failingSince.value_or(conn.updatedAt);
      failing.push_back({{"id", conn.id},
                         {"forge", conn.forge},
                         {"kind", conn.kind},
                         {"target", conn.target},
                         {"status", conn.status},
                         {"error", conn.error ? json(*conn.error) : json()},
                         {"hint", conn.hint ? json(*conn.hint) : json()},
                         {"failing_since", core::formatRfc3339(since * 1'000'000)}});
    }
    connections = {{"total", repo ? active + polling + static_cast<std::int64_t>(failing.size())
                                  : static_cast<std::int64_t>(all->size())},
                   {"active", active},
                   {"polled", polling},
                   {"failing", std::move(failing)}};
  }
  json budgets = json::array();
  if (budgets_)
    for (const auto& b : budgets_())
      budgets.push_back({{"forge", b.forge},
                         {"credential", b.credential},
                         {"limit", b.limit},
                         {"remaining", b.remaining < 0 ? json() : json(b.remaining)},
                         {"reset_at", b.resetAt > 0 ? json(core::formatRfc3339(b.resetAt * 1'000'000)) : json()},
                         {"calls", b.calls},
                         {"waited_ms", b.waitedMs},
                         {"secondary_limits", b.secondaryLimits}});
  return jsonReply({{"open_issues", c->openIssues},
                    {"open_pulls", c->openPulls},
                    {"incidents_open", c->incidentsOpen},
                    {"milestones", ms},
                    {"milestones_total", c->milestones},
                    {"webhooks",
                     {{"last_delivery_at", lastDelivery},
                      {"deliveries_24h", c->deliveries24h},
                      {"failures_24h", c->failures24h},
                      {"processing_backlog", c->queued},
                      {"dead_letter", c->dead}}},
                    {"connections", std::move(connections)},
                    {"forge_rate_limits", std::move(budgets)}});
}

http::Response ActivityMetricsApi::pulls(const http::Request& request) const {
  const auto now = clock_.nowSeconds();
  auto range = rangeFrom(request, now, 30 * kDay);
  if (!range) return http::errorResponse(range.error());
  const auto [since, until] = *range;
  auto all = reader_.pullTimings(repositoryParam(request), since, until);
  if (!all) return http::errorResponse(all.error());
  struct Bucket {
    std::vector<double> cycle, review;
    int opened = 0, merged = 0, closedUnmerged = 0, reverts = 0, hotfixes = 0;
  };
  std::map<std::int64_t, Bucket> weeks;
  Bucket total;
  auto in = [&](const std::optional<std::int64_t>& t) { return t && *t >= since && *t < until; };
  for (const auto& p : *all) {
    const auto created = p.createdAt;
    if (in(created)) {
      for (Bucket* b : {&weeks[weekStart(created)], &total}) {
        b->opened++;
        if (p.isRevert) b->reverts++;
        if (p.isHotfix) b->hotfixes++;
      }
    }
    if (in(p.mergedAt)) {
      for (Bucket* b : {&weeks[weekStart(*p.mergedAt)], &total}) {
        b->merged++;
        b->cycle.push_back(static_cast<double>(*p.mergedAt - created) / 3600);
      }
    } else if (in(p.closedAt) && p.state == "closed") {
      for (Bucket* b : {&weeks[weekStart(*p.closedAt)], &total}) b->closedUnmerged++;
    }
    if (in(p.firstReviewAt)) {
      for (Bucket* b : {&weeks[weekStart(*p.firstReviewAt)], &total})
        b->review.push_back(static_cast<double>(*p.firstReviewAt - created) / 3600);
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
    w["week"] = core::formatRfc3339Seconds(start);
    perWeek.push_back(std::move(w));
  }
  json out = render(total);
  out["since"] = core::formatRfc3339Seconds(since);
  out["until"] = core::formatRfc3339Seconds(until);
  out["weeks"] = std::move(perWeek);
  return jsonReply(out);
}

http::Response ActivityMetricsApi::sprint(const http::Request& request) const {
  const auto title = request.queryParam("milestone");
  if (!title || title->empty()) return http::errorResponse(invalidArgument("milestone (its title) is required"));
  const auto repo = repositoryParam(request);
  auto titled = reader_.milestonesTitled(repo, *title);
  if (!titled) return http::errorResponse(titled.error());
  if (titled->empty()) return http::errorResponse(core::Error::notFound("no milestone titled " + *title));
  if (titled->size() > 1) {
    std::string where;
    for (const auto& m : *titled) where += (where.empty() ? "" : ", ") + m.repository;
    return http::errorResponse(
        invalidArgument("milestone " + *title + " is in several repositories (" + where + "): give repository"));
  }
  const auto& m = titled->front();
  auto issues = reader_.milestoneIssues(m);
  if (!issues) return http::errorResponse(issues.error());
  auto past = reader_.closedMilestones(repo);
  if (!past) return http::errorResponse(past.error());
  const auto now = clock_.nowSeconds();
  // Totals come from each issue's state now, so open + closed is always the number of issues. (They
  // were counted from the burndown's last day, which left out issues whose creation time was
  // unknown or later than the milestone's close: 1 issue, 0 open, 0 closed.)
  std::int64_t open = 0, closed = 0;
  for (const auto& i : *issues) (i.state == "closed" ? closed : open)++;
  std::int64_t start = m.createdAt.value_or(now);
  for (const auto& i : *issues)
    if (i.createdAt) start = std::min(start, *i.createdAt);
  start = start / kDay * kDay;
  const std::int64_t end = std::max(start, m.closedAt ? std::min(now, *m.closedAt) : now);
  // The burndown by day: issues created by the end of the day (an unknown creation counts from the
  // start), and how many of them were closed by then (an unknown close time counts from the end).
  auto countBefore = [&](std::int64_t until) {
    std::pair<std::int64_t, std::int64_t> openClosed{0, 0};
    for (const auto& i : *issues) {
      if (i.createdAt && *i.createdAt >= until) continue;
      const bool closedBy = i.state == "closed" && i.closedAt.value_or(end) < until;
      (closedBy ? openClosed.second : openClosed.first)++;
    }
    return openClosed;
  };
  const std::int64_t lastDay = start + (end - start) / kDay * kDay;
  // The chart shows at most the last 400 days; the totals above cover the whole milestone.
  json burndown = json::array();
  for (std::int64_t day = std::max(start, lastDay - 399 * kDay); day <= lastDay; day += kDay) {
    const auto [openThen, closedThen] = countBefore(day + kDay);
    burndown.push_back({{"day", core::formatRfc3339Seconds(day)}, {"open", openThen}, {"closed", closedThen}});
  }
  const double days = std::max<double>(1.0, static_cast<double>(end - start) / kDay);
  const double ratePerDay = static_cast<double>(closed) / days;
  std::optional<std::int64_t> projection;
  if (open == 0 && closed > 0)
    projection = end;
  else if (ratePerDay > 0)
    projection = now + static_cast<std::int64_t>(static_cast<double>(open) / ratePerDay * kDay);
  json onTrack = nullptr;
  if (m.dueOn && projection) onTrack = *projection <= *m.dueOn;
  json velocity = json::array();
  for (const auto& v : *past)
    velocity.push_back(
        {{"milestone", v.title}, {"closed_at", timeOrNull(v.closedAt)}, {"closed_issues", v.closedIssues}});
  return jsonReply(
      {{"milestone", m.title},
       {"state", m.state},
       {"due_on", timeOrNull(m.dueOn)},
       {"issues", issues->size()},
       {"open", open},
       {"closed", closed},
       {"burndown", burndown},
       {"closed_per_day", std::round(ratePerDay * 100) / 100},
       {"projected_completion", projection ? json(core::formatRfc3339Seconds(*projection)) : json(nullptr)},
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
  auto h =
      reader_.healthCounts({repositoryParam(request), now, stalePullDays * kDay, staleIssueDays * kDay, range->first});
  if (!h) return http::errorResponse(h.error());
  return jsonReply(
      {{"stale_pulls", h->stalePulls},
       {"stale_issues", h->staleIssues},
       {"stale_pull_days", stalePullDays},
       {"stale_issue_days", staleIssueDays},
       {"ci",
        {{"since", core::formatRfc3339Seconds(range->first)},
         {"runs_completed", h->runsCompleted},
         {"runs_failed", h->runsFailed},
         {"failure_rate",
          h->runsCompleted ? json(std::round(1000.0 * h->runsFailed / h->runsCompleted) / 1000) : json(nullptr)}}},
       {"incidents",
        {{"resolved", h->incidentsResolved},
         {"mean_hours_to_resolve", h->meanHoursToResolve ? json(*h->meanHoursToResolve) : json(nullptr)}}}});
}

}  // namespace forgehook::api
