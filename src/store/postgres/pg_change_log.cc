#include "store/postgres/pg_change_log.h"

#include <string>
#include <vector>

#include "store/postgres/pg_values.h"

namespace forgehook::store::postgres {

core::Result<std::int64_t> appendChanges(PgConnection& conn, std::span<const PendingChange> changes) {
  if (changes.empty()) return 0;
  // One statement of one text whatever the count (prepared once: pg_connection.h), the records as
  // arrays: the counter moved on, the records numbered from where it was, and the nodes notified.
  std::vector<std::int64_t> at;
  std::vector<std::string> resource, action, entity, forge, repository, data;
  for (const auto& c : changes) {
    at.push_back(c.atMicros);
    resource.push_back(c.resource);
    action.push_back(c.action);
    entity.push_back(c.entityId);
    forge.push_back(c.forge);  // "": NULL
    repository.push_back(c.repository);
    data.push_back(c.dataJson);
  }
  auto first = conn.exec(
      "WITH n AS (UPDATE change_counter SET seq = seq + $1 WHERE id = 1 RETURNING seq), "
      "ins AS (INSERT INTO changes (seq, at, resource, action, entity_id, forge, repository, data) "
      "SELECT n.seq - $1 + u.o, u.a, u.r, u.ac, u.e, nullif(u.f, ''), nullif(u.rp, ''), u.d FROM n, "
      "unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH "
      "ORDINALITY AS u(a, r, ac, e, f, rp, d, o)) "
      "SELECT n.seq - $1 + 1, pg_notify('" + std::string(kChangesChannel) + "', '') FROM n",
      {std::to_string(changes.size()), pgBigintArray(at), pgTextArray(resource), pgTextArray(action),
       pgTextArray(entity), pgTextArray(forge), pgTextArray(repository), pgTextArray(data)});
  if (!first) return std::unexpected(first.error());
  return first->integer(0, 0);
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
