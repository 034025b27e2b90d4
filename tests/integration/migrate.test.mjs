// `forgehook migrate [--check]` against a throwaway PostgreSQL cluster and against the embedded
// SQLite store: what --check reports and its exit status, concurrent migrations applying each
// version once (the advisory lock), a failed migration rolled back whole, a database of a newer
// forgehook refused (exit 3), and the password given apart from the URL, from a file, or wrong
// (never printed).
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startPostgres } from "./lib/postgres.mjs";
import { makeTempDir, removeDir, runCli, start } from "./lib/server.mjs";

const STORE_UNUSABLE = 3;

describe("forgehook migrate on PostgreSQL", () => {
  let pg;
  let root;
  const env = (db, extra = {}) => ({
    FORGEHOOK_STORE_BACKEND: "postgres",
    FORGEHOOK_STORE_POSTGRES_URL: pg.url(db),
    FORGEHOOK_STORE_POSTGRES_PASSWORD: pg.password,
    FORGEHOOK_DATA_DIR: root,
    ...extra,
  });
  const versions = (db) => pg.psql(db, "SELECT string_agg(version::text, ',' ORDER BY version) FROM forgehook_schema");
  let newest; // the newest schema version this forgehook knows, as --check tells it on a new database
  const all = () => Array.from({ length: newest }, (_, i) => String(i + 1)).join(",");

  before(async () => {
    pg = await startPostgres();
    root = await makeTempDir("forgehook-migrate-");
    const scratch = await pg.createDatabase();
    const probe = await runCli(["migrate", "--check"], { env: env(scratch) });
    newest = Number(probe.stdout.match(/ of (\d+),/)?.[1]);
    assert.ok(newest >= 1, probe.stdout + probe.stderr);
  });
  after(async () => {
    await pg?.stop();
    if (root) await removeDir(root);
  });

  test("--check on a new database reports every migration pending, exits 1 and creates nothing", async () => {
    const db = await pg.createDatabase();
    const res = await runCli(["migrate", "--check"], { env: env(db) });
    assert.equal(res.code, 1, res.stderr);
    const m = res.stdout.match(/^PostgreSQL store: schema version 0 of (\d+), (\d+) pending:\n {2}1: the delivery log/);
    assert.ok(m, res.stdout);
    assert.equal(Number(m[1]), newest);
    assert.equal(Number(m[2]), newest);
    assert.equal(res.stdout.split("\n").filter((l) => /^ {2}\d+: /.test(l)).length, newest, "every migration listed");
    assert.equal(await pg.psql(db, "SELECT to_regclass('forgehook_schema') IS NULL AND to_regclass('deliveries') IS NULL"), "t");
  });

  test("three nodes migrating at once apply each migration once; --check then exits 0", async () => {
    const db = await pg.createDatabase();
    const runs = await Promise.all([1, 2, 3].map(() => runCli(["migrate"], { env: env(db) })));
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`schema version ${newest} of ${newest}, up to date`));
    }
    // Each migration applied by exactly one of them (the others waited for the lock, then found it done).
    for (let v = 1; v <= newest; v++)
      assert.equal(runs.filter((r) => new RegExp(`^applied ${v}: `, "m").test(r.stdout)).length, 1, runs.map((r) => r.stdout).join("\n"));
    assert.equal(await versions(db), all());
    // The schema is there and enforces what the store relies on: one row per (delivery, forge, hook).
    const insert = `INSERT INTO deliveries (forge, hook_id, delivery_id, event, action, repository, sender, received_at,
      last_attempt_at, body_size, content_type, verification) VALUES ('github', '1', 'd-1', 'push', '', 'o/r', 's', 1, 1, 2,
      'application/json', 'verified')`;
    await pg.psql(db, insert);
    await assert.rejects(pg.psql(db, insert), /deliveries_identity/);
    const check = await runCli(["migrate", "--check"], { env: env(db) });
    assert.equal(check.code, 0, check.stderr);
    assert.equal(check.stdout, `PostgreSQL store: schema version ${newest} of ${newest}, up to date\n`);
    const again = await runCli(["migrate"], { env: env(db) });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /^nothing to apply\n/);
  });

  test("a migration that fails is rolled back whole and named; the database is left as it was", async () => {
    const db = await pg.createDatabase();
    await pg.psql(db, "CREATE TABLE hooks (something int)"); // another application's table in the way
    const res = await runCli(["migrate"], { env: env(db) });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^forgehook: schema migration 1 \(the delivery log[^)]*\) failed: PostgreSQL: ERROR: relation "hooks" already exists/);
    assert.equal(await pg.psql(db, "SELECT count(*) FROM forgehook_schema"), "0");
    assert.equal(await pg.psql(db, "SELECT to_regclass('deliveries') IS NULL"), "t", "the migration's first tables were rolled back");
  });

  test("a database migrated by a newer forgehook is refused with exit status 3, by --check and by migrate", async () => {
    const db = await pg.createDatabase();
    assert.equal((await runCli(["migrate"], { env: env(db) })).code, 0);
    await pg.psql(db, `INSERT INTO forgehook_schema (version, name) VALUES (${newest + 1}, 'from the future')`);
    for (const args of [["migrate", "--check"], ["migrate"]]) {
      const res = await runCli(args, { env: env(db) });
      assert.equal(res.code, STORE_UNUSABLE, `${args.join(" ")}: ${res.stderr}`);
      assert.match(res.stderr, new RegExp(`schema version ${newest + 1}, newer than this forgehook knows \\(${newest}\\)`));
    }
  });

  test("the password: apart from the URL, from a file, in the URL; a wrong one is refused and never printed", async () => {
    const db = await pg.createDatabase();
    const file = path.join(root, "pg-password");
    await writeFile(file, `${pg.password}\n`, { mode: 0o600 });
    const fromFile = await runCli(["migrate", "--check"], {
      env: { ...env(db), FORGEHOOK_STORE_POSTGRES_PASSWORD: "", FORGEHOOK_STORE_POSTGRES_PASSWORD_FILE: file },
    });
    assert.equal(fromFile.code, 1, fromFile.stderr); // reached the database: 1 = migrations pending
    assert.match(fromFile.stdout, new RegExp(`schema version 0 of ${newest}`));

    const inUrl = `postgresql://${pg.user}:${pg.password}@127.0.0.1:${pg.port}/${db}`;
    const viaUrl = await runCli(["migrate", "--check"], {
      env: { ...env(db), FORGEHOOK_STORE_POSTGRES_URL: inUrl, FORGEHOOK_STORE_POSTGRES_PASSWORD: "" },
    });
    assert.equal(viaUrl.code, 1, viaUrl.stderr);
    assert.match(viaUrl.stdout, new RegExp(`schema version 0 of ${newest}`)); // reached the database
    assert.equal(viaUrl.stderr, "");
    const shown = await runCli(["config"], { env: { ...env(db), FORGEHOOK_STORE_POSTGRES_URL: inUrl } });
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(!shown.stdout.includes(pg.password), "config masks the URL and the password");

    const wrong = "wrong-password-4f1c2d";
    const refused = await runCli(["migrate", "--check"], { env: env(db, { FORGEHOOK_STORE_POSTGRES_PASSWORD: wrong }) });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^forgehook: cannot connect to PostgreSQL: .*password authentication failed for user "forgehook_test"/);
    assert.ok(!(refused.stdout + refused.stderr).includes(wrong));

    // A password libpq would misread ('@' not percent-encoded): refused before libpq quotes pieces of it.
    const unencoded = await runCli(["migrate", "--check"], {
      env: { ...env(db), FORGEHOOK_STORE_POSTGRES_URL: `postgresql://${pg.user}:se@cret-9d2@127.0.0.1:${pg.port}/${db}`, FORGEHOOK_STORE_POSTGRES_PASSWORD: "" },
    });
    assert.equal(unencoded.code, 1);
    assert.match(unencoded.stderr, /must be percent-encoded/);
    for (const piece of ["se@cret", "cret-9d2"]) assert.ok(!(unencoded.stdout + unencoded.stderr).includes(piece), piece);
    const encoded = await runCli(["migrate", "--check"], {
      env: { ...env(db), FORGEHOOK_STORE_POSTGRES_URL: `postgresql://${pg.user}:${encodeURIComponent(pg.password)}@127.0.0.1:${pg.port}/${db}`, FORGEHOOK_STORE_POSTGRES_PASSWORD: "" },
    });
    assert.equal(encoded.code, 1, encoded.stderr); // reached the database (pending migrations)
    assert.match(encoded.stdout, new RegExp(`schema version 0 of ${newest}`));
    assert.equal(encoded.stderr, "");

    const missing = await runCli(["migrate", "--check"], {
      env: { ...env(db), FORGEHOOK_STORE_POSTGRES_PASSWORD: "", FORGEHOOK_STORE_POSTGRES_PASSWORD_FILE: path.join(root, "none") },
    });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read store.postgres.password_file .*none/);
  });

  test("no server at the URL: a clear error on one line, exit 1, a short password hidden without eating words", async () => {
    const res = await runCli(["migrate", "--check"], {
      env: env("postgres", {
        FORGEHOOK_STORE_POSTGRES_URL: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=5",
        FORGEHOOK_STORE_POSTGRES_PASSWORD: "p",
      }),
    });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^forgehook: cannot connect to PostgreSQL: connection to server at "127\.0\.0\.1", port 1 failed: Connection refused Is the server running on that host and accepting TCP\/IP connections\?\n$/);
  });

  test("store.backend = postgres needs a URL, serve migrates a new database at start, backup names the database's tools", async () => {
    const noUrl = await runCli(["migrate", "--check"], { env: { FORGEHOOK_STORE_BACKEND: "postgres", FORGEHOOK_DATA_DIR: root } });
    assert.equal(noUrl.code, 1);
    assert.match(noUrl.stderr, /store.backend = "postgres" needs store.postgres.url/);
    const badBackend = await runCli(["migrate", "--check"], { env: { FORGEHOOK_STORE_BACKEND: "mysql", FORGEHOOK_DATA_DIR: root } });
    assert.equal(badBackend.code, 1);
    assert.match(badBackend.stderr, /store.backend must be "sqlite" or "postgres"/);
    const db = await pg.createDatabase();
    const { FORGEHOOK_DATA_DIR: _, ...serveEnv } = env(db, { FORGEHOOK_GITHUB_SECRET: "s" });
    const server = await start(serveEnv);
    await server.stop();
    const migrated = await runCli(["migrate", "--check"], { env: env(db) });
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, new RegExp(`schema version ${newest} of ${newest}, up to date`));
    const backup = await runCli(["backup", path.join(root, "b.db")], { env: env(db) });
    assert.equal(backup.code, 1);
    assert.match(backup.stderr, /use the database's own tools \(pg_dump, pg_restore\)/);
  });
});

describe("forgehook migrate on the embedded SQLite store", () => {
  let root;
  before(async () => {
    root = await makeTempDir("forgehook-migrate-sqlite-");
  });
  after(async () => {
    if (root) await removeDir(root);
  });

  test("--check before any store exits 1; migrate creates it; --check then exits 0", async () => {
    const env = { FORGEHOOK_DATA_DIR: path.join(root, "data") };
    const before = await runCli(["migrate", "--check"], { env });
    assert.equal(before.code, 1, before.stderr);
    assert.match(before.stdout, /^no store yet at .*forgehook\.db: `forgehook migrate` or `forgehook serve` creates it\n$/);
    const created = await runCli(["migrate"], { env });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^created .*forgehook\.db\nSQLite store .*: schema version (\d+) of \1, up to date\n$/);
    const check = await runCli(["migrate", "--check"], { env });
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /schema version (\d+) of \1, up to date/);
    const again = await runCli(["migrate"], { env });
    assert.match(again.stdout, /^nothing to apply\n/);
  });

  test("a file that is not forgehook's store is refused with exit status 3 and left alone", async () => {
    const dir = path.join(root, "foreign");
    await runCli(["migrate"], { env: { FORGEHOOK_DATA_DIR: dir } });
    const file = path.join(dir, "forgehook.db");
    const foreign = Buffer.from("not a database at all\n".repeat(300));
    await writeFile(file, foreign);
    for (const args of [["migrate", "--check"], ["migrate"]]) {
      const res = await runCli(args, { env: { FORGEHOOK_DATA_DIR: dir } });
      assert.equal(res.code, STORE_UNUSABLE, `${args.join(" ")}: ${res.stderr}`);
      assert.ok((await readFile(file)).equals(foreign), `${args.join(" ")} wrote to the file`);
    }
  });
});
