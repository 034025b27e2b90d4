#include "store/postgres/pg_change_log.h"

#include <algorithm>

namespace forgehook::store::postgres {
namespace {

constexpr std::size_t kRowsPerInsert = 1000;  // 8 parameters a row, well under the protocol's 65535

PgParam orNull(const std::string& value) { return value.empty() ? PgParam(std::nullopt) : PgParam(value); }

}  // namespace

core::Result<std::int64_t> appendChanges(PgConnection& conn, std::span<const PendingChange> changes) {
  if (changes.empty()) return 0;
  auto counter = conn.exec("UPDATE change_counter SET seq = seq + $1 WHERE id = 1 RETURNING seq",
                           {std::to_string(changes.size())});
  if (!counter) return std::unexpected(counter.error());
  std::int64_t seq = counter->integer(0, 0) - static_cast<std::int64_t>(changes.size());
  const std::int64_t first = seq + 1;
  for (std::size_t start = 0; start < changes.size(); start += kRowsPerInsert) {
    const auto chunk = changes.subspan(start, std::min(kRowsPerInsert, changes.size() - start));
    std::string sql = "INSERT INTO changes (seq, at, resource, action, entity_id, forge, repository, data) VALUES ";
    std::vector<PgParam> params;
    params.reserve(chunk.size() * 8);
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      const auto& c = chunk[i];
      const auto base = params.size();
      sql += i ? ", (" : "(";
      for (int p = 1; p <= 8; ++p) {
        sql += '$';
        sql += std::to_string(base + p);
        sql += p < 8 ? ", " : ")";
      }
      params.emplace_back(std::to_string(++seq));
      params.emplace_back(std::to_string(c.atMicros));
      params.emplace_back(c.resource);
      params.emplace_back(c.action);
      params.emplace_back(c.entityId);
      params.push_back(orNull(c.forge));
      params.push_back(orNull(c.repository));
      params.emplace_back(c.dataJson);
    }
    if (auto inserted = conn.exec(sql, params); !inserted) return std::unexpected(inserted.error());
  }
  if (auto notified = conn.exec(std::string("NOTIFY ") + kChangesChannel); !notified)
    return std::unexpected(notified.error());
  return first;
}

core::Result<void> appendReset(PgConnection& conn, const std::string& reason, std::int64_t atMicros) {
  auto reset = conn.exec(
      "WITH next AS (UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq) INSERT INTO change_resets "
      "(seq, at, reason) SELECT seq, $1, $2 FROM next",
      {std::to_string(atMicros), reason});
  if (!reset) return std::unexpected(reset.error());
  // Readers waiting on other nodes look again, and find the reset point.
  if (auto notified = conn.exec(std::string("NOTIFY ") + kChangesChannel); !notified)
    return std::unexpected(notified.error());
  return {};
}

}  // namespace forgehook::store::postgres
