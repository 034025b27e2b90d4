// Live stream limits through the real binary: a resume point older than the change feed's
// retention gets an explicit reset (then live changes), never a silent gap; a client that reads
// nothing is closed at its queue limit (4000) while a client that reads keeps getting every change
// promptly.
import assert from "node:assert/strict";
import http from "node:http";
import { after, describe, test } from "node:test";
import WebSocket from "ws";
import { Forge, makeSecret, pool } from "./lib/forge.mjs";
import { HOUR, T0, pullRequest } from "./lib/scenario.mjs";
import { makeTempDir, removeDir, start, waitFor } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };

async function sendPulls(fh, from, count) {
  await pool(Array.from({ length: count }, (_, i) => from + i), 8, async (n) => {
    const res = await fh.github(pullRequest("opened", T0 + n * HOUR, { number: n }), { event: "pull_request" });
    assert.equal(res.status, 200, res.text);
  });
}

// `messages` collects what arrives, with its time (a resuming reader passes one array to each of its connections).
function openWs(server, query, messages = []) {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/v1/stream${query}`, { headers: { Authorization: `Bearer ${ADMIN}` } });
  ws.on("message", (m) => messages.push({ at: Date.now(), m: JSON.parse(m.toString()) }));
  ws.on("error", () => {});
  const opened = new Promise((resolve, reject) => { ws.once("open", resolve); ws.once("unexpected-response", (_q, res) => reject(res)); });
  const closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: String(reason) })));
  return { ws, messages, opened, closed };
}

// A reading client as the API describes it: closed as a slow consumer (4000) when a burst outruns
// its queue, it resumes from the last seq it has, so it still gets every change exactly once.
function openResumingReader(server, query, from) {
  const reader = { messages: [], resumes: 0, stopped: false };
  const connect = (after) => {
    const ws = openWs(server, `?${query}&after=${after}`, reader.messages);
    ws.closed.then(({ code }) => {
      if (reader.stopped || code !== 4000) return;
      reader.resumes += 1;
      connect(reader.messages.at(-1)?.m.change.seq ?? from);
    });
    reader.ws = ws.ws;
    return ws.opened;
  };
  reader.opened = connect(from);
  reader.stop = () => { reader.stopped = true; reader.ws.close(); };
  return reader;
}

describe("stream limits", () => {
  let server, fh, dataDir;
  after(async () => {
    fh?.close();
    await server?.stop().catch(() => {});
    if (dataDir) await removeDir(dataDir);
  });

  test("a resume point older than the retention gets a reset, on SSE and WebSocket, then live changes", async () => {
    dataDir = await makeTempDir("forgehook-limits-");
    server = await start(ENV, { dataDir });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    await sendPulls(fh, 1, 300);
    await fh.drained();
    const before = (await fh.api("/api/v1/changes?after=0&limit=1")).json;
    assert.ok(before.newest_seq > 1000, `${before.newest_seq} changes, more than the retention about to be set`);
    assert.equal(before.oldest_seq, 1);

    // A restart with a lower retention prunes at once.
    await server.stop();
    server = await start({ ...ENV, FORGEHOOK_CHANGES_RETENTION_RECORDS: "1000" }, { dataDir });
    fh.close();
    fh = new Forge(server, { github: GH, admin: ADMIN });
    await waitFor(async () => (await fh.api("/api/v1/changes?after=0&limit=1")).json.oldest_seq > 1,
      { timeoutMs: 10_000, message: "the feed pruned to its retention" });
    const kept = (await fh.api("/api/v1/changes?after=1&limit=1")).json;
    assert.equal(kept.reset, true, "the polling API says reset too");

    const ws = openWs(server, "?after=1");
    await ws.opened;
    let sseText = "";
    const sseReq = http.get(`${server.url}/api/v1/events`, { headers: { Authorization: `Bearer ${ADMIN}`, "Last-Event-ID": "1" } },
      (res) => { res.setEncoding("utf8"); res.on("data", (c) => (sseText += c)); });
    sseReq.on("error", () => {});
    await waitFor(() => ws.messages.length >= 1 && sseText.includes("event: reset"), { timeoutMs: 5000, message: "resets" });
    const reset = ws.messages[0].m;
    assert.equal(reset.type, "reset");
    assert.equal(reset.oldest_seq, kept.oldest_seq);
    assert.equal(reset.newest_seq, kept.newest_seq);
    assert.equal(reset.reason, "pruned");
    assert.match(sseText, new RegExp(`id: ${kept.newest_seq}\\nevent: reset\\ndata: \\{"oldest_seq":${kept.oldest_seq},"newest_seq":${kept.newest_seq},"reason":"pruned"\\}`));

    await sendPulls(fh, 1000, 1);
    await waitFor(() => ws.messages.some((x) => x.m.type === "change") && sseText.includes("event: change"),
      { timeoutMs: 5000, message: "changes after the reset" });
    const changes = ws.messages.slice(1).map((x) => x.m);
    assert.ok(changes.every((c) => c.type === "change" && c.change.seq > kept.newest_seq), "only what follows the reset");
    ws.ws.close();
    sseReq.destroy();
  });

  test("a client that reads nothing is closed at its queue limit (4000); a reading client gets every change promptly", async () => {
    await server.stop();
    server = await start({ ...ENV, FORGEHOOK_SERVER_STREAM_QUEUE_BYTES: "16384" }, { dataDir });
    fh.close();
    fh = new Forge(server, { github: GH, admin: ADMIN });
    const from = (await fh.api("/api/v1/changes?after=0&limit=1")).json.newest_seq;
    const reader = openResumingReader(server, "resource=pulls", from);
    const stalled = openWs(server, `?after=${from}`);
    await reader.opened;
    await stalled.opened;
    stalled.ws._socket.pause(); // reads nothing from here on: the kernel's buffers, then its queue, fill up

    await sendPulls(fh, 2000, 1500);
    await fh.drained();
    const dropped = await waitFor(async () => {
      const metrics = (await fh.api("/metrics", { token: null })).text;
      return /forgehook_stream_dropped_total\{reason="slow_consumer"\} [1-9]/.test(metrics);
    }, { timeoutMs: 20_000, message: "the stalled client dropped as a slow consumer" });
    assert.ok(dropped);
    stalled.ws._socket.resume(); // reading again: what was queued, then the close frame
    const closed = await stalled.closed;
    assert.deepEqual(closed, { code: 4000, reason: "slow consumer" });

    // The reader got every pulls change, each soon after it committed.
    const feed = [];
    for (let after = from; ;) {
      const page = (await fh.api(`/api/v1/changes?after=${after}&resource=pulls&limit=1000`)).json;
      feed.push(...page.changes);
      if (page.changes.length < 1000) break;
      after = page.changes.at(-1).seq;
    }
    // Generous: on 2 shared cores a parallel build can starve the reader for seconds; the latency
    // promise is the p99 below, not this wait.
    await waitFor(() => reader.messages.length >= feed.length,
      { timeoutMs: 30_000, message: () => `the reader has every change (${reader.messages.length} of ${feed.length}, ${reader.resumes} resumes)` });
    assert.deepEqual(reader.messages.map((x) => x.m.change.seq), feed.map((c) => c.seq));
    const lags = reader.messages.map((x, i) => x.at - Date.parse(feed[i].at)).sort((a, b) => a - b);
    const p99 = lags[Math.floor(lags.length * 0.99)];
    assert.ok(p99 < 2000, `the reader's commit→receipt p99 ${p99} ms while another client stalled`);
    reader.stop();
  });
});
