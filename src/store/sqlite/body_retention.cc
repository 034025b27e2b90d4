#include "store/sqlite/body_retention.h"

#include <filesystem>
#include <optional>
#include <vector>

namespace forgehook::store::sqlite {
namespace {

// Settled deliveries with a body, received before ?1. deliveries_unpruned (migration 9) holds only
// the rows with a body, by received_at, so a batch starts at the oldest body left instead of
// stepping over every row pruned before. length() of a blob reads its size, not its pages. A body
// is in delivery_bodies (rows before migration 12) or in the body journal (body_segment). Nor
// the deliveries a rebuild in progress has still to queue: their projections were emptied and
// their bodies are all that is left to make them again.
constexpr const char* kPrunable =
    "FROM deliveries INDEXED BY deliveries_unpruned LEFT JOIN delivery_bodies b ON b.delivery = deliveries.id "
    "WHERE body_pruned_at IS NULL AND received_at < ?1 AND status NOT IN ('queued', 'retrying') AND NOT EXISTS "
    "(SELECT 1 FROM rebuild_progress p WHERE deliveries.id > p.queued_through AND deliveries.id <= p.last_id)";

// Deletes the journal's segments in which no row keeps a body any more (the segment being appended
// to, and any holding records not indexed yet, stay). The counter row goes first, in a durable
// commit that also syncs the relaxed prunes before it: no row can point into a deleted segment
// after a power cut. A file left behind by a crash between the two is only disk to reclaim by hand.
core::Result<void> removeEmptySegments(Database& db) {
  auto listed = db.read<std::vector<std::int64_t>>([](sqlite3* c) -> core::Result<std::vector<std::int64_t>> {
    Statement s(c, "SELECT segment FROM body_segments WHERE live <= 0 ORDER BY segment");
    std::vector<std::int64_t> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(s.integer(0));
    if (rc != SQLITE_DONE) return std::unexpected(storeError(rc));
    return out;
  });
  if (!listed) return std::unexpected(listed.error());
  const auto appendedTo = db.journal().end().segment;
  // Records past the index's end are acknowledged deliveries not indexed yet (intake indexes many
  // groups at once): their segments are not counted in body_segments yet, so they stay. The
  // segment the end is in holds such records only if it goes on past the end (it is sealed, so its
  // size is final): a store whose journal could not start its next segment (full) must still be
  // able to free this one. Read once: the end only moves on, so an older one keeps more.
  const auto indexEnd = db.journalIndexedUpTo();
  for (const auto segment : *listed) {
    if (segment >= appendedTo || segment > indexEnd.segment) continue;
    if (segment == indexEnd.segment) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(BodyJournal::segmentPath(db.journal().dir(), segment), ec);
      if (!ec && static_cast<std::int64_t>(size) > indexEnd.offset) continue;
    }
    bool forgotten = false;
    auto done = db.write([&](sqlite3* c) -> core::Result<void> {
      Statement s(c, "DELETE FROM body_segments WHERE segment = ?1 AND live <= 0");
      must(s.bind(1, segment).step());
      forgotten = sqlite3_changes(c) > 0;
      return {};
    });
    if (!done) return std::unexpected(done.error());
    if (forgotten) db.journal().removeSegment(segment);
  }
  return {};
}

}  // namespace

core::Result<PrunedBodies> SqliteBodyRetention::measurePrunable(std::int64_t cutoffMicros) {
  return db_.read<PrunedBodies>([&](sqlite3* db) -> core::Result<PrunedBodies> {
    Statement s(db,
                std::string("SELECT count(*), coalesce(sum(coalesce(length(b.body), body_length)), 0) ") + kPrunable);
    s.bind(1, cutoffMicros);
    if (const int rc = s.step(); rc != SQLITE_ROW) return std::unexpected(storeError(rc));
    return PrunedBodies{s.integer(0), s.integer(1)};
  });
}

core::Result<PrunedBodies> SqliteBodyRetention::pruneBodies(std::int64_t cutoffMicros, std::int64_t nowMicros,
                                                            int batchRows, const std::function<bool()>& between) {
  PrunedBodies total;
  const std::string select = std::string(
                                 "SELECT id, coalesce(length(b.body), body_length), body_segment, body_offset, "
                                 "body_length ") +
                             kPrunable + " ORDER BY received_at LIMIT ?2";
  for (;;) {
    PrunedBodies batch;
    // Relaxed: a prune lost to a power cut leaves the bodies in place, to be pruned again.
    auto done = db_.write(
        [&](sqlite3* db) -> core::Result<void> {
          batch = {};
          Statement pick(db, select);
          pick.bind(1, cutoffMicros).bind(2, static_cast<std::int64_t>(batchRows));
          // The headers stay (delivery_bodies keeps the row): only the payload goes.
          Statement pruneBody(db, "UPDATE delivery_bodies SET body = x'' WHERE delivery = ?1");
          // A journal body: the headers move into delivery_bodies, the segment's counter drops.
          Statement keepHeaders(db,
                                "INSERT INTO delivery_bodies (delivery, headers, body_encoding, body) "
                                "VALUES (?1, ?2, 'identity', x'')");
          Statement release(db, "UPDATE body_segments SET live = live - 1 WHERE segment = ?1");
          Statement mark(db,
                         "UPDATE deliveries SET body_pruned_at = ?2, body_segment = NULL, body_offset = NULL, "
                         "body_length = NULL WHERE id = ?1");
          struct Picked {
            std::int64_t id;
            std::optional<JournalLocation> at;
          };
          int rc;
          std::vector<Picked> picked;
          while ((rc = pick.step()) == SQLITE_ROW) {
            auto& p = picked.emplace_back(Picked{pick.integer(0), std::nullopt});
            if (!pick.isNull(2)) p.at = JournalLocation{pick.integer(2), pick.integer(3), pick.integer(4)};
            batch.bytes += pick.integer(1);
          }
          must(rc);
          for (const auto& p : picked) {
            if (p.at) {
              // A record that cannot be read keeps no headers worth more than an empty object.
              auto stored = db_.journal().read(*p.at);
              must(keepHeaders.bind(1, p.id).bind(2, stored ? stored->headersJson : std::string("{}")).run());
              must(release.bind(1, p.at->segment).run());
            } else {
              must(pruneBody.bind(1, p.id).run());
            }
            must(mark.bind(1, p.id).bind(2, nowMicros).run());
          }
          batch.deliveries = static_cast<std::int64_t>(picked.size());
          return {};
        },
        Database::Sync::Relaxed);
    if (!done) return std::unexpected(done.error());
    total.deliveries += batch.deliveries;
    total.bytes += batch.bytes;
    if (batch.deliveries < batchRows || !between()) break;
  }
  if (auto removed = removeEmptySegments(db_); !removed) return std::unexpected(removed.error());
  return total;
}

}  // namespace forgehook::store::sqlite
