// A database file forgehook cannot use, at start: random bytes, a text file, another application's
// SQLite database, a forgehook database of a newer schema, a truncated one and one with damaged
// pages in the middle. Each ends `serve` with exit status 3 and one line naming the file, what is
// wrong and what to do; never a crash, and another application's file is left as it was.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { execFile } from "node:child_process";
import { copyFile, mkdir, open, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { Forge, makeSecret, pushPayload } from "./lib/forge.mjs";
import { makeTempDir, removeDir, runCli, start } from "./lib/server.mjs";

const sqlite3 = (db, sql) => promisify(execFile)("/usr/bin/sqlite3", [db, sql]).then((r) => r.stdout.trim());
const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };
const STORE_UNUSABLE = 3;

describe("a database forgehook cannot use stops the start with exit status 3", () => {
  let root;
  let good; // a stopped forgehook data dir with ~2 MB of deliveries
  before(async () => {
    root = await makeTempDir("forgehook-damaged-");
    good = path.join(root, "good");
    await mkdir(good);
    const server = await start(ENV, { dataDir: good });
    const fh = new Forge(server, { github: GH, admin: ADMIN });
    try {
      for (let i = 0; i < 300; i++) {
        const res = await fh.github(pushPayload("octo/damaged", { blob: crypto.randomBytes(3000).toString("hex") }));
        assert.equal(res.status, 200, res.text);
      }
    } finally {
      fh.close();
    }
    await server.stop(); // a clean stop checkpoints the log into the file
  });
  after(async () => {
    if (root) await removeDir(root);
  });

  // A data dir holding `prepare`'s database; returns what `serve` did with it.
  async function serveWith(name, prepare, env = {}) {
    const dir = path.join(root, name);
    await mkdir(dir);
    const db = path.join(dir, "forgehook.db");
    await prepare(db);
    const result = await runCli(["serve", "--listen", "127.0.0.1:0", "--data-dir", dir], { env: { ...ENV, ...env }, timeoutMs: 20_000 });
    return { ...result, db };
  }

  function assertRefused(result, problem, whatToDo) {
    assert.equal(result.code, STORE_UNUSABLE, `exit status (stderr: ${result.stderr.slice(-600)})`);
    const lines = result.stderr.trim().split("\n");
    const last = lines.at(-1);
    assert.ok(last.startsWith(`forgehook: cannot use the database ${result.db}: `), `error line: ${last}`);
    assert.match(last, problem);
    assert.match(last, whatToDo);
    assert.doesNotMatch(result.stderr, /terminate called|Aborted|Segmentation|core dumped/);
  }

  const restoreHint = /Move the file away to start with an empty store, or put a backup in its place with `forgehook restore`\.$/;

  test("random bytes", async () => {
    const r = await serveWith("random", (db) => writeFile(db, crypto.randomBytes(256 * 1024)));
    assertRefused(r, /: it is not an SQLite database \(file is not a database\)\./, restoreHint);
  });

  test("a text file", async () => {
    const r = await serveWith("text", (db) => writeFile(db, "listen = \"127.0.0.1:8765\"\n".repeat(200)));
    assertRefused(r, /: it is not an SQLite database/, restoreHint);
  });

  test("another application's SQLite database is refused and left untouched", async () => {
    const r = await serveWith("foreign", (db) => sqlite3(db, "CREATE TABLE foo (x TEXT); INSERT INTO foo VALUES ('theirs');"));
    assertRefused(r, /: it is not a forgehook database \(it holds the tables foo and no forgehook schema\)\./, /Point data_dir at forgehook's own directory/);
    assert.equal(await sqlite3(r.db, "SELECT group_concat(name) FROM sqlite_schema"), "foo", "forgehook added tables to the file");
    assert.equal(await sqlite3(r.db, "PRAGMA journal_mode"), "delete", "forgehook switched the file to WAL");
  });

  test("a forgehook database of a newer schema version", async () => {
    const r = await serveWith("newer", async (db) => {
      await copyFile(path.join(good, "forgehook.db"), db);
      await sqlite3(db, "PRAGMA user_version = 999");
    });
    assertRefused(r, /: its schema version 999 is newer than this forgehook knows \(\d+\): a newer forgehook wrote it\./, /Run that forgehook version \(or newer\), or restore a backup/);
  });

  test("a truncated forgehook database", async () => {
    const r = await serveWith("truncated", async (db) => {
      await copyFile(path.join(good, "forgehook.db"), db);
      await truncate(db, Math.floor((await stat(db)).size / 2 / 4096) * 4096);
    });
    assertRefused(r, /: it is damaged \(/, restoreHint);
  });

  test("damaged pages in the middle, found by store.quick_check_at_start", async () => {
    const r = await serveWith(
      "damaged",
      async (db) => {
        await copyFile(path.join(good, "forgehook.db"), db);
        const { size } = await stat(db);
        const f = await open(db, "r+");
        await f.write(crypto.randomBytes(16 * 4096), 0, 16 * 4096, Math.floor(size / 2 / 4096) * 4096);
        await f.close();
      },
      { FORGEHOOK_STORE_QUICK_CHECK_AT_START: "true" },
    );
    assertRefused(r, /: it is damaged \(quick_check: .+\)\./, restoreHint);
  });
});
