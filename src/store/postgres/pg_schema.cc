#include "store/postgres/pg_schema.h"

#include <iterator>

#include "store/store_unusable.h"

namespace forgehook::store::postgres {
namespace {

// pg_advisory_lock's key for migrations: "forgehoo" in ASCII, so it is recognizable in pg_locks.
constexpr const char* kMigrationLock = "7381244102692073327";

struct Migration {
  const char* name;
  const char* sql;
};

// Append only: a released migration is never edited, a change is a new one. Times are bigint in the
// SQLite store's units (deliveries: Unix microseconds; projections: Unix seconds), so both backends
// answer alike.
constexpr Migration kMigrations[] = {
    {"the delivery log: deliveries with their processing state, bodies, hooks seen by ping, stored secrets",
     R"sql(
CREATE TABLE deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  forge            text NOT NULL,
  hook_id          text NOT NULL,
  delivery_id      text NOT NULL,
  event            text NOT NULL,
  action           text NOT NULL,
  repository       text NOT NULL,
  sender           text NOT NULL,
  received_at      bigint NOT NULL,
  last_attempt_at  bigint NOT NULL,
  attempts         integer NOT NULL DEFAULT 1,
  body_size        bigint NOT NULL,
  content_type     text NOT NULL,
  verification     text NOT NULL,
  source           text NOT NULL DEFAULT 'webhook',
  status           text NOT NULL DEFAULT 'queued',
  process_attempts integer NOT NULL DEFAULT 0,
  next_attempt_at  bigint NOT NULL DEFAULT 0,
  processed_at     bigint,
  last_error       text,
  body_pruned_at   bigint,
  -- The processing order: the seq of the delivery's created change record, handed out under the
  -- change counter's lock, so in commit order across nodes (ids, from a sequence, are not).
  queue_seq        bigint,
  CONSTRAINT deliveries_identity UNIQUE (delivery_id, forge, hook_id)
);
CREATE INDEX deliveries_received ON deliveries (received_at);
CREATE INDEX deliveries_pending ON deliveries (id) WHERE status IN ('queued', 'retrying');
CREATE INDEX deliveries_status ON deliveries (status, id);
CREATE INDEX deliveries_unpruned ON deliveries (received_at) WHERE body_pruned_at IS NULL;
CREATE INDEX deliveries_repository ON deliveries (lower(repository), event, id);
CREATE INDEX deliveries_event ON deliveries (event, id);
CREATE INDEX deliveries_queue ON deliveries (queue_seq) WHERE status IN ('queued', 'retrying');
CREATE TABLE delivery_bodies (
  delivery      bigint PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
  headers       text NOT NULL,
  body_encoding text NOT NULL,
  body          bytea NOT NULL
);
CREATE TABLE hooks (
  forge         text NOT NULL,
  hook_id       text NOT NULL,
  first_seen_at bigint NOT NULL,
  last_ping_at  bigint NOT NULL,
  pings         bigint NOT NULL DEFAULT 1,
  PRIMARY KEY (forge, hook_id)
);
CREATE TABLE scoped_secrets (
  forge      text NOT NULL,
  scope      text NOT NULL CHECK (scope IN ('hook', 'repository')),
  key        text NOT NULL,
  secrets    text NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (forge, scope, key)
);
)sql"},
    {"read-only API tokens and dashboard sessions",
     R"sql(
CREATE TABLE api_tokens (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name          text NOT NULL,
  secret_sha256 text NOT NULL UNIQUE,
  created_at    bigint NOT NULL,
  last_used_at  bigint,
  revoked_at    bigint
);
CREATE TABLE sessions (
  id_sha256         text PRIMARY KEY,
  role              text NOT NULL CHECK (role IN ('admin', 'read_only')),
  token_id          bigint NOT NULL DEFAULT 0,
  token_name        text NOT NULL DEFAULT '',
  credential_sha256 text NOT NULL DEFAULT '',
  csrf_token        text NOT NULL,
  created_at        bigint NOT NULL,
  expires_at        bigint NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
)sql"},
    {"the change feed: records, reset points, and the counter that numbers them in commit order",
     R"sql(
CREATE TABLE changes (
  seq        bigint PRIMARY KEY,
  at         bigint NOT NULL,
  resource   text NOT NULL,
  action     text NOT NULL,
  entity_id  text NOT NULL,
  forge      text,
  repository text,
  data       text NOT NULL
);
CREATE INDEX changes_at ON changes (at);
CREATE TABLE change_resets (seq bigint PRIMARY KEY, at bigint NOT NULL, reason text NOT NULL);
CREATE TABLE change_counter (id integer PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL);
INSERT INTO change_counter (id, seq) VALUES (1, 0);
)sql"},
    {"the activity model's projections, planned items and claimed event keys (SQLite's schema 16)",
     R"sql(
CREATE TABLE repositories (
  row_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the list's cursor (SQLite's rowid)
  forge text NOT NULL, repo_id text NOT NULL, full_name text NOT NULL, private bigint, archived bigint,
  deleted bigint NOT NULL DEFAULT 0, default_branch text, url text, version bigint NOT NULL,
  PRIMARY KEY (forge, repo_id)
);
CREATE INDEX repositories_name ON repositories (lower(full_name));
CREATE TABLE pulls (
  row_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the list's cursor (SQLite's rowid)
  forge text NOT NULL, repo_id text NOT NULL, number bigint NOT NULL, stub bigint NOT NULL DEFAULT 0,
  title text, state text, draft bigint, author text, base_ref text, head_ref text,
  created_at bigint, updated_at bigint, merged_at bigint, closed_at bigint,
  additions bigint, deletions bigint, changed_files bigint, labels text, url text,
  is_revert bigint, is_hotfix bigint, version bigint NOT NULL,
  PRIMARY KEY (forge, repo_id, number)
);
CREATE INDEX pulls_created ON pulls (created_at);
CREATE INDEX pulls_merged ON pulls (merged_at) WHERE merged_at IS NOT NULL;
CREATE INDEX pulls_closed ON pulls (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX pulls_state_updated ON pulls (state, stub, updated_at);
CREATE TABLE reviews (
  row_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the list's cursor (SQLite's rowid)
  forge text NOT NULL, review_id text NOT NULL, repo_id text NOT NULL, pr_number bigint NOT NULL,
  reviewer text, state text, submitted_at bigint, url text, version bigint NOT NULL,
  PRIMARY KEY (forge, review_id)
);
CREATE INDEX reviews_pull ON reviews (forge, repo_id, pr_number);
CREATE INDEX reviews_submitted ON reviews (submitted_at);
CREATE TABLE issues (
  row_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the list's cursor (SQLite's rowid)
  forge text NOT NULL, repo_id text NOT NULL, number bigint NOT NULL, title text, state text,
  state_reason text, author text, labels text, assignees text, milestone_id text, milestone text,
  created_at bigint, updated_at bigint, closed_at bigint, url text, version bigint NOT NULL,
  PRIMARY KEY (forge, repo_id, number)
);
CREATE INDEX issues_state_updated ON issues (state, updated_at);
CREATE INDEX issues_milestone ON issues (forge, milestone_id);
CREATE TABLE issue_reopens (
  forge text NOT NULL, repo_id text NOT NULL, number bigint NOT NULL, reopened_at bigint NOT NULL,
  version bigint NOT NULL, PRIMARY KEY (forge, repo_id, number, reopened_at)
);
CREATE TABLE comments (
  forge text NOT NULL, kind text NOT NULL, comment_id text NOT NULL, repo_id text NOT NULL,
  target_number bigint, author text, created_at bigint, deleted bigint NOT NULL DEFAULT 0,
  version bigint NOT NULL, PRIMARY KEY (forge, kind, comment_id)
);
CREATE INDEX comments_target ON comments (forge, repo_id, target_number);
CREATE TABLE runs (
  row_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the list's cursor (SQLite's rowid)
  forge text NOT NULL, kind text NOT NULL, run_id text NOT NULL, attempt bigint NOT NULL, repo_id text NOT NULL,
  workflow text, name text, branch text, sha text, trigger_event text, status text, conclusion text,
  started_at bigint, completed_at bigint, duration_seconds bigint, url text, version bigint NOT NULL,
  PRIMARY KEY (forge, kind, run_id, attempt)
);
CREATE INDEX runs_scope ON runs (forge, repo_id, workflow, branch);
CREATE INDEX runs_completed ON runs (completed_at);
CREATE TABLE incidents (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, forge text NOT NULL, repo_id text NOT NULL, workflow text NOT NULL,
  branch text NOT NULL, opened_run text NOT NULL, opened_at bigint NOT NULL, resolved_run text,
  resolved_at bigint, failed_runs text NOT NULL,
  UNIQUE (forge, repo_id, workflow, branch, opened_run)
);
CREATE TABLE incident_acks (
  forge text NOT NULL, repo_id text NOT NULL, workflow text NOT NULL, branch text NOT NULL,
  opened_run text NOT NULL, acknowledged_at bigint NOT NULL, acknowledged_by text NOT NULL, note text,
  PRIMARY KEY (forge, repo_id, workflow, branch, opened_run)
);
CREATE TABLE releases (
  row_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the list's cursor (SQLite's rowid)
  forge text NOT NULL, release_id text NOT NULL, repo_id text NOT NULL, tag text, name text, draft bigint,
  prerelease bigint, author text, created_at bigint, published_at bigint, deleted bigint NOT NULL DEFAULT 0,
  url text, version bigint NOT NULL, PRIMARY KEY (forge, release_id)
);
CREATE INDEX releases_repository ON releases (forge, repo_id);
CREATE TABLE refs (
  row_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the list's cursor (SQLite's rowid)
  forge text NOT NULL, repo_id text NOT NULL, ref text NOT NULL, ref_type text NOT NULL, sha text,
  deleted bigint NOT NULL DEFAULT 0, version bigint NOT NULL, PRIMARY KEY (forge, repo_id, ref)
);
CREATE TABLE pushes (
  forge text NOT NULL, repo_id text NOT NULL, ref text NOT NULL, before_sha text NOT NULL, after_sha text NOT NULL,
  forced bigint NOT NULL, created bigint NOT NULL, deleted bigint NOT NULL, commits bigint NOT NULL,
  pusher text, pushed_at bigint, version bigint NOT NULL,
  PRIMARY KEY (forge, repo_id, ref, before_sha, after_sha)
);
CREATE TABLE milestones (
  row_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the list's cursor (SQLite's rowid)
  forge text NOT NULL, milestone_id text NOT NULL, repo_id text NOT NULL, number bigint, title text, state text,
  open_issues bigint, closed_issues bigint, due_on bigint, created_at bigint, closed_at bigint,
  deleted bigint NOT NULL DEFAULT 0, version bigint NOT NULL, PRIMARY KEY (forge, milestone_id)
);
CREATE INDEX milestones_repository ON milestones (forge, repo_id);
CREATE INDEX milestones_board ON milestones (deleted, (state IS DISTINCT FROM 'open'), (due_on IS NULL), due_on, title);
CREATE TABLE deployments (
  row_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the list's cursor (SQLite's rowid)
  forge text NOT NULL, deployment_id text NOT NULL, repo_id text NOT NULL, environment text, ref text, sha text,
  creator text, created_at bigint, version bigint NOT NULL, PRIMARY KEY (forge, deployment_id)
);
CREATE INDEX deployments_repository ON deployments (forge, repo_id);
CREATE TABLE deployment_statuses (
  forge text NOT NULL, status_id text NOT NULL, deployment_id text NOT NULL, state text, created_at bigint,
  version bigint NOT NULL, PRIMARY KEY (forge, status_id)
);
CREATE TABLE activity (
  delivery_id bigint PRIMARY KEY, at bigint NOT NULL, forge text NOT NULL, repo_id text NOT NULL,
  repository text NOT NULL, actor text NOT NULL, kind text NOT NULL, action text NOT NULL, summary text NOT NULL,
  url text NOT NULL
);
CREATE INDEX activity_at ON activity (at);
CREATE INDEX activity_repository ON activity (forge, repo_id, at);
CREATE TABLE event_keys (
  forge text NOT NULL, key text NOT NULL, source text NOT NULL, delivery bigint NOT NULL, at bigint NOT NULL,
  PRIMARY KEY (forge, key)
);
CREATE INDEX event_keys_at ON event_keys (at);
CREATE TABLE items (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, title text NOT NULL, description text NOT NULL DEFAULT '', owner text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'planned', tags text NOT NULL DEFAULT '[]', due_on bigint,
  forge text, repository text, issue_number bigint, created_at bigint NOT NULL, updated_at bigint NOT NULL
);
)sql"},
    {"processing claims: one node at a time processes a repository's deliveries",
     R"sql(
CREATE TABLE processing_claims (
  forge      text NOT NULL,
  repository text NOT NULL,  -- lower(repository): names compare case-insensitively, as the forges do
  node       text NOT NULL,
  token      bigint NOT NULL,
  expires_at bigint NOT NULL,  -- Unix microseconds
  PRIMARY KEY (forge, repository)
);
CREATE SEQUENCE processing_claim_tokens;
CREATE INDEX deliveries_due_repository ON deliveries (forge, lower(repository), queue_seq) WHERE status IN ('queued', 'retrying');
)sql"},
    {"outbound subscriptions with their outbox and attempts, forge credentials and connections, reconciliation, "
     "commands of rules, a rebuild in progress",
     R"sql(
CREATE TABLE subscriptions (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, url text NOT NULL, description text NOT NULL DEFAULT '',
  resources text NOT NULL DEFAULT '[]', actions text NOT NULL DEFAULT '[]', repository text, forge text,
  secret text NOT NULL, status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'disabled')),
  disabled_reason text, consecutive_failures bigint NOT NULL DEFAULT 0, failed_streak bigint NOT NULL DEFAULT 0,
  cursor bigint NOT NULL, created_at bigint NOT NULL, updated_at bigint NOT NULL, last_success_at bigint,
  last_attempt_at bigint
);
CREATE TABLE subscription_messages (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, subscription_id bigint NOT NULL, seq bigint NOT NULL,
  enqueued_at bigint NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts bigint NOT NULL DEFAULT 0, first_attempt_at bigint, last_attempt_at bigint,
  next_attempt_at bigint NOT NULL DEFAULT 0, delivered_at bigint, last_error text,
  at bigint NOT NULL, resource text NOT NULL, action text NOT NULL, entity_id text NOT NULL, forge text,
  repository text, data text NOT NULL,
  UNIQUE (subscription_id, seq)
);
CREATE INDEX subscription_messages_status ON subscription_messages (subscription_id, status, seq);
CREATE INDEX subscription_messages_done ON subscription_messages (last_attempt_at) WHERE status <> 'pending';
CREATE TABLE subscription_attempts (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, subscription_id bigint NOT NULL, message_id bigint NOT NULL,
  seq bigint NOT NULL, attempt bigint NOT NULL, at bigint NOT NULL, status_code bigint, duration_ms bigint NOT NULL,
  response text NOT NULL DEFAULT '', error text
);
CREATE INDEX subscription_attempts_subscription ON subscription_attempts (subscription_id, id);
CREATE INDEX subscription_attempts_at ON subscription_attempts (at);
CREATE TABLE forge_credentials (
  forge text PRIMARY KEY, api_url text NOT NULL, kind text NOT NULL CHECK (kind IN ('token', 'app')),
  token_sealed text, app_id text, app_private_key_sealed text, app_webhook_secret_sealed text,
  created_at bigint NOT NULL, updated_at bigint NOT NULL
);
CREATE TABLE connections (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, forge text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('repository', 'organization')),
  target text NOT NULL, mode text NOT NULL DEFAULT 'webhook' CHECK (mode IN ('webhook', 'poll')),
  url text NOT NULL DEFAULT '', events text NOT NULL DEFAULT '[]', hook_id text,
  status text NOT NULL DEFAULT 'pending', error text, hint text, adopted bigint NOT NULL DEFAULT 0,
  secret_sealed text, previous_secret_sealed text, previous_secret_until bigint,
  created_at bigint NOT NULL, updated_at bigint NOT NULL, checked_at bigint,
  poll_etag text, poll_interval_s bigint, poll_seen_event_id text, next_poll_at bigint NOT NULL DEFAULT 0,
  last_polled_at bigint, next_reconcile_at bigint NOT NULL DEFAULT 0, failing_since bigint,
  UNIQUE (forge, kind, target)
);
CREATE TABLE reconcile_runs (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, connection_id bigint NOT NULL, trigger text NOT NULL,
  started_at bigint NOT NULL, finished_at bigint, listed bigint NOT NULL DEFAULT 0, missing bigint NOT NULL DEFAULT 0,
  requested bigint NOT NULL DEFAULT 0, arrived bigint NOT NULL DEFAULT 0, given_up bigint NOT NULL DEFAULT 0,
  api_calls bigint NOT NULL DEFAULT 0, pages bigint NOT NULL DEFAULT 0, error text
);
CREATE INDEX reconcile_runs_connection ON reconcile_runs (connection_id, id);
CREATE TABLE reconcile_missing (
  connection_id bigint NOT NULL, guid text NOT NULL, forge_delivery_id text NOT NULL, event text NOT NULL,
  action text NOT NULL DEFAULT '', delivered_at bigint NOT NULL, forge_status_code bigint,
  status text NOT NULL DEFAULT 'missing' CHECK (status IN ('missing', 'requested', 'arrived', 'given_up')),
  requests bigint NOT NULL DEFAULT 0, last_requested_at bigint, arrived_at bigint, last_error text,
  PRIMARY KEY (connection_id, guid)
);
CREATE INDEX reconcile_missing_open ON reconcile_missing (connection_id, status);
CREATE TABLE command_runs (
  id               bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  delivery         bigint NOT NULL REFERENCES deliveries (id),
  rule             text NOT NULL,
  delivery_guid    text NOT NULL,
  forge            text NOT NULL,
  repository       text NOT NULL,
  event            text NOT NULL,
  action           text NOT NULL,
  status           text NOT NULL,
  attempt          bigint NOT NULL DEFAULT 0,
  max_attempts     bigint NOT NULL,
  crash_reruns     bigint NOT NULL DEFAULT 0,
  argv             text NOT NULL,
  env              text NOT NULL,
  workdir          text NOT NULL,
  payload_mode     text NOT NULL,
  queued_at        bigint NOT NULL,
  next_attempt_at  bigint NOT NULL DEFAULT 0,
  started_at       bigint,
  ended_at         bigint,
  exit_code        bigint,
  signal           bigint,
  error            text,
  output           bytea,
  output_truncated bigint NOT NULL DEFAULT 0,
  runner           text,  -- the node that runs it (store.postgres.node) while "running"
  UNIQUE (delivery, rule)
);
CREATE INDEX command_runs_due ON command_runs (next_attempt_at, id) WHERE status IN ('queued', 'retrying');
CREATE INDEX command_runs_running ON command_runs (id) WHERE status = 'running';
CREATE INDEX command_runs_rule ON command_runs (rule, id);
-- Settings of the store every node shares: 'master_key_check', a known text sealed with the master
-- key the store's secrets are sealed with (a node with another key is refused at start).
CREATE TABLE store_settings (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE rebuild_progress (
  id bigint PRIMARY KEY CHECK (id = 1),
  queued_through bigint NOT NULL,
  last_id bigint NOT NULL
);
)sql"},
};

core::Result<std::int64_t> appliedVersion(PgConnection& conn) {
  // to_regclass: NULL when the table is not there yet (a new database), without an error.
  auto exists = conn.exec("SELECT to_regclass('forgehook_schema') IS NOT NULL");
  if (!exists) return std::unexpected(exists.error());
  if (exists->text(0, 0) != "t") return 0;
  auto max = conn.exec("SELECT coalesce(max(version), 0) FROM forgehook_schema");
  if (!max) return std::unexpected(max.error());
  return max->integer(0, 0);
}

std::int64_t newestVersion() { return static_cast<std::int64_t>(std::size(kMigrations)); }

void refuseNewer(std::int64_t current) {
  if (current > newestVersion())
    throw StoreUnusable("the PostgreSQL store is at schema version " + std::to_string(current) +
                        ", newer than this forgehook knows (" + std::to_string(newestVersion()) +
                        "): run the forgehook that migrated it, or a newer one");
}

}  // namespace

std::vector<PgMigration> pgMigrations() {
  std::vector<PgMigration> out;
  for (std::size_t i = 0; i < std::size(kMigrations); ++i)
    out.push_back({static_cast<std::int64_t>(i + 1), kMigrations[i].name});
  return out;
}

core::Result<PgSchemaStatus> pgSchemaStatus(PgConnection& conn) {
  auto current = appliedVersion(conn);
  if (!current) return std::unexpected(current.error());
  refuseNewer(*current);
  PgSchemaStatus status{*current, newestVersion(), {}};
  for (auto& m : pgMigrations())
    if (m.version > *current) status.pending.push_back(std::move(m));
  return status;
}

core::Result<std::vector<PgMigration>> pgMigrate(PgConnection& conn) {
  if (auto locked = conn.exec("SELECT pg_advisory_lock(" + std::string(kMigrationLock) + ")"); !locked)
    return std::unexpected(locked.error());
  // The lock is the session's: released on every path out, and by the server if this process dies.
  struct Unlock {
    PgConnection& conn;
    ~Unlock() { (void)conn.exec("SELECT pg_advisory_unlock(" + std::string(kMigrationLock) + ")"); }
  } unlock{conn};
  auto created = conn.exec(
      "CREATE TABLE IF NOT EXISTS forgehook_schema (version bigint PRIMARY KEY, name text NOT NULL, "
      "applied_at timestamptz NOT NULL DEFAULT now())");
  if (!created) return std::unexpected(created.error());
  auto status = pgSchemaStatus(conn);
  if (!status) return std::unexpected(status.error());
  std::vector<PgMigration> applied;
  for (auto& m : status->pending) {
    const auto& migration = kMigrations[m.version - 1];
    auto begun = conn.exec("BEGIN");
    if (!begun) return std::unexpected(begun.error());
    auto ran = conn.exec(migration.sql);
    if (ran) ran = conn.exec("INSERT INTO forgehook_schema (version, name) VALUES ($1, $2)",
                             {std::to_string(m.version), m.name});
    if (ran) ran = conn.exec("COMMIT");
    if (!ran) {
      (void)conn.exec("ROLLBACK");
      auto error = ran.error();
      error.message = "schema migration " + std::to_string(m.version) + " (" + m.name + ") failed: " + error.message;
      return std::unexpected(std::move(error));
    }
    applied.push_back(std::move(m));
  }
  return applied;
}

}  // namespace forgehook::store::postgres
