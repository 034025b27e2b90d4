// The live streams through the real binary: SSE (GET /api/v1/events) and WebSocket (GET
// /api/v1/stream) deliver every change in seq order as deliveries are processed, resume from
// Last-Event-ID / after= without a gap or a repeat (also across a kill -9 and restart), announce a
// reset for a resume point the feed does not have and at a rebuild's reset points, filter, and
// authenticate with a bearer token or a single-use ticket.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { after, describe, test } from "node:test";
import { promisify } from "node:util";
import WebSocket from "ws";
import { Forge, makeSecret } from "./lib/forge.mjs";
import { HOUR, T0, issue, pullRequest } from "./lib/scenario.mjs";
import { BIN, makeTempDir, removeDir, start, waitFor } from "./lib/server.mjs";
import { eventStream } from "./lib/sse.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };

// An SSE client of /api/v1/events with the admin token (lib/sse.mjs).
const sse = (server, query = "", headers = {}) => eventStream(server, ADMIN, query, headers);

async function send(fh, event, payload) {
  const res = await fh.github(payload, { event });
  assert.equal(res.status, 200, res.text);
}

describe("live streams", () => {
  let server, fh, dataDir;
  after(async () => {
    fh?.close();
    await server?.stop().catch(() => {});
    if (dataDir) await removeDir(dataDir);
  });

  test("SSE: changes arrive in seq order as deliveries are processed, filtered by resource", async () => {
    dataDir = await makeTempDir("forgehook-streams-");
    server = await start(ENV, { dataDir });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    const all = sse(server);
    const pulls = sse(server, "?resource=pulls");
    await all.opened;
    await pulls.opened;
    assert.equal(all.status(), 200);
    await send(fh, "pull_request", pullRequest("opened", T0));
    await send(fh, "issues", issue("opened", T0 + HOUR, "open", []));
    await waitFor(() => pulls.events.length >= 1 && all.events.some((e) => e.data?.resource === "issues"),
      { timeoutMs: 5000, message: "changes on the streams" });
    const seqs = all.events.map((e) => Number(e.id));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, seqs.length);
    assert.ok(all.events.every((e) => e.event === "change" && e.data.seq === Number(e.id)));
    assert.deepEqual(pulls.events.map((e) => e.data.resource), ["pulls"]);
    assert.equal(pulls.events[0].data.data.number, 7);
    all.close();
    pulls.close();
  });

  test("SSE resumes from Last-Event-ID with nothing missed or repeated, also across kill -9", async () => {
    const received = [];
    let last = 0;
    for (let round = 0; round < 4; round++) {
      const stream = sse(server, "", { "Last-Event-ID": String(last) });
      await stream.opened;
      await send(fh, "issues", issue("edited", T0 + (round + 2) * HOUR, "open", [`round-${round}`]));
      await fh.drained(); // processed, so the round's records are all in the feed before it is read
      const feed = (await fh.api(`/api/v1/changes?after=${last}&limit=1000`)).json;
      await waitFor(() => stream.events.length > 0 && Number(stream.events.at(-1).id) >= feed.newest_seq,
        { timeoutMs: 5000, message: `round ${round}: the stream reaches seq ${feed.newest_seq}` });
      stream.close();
      received.push(...stream.events.map((e) => Number(e.id)));
      last = received.at(-1);
      if (round === 1) {
        // kill -9 and a fresh process on the same data: the stream resumes where it left off.
        await server.kill9();
        server = await start(ENV, { dataDir });
        fh.close();
        fh = new Forge(server, { github: GH, admin: ADMIN });
      }
    }
    const newest = (await fh.api("/api/v1/changes?after=0&limit=1")).json.newest_seq;
    assert.deepEqual(received, Array.from({ length: newest }, (_, i) => i + 1), "every seq once, in order");
  });

  test("a resume point the feed does not have gets a reset, then live changes", async () => {
    const stream = sse(server, "?after=999999");
    await stream.opened;
    await waitFor(() => stream.events.some((e) => e.event === "reset"), { timeoutMs: 5000, message: "reset event" });
    const reset = stream.events.find((e) => e.event === "reset");
    assert.equal(typeof reset.data.newest_seq, "number");
    assert.equal(Number(reset.id), reset.data.newest_seq, "the reset moves Last-Event-ID to the newest seq");
    assert.equal(reset.data.reason, "pruned");
    stream.close();
  });

  test("a rebuild resets the streams and the changes API at its start and when its last chunk is queued", async () => {
    const before = (await fh.api("/api/v1/changes?after=0&limit=1")).json.newest_seq;
    const stream = sse(server, `?after=${before}`);
    await stream.opened;
    const rebuild = await fh.api("/api/v1/rebuild", { method: "POST" });
    assert.equal(rebuild.status, 202, rebuild.text);
    await fh.drained();
    // This log fits in one chunk: both reset points come at once, then what is processed after
    // the last chunk was queued is recorded as usual (the pull request, created again).
    await waitFor(() => stream.events.some((e) => e.event === "change" && e.data.resource === "pulls"),
      { timeoutMs: 5000, message: "the rebuilt pull request on the stream" });
    stream.close();
    const resets = stream.events.filter((e) => e.event === "reset");
    assert.deepEqual(resets.map((e) => Number(e.id)), [before + 1, before + 2]);
    assert.deepEqual(resets.map((e) => e.data.newest_seq), [before + 1, before + 2]);
    assert.deepEqual(resets.map((e) => e.data.reason), ["rebuild_started", "rebuild_finished"]);
    assert.equal(stream.events[0].event, "reset", "nothing comes before the first reset");
    assert.equal(stream.events[1].event, "reset");
    const changes = stream.events.slice(2);
    assert.ok(changes.every((e) => e.event === "change" && Number(e.id) > before + 2));
    assert.ok(changes.some((e) => e.data.resource === "pulls" && e.data.action === "created"));
    // A reader of the changes API from before gets its page up to the reset point, and reset.
    const page = (await fh.api(`/api/v1/changes?after=${before}`)).json;
    assert.equal(page.reset, true);
    assert.deepEqual(page.changes, []);
    const next = (await fh.api(`/api/v1/changes?after=${before + 2}&resource=pulls`)).json;
    assert.equal(next.reset, false);
    assert.equal(next.changes[0].action, "created");
  });

  test("WebSocket with a single-use ticket: changes as JSON messages; the ticket works once", async () => {
    const ticket = (await fh.api("/api/v1/stream/tickets", { method: "POST", body: {} })).json.ticket;
    assert.ok(ticket);
    const before = (await fh.api("/api/v1/changes?after=0&limit=1")).json.newest_seq;
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/v1/stream?ticket=${ticket}&after=${before}`);
    const messages = [];
    ws.on("message", (m) => messages.push(JSON.parse(m.toString())));
    await new Promise((resolve, reject) => { ws.on("open", resolve); ws.on("error", reject); });
    await send(fh, "pull_request", pullRequest("closed", T0 + 9 * HOUR, { merged: true }));
    await waitFor(() => messages.some((m) => m.change?.resource === "pulls"), { timeoutMs: 5000, message: "ws change" });
    assert.ok(messages.every((m) => m.type === "change" && m.change.seq > before));
    assert.equal(messages.find((m) => m.change.resource === "pulls").change.data.state, "merged");
    ws.close();
    // The same ticket again: refused before the handshake.
    const again = new WebSocket(`${server.url.replace("http", "ws")}/api/v1/stream?ticket=${ticket}`);
    const status = await new Promise((resolve) => {
      again.on("unexpected-response", (_req, res) => resolve(res.statusCode));
      again.on("open", () => resolve(101));
      again.on("error", () => {});
    });
    assert.equal(status, 401);
    again.terminate();
  });

  test("bad requests are refused before a stream opens", async () => {
    for (const [query, headers, expected] of [
      ["?resource=bogus", {}, 400], ["?bogus=1", {}, 400], ["", { Authorization: "Bearer nope" }, 401],
      ["?after=-3", {}, 400],
    ]) {
      const stream = sse(server, query, headers);
      await stream.opened;
      assert.equal(stream.status(), expected, query || JSON.stringify(headers));
      stream.close();
    }
  });
});

// A rebuild of more than one chunk (10,000 deliveries each), cut by kill -9 halfway: after the
// restart it goes on and ends with the projections it started from, and a reader from before it
// meets its three reset points (started, resumed at the restart, finished) with nothing recorded
// between them. The log is written by the scale benchmark's generator (the octokit examples with
// shifted ids), which is far quicker than 60,000 signed requests.
describe("a rebuild cut by kill -9", () => {
  let server, fh, dataDir;
  after(async () => {
    fh?.close();
    await server?.kill9().catch(() => {});
    if (dataDir) await removeDir(dataDir);
  });
  const PROJECTIONS = ["pulls", "reviews", "issues", "runs", "releases", "branches", "milestones", "deployments", "repositories"];
  const projections = async () => {
    const out = {};
    for (const resource of PROJECTIONS) {
      const rows = await fh.listAll({}, { resource, maxPages: 1000 });
      out[resource] = rows.map(({ id, ...row }) => JSON.stringify(row)).sort();  // ids are row numbers
    }
    return out;
  };
  const processed = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return text.split("\n").filter((l) => l.startsWith("forgehook_processed_total"))
      .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
  };
  const drained = () => waitFor(async () => (await fh.api("/api/v1/metrics/status")).json?.webhooks.processing_backlog === 0,
    { timeoutMs: 120_000, intervalMs: 100, message: "processing backlog drained" });

  test("goes on after the restart, ends where it started from, and resets readers at its three reset points", async () => {
    dataDir = await makeTempDir("forgehook-rebuild-kill-");
    await promisify(execFile)(path.join(path.dirname(BIN), "forgehook-scalegen"),
      ["--data-dir", dataDir, "--deliveries", "60000", "--repositories", "40"]);
    // SQLite explicitly: the generator writes the SQLite store (and only SQLite records a reset at
    // a restart, "rebuild_resumed").
    const SQLITE = { ...ENV, FORGEHOOK_STORE_BACKEND: "sqlite" };
    server = await start(SQLITE, { dataDir });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    await drained();
    const live = await projections();
    assert.ok(live.pulls.length > 0 && live.issues.length > 0, "the generated log has pull requests and issues");
    const before = (await fh.api("/api/v1/changes?after=0&limit=1")).json.newest_seq;

    const start0 = await processed();
    assert.equal((await fh.api("/api/v1/rebuild", { method: "POST" })).status, 202);
    await waitFor(async () => (await processed()) - start0 >= 10_000, { timeoutMs: 60_000, intervalMs: 5,
      message: "the rebuild past its first chunk" });
    await server.kill9();
    server = await start(SQLITE, { dataDir });
    fh.close();
    fh = new Forge(server, { github: GH, admin: ADMIN });
    await drained();
    assert.deepEqual(await projections(), live, "the rebuilt projections differ from the ones it started from");

    const stream = sse(server, `?after=${before}`);
    await stream.opened;
    await waitFor(() => stream.events.filter((e) => e.event === "reset").length >= 3 &&
      stream.events.at(-1).event === "change", { timeoutMs: 10_000, message: "three resets, then changes" });
    stream.close();
    const firstChange = stream.events.findIndex((e) => e.event === "change");
    assert.deepEqual(stream.events.slice(0, firstChange).map((e) => e.event), ["reset", "reset", "reset"],
      "nothing is recorded between the reset points");
    const resets = stream.events.slice(0, 3).map((e) => e.data.newest_seq);
    assert.equal(resets[0], before + 1, "the first reset point is the rebuild's start");
    assert.ok(resets[0] < resets[1] && resets[1] < resets[2], resets.join(" "));
    assert.deepEqual(stream.events.slice(0, 3).map((e) => e.data.reason),
      ["rebuild_started", "rebuild_resumed", "rebuild_finished"]);
    assert.ok(stream.events.slice(3).every((e) => e.event === "change"), "one reset each, then the records after them");
  });
});
