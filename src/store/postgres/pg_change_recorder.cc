#include "store/postgres/pg_change_recorder.h"

#include <utility>

#include "store/change_targets.h"
#include "store/postgres/pg_values.h"
#include "store/resource_sql.h"

namespace forgehook::store::postgres {
namespace {

// "?N" placeholders (the targets are written once for both stores) as PostgreSQL's "$N"; a '?'
// not followed by a digit (an operator, a literal) stays.
std::string dollarPlaceholders(const std::string& where) {
  std::string out = where;
  for (std::size_t i = 0; i + 1 < out.size(); ++i)
    if (out[i] == '?' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '$';
  return out;
}

}  // namespace

core::Result<void> PgChangeRecorder::watch(const ProcessedDelivery& d) {
  for (auto& target : changeTargets(d))
    if (auto watched = watch(target.resource, target.where, std::move(target.params)); !watched) return watched;
  return {};
}

core::Result<void> PgChangeRecorder::watch(Resource resource, const std::string& where,
                                           std::vector<FieldValue> params) {
  Watched w{resource, dollarPlaceholders(where), std::move(params), {}};
  for (const auto& o : watched_)
    if (o.resource == w.resource && o.where == w.where && o.params == w.params) return {};
  auto before = read(w);
  if (!before) return std::unexpected(before.error());
  w.before = std::move(*before);
  watched_.push_back(std::move(w));
  return {};
}

core::Result<std::map<std::int64_t, PgChangeRecorder::Row>> PgChangeRecorder::read(const Watched& w) {
  const auto& sql = resourceSql(SqlDialect::Postgres, w.resource);
  auto rows = conn_.exec("SELECT " + sql.rowId + ", " + sql.forge + ", coalesce(" + sql.repository + ", ''), " +
                             sql.object + sql.from + " AND (" + w.where + ")",
                         pgParams(w.params));
  if (!rows) return std::unexpected(rows.error());
  std::map<std::int64_t, Row> out;
  for (int i = 0; i < rows->rows(); ++i) out[rows->integer(i, 0)] = {rows->text(i, 1), rows->text(i, 2), rows->text(i, 3)};
  return out;
}

core::Result<void> PgChangeRecorder::record(std::int64_t now) {
  auto watched = std::exchange(watched_, {});
  const auto kept = pending_.size();
  for (const auto& w : watched) {
    auto after = read(w);
    if (!after) {
      pending_.resize(kept);
      return std::unexpected(after.error());
    }
    const std::string resource(specOf(w.resource).name);
    const auto keep = [&](std::int64_t id, const Row& row, const char* action) {
      pending_.push_back({now, resource, action, std::to_string(id), row.forge, row.repository, row.json});
    };
    for (const auto& [id, row] : *after) {
      const auto old = w.before.find(id);
      if (old == w.before.end())
        keep(id, row, "created");
      else if (old->second.json != row.json)
        keep(id, row, "updated");
    }
    for (const auto& [id, row] : w.before)
      if (!after->contains(id)) keep(id, row, "deleted");
  }
  return {};
}

core::Result<void> PgChangeRecorder::recordAndAppend(std::int64_t nowMicros) {
  if (auto recorded = record(nowMicros); !recorded) return recorded;
  auto appended = appendChanges(conn_, take());
  if (!appended) return std::unexpected(appended.error());
  return {};
}

}  // namespace forgehook::store::postgres
