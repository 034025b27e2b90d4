// SqliteStore: reading the activity model (store.h, "The activity model"). Each resource is one
// SELECT whose rows are the API's JSON objects (SQLite's json_object), plus the filter columns it
// supports. Derived values (cycle and review time, comment counts, a planned item's status) are
// computed here from the projections, so they are the same however the deliveries were ordered.
#include <map>
#include <nlohmann/json.hpp>

#include "store/sqlite/bound_sql.h"
#include "store/sqlite/writer.h"

namespace forgehook::store::sqlite {
namespace {

// SQL fragments for the JSON objects.
std::string ts(const std::string& column) { return "strftime('%Y-%m-%dT%H:%M:%SZ', " + column + ", 'unixepoch')"; }
std::string boolean(const std::string& column) {
  return "json(CASE WHEN " + column + " IS NULL THEN 'null' WHEN " + column + " THEN 'true' ELSE 'false' END)";
}
std::string hours(const std::string& from, const std::string& to) {
  return "round((" + to + " - " + from + ") / 3600.0, 2)";
}

struct ResourceSql {
  std::string select;  // "SELECT <row id>, json_object(...) FROM ... WHERE 1=1"
  std::string rowId;   // cursor column
  std::string timeColumn, actorColumn, stateColumn, numberColumn;
};

std::string repoJoin(const std::string& alias) {
  return " LEFT JOIN repositories r ON r.forge = " + alias + ".forge AND r.repo_id = " + alias + ".repo_id";
}

std::string commentCount(const std::string& alias) {
  return "(SELECT count(*) FROM comments c WHERE c.forge = " + alias + ".forge AND c.repo_id = " + alias +
         ".repo_id AND c.target_number = " + alias + ".number AND c.deleted = 0)";
}

const std::string kFirstReview =
    "(SELECT min(v.submitted_at) FROM reviews v WHERE v.forge = p.forge AND v.repo_id = p.repo_id AND v.pr_number = "
    "p.number AND v.reviewer IS NOT p.author AND v.state != 'pending')";

const std::string kItemStatus =
    "CASE WHEN iss.state = 'closed' THEN (CASE WHEN iss.state_reason = 'not_planned' THEN 'not_planned' ELSE "
    "'completed' END) WHEN iss.state = 'open' AND EXISTS (SELECT 1 FROM issue_reopens o WHERE o.forge = iss.forge AND "
    "o.repo_id = iss.repo_id AND o.number = iss.number) THEN 'in_progress' ELSE i.status END";

const std::string kItemSelect =
    "SELECT i.id, json_object('id', i.id, 'title', i.title, 'description', i.description, 'owner', i.owner, "
    "'status', " +
    kItemStatus +
    ", 'manual_status', i.status, 'tags', json(CASE WHEN iss.labels IS NOT NULL THEN "
    "iss.labels ELSE i.tags END), 'due_on', " +
    ts("i.due_on") + ", 'completed_at', " +
    ts("CASE WHEN iss.state = 'closed' AND coalesce(iss.state_reason, '') != 'not_planned' THEN iss.closed_at END") +
    ", 'issue', CASE WHEN i.issue_number IS NULL THEN NULL ELSE json_object('forge', i.forge, 'repository', "
    "i.repository, 'number', i.issue_number, 'state', iss.state, 'state_reason', iss.state_reason, 'url', iss.url) "
    "END, "
    "'created_at', " +
    ts("i.created_at") + ", 'updated_at', " + ts("i.updated_at") +
    ") "
    "FROM items i LEFT JOIN repositories r ON r.forge = i.forge AND r.full_name = i.repository "
    "LEFT JOIN issues iss ON iss.forge = r.forge AND iss.repo_id = r.repo_id AND iss.number = i.issue_number WHERE 1=1";

const std::map<std::string, ResourceSql, std::less<>>& resources() {
  static const std::map<std::string, ResourceSql, std::less<>> table = {
      {"pulls",
       {"SELECT p.rowid, json_object('forge', p.forge, 'repository', r.full_name, 'number', p.number, 'title', "
        "p.title, "
        "'state', p.state, 'draft', " +
            boolean("p.draft") +
            ", 'author', p.author, 'base', p.base_ref, 'head', "
            "p.head_ref, 'labels', json(coalesce(p.labels, '[]')), 'created_at', " +
            ts("p.created_at") + ", 'updated_at', " + ts("p.updated_at") + ", 'merged_at', " + ts("p.merged_at") +
            ", 'closed_at', " + ts("p.closed_at") +
            ", 'additions', p.additions, 'deletions', p.deletions, 'changed_files', p.changed_files, "
            "'cycle_time_hours', " +
            hours("p.created_at", "p.merged_at") + ", 'first_review_at', " + ts(kFirstReview) +
            ", 'review_time_hours', " + hours("p.created_at", kFirstReview) + ", 'is_revert', " +
            boolean("p.is_revert") + ", 'is_hotfix', " + boolean("p.is_hotfix") + ", 'comments', " + commentCount("p") +
            ", 'stub', " + boolean("p.stub") + ", 'url', p.url) FROM pulls p" + repoJoin("p") + " WHERE 1=1",
        "p.rowid", "p.created_at", "p.author", "p.state", "p.number"}},
      {"reviews",
       {"SELECT v.rowid, json_object('forge', v.forge, 'repository', r.full_name, 'pull_number', v.pr_number, "
        "'review_id', v.review_id, 'reviewer', v.reviewer, 'state', v.state, 'submitted_at', " +
            ts("v.submitted_at") + ", 'url', v.url) FROM reviews v" + repoJoin("v") + " WHERE 1=1",
        "v.rowid", "v.submitted_at", "v.reviewer", "v.state", "v.pr_number"}},
      {"issues",
       {"SELECT s.rowid, json_object('forge', s.forge, 'repository', r.full_name, 'number', s.number, 'title', "
        "s.title, "
        "'state', s.state, 'state_reason', s.state_reason, 'author', s.author, 'labels', json(coalesce(s.labels, "
        "'[]')), 'assignees', json(coalesce(s.assignees, '[]')), 'milestone', s.milestone, 'created_at', " +
            ts("s.created_at") + ", 'updated_at', " + ts("s.updated_at") + ", 'closed_at', " + ts("s.closed_at") +
            ", 'comments', " + commentCount("s") + ", 'url', s.url) FROM issues s" + repoJoin("s") + " WHERE 1=1",
        "s.rowid", "s.created_at", "s.author", "s.state", "s.number"}},
      {"items", {kItemSelect, "i.id", "i.created_at", "i.owner", kItemStatus, "i.issue_number"}},
      {"runs",
       {"SELECT u.rowid, json_object('forge', u.forge, 'repository', r.full_name, 'kind', u.kind, 'run_id', u.run_id, "
        "'attempt', u.attempt, 'workflow', u.workflow, 'name', u.name, 'branch', u.branch, 'sha', u.sha, 'event', "
        "u.trigger_event, 'status', u.status, 'conclusion', u.conclusion, 'started_at', " +
            ts("u.started_at") + ", 'completed_at', " + ts("u.completed_at") +
            ", 'duration_seconds', u.duration_seconds, 'url', u.url) "
            "FROM runs u" +
            repoJoin("u") + " WHERE 1=1",
        "u.rowid", "u.started_at", "", "coalesce(u.conclusion, u.status)", ""}},
      {"incidents",
       {"SELECT n.id, json_object('id', n.id, 'forge', n.forge, 'repository', r.full_name, 'workflow', n.workflow, "
        "'branch', n.branch, 'state', CASE WHEN n.resolved_at IS NULL THEN 'open' ELSE 'resolved' END, 'opened_at', " +
            ts("n.opened_at") + ", 'opened_by_run', n.opened_run, 'resolved_at', " + ts("n.resolved_at") +
            ", 'resolved_by_run', n.resolved_run, 'failed_runs', json(n.failed_runs), 'hours_to_resolve', " +
            hours("n.opened_at", "n.resolved_at") +
            ", 'acknowledged', CASE WHEN a.opened_run IS NULL THEN NULL ELSE "
            "json_object('at', " +
            ts("a.acknowledged_at") +
            ", 'by', a.acknowledged_by, 'note', a.note) END) "
            "FROM incidents n" +
            repoJoin("n") +
            " LEFT JOIN incident_acks a ON a.forge = n.forge AND a.repo_id = n.repo_id AND a.workflow = n.workflow AND "
            "a.branch = n.branch AND a.opened_run = n.opened_run WHERE 1=1",
        "n.id", "n.opened_at", "", "CASE WHEN n.resolved_at IS NULL THEN 'open' ELSE 'resolved' END", ""}},
      {"releases",
       {"SELECT e.rowid, json_object('forge', e.forge, 'repository', r.full_name, 'release_id', e.release_id, 'tag', "
        "e.tag, 'name', e.name, 'draft', " +
            boolean("e.draft") + ", 'prerelease', " + boolean("e.prerelease") + ", 'author', e.author, 'created_at', " +
            ts("e.created_at") + ", 'published_at', " + ts("e.published_at") + ", 'deleted', " + boolean("e.deleted") +
            ", 'url', e.url) FROM releases e" + repoJoin("e") + " WHERE 1=1",
        "e.rowid", "coalesce(e.published_at, e.created_at)", "e.author", "", ""}},
      {"branches",
       {"SELECT f.rowid, json_object('forge', f.forge, 'repository', r.full_name, 'ref', f.ref, 'type', f.ref_type, "
        "'sha', f.sha, 'deleted', " +
            boolean("f.deleted") +
            ", 'pushes', (SELECT count(*) FROM pushes h WHERE "
            "h.forge = f.forge AND h.repo_id = f.repo_id AND h.ref = f.ref), 'forced_pushes', (SELECT count(*) FROM "
            "pushes "
            "h WHERE h.forge = f.forge AND h.repo_id = f.repo_id AND h.ref = f.ref AND h.forced = 1), 'commits', "
            "(SELECT "
            "coalesce(sum(h.commits), 0) FROM pushes h WHERE h.forge = f.forge AND h.repo_id = f.repo_id AND h.ref = "
            "f.ref), 'last_push_at', (SELECT " +
            ts("max(h.pushed_at)") +
            " FROM pushes h WHERE h.forge = f.forge AND "
            "h.repo_id = f.repo_id AND h.ref = f.ref)) FROM refs f" +
            repoJoin("f") + " WHERE 1=1",
        "f.rowid", "", "", "", ""}},
      {"milestones",
       {"SELECT m.rowid, json_object('forge', m.forge, 'repository', r.full_name, 'milestone_id', m.milestone_id, "
        "'number', m.number, 'title', m.title, 'state', m.state, 'open_issues', m.open_issues, 'closed_issues', "
        "m.closed_issues, 'due_on', " +
            ts("m.due_on") + ", 'created_at', " + ts("m.created_at") + ", 'closed_at', " + ts("m.closed_at") +
            ", 'deleted', " + boolean("m.deleted") + ") FROM milestones m" + repoJoin("m") + " WHERE 1=1",
        "m.rowid", "m.created_at", "", "m.state", "m.number"}},
      {"deployments",
       {"SELECT d.rowid, json_object('forge', d.forge, 'repository', r.full_name, 'deployment_id', d.deployment_id, "
        "'environment', d.environment, 'ref', d.ref, 'sha', d.sha, 'creator', d.creator, 'created_at', " +
            ts("d.created_at") +
            ", 'state', (SELECT t.state FROM deployment_statuses t WHERE t.forge = d.forge AND "
            "t.deployment_id = d.deployment_id ORDER BY t.version DESC, t.status_id DESC LIMIT 1), 'statuses', (SELECT "
            "count(*) FROM deployment_statuses t WHERE t.forge = d.forge AND t.deployment_id = d.deployment_id)) "
            "FROM deployments d" +
            repoJoin("d") + " WHERE 1=1",
        "d.rowid", "d.created_at", "d.creator", "", ""}},
      {"repositories",
       {"SELECT r.rowid, json_object('forge', r.forge, 'repo_id', r.repo_id, 'full_name', r.full_name, 'private', " +
            boolean("r.private") + ", 'archived', " + boolean("r.archived") + ", 'deleted', " + boolean("r.deleted") +
            ", 'default_branch', r.default_branch, 'url', r.url) FROM repositories r WHERE 1=1",
        "r.rowid", "", "", "", ""}},
      {"activity",
       {"SELECT y.delivery_id, json_object('delivery_id', y.delivery_id, 'at', " + ts("y.at") +
            ", 'forge', y.forge, "
            "'repository', coalesce(r.full_name, y.repository), 'actor', y.actor, 'kind', y.kind, 'action', y.action, "
            "'summary', y.summary, 'url', y.url) FROM activity y" +
            repoJoin("y") + " WHERE 1=1",
        "y.delivery_id", "y.at", "y.actor", "", ""}},
  };
  return table;
}

core::Error badQuery(std::string message) {
  return core::Error::invalidArgument("invalid_argument", std::move(message));
}

}  // namespace

core::Result<ResourcePage> SqliteStore::listResource(const ResourceQuery& q) {
  const auto it = resources().find(q.resource);
  if (it == resources().end()) return std::unexpected(core::Error::notFound("no resource named " + q.resource));
  const auto& spec = it->second;
  if (q.limit < 1 || q.limit > 500) return std::unexpected(badQuery("limit must be between 1 and 500"));
  auto unsupported = [&](const char* filter) {
    return std::unexpected(badQuery(q.resource + " cannot be filtered by " + filter));
  };
  BoundSql query{spec.select, {}};
  const std::string repoName = q.resource == "items" ? "i.repository" : "r.full_name";
  const std::string forge = spec.rowId.substr(0, spec.rowId.find('.')) + ".forge";
  if (q.forge) query.add(" AND " + forge + " = ", *q.forge);
  if (q.repository) query.add(" AND " + repoName + " = ", *q.repository);
  if (q.since || q.until) {
    if (spec.timeColumn.empty()) return unsupported("time");
    if (q.since) query.add(" AND " + spec.timeColumn + " >= ", *q.since);
    if (q.until) query.add(" AND " + spec.timeColumn + " < ", *q.until);
  }
  if (q.actor) {
    if (spec.actorColumn.empty()) return unsupported("actor");
    query.add(" AND " + spec.actorColumn + " = ", *q.actor);
  }
  if (q.state) {
    if (spec.stateColumn.empty()) return unsupported("state");
    query.add(" AND " + spec.stateColumn + " = ", *q.state);
  }
  if (q.number) {
    if (spec.numberColumn.empty()) return unsupported("number");
    query.add(" AND " + spec.numberColumn + " = ", *q.number);
  }
  if (!q.kinds.empty()) {
    if (q.resource != "activity") return unsupported("kind");
    query.sql += " AND y.kind IN (SELECT value FROM json_each(";
    query.add("", nlohmann::json(q.kinds).dump());
    query.sql += "))";
  }
  if (q.beforeRow) query.add(" AND " + spec.rowId + " < ", *q.beforeRow);
  query.sql += " ORDER BY " + spec.rowId + " DESC LIMIT " + std::to_string(q.limit + 1);
  try {
    auto reader = leaseReader();
    Statement s(reader.get(), query.sql);
    query.bindTo(s);
    ResourcePage page;
    std::int64_t lastRow = 0;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      if (static_cast<int>(page.items.size()) == q.limit) {
        page.nextCursor = lastRow;
        break;
      }
      lastRow = s.integer(0);
      page.items.push_back(s.text(1));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return std::unexpected(storeError(rc));
    return page;
  } catch (const std::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
}

core::Result<std::string> SqliteStore::getItem(std::int64_t id) {
  try {
    auto reader = leaseReader();
    Statement s(reader.get(), kItemSelect + " AND i.id = ?1");
    s.bind(1, id);
    if (s.step() != SQLITE_ROW)
      return std::unexpected(core::Error::notFound("no planned item with id " + std::to_string(id)));
    return s.text(1);
  } catch (const std::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
}

core::Result<std::string> SqliteStore::createItem(const ItemInput& in, std::int64_t now) {
  std::int64_t id = 0;
  auto result = inWriteTransaction([&](Writer& w) -> core::Result<void> {
    Statement s(w.db.get(),
                "INSERT INTO items (title, description, owner, status, tags, due_on, forge, repository, issue_number, "
                "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)");
    s.bind(1, in.title.value_or("")).bind(2, in.description.value_or("")).bind(3, in.owner.value_or(""));
    s.bind(4, in.status.value_or("planned")).bind(5, in.tagsJson.value_or("[]"));
    if (in.dueOn && *in.dueOn)
      s.bind(6, **in.dueOn);
    else
      s.bindNull(6);
    if (in.issueNumber)
      s.bind(7, in.forge.value_or("github")).bind(8, in.repository.value_or("")).bind(9, *in.issueNumber);
    else
      s.bindNull(7).bindNull(8).bindNull(9);
    s.bind(10, now);
    must(s.step());
    id = sqlite3_last_insert_rowid(w.db.get());
    return {};
  });
  if (!result) return std::unexpected(result.error());
  return getItem(id);
}

core::Result<std::string> SqliteStore::updateItem(std::int64_t id, const ItemInput& in, std::int64_t now) {
  auto result = inWriteTransaction([&](Writer& w) -> core::Result<void> {
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
      set("forge", in.forge.value_or("github"));
      set("repository", in.repository.value_or(""));
      set("issue_number", *in.issueNumber);
    }
    update.add(" WHERE id = ", id);
    Statement s(w.db.get(), update.sql);
    update.bindTo(s);
    must(s.step());
    if (sqlite3_changes(w.db.get()) == 0)
      return std::unexpected(core::Error::notFound("no planned item with id " + std::to_string(id)));
    return {};
  });
  if (!result) return std::unexpected(result.error());
  return getItem(id);
}

core::Result<void> SqliteStore::deleteItem(std::int64_t id) {
  return inWriteTransaction([&](Writer& w) -> core::Result<void> {
    Statement s(w.db.get(), "DELETE FROM items WHERE id = ?1");
    s.bind(1, id);
    must(s.step());
    if (sqlite3_changes(w.db.get()) == 0)
      return std::unexpected(core::Error::notFound("no planned item with id " + std::to_string(id)));
    return {};
  });
}

core::Result<std::string> SqliteStore::acknowledgeIncident(std::int64_t id, const std::string& by,
                                                           const std::string& note, std::int64_t now) {
  const auto missing = [id] {
    return std::unexpected(core::Error::notFound("no incident with id " + std::to_string(id)));
  };
  auto result = inWriteTransaction([&](Writer& w) -> core::Result<void> {
    Statement s(w.db.get(),
                "INSERT INTO incident_acks (forge, repo_id, workflow, branch, opened_run, acknowledged_at, "
                "acknowledged_by, note) SELECT forge, repo_id, workflow, branch, opened_run, ?2, ?3, ?4 FROM incidents "
                "WHERE id = ?1 ON CONFLICT DO UPDATE SET acknowledged_at = excluded.acknowledged_at, acknowledged_by = "
                "excluded.acknowledged_by, note = excluded.note");
    s.bind(1, id).bind(2, now).bind(3, by).bind(4, note);
    must(s.step());
    if (sqlite3_changes(w.db.get()) == 0) return missing();
    return {};
  });
  if (!result) return std::unexpected(result.error());
  ResourceQuery q;
  q.resource = "incidents";
  q.beforeRow = id + 1;
  q.limit = 1;
  auto page = listResource(q);
  if (!page) return std::unexpected(page.error());
  // The pipeline may have recomputed the incident away in between; then the row below is another one.
  if (page->items.empty() || nlohmann::json::parse(page->items.front()).value("id", std::int64_t{0}) != id)
    return missing();
  return page->items.front();
}

}  // namespace forgehook::store::sqlite
