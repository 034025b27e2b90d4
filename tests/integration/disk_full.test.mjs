// Disk full: forgehook's data directory on a small tmpfs of its own, deliveries (GitHub's example
// payloads) sent by concurrent senders, then a filler file takes the rest of the filesystem.
// Deliveries get 503 store_full + Retry-After, never a 2xx that was not stored, the process stays
// up, and once the filler is gone it accepts again without a restart; every 2xx is stored once.
// Needs to mount a tmpfs (root, as CI runs): it fails, never skips, when it cannot.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { Forge, assertError, assertRetryAfter, githubExamples, makeSecret, uid } from "./lib/forge.mjs";
import { makeTempDir, removeDir, start, waitFor } from "./lib/server.mjs";

const run = promisify(execFile);
const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };
const FS_SIZE = "64m";
const SENDERS = 8;

// Writes zeros into `file` until the filesystem refuses (ENOSPC); returns the bytes written.
function fillUp(file) {
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(file, "w");
  let written = 0;
  try {
    for (;;) {
      try {
        written += writeSync(fd, chunk);
      } catch (err) {
        if (err.code === "ENOSPC") return written;
        throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe(`disk full (data_dir on a ${FS_SIZE} tmpfs)`, () => {
  let mountPoint;
  let mounted = false;
  let server;
  let fh;
  const filler = () => path.join(mountPoint, "filler");

  before(async () => {
    mountPoint = await makeTempDir("forgehook-diskfull-");
    try {
      await run("mount", ["-t", "tmpfs", "-o", `size=${FS_SIZE}`, "tmpfs", mountPoint]);
    } catch (err) {
      throw new Error(
        `disk_full.test.mjs must mount a ${FS_SIZE} tmpfs on ${mountPoint} (mount -t tmpfs needs root or CAP_SYS_ADMIN; ` +
          `run the integration suite as root as CI does): ${err.stderr || err.message}`,
      );
    }
    mounted = true;
    const dataDir = path.join(mountPoint, "data");
    mkdirSync(dataDir);
    server = await start(ENV, { dataDir });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });

  after(async () => {
    fh?.close();
    await server?.kill9();
    if (mounted) {
      // The killed process has released its files; lazily when something still holds one.
      await run("umount", [mountPoint]).catch(() => run("umount", ["-l", mountPoint]));
    }
    if (mountPoint) await removeDir(mountPoint);
  });

  test("503 store_full + Retry-After while full, 2xx again once space returns, every 2xx stored exactly once", async () => {
    const examples = githubExamples();
    const results = []; // {delivery, status, error, retryAfter, res}
    let phase = "filling";
    let stop = false;
    const senders = Array.from({ length: SENDERS }, async (_, w) => {
      for (let i = w; !stop && results.length < 200_000; i += SENDERS) {
        const { event, payload } = examples[i % examples.length];
        const res = await fh.github(payload, { event, delivery: uid() });
        // What the assertions need of each answer (tens of thousands are refused while full).
        const { status, headers, json } = res;
        results.push({ delivery: res.delivery, status, phase, res: { status, headers: { "content-type": headers["content-type"], "retry-after": headers["retry-after"] }, json, text: res.text.slice(0, 300) } });
      }
    });
    const accepted = () => results.filter((r) => r.status === 200 && r.res.json?.status === "accepted");
    const refusedInPhase = (p) => results.filter((r) => r.status === 503 && r.phase === p);
    try {
      await waitFor(() => accepted().length >= 300, { timeoutMs: 30_000, message: "300 deliveries accepted before filling the disk" });

      const filled = fillUp(filler());
      assert.ok(filled > 0, "the filler took no room");
      phase = "full";
      // SQLite may still place a few commits in log space it already holds; then it runs out.
      await waitFor(() => refusedInPhase("full").length >= 50, { timeoutMs: 30_000, message: "50 deliveries refused while the disk is full" });
      const refusedNow = refusedInPhase("full").length;
      assert.ok(server.alive, "forgehook exited when the disk filled");
      const health = await fh.get("/healthz");
      assert.equal(health.status, 200, `/healthz while full: ${health.text}`);
      assertError(await fh.get("/readyz"), 503, "store_full", { what: "/readyz while the disk is full" });
      // Reads keep working while writes cannot.
      const listed = await fh.api("/api/v1/deliveries?limit=1");
      assert.equal(listed.status, 200, `deliveries list while full: ${listed.text}`);

      await rm(filler());
      phase = "recovered";
      const before = accepted().filter((r) => r.phase === "recovered").length;
      await waitFor(() => accepted().filter((r) => r.phase === "recovered").length >= before + 100, {
        timeoutMs: 30_000,
        message: () => `100 deliveries accepted again after the filler was removed (refused since: ${refusedInPhase("recovered").length})`,
      });
      assert.ok(refusedNow >= 50);
      stop = true;
      await Promise.all(senders);
    } finally {
      stop = true;
      await Promise.all(senders).catch(() => {});
    }
    await rm(filler(), { force: true });

    // Every answer is 200 accepted or 503 with Retry-After: store_full, or store_unavailable for an
    // I/O error a full disk causes in SQLite's shared-memory index.
    const odd = results.filter((r) => !(r.status === 200 && r.res.json?.status === "accepted") && r.status !== 503);
    assert.deepEqual(odd.slice(0, 5).map((r) => `${r.status} ${r.res.text.slice(0, 200)}`), [], "answers other than 200 accepted / 503");
    const refused = results.filter((r) => r.status === 503);
    for (const r of refused) {
      assert.ok(["store_full", "store_unavailable"].includes(r.res.json?.error), `503 ${r.res.text.slice(0, 200)}`);
      assertError(r.res, 503, r.res.json.error);
      assertRetryAfter(r.res.headers, `503 ${r.res.json.error}`);
    }
    assert.ok(refused.some((r) => r.res.json.error === "store_full"), "no 503 said store_full");

    await waitFor(async () => (await fh.get("/readyz")).status === 200, { timeoutMs: 10_000, message: "/readyz 200 after recovery" });
    const stored = await fh.listAll({ forge: "github" });
    const count = new Map();
    for (const row of stored) count.set(row.delivery_id, (count.get(row.delivery_id) ?? 0) + 1);
    const acked = accepted();
    const missing = acked.filter((r) => !count.has(r.delivery));
    assert.deepEqual(missing.slice(0, 5).map((r) => r.delivery), [], `${missing.length} of ${acked.length} acknowledged deliveries are not stored`);
    const twice = [...count].filter(([, n]) => n !== 1);
    assert.deepEqual(twice.slice(0, 5), [], "deliveries stored more than once");
    const idOf = new Map(stored.map((row) => [row.delivery_id, row.id]));
    for (const r of acked) assert.equal(idOf.get(r.delivery), r.res.json.id, `delivery ${r.delivery} is stored under another id`);

    // The pipeline caught up with everything stored, and the service stays healthy.
    await fh.drained();
    assert.equal((await fh.get("/healthz")).status, 200);
    await server.stop();
    server.assertNoSecretsLogged();
  });
});
