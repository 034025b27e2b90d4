// Live streams under load through the real binary: a WebSocket client that reconnects 10 times
// (twice across a kill -9 of the server) while deliveries keep arriving receives every seq once, in
// order; and a client that asks for a snapshot gets the current rows and then exactly the changes
// after them, so the state it builds equals the API's, with deliveries arriving all along.
import assert from "node:assert/strict";
import http from "node:http";
import { after, describe, test } from "node:test";
import WebSocket from "ws";
import { Forge, makeSecret } from "./lib/forge.mjs";
import { HOUR, T0, pullRequest } from "./lib/scenario.mjs";
import { makeTempDir, removeDir, start, waitFor } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Sends pull request deliveries one after another until stopped; a delivery counts once the server
// answered 200 (while it is down, the sender retries the same delivery, as a forge redelivers).
function loadGenerator(getForge) {
  let stopped = false, accepted = 0, number = 1000;
  const done = (async () => {
    while (!stopped) {
      const payload = pullRequest(number % 3 === 0 ? "closed" : "opened", T0 + number * HOUR, { number: 1000 + (number % 40) });
      try {
        const res = await getForge().github(payload, { event: "pull_request" });
        if (res.status === 200) { accepted++; number++; }
      } catch { /* the server is being restarted */ }
      await sleep(5);
    }
  })();
  return { stop: async () => { stopped = true; await done; }, accepted: () => accepted };
}

function openWs(server, query) {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/v1/stream${query}`, {
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  const messages = [];
  ws.on("message", (m) => messages.push(JSON.parse(m.toString())));
  ws.on("error", () => {});
  const opened = new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("unexpected-response", (_req, res) => reject(res));
  });
  const closed = new Promise((resolve) => ws.once("close", resolve));
  return { ws, messages, opened, closed };
}

// The pulls a client knows, by repository and number: a snapshot's rows, then each change's data.
function applyPulls(state, messages) {
  for (const m of messages) {
    const rows = m.type === "snapshot" && m.resource === "pulls" ? m.rows
      : m.type === "change" && m.change.resource === "pulls" ? [m.change.data] : [];
    for (const row of rows) state.set(`${row.repository}#${row.number}`, JSON.stringify(row));
  }
  return state;
}

async function apiPulls(fh) {
  const state = new Map();
  let cursor = "";
  for (;;) {
    const page = (await fh.api(`/api/v1/pulls?limit=500${cursor}`)).json;
    for (const row of page.pulls) state.set(`${row.repository}#${row.number}`, JSON.stringify(row));
    if (!page.next_cursor) return state;
    cursor = `&cursor=${page.next_cursor}`;
  }
}

describe("streams under load", () => {
  let server, fh, dataDir;
  after(async () => {
    fh?.close();
    await server?.stop().catch(() => {});
    if (dataDir) await removeDir(dataDir);
  });

  test("WebSocket: 10 reconnects under load, two across kill -9, every seq once and in order", async () => {
    dataDir = await makeTempDir("forgehook-resume-");
    server = await start(ENV, { dataDir });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    const load = loadGenerator(() => fh);
    const received = [];
    let last = 0;
    for (let round = 0; round < 10; round++) {
      const client = openWs(server, `?after=${last}`);
      await client.opened;
      // Long enough for deliveries to arrive during each connection.
      await Promise.all([sleep(250), waitFor(() => client.messages.length >= 20, { timeoutMs: 10_000, message: `round ${round}: changes arrive` })]);
      if (round === 3 || round === 7) {
        await server.kill9();  // mid-stream, with deliveries arriving
        await client.closed;
        server = await start(ENV, { dataDir });
        fh.close();
        fh = new Forge(server, { github: GH, admin: ADMIN });
      } else {
        client.ws.close();
        await client.closed;
      }
      for (const m of client.messages) {
        assert.equal(m.type, "change", JSON.stringify(m));
        received.push(m.change.seq);
      }
      last = received.at(-1);
    }
    await load.stop();
    assert.ok(load.accepted() >= 100, `load: ${load.accepted()} deliveries accepted`);
    await fh.drained();
    const newest = (await fh.api("/api/v1/changes?after=0&limit=1")).json.newest_seq;
    const final = openWs(server, `?after=${last}`);
    await final.opened;
    await waitFor(() => (final.messages.at(-1)?.change.seq ?? last) >= newest, { timeoutMs: 10_000, message: "the rest" });
    final.ws.close();
    received.push(...final.messages.map((m) => m.change.seq));
    assert.equal(received.length, newest, "as many changes as the feed has");
    assert.deepEqual(received, Array.from({ length: newest }, (_, i) => i + 1), "every seq once, in order");
  });

  test("snapshot=true: the rows, then exactly the changes after them, while deliveries arrive", async () => {
    const load = loadGenerator(() => fh);
    await sleep(300);
    const clients = [];
    for (let i = 0; i < 5; i++) {
      clients.push(openWs(server, "?resource=pulls&snapshot=true"));
      await sleep(150);
    }
    // SSE too: snapshot events, then snapshot_end whose id is the seq it follows from.
    const sseText = [];
    const sseReq = http.get(`${server.url}/api/v1/events?resource=pulls&snapshot=true`,
      { headers: { Authorization: `Bearer ${ADMIN}` } }, (res) => { res.setEncoding("utf8"); res.on("data", (c) => sseText.push(c)); });
    sseReq.on("error", () => {});
    await sleep(300);
    await load.stop();
    await fh.drained();
    const newest = (await fh.api("/api/v1/changes?after=0&limit=1")).json.newest_seq;
    const expected = await apiPulls(fh);
    assert.ok(expected.size >= 40, `${expected.size} pull requests`);

    for (const [i, c] of clients.entries()) {
      await waitFor(() => c.messages.some((m) => m.type === "snapshot_end"), { timeoutMs: 10_000, message: `client ${i}: snapshot_end` });
      // Every pulls change of the feed after the snapshot's seq: what the client must receive.
      const snapshotSeq = c.messages.find((m) => m.type === "snapshot_end").seq;
      const feed = [];
      for (let after = snapshotSeq; ;) {
        const page = (await fh.api(`/api/v1/changes?after=${after}&resource=pulls&limit=1000`)).json;
        feed.push(...page.changes.map((ch) => ch.seq));
        if (page.changes.length < 1000) break;
        after = page.changes.at(-1).seq;
      }
      await waitFor(() => c.messages.filter((m) => m.type === "change").length >= feed.length,
        { timeoutMs: 10_000, message: `client ${i}: ${feed.length} changes after seq ${snapshotSeq}` });
      const types = c.messages.map((m) => m.type);
      const endAt = types.indexOf("snapshot_end");
      assert.ok(endAt >= 1, `client ${i}: snapshot messages, then snapshot_end`);
      assert.ok(types.slice(0, endAt).every((t) => t === "snapshot"), `client ${i}: nothing before the snapshot ends`);
      assert.ok(types.slice(endAt + 1).every((t) => t === "change"), `client ${i}: changes after it`);
      const end = c.messages[endAt];
      assert.deepEqual(end.truncated, []);
      const seqs = c.messages.slice(endAt + 1).map((m) => m.change.seq);
      assert.ok(seqs.every((s, k) => s > end.seq && (k === 0 || s > seqs[k - 1])), `client ${i}: after ${end.seq}, in order`);
      // No change missed, none repeated: the client's changes are the feed's pulls changes after its seq.
      assert.deepEqual(seqs, feed, `client ${i}: every pulls change after seq ${end.seq}`);
      assert.deepEqual(applyPulls(new Map(), c.messages), expected, `client ${i}: its state is the API's`);
      c.ws.close();
    }
    await waitFor(() => sseText.join("").includes("event: snapshot_end"), { timeoutMs: 5000, message: "SSE snapshot_end" });
    const text = sseText.join("");
    assert.ok(text.indexOf("event: snapshot\n") < text.indexOf("event: snapshot_end"));
    assert.ok(!text.slice(0, text.indexOf("event: snapshot_end")).includes("event: change"));
    const endBlock = text.slice(text.indexOf("id: ", text.indexOf("event: snapshot\n")));
    assert.match(endBlock, /^id: (\d+)\nevent: snapshot_end\ndata: \{"seq":\1,"truncated":\[\]\}\n\n/m);
    sseReq.destroy();
  });

  test("snapshot must be true or false; a resume point wins over it", async () => {
    const bad = openWs(server, "?snapshot=yes");
    const status = await bad.opened.then(() => 101, (res) => res?.statusCode ?? res);
    assert.equal(status, 400);
    const newest = (await fh.api("/api/v1/changes?after=0&limit=1")).json.newest_seq;
    const resumed = openWs(server, `?snapshot=true&after=${newest}`);
    await resumed.opened;
    await fh.github(pullRequest("opened", T0 + 9999 * HOUR, { number: 5000 }), { event: "pull_request" });
    await waitFor(() => resumed.messages.some((m) => m.type === "change"), { timeoutMs: 5000, message: "a change" });
    assert.ok(resumed.messages.every((m) => m.type === "change"), "no snapshot when resuming");
    resumed.ws.close();
  });
});
