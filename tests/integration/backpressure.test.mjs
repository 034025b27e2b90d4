// Backpressure: a full intake queue or a full store answers 503 with Retry-After, never a lost 2xx.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { Forge, assertError, assertRetryAfter, makeSecret, pushPayload } from "./lib/forge.mjs";
import { start } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");

const isAccepted = (r) => r.status === 200 && r.json?.status === "accepted";

describe("intake backlog (FORGEHOOK_INTAKE_MAX_PENDING=1)", () => {
  let server;
  let fh;
  before(async () => {
    server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_INTAKE_MAX_PENDING: 1 });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("a burst of 200 concurrent deliveries: each is 200 or 503 intake_backlog_full + Retry-After; exactly the 200s are stored", async () => {
    const all = [];
    // Repeat the burst (at most 5 times) until the backlog has overflowed at least once.
    for (let round = 0; round < 5 && !all.some((r) => r.status === 503); round++) {
      const burst = await Promise.all(Array.from({ length: 200 }, () => fh.github(pushPayload("octo/burst"))));
      all.push(...burst);
    }
    const odd = all.filter((r) => !isAccepted(r) && r.status !== 503);
    assert.deepEqual(odd.map((r) => `${r.status} ${r.text}`).slice(0, 5), [], "answers other than 200 accepted / 503");
    const refused = all.filter((r) => r.status === 503);
    assert.ok(refused.length > 0, `no 503 in ${all.length} deliveries with max_pending=1`);
    for (const r of refused) {
      assertError(r, 503, "intake_backlog_full");
      assertRetryAfter(r.headers, "503 intake_backlog_full");
    }
    const acked = all.filter(isAccepted).map((r) => r.delivery);
    assert.ok(acked.length > 0, "no delivery was accepted");
    const stored = (await fh.listAll({ repository: "octo/burst" })).map((r) => r.delivery_id);
    assert.equal(new Set(stored).size, stored.length, "a delivery is stored twice");
    assert.deepEqual(new Set(stored), new Set(acked), "stored ≠ acknowledged");
    const metrics = await fh.get("/metrics");
    const depth = /^forgehook_intake_queue_depth (\S+)$/m.exec(metrics.text)?.[1];
    assert.equal(Number(depth), 0, `forgehook_intake_queue_depth after the burst: ${depth}`);
  });

  test("the server output never contains the secret, the admin token or a signature", async () => {
    await server.stop();
    server.assertNoSecretsLogged();
  });
});

describe("store full (FORGEHOOK_STORE_MAX_BYTES=1500000)", () => {
  let server;
  let fh;
  before(async () => {
    // store.max_bytes caps the SQLite file; a PostgreSQL server's disk is its operator's.
    server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_STORE_MAX_BYTES: 1_500_000,
      FORGEHOOK_STORE_BACKEND: "sqlite" });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("deliveries until 503 store_full: /healthz 200, /readyz 503, every 200 stored", async () => {
    const ready = await fh.get("/readyz");
    assert.equal(ready.status, 200, `readyz before: ${ready.text}`);
    assert.deepEqual(ready.json, { status: "ready" });

    const results = [];
    const t0 = Date.now();
    const big = () => fh.github(pushPayload("octo/full", { blob: crypto.randomBytes(12_000).toString("hex") }));
    // Phase 1, four at a time (group commits): ~24 KB of incompressible text each, until the first
    // 503. 400 of them are ~6× the cap. Bounded in count and time.
    while (results.length < 400 && Date.now() - t0 < 60_000) {
      const batch = await Promise.all(Array.from({ length: 4 }, big));
      results.push(...batch);
      if (batch.some((r) => r.status === 503)) break;
    }
    assert.ok(results.some((r) => r.status === 503), `no 503 after ${results.length} deliveries (~${results.length * 24} KB) with a 1.5 MB cap`);
    // Phase 2, one at a time until three refusals in a row: a refused group may have been larger
    // than the room left, so single deliveries may still fit for a while.
    let refusedInARow = 0;
    for (let i = 0; i < 100 && refusedInARow < 3; i++) {
      const r = await big();
      results.push(r);
      refusedInARow = r.status === 503 ? refusedInARow + 1 : 0;
    }
    assert.equal(refusedInARow, 3, "the store never stayed full");
    const refused = results.filter((r) => r.status === 503);
    const odd = results.filter((r) => !isAccepted(r) && r.status !== 503);
    assert.deepEqual(odd.map((r) => `${r.status} ${r.text}`).slice(0, 5), [], "answers other than 200 accepted / 503");
    for (const r of refused) {
      assertError(r, 503, "store_full");
      assertRetryAfter(r.headers, "503 store_full");
    }

    const health = await fh.get("/healthz");
    assert.equal(health.status, 200, `healthz: ${health.text}`);
    assert.deepEqual(health.json, { status: "ok" });
    assertError(await fh.get("/readyz"), 503, "store_full", { what: "/readyz with a full store" });

    const acked = results.filter(isAccepted).map((r) => r.delivery);
    assert.ok(acked.length > 0, "nothing was accepted before the store filled");
    const stored = new Set((await fh.listAll({ repository: "octo/full" })).map((r) => r.delivery_id));
    assert.deepEqual(acked.filter((d) => !stored.has(d)), [], "acknowledged deliveries missing from the store");
  });

  test("the server output never contains the secret, the admin token or a signature", async () => {
    await server.stop();
    server.assertNoSecretsLogged();
  });
});
