// `forgehook backup` while deliveries (GitHub's example payloads) keep arriving, then `forgehook
// restore` into a fresh data directory and a server started on it. What is compared, and why:
// - every delivery acknowledged before the backup began is in the restored store, exactly once
//   (a 2xx means committed, and the backup is a snapshot taken after it);
// - every restored delivery is one the source stored, under the same id (a snapshot of one commit:
//   nothing invented, nothing renumbered);
// - the backup passes PRAGMA integrity_check (checked by sqlite3 itself, not only by forgehook);
// - the restored projections are exactly what its own delivery log derives: after its pipeline has
//   processed what was still queued at the backup point, a rebuild from scratch changes nothing.
//   The source's projections cannot be compared directly, since the source kept receiving.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { after, describe, test } from "node:test";
import { Forge, githubExamples, makeSecret, uid } from "./lib/forge.mjs";
import { makeTempDir, removeDir, runCli, start, waitFor } from "./lib/server.mjs";

const sqlite3 = (db, sql) => promisify(execFile)("/usr/bin/sqlite3", [db, sql]).then((r) => r.stdout.trim());
const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };
const SENDERS = 8;
const PROJECTIONS = ["pulls", "reviews", "issues", "runs", "releases", "branches", "milestones", "deployments", "repositories"];

// Every row of each projection, ids left out, in a stable order.
async function projections(fh) {
  const out = {};
  for (const resource of PROJECTIONS) {
    const rows = await fh.listAll({}, { resource });
    out[resource] = rows.map(({ id, ...row }) => JSON.stringify(row)).sort();
  }
  return out;
}

describe("backup under load, restore into a fresh data directory", () => {
  let root;
  const servers = [];
  after(async () => {
    for (const s of servers) await s.kill9();
    if (root) await removeDir(root);
  });

  test("the restored store holds every delivery acknowledged before the backup, and consistent projections", async () => {
    root = await makeTempDir("forgehook-backup-");
    const sourceDir = path.join(root, "source");
    const restoredDir = path.join(root, "restored");
    const backupFile = path.join(root, "forgehook-backup.db");
    await mkdir(sourceDir);
    const source = await start(ENV, { dataDir: sourceDir });
    servers.push(source);
    const fh = new Forge(source, { github: GH, admin: ADMIN });

    const examples = githubExamples();
    const acked = new Map(); // delivery id → stored id
    let stop = false;
    const senders = Array.from({ length: SENDERS }, async (_, w) => {
      for (let i = w; !stop && i < 200_000; i += SENDERS) {
        const { event, payload } = examples[i % examples.length];
        const res = await fh.github(payload, { event, delivery: uid() });
        assert.equal(res.status, 200, `a delivery was refused: ${res.text}`);
        acked.set(res.delivery, res.json.id);
      }
    });
    let backup;
    let ackedBefore;
    let ackedDuring;
    try {
      await waitFor(() => acked.size >= 500, { timeoutMs: 30_000, message: "500 deliveries acknowledged before the backup" });
      ackedBefore = new Map(acked);
      backup = await runCli(["backup", backupFile, "--data-dir", sourceDir], { timeoutMs: 60_000 });
      ackedDuring = acked.size - ackedBefore.size;
      // A while longer under load: the copy must not see what comes after it.
      const target = acked.size + 200;
      await waitFor(() => acked.size >= target, { timeoutMs: 30_000, message: "200 more deliveries after the backup" });
    } finally {
      stop = true;
      await Promise.all(senders);
    }
    assert.equal(backup.code, 0, `backup: ${backup.stderr}`);
    assert.match(backup.stdout, new RegExp(`^backed up ${sourceDir}/forgehook.db to ${backupFile} in \\d+ ms \\(integrity_check ok\\)\\n  \\d+ deliveries, schema version \\d+, \\d+ bytes\\n`));
    assert.ok(ackedDuring > 0, "no delivery was acknowledged while the backup ran: it did not run under load");
    assert.equal(await sqlite3(backupFile, "PRAGMA integrity_check"), "ok");
    const again = await runCli(["backup", backupFile, "--data-dir", sourceDir]);
    assert.equal(again.code, 1, "a backup over an existing file");
    assert.match(again.stderr, /it exists \(choose a new file name\)/);

    // Restoring into the data directory of a running server is refused.
    const busy = await runCli(["restore", backupFile, "--data-dir", sourceDir]);
    assert.equal(busy.code, 1, `restore beside a running server: ${busy.stdout}`);
    assert.match(busy.stderr, /cannot restore while forgehook serves from .* stop it first/);

    const restore = await runCli(["restore", backupFile, "--data-dir", restoredDir]);
    assert.equal(restore.code, 0, `restore: ${restore.stderr}`);
    assert.match(restore.stdout, /^restored .* \(integrity_check ok\)\n/);
    // The stored secrets are sealed with the master key: the restored store gets the same one.
    await copyFile(path.join(sourceDir, "master.key"), path.join(restoredDir, "master.key"));
    const restored = await start(ENV, { dataDir: restoredDir });
    servers.push(restored);
    const rf = new Forge(restored, { github: GH, admin: ADMIN });
    try {
      const rows = await rf.listAll({ forge: "github" });
      const count = new Map();
      for (const r of rows) count.set(r.delivery_id, (count.get(r.delivery_id) ?? 0) + 1);
      const missing = [...ackedBefore.keys()].filter((d) => !count.has(d));
      assert.deepEqual(missing.slice(0, 5), [], `${missing.length} of ${ackedBefore.size} deliveries acknowledged before the backup are missing`);
      assert.deepEqual([...count].filter(([, n]) => n !== 1).slice(0, 5), [], "deliveries restored more than once");
      const sourceRows = new Map((await fh.listAll({ forge: "github" })).map((r) => [r.delivery_id, r.id]));
      const foreign = rows.filter((r) => sourceRows.get(r.delivery_id) !== r.id);
      assert.deepEqual(foreign.slice(0, 5).map((r) => `${r.id} ${r.delivery_id}`), [], "restored deliveries the source does not have under that id");
      assert.ok(rows.length < sourceRows.size, `the backup holds ${rows.length} of ${sourceRows.size}: it saw deliveries acknowledged after it`);

      await rf.drained();
      const live = await projections(rf);
      assert.ok(live.pulls.length > 0 && live.issues.length > 0, "the examples made pull requests and issues");
      const rebuilt = await rf.api("/api/v1/rebuild", { method: "POST" });
      assert.equal(rebuilt.status, 202, rebuilt.text);
      assert.equal(rebuilt.json.requeued, rows.length);
      await rf.drained();
      assert.deepEqual(await projections(rf), live, "a rebuild of the restored log changed its projections");
      assert.equal((await rf.get("/readyz")).status, 200);
    } finally {
      rf.close();
      fh.close();
    }
    await restored.stop();
    await source.stop();
    restored.assertNoSecretsLogged();
    source.assertNoSecretsLogged();
  });

  test("a file that is not a forgehook database is not restored (exit status 3)", async () => {
    const dir = path.join(root, "refused");
    const foreign = path.join(root, "foreign.db");
    await sqlite3(foreign, "CREATE TABLE foo (x); INSERT INTO foo VALUES (1);");
    const r = await runCli(["restore", foreign, "--data-dir", dir]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^forgehook: cannot use the database .*foreign\.db: it is not a forgehook database/);
    assert.equal(existsSync(path.join(dir, "forgehook.db")), false, "nothing was put in place");
    // An empty file (SQLite would make a new database of it) holds no store either.
    const empty = path.join(root, "empty.db");
    writeFileSync(empty, "");
    const e = await runCli(["restore", empty, "--data-dir", dir]);
    assert.equal(e.code, 3, e.stderr);
    assert.match(e.stderr, /^forgehook: cannot restore .*empty\.db: it is not a forgehook database \(an empty database/);
    assert.equal(existsSync(path.join(dir, "forgehook.db")), false);
  });
});
