// A 2xx means committed: kill -9 the server under concurrent load, three times on the same data
// dir, and every acknowledged delivery is there after restart, exactly once.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Forge, makeSecret, pushPayload, uid } from "./lib/forge.mjs";
import { makeTempDir, removeDir, start } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };
const SENDERS = 16;
const CYCLES = 3;
const KILL_AFTER_MS = 1500;

// store.synchronous=full (the default) survives power loss; normal survives a process crash, which
// is what kill -9 is: both must keep every acknowledged delivery.
for (const [synchronous, cycles] of [
  ["full", CYCLES],
  ["normal", 1],
]) {
  describe(`durability under kill -9 (store.synchronous=${synchronous})`, () => {
    const env = { ...ENV, FORGEHOOK_STORE_SYNCHRONOUS: synchronous };
    let dataDir;
    const servers = [];
    const acked = new Map(); // delivery id → {id, payload}
    const refusedOrLost = [];

    after(async () => {
      for (const s of servers) await s.kill9();
      if (dataDir) await removeDir(dataDir);
    });

    test(`${cycles} cycle(s) of ${SENDERS} concurrent senders killed with SIGKILL after ${KILL_AFTER_MS} ms`, async () => {
      dataDir = await makeTempDir("forgehook-durability-");
      for (let cycle = 0; cycle < cycles; cycle++) {
        const server = await start(env, { dataDir });
        servers.push(server);
        const fh = new Forge(server, { github: GH, admin: ADMIN });
        let stop = false;
        let sentThisCycle = 0;
        const senders = Array.from({ length: SENDERS }, async () => {
          // Bounded: until the server dies, at most 2000 deliveries per sender.
          for (let i = 0; i < 2000 && !stop; i++) {
            const delivery = uid();
            const payload = pushPayload("octo/durable", { cycle, seq: i, nonce: delivery });
            sentThisCycle++;
            try {
              const res = await fh.github(payload, { delivery, hookId: "4242" });
              if (res.status === 200 && res.json?.status === "accepted") acked.set(delivery, { id: res.json.id, payload });
              else refusedOrLost.push(`${res.status} ${res.text.slice(0, 100)}`);
            } catch {
              return; // the server is gone; nothing acknowledged here
            }
          }
        });
        await sleep(KILL_AFTER_MS); // the load runs for this long before the crash (schedule, not a wait for work)
        await server.kill9();
        stop = true;
        await Promise.all(senders);
        fh.close();
        assert.ok(sentThisCycle > SENDERS, `cycle ${cycle}: only ${sentThisCycle} deliveries sent`);
      }
      assert.deepEqual(refusedOrLost.slice(0, 5), [], "a live server refused deliveries");
      assert.ok(acked.size >= 50, `only ${acked.size} deliveries acknowledged over ${cycles} cycle(s)`);
    });

    test("after restart every acknowledged delivery is stored exactly once with its payload", async () => {
      assert.ok(acked.size > 0, "the load test ran");
      const server = await start(env, { dataDir });
      servers.push(server);
      const fh = new Forge(server, { github: GH, admin: ADMIN });
      try {
        const rows = await fh.listAll({ forge: "github", repository: "octo/durable" });
        const count = new Map();
        for (const r of rows) count.set(r.delivery_id, (count.get(r.delivery_id) ?? 0) + 1);
        const missing = [...acked.keys()].filter((d) => !count.has(d));
        assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${acked.size} acknowledged deliveries lost`);
        const twice = [...count].filter(([, n]) => n !== 1);
        assert.deepEqual(twice.slice(0, 10), [], "deliveries stored more than once");
        const idOf = new Map(rows.map((r) => [r.delivery_id, r.id]));
        for (const [d, { id }] of acked) assert.equal(idOf.get(d), id, `delivery ${d} changed id`);

        // A sample of payloads survived intact.
        const sample = [...acked].filter((_, i) => i % Math.max(1, Math.floor(acked.size / 25)) === 0);
        for (const [, { id, payload }] of sample) {
          const res = await fh.api(`/api/v1/deliveries/${id}`);
          assert.equal(res.status, 200, res.text);
          assert.deepEqual(res.json.payload, payload);
        }
        // The dedupe index survived too: a redelivery of an acknowledged one is a duplicate.
        const [d0, { id: id0, payload: p0 }] = acked.entries().next().value;
        const again = await fh.github(p0, { delivery: d0, hookId: "4242" });
        assert.equal(again.status, 200, again.text);
        assert.deepEqual({ status: again.json.status, id: again.json.id }, { status: "duplicate", id: id0 });
        await server.stop();
        server.assertNoSecretsLogged();
        for (const s of servers) s.assertNoSecretsLogged();
      } finally {
        fh.close();
      }
    });
  });
}

describe("graceful stop under load", () => {
  test("SIGTERM during concurrent deliveries: the server exits 0 and every acknowledged delivery is stored", async () => {
    const dataDir = await makeTempDir("forgehook-sigterm-");
    const acked = new Map();
    let server = await start(ENV, { dataDir });
    try {
      const fh = new Forge(server, { github: GH, admin: ADMIN });
      let stop = false;
      const senders = Array.from({ length: SENDERS }, async () => {
        for (let i = 0; i < 2000 && !stop; i++) {
          const delivery = uid();
          try {
            const res = await fh.github(pushPayload("octo/sigterm", { seq: i }), { delivery });
            if (res.status === 200 && res.json?.status === "accepted") acked.set(delivery, res.json.id);
          } catch {
            return; // stopped
          }
        }
      });
      await sleep(1000); // load runs this long before the stop (schedule, not a wait for work)
      const exit = await server.stop({ timeoutMs: 15_000 });
      stop = true;
      await Promise.all(senders);
      fh.close();
      assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, "exit status after SIGTERM");
      assert.ok(acked.size >= 20, `only ${acked.size} acknowledged`);
      server.assertNoSecretsLogged();

      server = await start(ENV, { dataDir });
      const check = new Forge(server, { github: GH, admin: ADMIN });
      try {
        const rows = await check.listAll({ repository: "octo/sigterm" });
        const ids = new Map(rows.map((r) => [r.delivery_id, r.id]));
        assert.equal(ids.size, rows.length, "a delivery is stored twice");
        const missing = [...acked.keys()].filter((d) => !ids.has(d));
        assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${acked.size} acknowledged deliveries lost`);
      } finally {
        check.close();
      }
      await server.stop();
    } finally {
      await server.kill9();
      await removeDir(dataDir);
    }
  });
});
