// Several forgehook nodes on one PostgreSQL (a throwaway cluster, lib/postgres.mjs): GitHub's example
// deliveries (@octokit/webhooks-examples, on six repositories) sprayed across three nodes as a load
// balancer would, and kill -9 of the node that leads reconciliation while they arrive. Then:
//   - every acknowledged delivery is stored once and processed once (one status change each);
//   - the projections equal those of a single SQLite node given the same deliveries in the order
//     the cluster committed them;
//   - a stream client on another node saw the created change of every stored delivery, and a new
//     delivery to one node reaches a stream on another within a second;
//   - another node takes over reconciliation and runs it.
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startFakeGitHub } from "../fakes/fake_github.mjs";
import { startReceiver } from "../fakes/receiver.mjs";
import { everyChange } from "./lib/changes.mjs";
import { Forge, assertAccepted, assertError, githubExamples, makeSecret, pushPayload, uid } from "./lib/forge.mjs";
import { model } from "./lib/model.mjs";
import { startPostgres } from "./lib/postgres.mjs";
import { makeTempDir, removeDir, start, waitFor } from "./lib/server.mjs";
import { eventStream } from "./lib/sse.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const MASTER_KEY = "ab".repeat(32); // every node seals and opens secrets with the same key
const HOOK_ID = "4242"; // one hook, its deliveries spread over the nodes
const REPOSITORIES = 6;
const RESOURCES = ["pulls", "reviews", "issues", "runs", "releases", "branches", "milestones", "deployments", "activity"];

// Adds `offset` to every numeric "id" in `value`: the copy of an example for another repository
// has reviews, releases, runs ... of its own (their ids are global on GitHub, not per repository).
function shiftIds(value, offset) {
  if (Array.isArray(value)) value.forEach((v) => shiftIds(v, offset));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      if (k === "id" && typeof v === "number") value[k] = v + offset;
      else shiftIds(v, offset);
    }
  return value;
}

// Each example once per repository, its ids shifted per repository.
function deliveries() {
  const out = [];
  for (let r = 0; r < REPOSITORIES; r++)
    for (const { event, payload } of githubExamples()) {
      if (!payload.repository) continue;
      const p = shiftIds(structuredClone(payload), r * 1e9);
      Object.assign(p.repository, { name: `hello-${r}`, full_name: `octo-nodes/hello-${r}` });
      out.push({ event, payload: p, guid: uid() });
    }
  return out;
}

// The node whose log says it runs `job` now (and has not said it stopped since), if any.
function leaderOf(nodes, job) {
  const leaders = nodes.filter((n) => {
    if (!n.alive) return false;
    const lines = n.stderr().split("\n").filter((l) => l.includes(`"job":"${job}"`));
    return lines.at(-1)?.includes("this node runs a periodic job");
  });
  assert.ok(leaders.length <= 1, `${leaders.length} nodes run ${job} at once`);
  return leaders[0];
}

describe("three nodes on one PostgreSQL", () => {
  let pg, db, gh, twin;
  const nodes = [];
  const dirs = [];
  const env = () => ({
    FORGEHOOK_GITHUB_SECRET: GH,
    FORGEHOOK_ADMIN_TOKEN: ADMIN,
    FORGEHOOK_MASTER_KEY: MASTER_KEY,
    FORGEHOOK_STORE_BACKEND: "postgres",
    FORGEHOOK_STORE_POSTGRES_URL: pg.url(db),
    FORGEHOOK_STORE_POSTGRES_PASSWORD: pg.password,
    FORGEHOOK_STORE_POSTGRES_CLAIM_LEASE_SECONDS: "3",
    FORGEHOOK_PIPELINE_BATCH_SIZE: "16",
    FORGEHOOK_FORGES_RECONCILE_INTERVAL_S: "10",
    FORGEHOOK_SUBSCRIPTIONS_ALLOW_PRIVATE_NETWORKS: "true",  // the test's receiver is on 127.0.0.1
  });

  before(async () => {
    pg = await startPostgres();
    db = await pg.createDatabase("nodes");
    gh = await startFakeGitHub();
    for (let i = 0; i < 3; i++) {
      const dir = await makeTempDir(`forgehook-node${i}-`);
      dirs.push(dir);
      nodes.push(await start(env(), { dataDir: dir }));
    }
  });

  after(async () => {
    for (const n of nodes) await n.kill9();
    await twin?.kill9();
    await gh?.close();
    await pg?.stop();
    for (const d of dirs) await removeDir(d);
    if (twin) await removeDir(twin.dataDir);
  });

  test("deliveries sprayed over three nodes, the reconciling node killed under load: nothing lost, nothing twice", async () => {
    const testStartedAt = Date.now() - 1000;
    const clients = nodes.map((n) => new Forge(n, { github: GH, admin: ADMIN, hookId: HOOK_ID }));
    const [a] = clients;
    // A connection to reconcile (its hook points at a node, as it would at the balancer). A
    // repository of its own: a managed hook's secret replaces the configured one for its repository.
    gh.addRepo("octo-nodes/reconciled");
    assert.equal((await a.api("credentials/github", { method: "PUT", body: { api_url: gh.url, token: "test-token" } })).status, 201);
    const connected = await a.api("connections", { method: "POST", body: { repository: "octo-nodes/reconciled", url: nodes[0].url } });
    assert.equal(connected.status, 201, connected.text);
    const connectionId = connected.json.id;
    const leader = await waitFor(() => leaderOf(nodes, "forge"), { message: "a node leading the forge jobs" });
    const survivors = nodes.filter((n) => n !== leader);
    const watched = survivors[0];
    const watcher = new Forge(watched, { admin: ADMIN });
    const stream = eventStream(watched, ADMIN, "?resource=deliveries&after=0");
    await stream.opened;

    const all = deliveries();
    const acked = new Set();
    const answers = {}; // status (or "error") -> count, for the message below
    let next = 0;
    let killed = false;
    let killedAt = 0;
    const senders = Array.from({ length: 9 }, async (_, s) => {
      for (;;) {
        const d = all[next++];
        if (!d) return;
        // Round robin over the nodes still up: a balancer takes a dead node out.
        const live = nodes.map((n, i) => [n, clients[i]]).filter(([n]) => n.alive);
        const [, client] = live[(next + s) % live.length];
        try {
          const res = await client.github(d.payload, { event: d.event, delivery: d.guid });
          answers[res.status] = (answers[res.status] ?? 0) + 1;
          if (res.status === 200) acked.add(d.guid);
        } catch {
          answers.error = (answers.error ?? 0) + 1;
          // the node died with the request open: not acknowledged; a sender redelivers it elsewhere
          const [, other] = live.find(([n]) => n.alive && n !== leader) ?? [];
          if (other) {
            const again = await other.github(d.payload, { event: d.event, delivery: d.guid });
            if (again.status === 200) acked.add(d.guid);
          }
        }
        if (!killed && next >= all.length / 3) {
          killed = true;
          killedAt = Date.now();
          await leader.kill9();
        }
      }
    });
    await Promise.all(senders);
    assert.ok(killed && !leader.alive);
    // Only the deliveries in flight at the killed node may go unanswered: nothing is refused.
    assert.deepEqual(Object.keys(answers).filter((k) => k !== "200" && k !== "error"), [], JSON.stringify(answers));
    assert.ok(acked.size >= all.length * 0.9, `${acked.size} of ${all.length} acknowledged: ${JSON.stringify(answers)}`);
    await watcher.drained();

    // Stored once, processed once: one created and one status change per delivery.
    const stored = await watcher.listAll({}, { pageLimit: 500 });
    const count = new Map();
    for (const r of stored) count.set(r.delivery_id, (count.get(r.delivery_id) ?? 0) + 1);
    assert.deepEqual([...acked].filter((g) => !count.has(g)).slice(0, 5), [], "acknowledged deliveries missing");
    assert.deepEqual([...count].filter(([, n]) => n !== 1).slice(0, 5), [], "deliveries stored twice");
    assert.deepEqual([...new Set(stored.map((r) => r.status))], ["processed"]);
    const changes = await everyChange(watcher, { resource: "deliveries" });
    const updates = new Map();
    for (const c of changes)
      if (c.action === "updated") updates.set(c.data.delivery_id, (updates.get(c.data.delivery_id) ?? 0) + 1);
    assert.deepEqual(stored.map((r) => r.delivery_id).filter((g) => updates.get(g) !== 1).slice(0, 5), [],
      "deliveries not processed exactly once");

    // The processing spread over the nodes: each survivor processed some of it.
    const processedBy = [];
    for (const n of survivors) {
      const text = await (await fetch(`${n.url}/metrics`)).text();
      processedBy.push(text.split("\n").filter((l) => l.startsWith("forgehook_processed_total"))
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0));
    }
    assert.ok(processedBy.every((n) => n > 0), `processed per surviving node: ${processedBy}`);

    // The stream on a surviving node saw every delivery created, whichever node took it.
    await waitFor(() => stream.events.filter((e) => e.data?.action === "created").length >= stored.length,
      { message: () => {
        const kinds = {};
        for (const e of stream.events) kinds[`${e.event}/${e.data?.action}`] = (kinds[`${e.event}/${e.data?.action}`] ?? 0) + 1;
        return `stream events ${JSON.stringify(kinds)} of ${stored.length} stored; last ${JSON.stringify(stream.events.at(-1))?.slice(0, 200)}`;
      } });
    const streamed = new Set(stream.events.filter((e) => e.data?.action === "created").map((e) => e.data.data.delivery_id));
    assert.deepEqual(stored.map((r) => r.delivery_id).filter((g) => !streamed.has(g)).slice(0, 5), []);

    // A delivery to one node reaches a stream on another within a second (NOTIFY wakes the other
    // node at once; its catch-up read every second would meet that bound too: what is asserted is
    // the second, not the notification).
    const other = survivors[1];
    const probe = uid();
    const sentAt = Date.now();
    const res = await clients[nodes.indexOf(other)].github(all[0].payload, { event: all[0].event, delivery: probe });
    assert.equal(res.status, 200, res.text);
    await waitFor(() => stream.events.some((e) => e.data?.data?.delivery_id === probe), { timeoutMs: 1000, intervalMs: 5,
      message: "the probe on the other node's stream" });
    assert.ok(Date.now() - sentAt < 1000);
    stream.close();
    await watcher.drained();

    // Another node took over reconciliation, and reconciles.
    const successor = await waitFor(() => leaderOf(nodes, "forge"), { timeoutMs: 15_000, message: "a new forge leader" });
    assert.ok(successor.alive && successor !== leader);
    const successorClient = new Forge(successor, { admin: ADMIN });
    await waitFor(async () => {
      const runs = await successorClient.api(`connections/${connectionId}/reconciliations`);
      // "start": a node's first reconciliation as the leader (the first leader had none to do then,
      // the connection came later); times in whole seconds.
      return runs.json.reconciliations.some((r) => r.finished_at && Date.parse(r.started_at) >= Math.floor(killedAt / 1000) * 1000 &&
        r.trigger === "start" && r.error === null);
    }, { timeoutMs: 20_000, message: () => `a reconciliation by the new leader (${JSON.stringify(successor.exit)}: ${successor.stderr().split("\n").filter((l) => !/"msg":"(request|delivery)"/.test(l)).slice(-8).join(" | ")})` });

    // The projections equal a single SQLite node's given the same deliveries, in commit order.
    const order = changes.filter((c) => c.action === "created").map((c) => c.data.delivery_id);
    const byGuid = new Map(all.map((d) => [d.guid, d]));
    byGuid.set(probe, { ...all[0], guid: probe });
    twin = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_STORE_BACKEND: "sqlite" });
    const twinClient = new Forge(twin, { github: GH, admin: ADMIN, hookId: HOOK_ID });
    for (const guid of order) {
      const d = byGuid.get(guid);
      if (!d) continue; // the hook's ping, sent by the fake GitHub when the connection was made
      const sent = await twinClient.github(d.payload, { event: d.event, delivery: guid });
      assert.equal(sent.status, 200, sent.text);
    }
    await twinClient.drained();
    // Events without a time of their own (public, page_build ...) are dated by their arrival,
    // which differs between the two installations: that date is left out.
    const comparable = async (client) => {
      const m = await model(client, RESOURCES);
      m.activity = m.activity.map((line) => {
        const row = JSON.parse(line);
        if (Date.parse(row.at) >= testStartedAt) delete row.at;
        return JSON.stringify(row);
      }).sort();
      return m;
    };
    const [ours, single] = [await comparable(watcher), await comparable(twinClient)];
    for (const resource of RESOURCES) {
      const only = (x, y) => x[resource].filter((row) => !y[resource].includes(row)).slice(0, 3);
      assert.deepEqual([only(ours, single), only(single, ours)], [[], []], `${resource} differ (cluster, single node)`);
    }
    for (const c of [...clients, watcher, twinClient, successorClient]) c.close();
  });

  test("a hook secret stored through one node verifies deliveries at another at once", async () => {
    const [a, b] = nodes.filter((n) => n.alive);
    const viaA = new Forge(a, { admin: ADMIN });
    const atB = new Forge(b, { github: GH });
    const hookSecret = makeSecret("hook");
    // B has verified with the configured secret before, so it holds the stored secrets it read then.
    assertAccepted(await atB.github(pushPayload("octo-nodes/secret"), { hookId: "5151" }), "the configured secret");
    const put = await viaA.api("/api/v1/secrets/github/hook/5151", { method: "PUT", body: { secrets: [hookSecret] } });
    assert.ok(put.status === 200 || put.status === 201, put.text);
    assertAccepted(await atB.github(pushPayload("octo-nodes/secret"), { hookId: "5151", secret: hookSecret }), "the new hook secret");
    assertError(await atB.github(pushPayload("octo-nodes/secret"), { hookId: "5151" }), 401, "invalid_signature");
    // Sealed at rest in PostgreSQL too.
    const stored = await pg.psql(db, "SELECT secrets FROM scoped_secrets WHERE forge = 'github' AND key = '5151'");
    assert.match(stored, /^fh1:[0-9a-f]{8}:[A-Za-z0-9+/=]+$/, stored);
    assert.ok(!stored.includes(hookSecret));
    b.secrets.add(hookSecret);
    viaA.close();
    atB.close();
  });

  test("a subscription's messages are sent once, not once per node", async () => {
    const live = nodes.filter((n) => n.alive);
    const rx = await startReceiver();
    const admin = new Forge(live[0], { admin: ADMIN });
    const sub = await admin.api("/api/v1/subscriptions", { method: "POST",
      body: { url: rx.url, resources: ["deliveries"], actions: ["created"], repository: "octo-nodes/subscribed" } });
    assert.equal(sub.status, 201, sub.text);
    live[0].secrets.add(sub.json.secret);
    const senders = live.map((n) => new Forge(n, { github: GH, hookId: HOOK_ID }));
    const sent = 40;
    for (let i = 0; i < sent; i++)
      assertAccepted(await senders[i % senders.length].github(pushPayload("octo-nodes/subscribed"), { event: "push" }));
    await rx.waitFor(sent, 20_000);
    await sleep(2500);  // a second sender would have sent by now (the dispatcher looks every second)
    const ids = rx.received.map((r) => r.headers["webhook-id"]);
    assert.equal(ids.length, sent, `${ids.length} messages for ${sent} changes`);
    assert.equal(new Set(ids).size, sent, "a message sent twice");
    for (const c of [admin, ...senders]) c.close();
    await rx.close();
  });

  test("a node with another master key, or another node's name, is refused at start with the reason", async () => {
    const dir = await makeTempDir("forgehook-node-odd-");
    dirs.push(dir);
    const { FORGEHOOK_MASTER_KEY: _, ...ownKey } = env(); // a key of its own, generated in its data dir
    await assert.rejects(start(ownKey, { dataDir: dir }), /this node's master key cannot open the secrets of this PostgreSQL store/);
    const alive = nodes.find((n) => n.alive);
    // A node's default name: its host and data dir.
    const sameName = { ...env(), FORGEHOOK_STORE_POSTGRES_NODE: `${hostname()}:${alive.dataDir}` };
    await assert.rejects(start(sameName, { dataDir: dir, timeoutMs: 30_000 }), /another forgehook node named ".*" is running on this PostgreSQL store/);
  });
});
