// `forgehook migrate-store --from sqlite:PATH --to postgres:URL`: an SQLite installation that served
// GitHub's example deliveries (@octokit/webhooks-examples), a stored hook secret, a read-only token,
// a planned item and a subscription is copied into a throwaway PostgreSQL (lib/postgres.mjs), and a
// node started on PostgreSQL with the same master key then serves the same history:
//   - the same deliveries under the same ids, each with its headers and payload (journal bodies);
//   - the same projections, change feed, items, tokens and subscription;
//   - a new delivery gets the next id and is processed, its change records follow the copied feed;
//   - the sealed secrets open: the hook secret verifies, the subscription signs with its secret and
//     resumes where it was (nothing sent twice).
// And the refusals: a target that holds forgehook data, a missing or foreign or older file, a bad
// --to; a copy failing halfway leaves no row behind. The password is never printed.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { callbackReceiver as receiver, verifies } from "./lib/callbacks.mjs";
import { assertConsecutive, everyChange } from "./lib/changes.mjs";
import { Forge, assertAccepted, assertError, githubExamples, makeSecret, pool, pushPayload, uid } from "./lib/forge.mjs";
import { model } from "./lib/model.mjs";
import { startPostgres } from "./lib/postgres.mjs";
import { makeTempDir, removeDir, runCli, start, waitFor } from "./lib/server.mjs";

const sqlite3 = (db, sql) => promisify(execFile)("/usr/bin/sqlite3", [db, sql]).then((r) => r.stdout.trim());
const STORE_UNUSABLE = 3;
const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const MASTER_KEY = "5e".repeat(32); // the SQLite installation's, given to the PostgreSQL node too
const HOOK_ID = "4242";
const SEALED_HOOK = "5151"; // a hook with a stored (sealed) secret of its own
const RESOURCES = ["pulls", "reviews", "issues", "runs", "releases", "branches", "milestones", "deployments", "repositories", "activity"];
const ENV = {
  FORGEHOOK_GITHUB_SECRET: GH,
  FORGEHOOK_ADMIN_TOKEN: ADMIN,
  FORGEHOOK_MASTER_KEY: MASTER_KEY,
  FORGEHOOK_SUBSCRIPTIONS_ALLOW_PRIVATE_NETWORKS: "true",
  FORGEHOOK_SUBSCRIPTIONS_RETRY_INITIAL_MS: "100",
};

async function json(fh, p, token) {
  const res = await fh.api(p, token === undefined ? {} : { token });
  assert.equal(res.status, 200, `GET ${p}: ${res.status} ${res.text}`);
  return res.json;
}

// Everything the tests compare, as one installation serves it.
async function served(fh, subscriptionId) {
  const deliveries = await fh.listAll();
  const details = {};
  for (const d of deliveries) details[d.id] = await json(fh, `/api/v1/deliveries/${d.id}`);
  return {
    deliveries,
    details,
    model: await model(fh, RESOURCES),
    changes: await everyChange(fh),
    items: await json(fh, "/api/v1/items"),
    tokens: await json(fh, "/api/v1/tokens"),
    secrets: await json(fh, "/api/v1/secrets"),
    subscription: await json(fh, `/api/v1/subscriptions/${subscriptionId}`),
  };
}

describe("forgehook migrate-store from SQLite to PostgreSQL", () => {
  let pg, root, sqliteDir, rx;
  const nodes = [];
  const pgEnv = (db) => ({ FORGEHOOK_STORE_BACKEND: "postgres", FORGEHOOK_STORE_POSTGRES_URL: pg.url(db), FORGEHOOK_STORE_POSTGRES_PASSWORD: pg.password });
  const migrateStore = (from, db, extra = []) =>
    runCli(["migrate-store", "--from", from, "--to", `postgres:${pg.url(db)}`, ...extra], {
      env: { FORGEHOOK_STORE_POSTGRES_PASSWORD: pg.password },
      timeoutMs: 120_000,
    });
  const assertQuiet = (res) => assert.ok(!(res.stdout + res.stderr).includes(pg.password), "the password was printed");
  const count = (db, table) => pg.psql(db, `SELECT count(*) FROM ${table}`).then(Number);
  let dbFile, source, hookSecret, subscription;

  before(async () => {
    pg = await startPostgres();
    root = await makeTempDir("forgehook-migrate-store-");
    sqliteDir = path.join(root, "sqlite");
    dbFile = path.join(sqliteDir, "forgehook.db");
    rx = await receiver();
  });
  after(async () => {
    for (const n of nodes) await n.kill9();
    await rx?.close();
    await pg?.stop();
    if (root) await removeDir(root);
  });

  test("an SQLite installation's history is served by a PostgreSQL node after the copy", async () => {
    // The SQLite installation: deliveries, a sealed hook secret, a token, an item, a subscription.
    const sqliteNode = await start({ ...ENV, FORGEHOOK_STORE_BACKEND: "sqlite" }, { dataDir: sqliteDir });
    nodes.push(sqliteNode);
    const fh = new Forge(sqliteNode, { github: GH, admin: ADMIN, hookId: HOOK_ID });
    const created = await fh.api("/api/v1/subscriptions", { method: "POST", body: { url: rx.url, resources: ["items"] } });
    assert.equal(created.status, 201, created.text);
    subscription = created.json;
    hookSecret = makeSecret("hook5151");
    const put = await fh.api(`/api/v1/secrets/github/hook/${SEALED_HOOK}`, { method: "PUT", body: { secrets: [hookSecret] } });
    assert.equal(put.status, 200, put.text);
    const examples = githubExamples().filter((e) => e.payload.repository);
    await pool(examples, 8, async ({ event, payload }) => assertAccepted(await fh.github(payload, { event, delivery: uid() }), event));
    assertAccepted(await fh.github(pushPayload("octo/sealed"), { hookId: SEALED_HOOK, secret: hookSecret }), "stored hook secret");
    const token = await fh.api("/api/v1/tokens", { method: "POST", body: { name: "wallboard" } });
    assert.equal(token.status, 201, token.text);
    const item = await fh.api("/api/v1/items", { method: "POST", body: { title: "Move to PostgreSQL", owner: "ops" } });
    assert.equal(item.status, 201, item.text);
    await fh.drained();
    await waitFor(async () => {
      const s = await json(fh, `/api/v1/subscriptions/${subscription.id}`);
      return s.pending === 0 && s.last_success_at !== null && rx.got.some((g) => g.body.includes("Move to PostgreSQL"));
    }, { message: "the item's callback delivered" });
    source = await served(fh, subscription.id);
    assert.ok(source.deliveries.length > 100, `${source.deliveries.length} deliveries`);
    fh.close();
    await sqliteNode.stop();

    const db = await pg.createDatabase("moved");
    const res = await migrateStore(`sqlite:${dbFile}`, db);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, "");
    assertQuiet(res);
    const rowsOf = (table) => {
      const m = res.stdout.match(new RegExp(`^ {2}${table} +(\\d+)$`, "m"));
      return m ? Number(m[1]) : undefined;
    };
    assert.equal(rowsOf("deliveries"), source.deliveries.length, res.stdout);
    assert.equal(rowsOf("delivery_bodies"), source.deliveries.length, res.stdout);
    assert.equal(rowsOf("changes"), source.changes.length, res.stdout);
    assert.equal(rowsOf("items"), 1, res.stdout);
    assert.equal(rowsOf("api_tokens"), 1, res.stdout);
    assert.equal(rowsOf("scoped_secrets"), 1, res.stdout);
    assert.equal(rowsOf("subscriptions"), 1, res.stdout);
    assert.equal(rowsOf("journal_state"), undefined, "the journal's bookkeeping is not copied");
    const maxId = Math.max(...source.deliveries.map((d) => d.id));
    const lastSeq = source.changes.at(-1).seq;
    const committed = res.stdout.match(/^committed: \d+ rows in \d+ tables \((\d+) deliveries, the next one gets id (\d+); the change feed goes on after seq (\d+)\)/m);
    assert.ok(committed, res.stdout);
    assert.deepEqual(committed.slice(1).map(Number), [source.deliveries.length, maxId + 1, lastSeq]);
    assert.match(res.stdout, /copied sealed: every node on PostgreSQL needs the master key/);
    assert.deepEqual((await readdir(sqliteDir)).filter((f) => f.includes("migrate-store")), [], "the consistent copy was removed");
    // Copied rows are processed in id order, before anything a node hands a seq later.
    assert.equal(await pg.psql(db, "SELECT count(*) FROM deliveries WHERE queue_seq IS NULL OR queue_seq >= 0"), "0");

    // A node on PostgreSQL, its own data dir, the same master key.
    // A first node with another key cannot open the copied secrets: refused, and it leaves nothing
    // that would refuse the right key afterwards.
    await assert.rejects(start({ ...ENV, ...pgEnv(db), FORGEHOOK_MASTER_KEY: "a7".repeat(32) }, { dataDir: path.join(root, "wrong-key") }),
      /cannot open the stored secrets with the master key/);
    assert.equal(await pg.psql(db, "SELECT count(*) FROM store_settings"), "0");
    const pgNode = await start({ ...ENV, ...pgEnv(db) }, { dataDir: path.join(root, "pg-node") });
    nodes.push(pgNode);
    const moved = new Forge(pgNode, { github: GH, admin: ADMIN, hookId: HOOK_ID });
    const target = await served(moved, subscription.id);
    assert.deepEqual(target.deliveries, source.deliveries);
    for (const d of source.deliveries) assert.deepEqual(target.details[d.id], source.details[d.id], `delivery ${d.id}`);
    assert.ok(Object.values(target.details).every((d) => d.payload && typeof d.payload === "object"), "every body came along");
    assert.deepEqual(target.model, source.model);
    assert.deepEqual(target.changes, source.changes);
    assert.deepEqual(target.items, source.items);
    assert.deepEqual(target.tokens, source.tokens);
    assert.deepEqual(target.secrets, source.secrets);
    assert.deepEqual(target.subscription, source.subscription);
    assert.equal((await moved.api("/api/v1/deliveries?limit=1", { token: token.json.token })).status, 200, "the read-only token");

    // A new delivery: the next id, processed, its records after the copied feed.
    const next = await moved.github(pushPayload("octo/after-the-move"), { event: "push" });
    assertAccepted(next, "a new delivery");
    assert.equal(next.json.id, maxId + 1);
    await moved.drained();
    assert.equal((await json(moved, `/api/v1/deliveries/${next.json.id}`)).status, "processed");
    const later = (await everyChange(moved)).slice(source.changes.length);
    assertConsecutive(later, lastSeq + 1);
    assert.ok(later.some((c) => c.resource === "deliveries" && c.action === "created" && c.id === String(next.json.id)), JSON.stringify(later));

    // The sealed secrets open with the same key: the hook secret verifies, the subscription signs.
    assertAccepted(await moved.github(pushPayload("octo/sealed"), { hookId: SEALED_HOOK, secret: hookSecret }), "stored hook secret");
    assertError(await moved.github(pushPayload("octo/sealed"), { hookId: SEALED_HOOK, secret: GH }), 401, "invalid_signature");
    const second = await moved.api("/api/v1/items", { method: "POST", body: { title: "Served by PostgreSQL" } });
    assert.equal(second.status, 201, second.text);
    const callback = await waitFor(() => rx.got.find((g) => g.body.includes("Served by PostgreSQL")), { timeoutMs: 15_000, message: "the new item's callback" });
    assert.ok(verifies(subscription.secret, callback), "the callback is signed with the subscription's secret");
    assert.equal(rx.got.filter((g) => g.body.includes("Move to PostgreSQL")).length, 1, "the copied outbox was sent again");
    moved.close();
    await pgNode.stop();
    pgNode.assertNoSecretsLogged([pg.password, hookSecret]);

    // Copied once: the same target again is refused and left as it is.
    const again = await migrateStore(`sqlite:${sqliteDir}`, db);
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /^forgehook: the PostgreSQL database already holds forgehook data \(in .*\bdeliveries\b.*\): migrate-store copies into an empty database only/);
    assertQuiet(again);
    assert.equal(await count(db, "deliveries"), source.deliveries.length + 2);
  });

  test("a database where `forgehook migrate` only created the schema is accepted", async () => {
    const db = await pg.createDatabase("premigrated");
    const migrated = await runCli(["migrate"], { env: { ...pgEnv(db), FORGEHOOK_DATA_DIR: root } });
    assert.equal(migrated.code, 0, migrated.stderr);
    const res = await migrateStore(`sqlite:${dbFile}`, db);
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(res.stdout, /created the PostgreSQL schema/);
    assert.equal(await count(db, "deliveries"), source.deliveries.length);
    assert.equal(await count(db, "delivery_bodies"), source.deliveries.length);
  });

  test("a copy that fails halfway is rolled back whole: no row is left, and it can run again", async () => {
    const db = await pg.createDatabase("halfway");
    assert.equal((await runCli(["migrate"], { env: { ...pgEnv(db), FORGEHOOK_DATA_DIR: root } })).code, 0);
    // Rows the target refuses in a table copied late (the subscription's outbox), after the
    // deliveries, bodies, projections and feed were written in the same transaction.
    await pg.psql(db, "ALTER TABLE subscription_messages ADD CONSTRAINT not_the_last CHECK (id < 0)");
    const res = await migrateStore(`sqlite:${dbFile}`, db);
    assert.equal(res.code, 1);
    assert.match(res.stdout, /^ {2}deliveries +\d+$/m, "the deliveries were copied before the failure");
    assert.match(res.stderr, /^forgehook: copying table subscription_messages \(rows \d+ to \d+\): PostgreSQL: ERROR: .*not_the_last.* \(rolled back: the PostgreSQL database holds no copied row; migrate-store can run again\)\n$/);
    assertQuiet(res);
    for (const table of ["deliveries", "delivery_bodies", "changes", "items", "subscriptions"]) assert.equal(await count(db, table), 0, table);
    assert.equal(await pg.psql(db, "SELECT seq FROM change_counter"), "0");
    await pg.psql(db, "ALTER TABLE subscription_messages DROP CONSTRAINT not_the_last");
    const retried = await migrateStore(`sqlite:${dbFile}`, db);
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal(await count(db, "deliveries"), source.deliveries.length);
  });

  test("a missing, foreign, older or newer SQLite file and a --to that is not PostgreSQL are refused; the target stays empty", async () => {
    const db = await pg.createDatabase("refusals");
    const untouched = async (what) =>
      assert.equal(await pg.psql(db, "SELECT to_regclass('forgehook_schema') IS NULL AND to_regclass('deliveries') IS NULL"), "t", what);

    const missing = await migrateStore(`sqlite:${path.join(root, "nowhere", "forgehook.db")}`, db);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^forgehook: no SQLite store at .*nowhere\/forgehook\.db/);
    await untouched("missing");

    const foreign = path.join(root, "foreign.db");
    await writeFile(foreign, Buffer.from("not a database at all\n".repeat(300)));
    const notOurs = await migrateStore(`sqlite:${foreign}`, db);
    assert.equal(notOurs.code, STORE_UNUSABLE, notOurs.stderr);
    await untouched("foreign");

    // Older and newer: a consistent copy of the store, its schema version changed.
    const newest = Number(await sqlite3(dbFile, "PRAGMA user_version"));
    const older = path.join(root, "older.db");
    await sqlite3(dbFile, `VACUUM INTO '${older}'`);
    await sqlite3(older, `PRAGMA user_version = ${newest - 1}`);
    const old = await migrateStore(`sqlite:${older}`, db);
    assert.equal(old.code, 1, old.stderr);
    assert.match(old.stderr, new RegExp(`is at schema version ${newest - 1}, this forgehook copies version ${newest}: bring it up to date first with \`forgehook migrate --data-dir `));
    await untouched("older");
    const newer = path.join(root, "newer.db");
    await sqlite3(dbFile, `VACUUM INTO '${newer}'`);
    await sqlite3(newer, `PRAGMA user_version = ${newest + 1}`);
    const fromTheFuture = await migrateStore(`sqlite:${newer}`, db);
    assert.equal(fromTheFuture.code, STORE_UNUSABLE, fromTheFuture.stderr);
    await untouched("newer");

    const notPostgres = await runCli(["migrate-store", "--from", `sqlite:${dbFile}`, "--to", "mysql://db/forgehook"]);
    assert.equal(notPostgres.code, 1);
    assert.match(notPostgres.stderr, /--to must be postgres:URL/);
    const notSqlite = await runCli(["migrate-store", "--from", dbFile, "--to", `postgres:${pg.url(db)}`]);
    assert.equal(notSqlite.code, 1);
    assert.match(notSqlite.stderr, /--from must be sqlite:PATH/);

    const wrong = "wrong-password-7c1e4b";
    const refused = await runCli(["migrate-store", "--from", `sqlite:${dbFile}`, "--to", `postgres:${pg.url(db)}`], {
      env: { FORGEHOOK_STORE_POSTGRES_PASSWORD: wrong },
    });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^forgehook: cannot connect to PostgreSQL: .*password authentication failed/);
    assert.ok(!(refused.stdout + refused.stderr).includes(wrong), "the wrong password was printed");
    await untouched("wrong password");
  });
});
