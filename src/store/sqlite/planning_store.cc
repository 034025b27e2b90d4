#include "store/sqlite/planning_store.h"
#include "core/forge.h"

#include "store/sqlite/bound_sql.h"
#include "store/sqlite/resource_sql.h"

namespace forgehook::store::sqlite {
namespace {

std::string noItem(std::int64_t id) { return "no planned item with id " + std::to_string(id); }
std::string noIncident(std::int64_t id) { return "no incident with id " + std::to_string(id); }

}  // namespace

core::Result<std::string> SqlitePlanningStore::readOne(Resource resource, std::int64_t id, const std::string& missing) {
  return db_.read<std::string>([&](sqlite3* db) -> core::Result<std::string> {
    const auto& sql = resourceSql(resource);
    Statement s(db, sql.select + " AND " + sql.rowId + " = ?1");
    s.bind(1, id);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return std::unexpected(core::Error::notFound(missing));
    if (rc != SQLITE_ROW) return std::unexpected(storeError(rc));
    return s.text(2);
  });
}

core::Result<std::string> SqlitePlanningStore::getItem(std::int64_t id) {
  return readOne(Resource::Items, id, noItem(id));
}

core::Result<std::string> SqlitePlanningStore::createItem(const ItemInput& in, std::int64_t now) {
  std::int64_t id = 0;
  auto result = db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db,
                "INSERT INTO items (title, description, owner, status, tags, due_on, forge, repository, issue_number, "
                "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)");
    s.bind(1, in.title.value_or("")).bind(2, in.description.value_or("")).bind(3, in.owner.value_or(""));
    s.bind(4, in.status.value_or("planned")).bind(5, in.tagsJson.value_or("[]"));
    if (in.dueOn && *in.dueOn)
      s.bind(6, **in.dueOn);
    else
      s.bindNull(6);
    if (in.issueNumber)
      s.bind(7, in.forge.value_or(std::string(core::forgeName(core::Forge::GitHub))))
          .bind(8, in.repository.value_or(""))
          .bind(9, *in.issueNumber);
    else
      s.bindNull(7).bindNull(8).bindNull(9);
    s.bind(10, now);
    must(s.step());
    id = sqlite3_last_insert_rowid(db);
    must(changes_.recordCreated(Resource::Items, id, now * 1'000'000));
    return {};
  });
  if (!result) return std::unexpected(result.error());
  return getItem(id);
}

core::Result<std::string> SqlitePlanningStore::updateItem(std::int64_t id, const ItemInput& in, std::int64_t now) {
  auto result = db_.write([&](sqlite3* db) -> core::Result<void> {
    ChangeRecorder::Scope scope{changes_};
    changes_.watch(Resource::Items, "i.id = ?1", {id});
    BoundSql update{"UPDATE items SET updated_at = ?1", {now}};
    auto set = [&](const char* column, FieldValue v) { update.add(std::string(", ") + column + " = ", std::move(v)); };
    if (in.title) set("title", *in.title);
    if (in.description) set("description", *in.description);
    if (in.owner) set("owner", *in.owner);
    if (in.status) set("status", *in.status);
    if (in.tagsJson) set("tags", *in.tagsJson);
    if (in.dueOn) set("due_on", *in.dueOn ? FieldValue(**in.dueOn) : FieldValue());
    if (in.unlink) {
      set("forge", FieldValue());
      set("repository", FieldValue());
      set("issue_number", FieldValue());
    } else if (in.issueNumber) {
      set("forge", in.forge.value_or(std::string(core::forgeName(core::Forge::GitHub))));
      set("repository", in.repository.value_or(""));
      set("issue_number", *in.issueNumber);
    }
    update.add(" WHERE id = ", id);
    Statement s(db, update.sql);
    update.bindTo(s);
    must(s.step());
    if (sqlite3_changes(db) == 0) return std::unexpected(core::Error::notFound(noItem(id)));
    must(changes_.record(now * 1'000'000));
    return {};
  });
  if (!result) return std::unexpected(result.error());
  return getItem(id);
}

core::Result<void> SqlitePlanningStore::deleteItem(std::int64_t id, std::int64_t now) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    ChangeRecorder::Scope scope{changes_};
    changes_.watch(Resource::Items, "i.id = ?1", {id});
    Statement s(db, "DELETE FROM items WHERE id = ?1");
    s.bind(1, id);
    must(s.step());
    if (sqlite3_changes(db) == 0) return std::unexpected(core::Error::notFound(noItem(id)));
    must(changes_.record(now * 1'000'000));
    return {};
  });
}

core::Result<std::string> SqlitePlanningStore::acknowledgeIncident(std::int64_t id, const std::string& by,
                                                                   const std::string& note, std::int64_t now) {
  auto result = db_.write([&](sqlite3* db) -> core::Result<void> {
    ChangeRecorder::Scope scope{changes_};
    changes_.watch(Resource::Incidents, "n.id = ?1", {id});
    Statement s(db,
                "INSERT INTO incident_acks (forge, repo_id, workflow, branch, opened_run, acknowledged_at, "
                "acknowledged_by, note) SELECT forge, repo_id, workflow, branch, opened_run, ?2, ?3, ?4 FROM incidents "
                "WHERE id = ?1 ON CONFLICT DO UPDATE SET acknowledged_at = excluded.acknowledged_at, acknowledged_by = "
                "excluded.acknowledged_by, note = excluded.note");
    s.bind(1, id).bind(2, now).bind(3, by).bind(4, note);
    must(s.step());
    if (sqlite3_changes(db) == 0) return std::unexpected(core::Error::notFound(noIncident(id)));
    must(changes_.record(now * 1'000'000));
    return {};
  });
  if (!result) return std::unexpected(result.error());
  // The pipeline may have recomputed the incident away in between: then it is NotFound.
  return readOne(Resource::Incidents, id, noIncident(id));
}

}  // namespace forgehook::store::sqlite
