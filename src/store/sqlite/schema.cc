#include "store/sqlite/schema.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "store/sqlite/database_check.h"
#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {
namespace {

// Append only: a released migration never changes.
constexpr const char* kMigrations[] = {
    // 1: the delivery log, hooks seen by ping, stored secrets.
    R"sql(
CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY,
  forge           TEXT NOT NULL,
  hook_id         TEXT NOT NULL,
  delivery_id     TEXT NOT NULL,
  event           TEXT NOT NULL,
  action          TEXT NOT NULL,
  repository      TEXT NOT NULL,
  sender          TEXT NOT NULL,
  received_at     INTEGER NOT NULL,
  last_attempt_at INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 1,
  body_size       INTEGER NOT NULL,
  content_type    TEXT NOT NULL,
  verification    TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'queued',
  headers         TEXT NOT NULL,
  body_encoding   TEXT NOT NULL,
  body            BLOB NOT NULL
);
CREATE UNIQUE INDEX deliveries_identity ON deliveries(forge, hook_id, delivery_id);
CREATE INDEX deliveries_received ON deliveries(received_at);
CREATE TABLE hooks (
  forge         TEXT NOT NULL,
  hook_id       TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_ping_at  INTEGER NOT NULL,
  pings         INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (forge, hook_id)
);
CREATE TABLE scoped_secrets (
  forge      TEXT NOT NULL,
  scope      TEXT NOT NULL CHECK (scope IN ('hook', 'repository')),
  key        TEXT NOT NULL,
  secrets    TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (forge, scope, key)
);
)sql",
    // 2: the processing queue on the delivery log, and the activity model's projections.
    // Times in projections are Unix seconds; `version` orders writes to one entity (see activity.h).
    R"sql(
ALTER TABLE deliveries ADD COLUMN process_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN processed_at INTEGER;
ALTER TABLE deliveries ADD COLUMN last_error TEXT;
CREATE INDEX deliveries_pending ON deliveries(id) WHERE status IN ('queued', 'retrying');
CREATE INDEX deliveries_status ON deliveries(status, id);
CREATE TABLE repositories (
  forge TEXT NOT NULL, repo_id TEXT NOT NULL, full_name TEXT NOT NULL, private INTEGER, archived INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0, default_branch TEXT, url TEXT, version INTEGER NOT NULL,
  PRIMARY KEY (forge, repo_id)
);
CREATE INDEX repositories_name ON repositories(full_name);
CREATE TABLE pulls (
  forge TEXT NOT NULL, repo_id TEXT NOT NULL, number INTEGER NOT NULL, stub INTEGER NOT NULL DEFAULT 0,
  title TEXT, state TEXT, draft INTEGER, author TEXT, base_ref TEXT, head_ref TEXT,
  created_at INTEGER, updated_at INTEGER, merged_at INTEGER, closed_at INTEGER,
  additions INTEGER, deletions INTEGER, changed_files INTEGER, labels TEXT, url TEXT,
  is_revert INTEGER, is_hotfix INTEGER, version INTEGER NOT NULL,
  PRIMARY KEY (forge, repo_id, number)
);
CREATE TABLE reviews (
  forge TEXT NOT NULL, review_id TEXT NOT NULL, repo_id TEXT NOT NULL, pr_number INTEGER NOT NULL,
  reviewer TEXT, state TEXT, submitted_at INTEGER, url TEXT, version INTEGER NOT NULL,
  PRIMARY KEY (forge, review_id)
);
CREATE INDEX reviews_pull ON reviews(forge, repo_id, pr_number);
CREATE TABLE issues (
  forge TEXT NOT NULL, repo_id TEXT NOT NULL, number INTEGER NOT NULL, title TEXT, state TEXT,
  state_reason TEXT, author TEXT, labels TEXT, assignees TEXT, milestone_id TEXT, milestone TEXT,
  created_at INTEGER, updated_at INTEGER, closed_at INTEGER, url TEXT, version INTEGER NOT NULL,
  PRIMARY KEY (forge, repo_id, number)
);
CREATE TABLE issue_reopens (
  forge TEXT NOT NULL, repo_id TEXT NOT NULL, number INTEGER NOT NULL, reopened_at INTEGER NOT NULL,
  version INTEGER NOT NULL, PRIMARY KEY (forge, repo_id, number, reopened_at)
);
CREATE TABLE comments (
  forge TEXT NOT NULL, kind TEXT NOT NULL, comment_id TEXT NOT NULL, repo_id TEXT NOT NULL,
  target_number INTEGER, author TEXT, created_at INTEGER, deleted INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL, PRIMARY KEY (forge, kind, comment_id)
);
CREATE INDEX comments_target ON comments(forge, repo_id, target_number);
CREATE TABLE runs (
  forge TEXT NOT NULL, kind TEXT NOT NULL, run_id TEXT NOT NULL, attempt INTEGER NOT NULL, repo_id TEXT NOT NULL,
  workflow TEXT, name TEXT, branch TEXT, sha TEXT, trigger_event TEXT, status TEXT, conclusion TEXT,
  started_at INTEGER, completed_at INTEGER, duration_seconds INTEGER, url TEXT, version INTEGER NOT NULL,
  PRIMARY KEY (forge, kind, run_id, attempt)
);
CREATE INDEX runs_scope ON runs(forge, repo_id, workflow, branch);
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY, forge TEXT NOT NULL, repo_id TEXT NOT NULL, workflow TEXT NOT NULL,
  branch TEXT NOT NULL, opened_run TEXT NOT NULL, opened_at INTEGER NOT NULL, resolved_run TEXT,
  resolved_at INTEGER, failed_runs TEXT NOT NULL,
  UNIQUE (forge, repo_id, workflow, branch, opened_run)
);
CREATE TABLE incident_acks (
  forge TEXT NOT NULL, repo_id TEXT NOT NULL, workflow TEXT NOT NULL, branch TEXT NOT NULL,
  opened_run TEXT NOT NULL, acknowledged_at INTEGER NOT NULL, acknowledged_by TEXT NOT NULL, note TEXT,
  PRIMARY KEY (forge, repo_id, workflow, branch, opened_run)
);
CREATE TABLE releases (
  forge TEXT NOT NULL, release_id TEXT NOT NULL, repo_id TEXT NOT NULL, tag TEXT, name TEXT, draft INTEGER,
  prerelease INTEGER, author TEXT, created_at INTEGER, published_at INTEGER, deleted INTEGER NOT NULL DEFAULT 0,
  url TEXT, version INTEGER NOT NULL, PRIMARY KEY (forge, release_id)
);
CREATE TABLE refs (
  forge TEXT NOT NULL, repo_id TEXT NOT NULL, ref TEXT NOT NULL, ref_type TEXT NOT NULL, sha TEXT,
  deleted INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL, PRIMARY KEY (forge, repo_id, ref)
);
CREATE TABLE pushes (
  forge TEXT NOT NULL, repo_id TEXT NOT NULL, ref TEXT NOT NULL, before_sha TEXT NOT NULL, after_sha TEXT NOT NULL,
  forced INTEGER NOT NULL, created INTEGER NOT NULL, deleted INTEGER NOT NULL, commits INTEGER NOT NULL,
  pusher TEXT, pushed_at INTEGER, version INTEGER NOT NULL,
  PRIMARY KEY (forge, repo_id, ref, before_sha, after_sha)
);
CREATE TABLE milestones (
  forge TEXT NOT NULL, milestone_id TEXT NOT NULL, repo_id TEXT NOT NULL, number INTEGER, title TEXT, state TEXT,
  open_issues INTEGER, closed_issues INTEGER, due_on INTEGER, created_at INTEGER, closed_at INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL, PRIMARY KEY (forge, milestone_id)
);
CREATE TABLE deployments (
  forge TEXT NOT NULL, deployment_id TEXT NOT NULL, repo_id TEXT NOT NULL, environment TEXT, ref TEXT, sha TEXT,
  creator TEXT, created_at INTEGER, version INTEGER NOT NULL, PRIMARY KEY (forge, deployment_id)
);
CREATE TABLE deployment_statuses (
  forge TEXT NOT NULL, status_id TEXT NOT NULL, deployment_id TEXT NOT NULL, state TEXT, created_at INTEGER,
  version INTEGER NOT NULL, PRIMARY KEY (forge, status_id)
);
CREATE TABLE activity (
  delivery_id INTEGER PRIMARY KEY, at INTEGER NOT NULL, forge TEXT NOT NULL, repo_id TEXT NOT NULL,
  repository TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL, action TEXT NOT NULL, summary TEXT NOT NULL,
  url TEXT NOT NULL
);
CREATE INDEX activity_at ON activity(at);
CREATE TABLE items (
  id INTEGER PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', owner TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'planned', tags TEXT NOT NULL DEFAULT '[]', due_on INTEGER,
  forge TEXT, repository TEXT, issue_number INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
)sql",
    // 3: the change feed. AUTOINCREMENT: a seq is never reused, even after pruning empties the
    // table; with one writer and rollbacks undoing the counter too, seqs have no gaps.
    R"sql(
CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, resource TEXT NOT NULL, action TEXT NOT NULL,
  entity_id TEXT NOT NULL, forge TEXT, repository TEXT, data TEXT NOT NULL
);
CREATE INDEX changes_at ON changes(at);
-- Repository scopes are keyed as the forges compare names: case-insensitively (stored lower-case).
UPDATE OR REPLACE scoped_secrets SET key = lower(key) WHERE scope = 'repository';
)sql",
    // 4: read-only API tokens, kept as the SHA-256 (hex) of their text. Times in Unix seconds.
    R"sql(
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, secret_sha256 TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL,
  last_used_at INTEGER, revoked_at INTEGER
);
)sql",
    // 5: outbound subscriptions, their outbox (one message per matching change, copied from the
    // feed as the cursor moves past it) and the log of delivery attempts. Times in Unix microseconds.
    // The secret is stored as given for now; encryption at rest comes with a later issue.
    R"sql(
CREATE TABLE subscriptions (
  id INTEGER PRIMARY KEY, url TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
  resources TEXT NOT NULL DEFAULT '[]', actions TEXT NOT NULL DEFAULT '[]', repository TEXT, forge TEXT,
  secret TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'disabled')),
  disabled_reason TEXT, consecutive_failures INTEGER NOT NULL DEFAULT 0, failed_streak INTEGER NOT NULL DEFAULT 0,
  cursor INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, last_success_at INTEGER,
  last_attempt_at INTEGER
);
CREATE TABLE subscription_messages (
  id INTEGER PRIMARY KEY, subscription_id INTEGER NOT NULL, seq INTEGER NOT NULL, enqueued_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0, first_attempt_at INTEGER, last_attempt_at INTEGER,
  next_attempt_at INTEGER NOT NULL DEFAULT 0, delivered_at INTEGER, last_error TEXT,
  at INTEGER NOT NULL, resource TEXT NOT NULL, action TEXT NOT NULL, entity_id TEXT NOT NULL, forge TEXT,
  repository TEXT, data TEXT NOT NULL,
  UNIQUE (subscription_id, seq)
);
-- The head of an outbox (min seq of the pending ones) and the counts by status, without a scan.
CREATE INDEX subscription_messages_status ON subscription_messages(subscription_id, status, seq);
CREATE INDEX subscription_messages_done ON subscription_messages(last_attempt_at) WHERE status <> 'pending';
CREATE TABLE subscription_attempts (
  id INTEGER PRIMARY KEY, subscription_id INTEGER NOT NULL, message_id INTEGER NOT NULL, seq INTEGER NOT NULL,
  attempt INTEGER NOT NULL, at INTEGER NOT NULL, status_code INTEGER, duration_ms INTEGER NOT NULL,
  response TEXT NOT NULL DEFAULT '', error TEXT
);
CREATE INDEX subscription_attempts_subscription ON subscription_attempts(subscription_id, id);
CREATE INDEX subscription_attempts_at ON subscription_attempts(at);
)sql",
    // 6: dashboard sign-in sessions, kept as the SHA-256 (hex) of their id.
    R"sql(
CREATE TABLE sessions (
  id_sha256 TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('admin', 'read_only')),
  token_id INTEGER NOT NULL DEFAULT 0, token_name TEXT NOT NULL DEFAULT '', credential_sha256 TEXT NOT NULL DEFAULT '',
  csrf_token TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
)sql",
    // 7: forge connections (hooks forgehook manages through the forge APIs), the credentials it
    // calls the forges with, reconciliation runs and the deliveries they track, the source of a
    // delivery (webhook or poll) and the keys that deduplicate polled events against webhook ones.
    // Columns named "sealed" hold secrets encrypted at rest (see core/secret_box.h); times are
    // Unix seconds unless named *_us.
    R"sql(
CREATE TABLE forge_credentials (
  forge TEXT PRIMARY KEY, api_url TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('token', 'app')),
  token_sealed TEXT, app_id TEXT, app_private_key_sealed TEXT, app_webhook_secret_sealed TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE TABLE connections (
  id INTEGER PRIMARY KEY, forge TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('repository', 'organization')),
  target TEXT NOT NULL, mode TEXT NOT NULL DEFAULT 'webhook' CHECK (mode IN ('webhook', 'poll')),
  url TEXT NOT NULL DEFAULT '', events TEXT NOT NULL DEFAULT '[]', hook_id TEXT,
  status TEXT NOT NULL DEFAULT 'pending', error TEXT, hint TEXT, adopted INTEGER NOT NULL DEFAULT 0,
  secret_sealed TEXT, previous_secret_sealed TEXT, previous_secret_until INTEGER,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, checked_at INTEGER,
  poll_etag TEXT, poll_interval_s INTEGER, poll_seen_event_id TEXT, next_poll_at INTEGER NOT NULL DEFAULT 0,
  last_polled_at INTEGER, next_reconcile_at INTEGER NOT NULL DEFAULT 0, failing_since INTEGER,
  UNIQUE (forge, kind, target)
);
CREATE TABLE reconcile_runs (
  id INTEGER PRIMARY KEY, connection_id INTEGER NOT NULL, trigger TEXT NOT NULL, started_at INTEGER NOT NULL,
  finished_at INTEGER, listed INTEGER NOT NULL DEFAULT 0, missing INTEGER NOT NULL DEFAULT 0,
  requested INTEGER NOT NULL DEFAULT 0, arrived INTEGER NOT NULL DEFAULT 0, given_up INTEGER NOT NULL DEFAULT 0,
  api_calls INTEGER NOT NULL DEFAULT 0, pages INTEGER NOT NULL DEFAULT 0, error TEXT
);
CREATE INDEX reconcile_runs_connection ON reconcile_runs(connection_id, id);
CREATE TABLE reconcile_missing (
  connection_id INTEGER NOT NULL, guid TEXT NOT NULL, forge_delivery_id TEXT NOT NULL, event TEXT NOT NULL,
  action TEXT NOT NULL DEFAULT '', delivered_at INTEGER NOT NULL, forge_status_code INTEGER,
  status TEXT NOT NULL DEFAULT 'missing' CHECK (status IN ('missing', 'requested', 'arrived', 'given_up')),
  requests INTEGER NOT NULL DEFAULT 0, last_requested_at INTEGER, arrived_at INTEGER, last_error TEXT,
  PRIMARY KEY (connection_id, guid)
);
CREATE INDEX reconcile_missing_open ON reconcile_missing(connection_id, status);
ALTER TABLE deliveries ADD COLUMN source TEXT NOT NULL DEFAULT 'webhook';
CREATE INDEX deliveries_delivery_id ON deliveries(delivery_id);
CREATE TABLE event_keys (
  forge TEXT NOT NULL, key TEXT NOT NULL, source TEXT NOT NULL, delivery INTEGER NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (forge, key)
) WITHOUT ROWID;
CREATE INDEX event_keys_at ON event_keys(at);
)sql",
    // 8: a delivery's headers and body in a table of their own. Processing changes a delivery's
    // status; in one row with the body, each such UPDATE rewrote the body's overflow pages (~5 KB
    // of WAL, copied again at checkpoint, for a 21 KB pull_request), and so did a duplicate's
    // attempt count. The bodies are also what retention prunes.
    R"sql(
CREATE TABLE delivery_bodies (
  delivery      INTEGER PRIMARY KEY,
  headers       TEXT NOT NULL,
  body_encoding TEXT NOT NULL,
  body          BLOB NOT NULL
);
INSERT INTO delivery_bodies (delivery, headers, body_encoding, body)
  SELECT id, headers, body_encoding, body FROM deliveries;
ALTER TABLE deliveries DROP COLUMN headers;
ALTER TABLE deliveries DROP COLUMN body_encoding;
ALTER TABLE deliveries DROP COLUMN body;
)sql",
    // 9: retention of delivery bodies (store.retention_days). A pruned delivery keeps its row and
    // headers; its body becomes an empty blob (in delivery_bodies). The partial index holds the rows that still have a
    // body, oldest first: pruning starts at the oldest of them, never stepping over pruned rows.
    // It holds body_pruned_at too (always NULL there) so that counting them reads the index alone.
    R"sql(
ALTER TABLE deliveries ADD COLUMN body_pruned_at INTEGER;
CREATE INDEX deliveries_unpruned ON deliveries(received_at, body_pruned_at) WHERE body_pruned_at IS NULL;
)sql",
    // 10: queries at millions of deliveries (docs/PERFORMANCE.md, "Scale"). The delivery list's common
    // filters, by repository (compared as the forges compare names) and event, and by event alone,
    // each newest first: a page is read off the index instead of scanning the log from its newest
    // end until enough rows match. A repository's own deliveries (metrics/status) come from the same
    // index. CI health counts the runs completed since a time from an index instead of every run.
    R"sql(
CREATE INDEX deliveries_repository ON deliveries(repository COLLATE NOCASE, event, id);
CREATE INDEX deliveries_event ON deliveries(event, id);
CREATE INDEX runs_completed ON runs(completed_at);
)sql",
    // 11: commands of [[rules]] (pipeline/command_scheduler.h). One row per (delivery, rule), made
    // in the transaction that processes the delivery the first time, so a command is queued exactly
    // once whatever crashes; the row then records each attempt. Times in microseconds. `argv`, `env`
    // (the rule's resolved env, never pass_env values) and `workdir` are what runs, fixed at queueing.
    // `crash_reruns` counts runs found "running" at a start: re-run once, then given up.
    R"sql(
CREATE TABLE command_runs (
  id               INTEGER PRIMARY KEY,
  delivery         INTEGER NOT NULL REFERENCES deliveries(id),
  rule             TEXT NOT NULL,
  delivery_guid    TEXT NOT NULL,
  forge            TEXT NOT NULL,
  repository       TEXT NOT NULL,
  event            TEXT NOT NULL,
  action           TEXT NOT NULL,
  status           TEXT NOT NULL,
  attempt          INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  crash_reruns     INTEGER NOT NULL DEFAULT 0,
  argv             TEXT NOT NULL,
  env              TEXT NOT NULL,
  workdir          TEXT NOT NULL,
  payload_mode     TEXT NOT NULL,
  queued_at        INTEGER NOT NULL,
  next_attempt_at  INTEGER NOT NULL DEFAULT 0,
  started_at       INTEGER,
  ended_at         INTEGER,
  exit_code        INTEGER,
  signal           INTEGER,
  error            TEXT,
  output           BLOB,
  output_truncated INTEGER NOT NULL DEFAULT 0,
  UNIQUE (delivery, rule)
);
CREATE INDEX command_runs_due ON command_runs(next_attempt_at, id) WHERE status IN ('queued', 'retrying');
CREATE INDEX command_runs_running ON command_runs(id) WHERE status = 'running';
CREATE INDEX command_runs_rule ON command_runs(rule, id);
)sql",
    // 12: bodies in the body journal (body_journal.h). A new delivery's row points at its record;
    // rows of earlier versions keep theirs in delivery_bodies (and so does a pruned one's headers).
    // journal_state: the journal's id and where the index ends; body_segments: how many rows still
    // keep a body in each segment, so retention can delete a segment once none does. The identity
    // index leads with delivery_id and replaces deliveries_delivery_id: a random GUID costs one
    // random index page per delivery at intake, not two.
    R"sql(
ALTER TABLE deliveries ADD COLUMN body_segment INTEGER;
ALTER TABLE deliveries ADD COLUMN body_offset INTEGER;
ALTER TABLE deliveries ADD COLUMN body_length INTEGER;
CREATE TABLE journal_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  journal_id TEXT NOT NULL,
  end_segment INTEGER NOT NULL,
  end_offset INTEGER NOT NULL
);
CREATE TABLE body_segments (segment INTEGER PRIMARY KEY, live INTEGER NOT NULL);
DROP INDEX deliveries_delivery_id;
DROP INDEX deliveries_identity;
CREATE UNIQUE INDEX deliveries_identity ON deliveries(delivery_id, forge, hook_id);
)sql",
    // 13: what /metrics/pulls and /metrics/health read at millions of deliveries. The pull request
    // timings take the window's pull requests off the time indexes instead of every pull request
    // with a correlated review lookup; the stale counts read a range of (state, updated_at).
    R"sql(
CREATE INDEX pulls_created ON pulls(created_at);
CREATE INDEX pulls_merged ON pulls(merged_at) WHERE merged_at IS NOT NULL;
CREATE INDEX pulls_closed ON pulls(closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX pulls_state_updated ON pulls(state, updated_at);
CREATE INDEX reviews_submitted ON reviews(submitted_at);
CREATE INDEX issues_state_updated ON issues(state, updated_at);
)sql",
    // 14: one repository's rows by their (forge, repo_id) key (resource_sql.h: repositoryKeyMatch),
    // the repository's name found as the forges compare it (case-insensitively), the status board's
    // milestones in its order, a milestone's issues, and open pull requests counted without stubs
    // from the index alone.
    R"sql(
DROP INDEX repositories_name;
CREATE INDEX repositories_name ON repositories(full_name COLLATE NOCASE);
CREATE INDEX activity_repository ON activity(forge, repo_id, at);
CREATE INDEX milestones_repository ON milestones(forge, repo_id);
CREATE INDEX milestones_board ON milestones(deleted, state IS NOT 'open', due_on IS NULL, due_on, title);
CREATE INDEX releases_repository ON releases(forge, repo_id);
CREATE INDEX deployments_repository ON deployments(forge, repo_id);
CREATE INDEX issues_milestone ON issues(forge, milestone_id);
DROP INDEX pulls_state_updated;
CREATE INDEX pulls_state_updated ON pulls(state, stub, updated_at);
)sql",
    // 15: a rebuild in progress (processing_queue.h): deliveries with ids up to queued_through are
    // queued again; the rest up to last_id follow in chunks as processing advances.
    R"sql(
CREATE TABLE rebuild_progress (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  queued_through INTEGER NOT NULL,
  last_id INTEGER NOT NULL
);
)sql",
    // 16: reset points of the change feed (store/change_feed.h): a rebuild takes a seq here instead
    // of recording each row it re-creates, and a reader whose resume point is before one refetches.
    R"sql(
CREATE TABLE change_resets (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, reason TEXT NOT NULL);
)sql",
};

}  // namespace

std::int64_t newestSchemaVersion() { return static_cast<std::int64_t>(std::size(kMigrations)); }

void migrate(sqlite3* db) { migrateTo(db, static_cast<int>(std::size(kMigrations))); }

void migrateTo(sqlite3* db, int target) {
  // Read in a scope of its own: a statement left open would make DROP INDEX fail ("table is locked").
  const auto current = [&] {
    Statement version(db, "PRAGMA user_version");
    version.step();
    return version.integer(0);
  }();
  const auto total = std::min<std::int64_t>(target, static_cast<std::int64_t>(std::size(kMigrations)));
  for (auto v = current; v < total; ++v) {
    std::string sql = "BEGIN IMMEDIATE;";
    sql += kMigrations[v];
    sql += "PRAGMA user_version=" + std::to_string(v + 1) + "; COMMIT;";
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "unknown";
      sqlite3_free(err);
      execute(db, "ROLLBACK");
      throw std::runtime_error("schema migration " + std::to_string(v + 1) + " failed: " + message);
    }
  }
  Statement id(db, "PRAGMA application_id");
  if (id.step() == SQLITE_ROW && id.integer(0) != kForgehookApplicationId)
    execute(db, ("PRAGMA application_id=" + std::to_string(kForgehookApplicationId)).c_str());
}

}  // namespace forgehook::store::sqlite
