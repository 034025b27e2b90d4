// Live streams benchmark (issue "Live change streams"): what the change hub and the stream sessions
// cost and how fast they are, through the real binary on loopback. Four parts, each on a fresh
// server and data dir under bench/results/tmp/:
//
//   latency  CLIENTS WebSocket clients (admin bearer token) follow /api/v1/stream while an open-loop
//            sender posts RATE deliveries/s for SECONDS s. Two passes: `resource=pulls` (each delivery
//            is a distinct pull request, so each one's projection is one `pulls` change that names it by
//            its number) and `resource=deliveries&action=created` (the delivery as stored, named by
//            its X-GitHub-Delivery). For every (delivery, client) pair: the time from the request being
//            sent, and from its 200 arriving, to the client receiving the change. Every client must
//            receive every change of the feed that matches its filter (checked against
//            GET /api/v1/changes afterwards): `missing` is what some client never received.
//   idle     VmRSS of the server before and after IDLE_CLIENTS idle WebSocket clients connect, and the
//            same with SSE clients on another fresh server: (after - before) / clients.
//   fanout   BACKLOG deliveries accepted with the pipeline off; the server is restarted with it on and
//            CLIENTS WebSocket clients (no filter) follow from the last seq before the restart while the
//            pipeline drains the backlog: change messages delivered per second, all clients together.
//   ingest   the forgehook row of bench/run.sh (wrk -t2 -c32 -d10s, bench/wrk/github.lua, 21 KB
//            pull_request.opened) without clients, then with CLIENTS WebSocket clients connected (no
//            filter, and resource=pulls): req/s both ways and the ratio.
//
// The clients run in a worker thread of this process (timestamps from performance.timeOrigin +
// performance.now(), one clock for sender and clients); a client the server drops (close 4000, slow
// consumer) reconnects from the last seq it received, as a real one would, and is counted.
//
// Usage: node bench/live.mjs OUT_PREFIX   (writes OUT_PREFIX.json and OUT_PREFIX.md)
// Environment: BENCH_FORGEHOOK_BIN (build/forgehook), BENCH_LIVE_PARTS (latency,idle,fanout,ingest),
//   BENCH_LIVE_CLIENTS (100), BENCH_LIVE_RATE (2000), BENCH_LIVE_SECONDS (10), BENCH_LIVE_IDLE_CLIENTS
//   (1000), BENCH_LIVE_BACKLOG (10000), BENCH_LIVE_WRK_DURATION (10s), BENCH_LIVE_CONNECTIONS (32),
//   BENCH_LIVE_TMP (bench/results/tmp). Needs wrk for the ingest part. Only 127.0.0.1 is contacted.
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import WebSocket from "ws";
import { cpuSeconds, forgehookServers, pct, shiftingTemplate } from "./lib/forgehook_server.mjs";

const now = () => performance.timeOrigin + performance.now();  // ms, comparable across threads
const SHIFT = 1_000_000;  // copy k of a pull_request example has its number and id shifted by k * SHIFT

// =================================================================================================
// Clients (worker thread): WebSocket or SSE connections, driven by messages from the main thread.
// =================================================================================================
function clientWorker() {
  let clients = [];
  let opts = null;  // { base, token, query, kind, mode, total }
  let recv = null;  // latency modes: Float64Array(clients * total), first receipt time per pair
  let stats = { reconnects: 0, closes: {}, errors: 0 };

  // Index of the delivery a message names; -1 for none. Cheap string scans, no JSON.parse.
  function deliveryIndex(s) {
    if (opts.mode === "pulls") {
      const at = s.indexOf('"number":');
      if (at < 0) return -1;
      return Math.floor(parseInt(s.slice(at + 9, at + 30), 10) / SHIFT);
    }
    if (opts.mode === "deliveries") {
      const at = s.indexOf('"delivery_id":"');
      if (at < 0) return -1;
      return parseInt(s.slice(at + 15 + 24, at + 15 + 36), 16);  // the GUID's last 12 hex digits
    }
    return -1;
  }
  function seqOf(s) {
    const at = s.indexOf('"seq":');
    return at < 0 ? -1 : parseInt(s.slice(at + 6, at + 26), 10);
  }

  function onChange(c, s, t) {
    const seq = seqOf(s);
    if (seq <= c.lastSeq) c.outOfOrder++;
    else c.lastSeq = seq;
    c.messages++;
    c.firstAt ??= t;
    c.lastAt = t;
    if (recv) {
      const i = deliveryIndex(s);
      if (i >= 0 && i < opts.total && Number.isNaN(recv[c.index * opts.total + i])) recv[c.index * opts.total + i] = t;
    }
  }

  function connectWs(c) {
    return new Promise((resolve) => {
      const after = c.lastSeq >= 0 ? `after=${c.lastSeq}` : opts.after !== undefined ? `after=${opts.after}` : "";
      const q = [opts.query, after].filter(Boolean).join("&");
      const ws = new WebSocket(`ws://${opts.base}/api/v1/stream${q ? "?" + q : ""}`,
        { headers: { Authorization: `Bearer ${opts.token}` }, perMessageDeflate: false });
      c.conn = ws;
      ws.on("message", (data) => {
        const t = now();
        const s = data.toString();
        if (s.startsWith('{"type":"change"')) onChange(c, s, t);
        else c.other++;
      });
      ws.on("open", () => { c.open = true; resolve(true); });
      ws.on("error", () => { stats.errors++; resolve(false); });
      ws.on("close", (code) => {
        c.open = false;
        stats.closes[code] = (stats.closes[code] || 0) + 1;
        if (!c.stopped && c.wasOpen) {
          stats.reconnects++;
          setTimeout(() => connectWs(c), 10);
        }
      });
      ws.once("open", () => { c.wasOpen = true; });
    });
  }

  function connectSse(c) {
    return new Promise((resolve) => {
      const q = [opts.query, opts.after !== undefined ? `after=${opts.after}` : ""].filter(Boolean).join("&");
      const [host, port] = opts.base.split(":");
      const req = http.get({ host, port: Number(port), path: `/api/v1/events${q ? "?" + q : ""}`, agent: false,
        headers: { Authorization: `Bearer ${opts.token}` } });
      c.conn = req;
      req.on("response", (res) => {
        c.open = res.statusCode === 200;
        res.on("data", () => { c.other++; });
        res.on("error", () => {});
        res.on("close", () => { c.open = false; });
        resolve(c.open);
      });
      req.on("error", () => { stats.errors++; resolve(false); });
    });
  }

  parentPort.on("message", async (m) => {
    if (m.cmd === "connect") {
      opts = m.opts;
      stats = { reconnects: 0, closes: {}, errors: 0 };
      recv = opts.mode === "pulls" || opts.mode === "deliveries" ? new Float64Array(m.n * opts.total).fill(NaN) : null;
      clients = Array.from({ length: m.n }, (_, index) => ({ index, lastSeq: -1, messages: 0, outOfOrder: 0, other: 0,
        open: false, wasOpen: false, stopped: false, conn: null, firstAt: null, lastAt: null }));
      let ok = 0;
      const batch = m.batch || 50;
      for (let i = 0; i < clients.length; i += batch) {
        const results = await Promise.all(clients.slice(i, i + batch).map((c) =>
          opts.kind === "sse" ? connectSse(c) : connectWs(c)));
        ok += results.filter(Boolean).length;
      }
      parentPort.postMessage({ connected: ok, failed: m.n - ok });
    } else if (m.cmd === "progress") {
      let messages = 0, minSeq = Infinity, open = 0;
      for (const c of clients) { messages += c.messages; minSeq = Math.min(minSeq, c.lastSeq); open += c.open ? 1 : 0; }
      parentPort.postMessage({ messages, minSeq, open, reconnects: stats.reconnects });
    } else if (m.cmd === "close") {
      for (const c of clients) {
        c.stopped = true;
        if (opts.kind === "sse") c.conn?.destroy();
        else c.conn?.terminate();
      }
      const summary = {
        clients: clients.map((c) => ({ messages: c.messages, lastSeq: c.lastSeq, outOfOrder: c.outOfOrder, other: c.other,
          firstAt: c.firstAt, lastAt: c.lastAt })),
        stats, recv,
      };
      clients = [];
      parentPort.postMessage(summary, recv ? [recv.buffer] : []);
      recv = null;
    }
  });
}

if (!isMainThread) {
  clientWorker();
} else {
  await main();
}

// =================================================================================================
// Main thread: servers, sender, measurements, report.
// =================================================================================================
async function main() {
  const require = createRequire(import.meta.url);
  const out = process.argv[2];
  if (!out) {
    console.error("usage: node bench/live.mjs OUT_PREFIX");
    process.exit(2);
  }
  const env = (name, fallback) => process.env[name] || fallback;
  const BIN = env("BENCH_FORGEHOOK_BIN", "build/forgehook");
  const PARTS = env("BENCH_LIVE_PARTS", "latency,idle,fanout,ingest").split(",").filter(Boolean);
  const CLIENTS = Number(env("BENCH_LIVE_CLIENTS", "100"));
  const RATE = Number(env("BENCH_LIVE_RATE", "2000"));
  const SECONDS = Number(env("BENCH_LIVE_SECONDS", "10"));
  const IDLE_CLIENTS = Number(env("BENCH_LIVE_IDLE_CLIENTS", "1000"));
  const BACKLOG = Number(env("BENCH_LIVE_BACKLOG", "10000"));
  const WRK_DURATION = env("BENCH_LIVE_WRK_DURATION", "10s");
  const CONNECTIONS = Number(env("BENCH_LIVE_CONNECTIONS", "32"));
  for (const [k, v] of Object.entries({ CLIENTS, RATE, SECONDS, IDLE_CLIENTS, BACKLOG, CONNECTIONS })) {
    if (!Number.isFinite(v) || v <= 0) { console.error(`live: ${k} must be a positive number`); process.exit(2); }
  }
  for (const p of PARTS) {
    if (!["latency", "idle", "fanout", "ingest"].includes(p)) { console.error(`live: unknown part ${p}`); process.exit(2); }
  }
  if (!/^\d+[sm]?$/.test(WRK_DURATION)) { console.error("live: BENCH_LIVE_WRK_DURATION must look like 10s"); process.exit(2); }
  if (!existsSync(BIN)) { console.error(`live: ${BIN} not found (this script never builds)`); process.exit(1); }

  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg().map((x) => +x.toFixed(2));
  const log = (msg) => console.error(`[live ${new Date().toTimeString().slice(0, 8)}] ${msg}`);
  const SECRET = randomBytes(16).toString("hex");
  const TOKEN = randomBytes(24).toString("hex");
  const NONCE = randomBytes(4).toString("hex");

  // --- open files: IDLE_CLIENTS sockets here and as many in the server (which inherits our limit) ---
  const nofile = () => readFileSync("/proc/self/limits", "utf8").match(/^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m);
  let [, softNofile, hardNofile] = nofile();
  const needNofile = IDLE_CLIENTS + 256;
  if (softNofile !== "unlimited" && Number(softNofile) < needNofile) {
    try {
      execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${hardNofile}:${hardNofile}`]);
      [, softNofile, hardNofile] = nofile();
      log(`raised the open-file limit to ${softNofile}`);
    } catch {
      log(`open-file limit ${softNofile} < ${needNofile} and prlimit failed: raise it (ulimit -n) for the idle part`);
    }
  }

  // --- payloads: pull_request examples, copy i for delivery i: every delivery its own pull request ---
  const template = (payload) => shiftingTemplate(payload, [["pull_request", "id"], ["pull_request", "number"]], SHIFT);
  const prExamples = require("@octokit/webhooks-examples").find((e) => e.name === "pull_request").examples;
  if (prExamples.some((p) => p.pull_request.number >= SHIFT)) throw new Error("a pull_request example's number is >= SHIFT");
  const templates = prExamples.map(template);
  // GUIDs whose last 12 hex digits are the delivery's index, so a client finds it without a map.
  const guid = (i) => `${NONCE}-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
  function delivery(i) {
    const body = templates[i % templates.length](i);
    return { event: "pull_request", body, signature: sign(body), id: guid(i) };
  }

  // --- server --------------------------------------------------------------------------------------
  // Servers (and wrk) still running are stopped, by pid, if this script is interrupted.
  const children = new Set();
  for (const sig of ["SIGINT", "SIGTERM"]) {
    process.on(sig, () => {
      for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");  // wrk's `timeout` passes it on
      try { rmSync(work, { recursive: true, force: true }); } catch {}
      process.exit(sig === "SIGINT" ? 130 : 143);
    });
  }
  const { sign, get, post, startServer, stopServer } = forgehookServers({ bin: BIN, secret: SECRET, token: TOKEN,
    connections: CONNECTIONS, children });
  const procStatus = (s, key) => Number(readFileSync(`/proc/${s.child.pid}/status`, "utf8").match(new RegExp(`^${key}:\\s+(\\d+)`, "m"))[1]);
  async function metric(s, name) {
    const { body } = await get(s, "/metrics");
    let n = 0;
    for (const m of body.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)`, "gm"))) n += Number(m[1]);
    return n;
  }
  async function waitFor(fn, limitMs, stepMs = 20) {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const v = await fn();
      if (v) return true;
      if (Date.now() > deadline) return false;
      await sleep(stepMs);
    }
  }
  const newestSeq = async (s) => JSON.parse((await get(s, "/api/v1/changes?after=0&limit=1")).body).newest_seq;
  // Every change record after `after` with the filter, paged through GET /api/v1/changes.
  async function feed(s, after, resource) {
    const out = [];
    for (;;) {
      const page = JSON.parse((await get(s, `/api/v1/changes?after=${after}&limit=1000${resource ? "&resource=" + resource : ""}`)).body);
      out.push(...page.changes);
      if (page.changes.length === 0 || page.next_after >= page.newest_seq || page.next_after <= after) return out;
      after = page.next_after;
    }
  }

  // --- clients (the worker) --------------------------------------------------------------------------
  const worker = new Worker(new URL(import.meta.url));
  const ask = (msg) => new Promise((resolve) => { worker.once("message", resolve); worker.postMessage(msg); });
  const connectClients = (s, n, o) => ask({ cmd: "connect", n, batch: o.batch, opts: { base: s.base, token: TOKEN, ...o } });
  const progress = () => ask({ cmd: "progress" });
  const closeClients = () => ask({ cmd: "close" });
  async function waitStreams(s, n, limitMs = 20000) {
    return waitFor(async () => (await metric(s, "forgehook_streams_open")) >= n, limitMs, 50);
  }

  // Open loop: request i is due at t0 + i / RATE whatever the server's speed.
  async function sendSteady(s, total) {
    const sentAt = new Float64Array(total).fill(NaN), ackAt = new Float64Array(total).fill(NaN);
    const codes = {};
    const pending = [];
    const t0 = performance.now();
    let sent = 0, maxBehind = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * RATE) + 1);
      maxBehind = Math.max(maxBehind, due - sent);
      for (; sent < due; sent++) {
        const i = sent, d = delivery(i);
        sentAt[i] = now();
        pending.push(post(s, d).then((code) => {
          codes[code] = (codes[code] || 0) + 1;
          if (code === 200) ackAt[i] = now();
        }));
      }
      await sleep(1);
    }
    await Promise.all(pending);
    return { sentAt, ackAt, codes, sendSeconds: (performance.now() - t0) / 1000, maxBehind };
  }

  const tmpRoot = env("BENCH_LIVE_TMP", "bench/results/tmp");
  mkdirSync(tmpRoot, { recursive: true });
  const work = mkdtempSync(path.join(tmpRoot, "live."));

  // --- latency -------------------------------------------------------------------------------------
  async function latencyRun(mode, CLIENTS) {
    const query = mode === "pulls" ? "resource=pulls" : "resource=deliveries&action=created";
    const total = Math.round(RATE * SECONDS);
    const dataDir = path.join(work, `latency-${mode}-${CLIENTS}`);
    log(`latency/${mode}: ${CLIENTS} WebSocket clients (${query}), ${RATE} deliveries/s for ${SECONDS} s`);
    const s = await startServer(dataDir);
    const after = await newestSeq(s);
    const conn = await connectClients(s, CLIENTS, { query, kind: "ws", mode, total, after });
    const allOpen = await waitStreams(s, CLIENTS);
    await sleep(500);  // the subscriptions are made on the server's blocking pool after the handshake
    const cpu0 = cpuSeconds(s.child.pid), myCpu0 = process.cpuUsage();
    const send = await sendSteady(s, total);
    const cpu = cpuSeconds(s.child.pid) - cpu0, myCpu = process.cpuUsage(myCpu0);
    const accepted = send.codes[200] || 0;
    // Then wait for the pipeline and for every client to have the feed's newest matching change.
    await waitFor(async () => (await metric(s, "forgehook_processed_total")) >= accepted, 60000, 50);
    const expected = (await feed(s, after, mode === "pulls" ? "pulls" : "deliveries"))
      .filter((c) => mode === "pulls" || c.action === "created");
    const lastExpected = expected.at(-1)?.seq ?? after;
    const caughtUp = await waitFor(async () => (await progress()).minSeq >= lastExpected, 30000, 50);
    const rssKb = procStatus(s, "VmRSS");
    const got = await closeClients();
    await stopServer(s);

    // Which deliveries the expected changes name (the first change naming each).
    // Where the time goes: the change's commit time (`at`, the server's clock, the same machine's)
    // splits accepted→received into accepted→committed (intake, and for pulls the pipeline) and
    // committed→received (the hub and the streams).
    const named = new Set();
    const committedAt = new Map();
    for (const c of expected) {
      const i = mode === "pulls" ? Math.floor(c.data.number / SHIFT) : parseInt(c.data.delivery_id.slice(24), 16);
      named.add(i);
      if (!committedAt.has(i)) committedAt.set(i, Date.parse(c.at));
    }
    const fromSend = [], fromAck = [], fromCommit = [], ackToCommit = [];
    for (const [i, at] of committedAt) if (!Number.isNaN(send.ackAt[i])) ackToCommit.push(at - send.ackAt[i]);
    ackToCommit.sort((a, b) => a - b);
    let pairs = 0, missingPairs = 0;
    for (let c = 0; c < CLIENTS; c++) {
      for (const i of named) {
        const t = got.recv[c * total + i];
        if (Number.isNaN(t)) { missingPairs++; continue; }
        pairs++;
        fromSend.push(t - send.sentAt[i]);
        if (!Number.isNaN(send.ackAt[i])) fromAck.push(t - send.ackAt[i]);
        fromCommit.push(t - committedAt.get(i));
      }
    }
    fromCommit.sort((a, b) => a - b);
    fromSend.sort((a, b) => a - b);
    fromAck.sort((a, b) => a - b);
    const ack = [];
    for (let i = 0; i < total; i++) if (!Number.isNaN(send.ackAt[i])) ack.push(send.ackAt[i] - send.sentAt[i]);
    ack.sort((a, b) => a - b);
    const summary = (a) => ({ count: a.length, p50: pct(a, 50), p90: pct(a, 90), p99: pct(a, 99), max: a.at(-1) ?? null,
      negative: a.filter((x) => x < 0).length });
    const perClient = got.clients.map((c) => c.messages);
    const result = {
      mode, query, rate: RATE, seconds: SECONDS, clients: CLIENTS, connected: conn.connected, all_streams_open: allOpen,
      sent: total, send_seconds: send.sendSeconds, send_status_counts: send.codes, max_requests_due_at_once: send.maxBehind,
      expected_changes: expected.length, deliveries_named: named.size,
      changes_received_per_client: { min: Math.min(...perClient), max: Math.max(...perClient) },
      missing_pairs: missingPairs, missing_changes: got.clients.reduce((n, c) => n + Math.max(0, expected.length - c.messages), 0),
      out_of_order: got.clients.reduce((n, c) => n + c.outOfOrder, 0), caught_up: caughtUp,
      reconnects: got.stats.reconnects, close_codes: got.stats.closes,
      latency_from_send_ms: summary(fromSend), latency_from_accepted_ms: summary(fromAck), ack_ms: summary(ack),
      accepted_to_committed_ms: summary(ackToCommit), committed_to_received_ms: summary(fromCommit),
      server_cpu_seconds: cpu, server_cpu_share: cpu / send.sendSeconds,
      bench_process_cpu_share: (myCpu.user + myCpu.system) / 1e6 / send.sendSeconds, server_rss_kb_at_end: rssKb,
    };
    log(`latency/${mode}: accepted→received p50 ${result.latency_from_accepted_ms.p50?.toFixed(2)} ms, ` +
      `p99 ${result.latency_from_accepted_ms.p99?.toFixed(2)} ms over ${pairs} pairs; missing ${missingPairs}; ` +
      `accepted→committed p99 ${result.accepted_to_committed_ms.p99?.toFixed(2)} ms, ` +
      `committed→received p50 ${result.committed_to_received_ms.p50?.toFixed(2)} p99 ${result.committed_to_received_ms.p99?.toFixed(2)} ms`);
    return result;
  }

  // --- idle memory ---------------------------------------------------------------------------------
  async function idleRun(kind) {
    const dataDir = path.join(work, `idle-${kind}`);
    log(`idle/${kind}: ${IDLE_CLIENTS} idle clients`);
    const s = await startServer(dataDir);
    await get(s, "/metrics");  // warm the paths the measurement uses
    await sleep(1000);
    const before = procStatus(s, "VmRSS");
    const t0 = performance.now();
    const conn = await connectClients(s, IDLE_CLIENTS, { query: "", kind, mode: "count", total: 0, batch: 50 });
    const connectSeconds = (performance.now() - t0) / 1000;
    const allOpen = await waitStreams(s, IDLE_CLIENTS, 30000);
    const open = await metric(s, "forgehook_streams_open");
    await sleep(2000);
    const after = procStatus(s, "VmRSS");
    const hwm = procStatus(s, "VmHWM");
    // One more than the limit: refused while the others are open (server.max_streams, 1000 by default).
    let extraStatus = null;
    if (IDLE_CLIENTS === 1000) {
      extraStatus = await new Promise((resolve) => {
        const req = http.get({ host: s.host, port: s.port, path: "/api/v1/events", agent: false,
          headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => { resolve(res.statusCode); req.destroy(); });
        req.on("error", () => resolve(0));
      });
    }
    await closeClients();
    await stopServer(s);
    const result = { kind, clients: IDLE_CLIENTS, connected: conn.connected, failed: conn.failed, streams_open: open,
      all_streams_open: allOpen, connect_seconds: connectSeconds, rss_before_kb: before, rss_after_kb: after,
      vm_hwm_kb: hwm, per_client_kb: (after - before) / IDLE_CLIENTS, one_more_status: extraStatus };
    log(`idle/${kind}: ${open} open, RSS ${before} → ${after} kB, ${result.per_client_kb.toFixed(1)} kB per client`);
    return result;
  }

  // --- fan-out -------------------------------------------------------------------------------------
  async function fanoutRun() {
    const dataDir = path.join(work, "fanout");
    log(`fanout: accepting ${BACKLOG} deliveries with the pipeline off`);
    let s = await startServer(dataDir, { FORGEHOOK_PIPELINE_ENABLED: "false" });
    let next = 0, accepted = 0;
    const codes = {};
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      while (next < BACKLOG) {
        const code = await post(s, delivery(next++));
        codes[code] = (codes[code] || 0) + 1;
        if (code === 200) accepted++;
      }
    }));
    const after = await newestSeq(s);
    await stopServer(s);
    log(`fanout: ${accepted} accepted (${JSON.stringify(codes)}), feed at seq ${after}; restarting with the pipeline on ` +
      `and ${CLIENTS} clients following from seq ${after}`);
    const t0 = now();
    s = await startServer(dataDir);
    const cpu0 = cpuSeconds(s.child.pid);
    const conn = await connectClients(s, CLIENTS, { query: "", kind: "ws", mode: "count", total: 0, after });
    const drained = await waitFor(async () => (await metric(s, "forgehook_processed_total")) >= accepted, 300000, 50);
    const drainedAt = now();
    const newest = await newestSeq(s);
    const caughtUp = await waitFor(async () => (await progress()).minSeq >= newest, 300000, 50);
    const cpu = cpuSeconds(s.child.pid) - cpu0;
    const rssKb = procStatus(s, "VmRSS"), hwmKb = procStatus(s, "VmHWM");
    const got = await closeClients();
    await stopServer(s);
    const messages = got.clients.reduce((n, c) => n + c.messages, 0);
    const first = Math.min(...got.clients.map((c) => c.firstAt ?? Infinity));
    const last = Math.max(...got.clients.map((c) => c.lastAt ?? -Infinity));
    const seconds = (last - first) / 1000;
    const result = {
      backlog: BACKLOG, accepted, send_status_counts: codes, after, newest_seq: newest, changes: newest - after,
      clients: CLIENTS, connected: conn.connected, drained, pipeline_drain_seconds: (drainedAt - t0) / 1000,
      caught_up: caughtUp, messages, expected_messages: CLIENTS * (newest - after), seconds,
      messages_per_second: messages / seconds, per_client_messages_per_second: messages / seconds / CLIENTS,
      reconnects: got.stats.reconnects, close_codes: got.stats.closes,
      out_of_order: got.clients.reduce((n, c) => n + c.outOfOrder, 0),
      server_cpu_seconds: cpu, server_rss_kb_at_end: rssKb, server_vm_hwm_kb: hwmKb,
    };
    log(`fanout: ${messages} messages in ${seconds.toFixed(2)} s = ${result.messages_per_second.toFixed(0)}/s; ` +
      `${result.reconnects} reconnects`);
    return result;
  }

  // --- ingest with clients -------------------------------------------------------------------------
  const wrkBody = JSON.stringify(prExamples[0]);  // = bench/lib/payloads.mjs's 21k
  const wrkBodyFile = path.join(work, "21k.json");
  writeFileSync(wrkBodyFile, wrkBody);
  const wrkArgs = (url) => ["-t2", `-c${CONNECTIONS}`, `-d${WRK_DURATION}`, "--timeout", "10s", "--latency",
    "-s", "bench/wrk/github.lua", url];
  function runWrk(url) {
    return new Promise((resolve) => {
      const child = spawn("timeout", ["--kill-after=5", String(parseInt(WRK_DURATION, 10) * (WRK_DURATION.endsWith("m") ? 60 : 1) + 30),
        "wrk", ...wrkArgs(url)], {
        env: { ...process.env, BENCH_BODY_FILE: wrkBodyFile, BENCH_SIGNATURE: sign(wrkBody), BENCH_EVENT: "pull_request",
          BENCH_HOOK_ID: "424242", BENCH_RUN_NONCE: randomBytes(4).toString("hex") },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.add(child);
      let outText = "";
      child.stdout.on("data", (d) => (outText += d));
      child.stderr.on("data", (d) => (outText += d));
      child.on("exit", () => {
        children.delete(child);
        const line = outText.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
        resolve(line ? JSON.parse(line.slice(13)) : { error: outText.slice(-2000) });
      });
    });
  }
  async function ingestRun(label, query) {
    const dataDir = path.join(work, `ingest-${label}`);
    const s = await startServer(dataDir);
    let conn = null;
    if (query !== null) {
      conn = await connectClients(s, CLIENTS, { query, kind: "ws", mode: "count", total: 0, after: await newestSeq(s) });
      await waitStreams(s, CLIENTS);
      await sleep(500);
    }
    log(`ingest/${label}: wrk ${wrkArgs("URL").join(" ")}`);
    const cpu0 = cpuSeconds(s.child.pid);
    const wrk = await runWrk(`http://${s.base}/webhooks/github`);
    const cpu = cpuSeconds(s.child.pid) - cpu0;
    const streamsOpen = await metric(s, "forgehook_streams_open");
    const processed = await metric(s, "forgehook_processed_total");
    const hwmKb = procStatus(s, "VmHWM");
    const got = query !== null ? await closeClients() : null;
    await stopServer(s);
    const result = {
      label, clients: query === null ? 0 : CLIENTS, query, connected: conn?.connected ?? 0, wrk,
      requests_per_second: wrk.requests_per_s ?? null, server_cpu_seconds: cpu, streams_open_after: streamsOpen,
      processed_when_wrk_stopped: processed, server_vm_hwm_kb: hwmKb,
      messages_received: got ? got.clients.reduce((n, c) => n + c.messages, 0) : 0,
      reconnects: got?.stats.reconnects ?? 0, close_codes: got?.stats.closes ?? {},
    };
    log(`ingest/${label}: ${result.requests_per_second?.toFixed(0)} req/s, ${result.messages_received} messages to clients, ` +
      `${result.reconnects} reconnects`);
    return result;
  }

  const report = {
    started_at: startedAt,
    machine: { nproc: os.cpus().length, cpu_model: os.cpus()[0]?.model, loadavg_at_start: loadAtStart,
      open_files_limit: softNofile },
    forgehook: `${path.relative(process.cwd(), path.resolve(BIN))}, sha256 ${execFileSync("sha256sum", [BIN], { encoding: "utf8" }).slice(0, 12)}`,
    payloads: { source: `@octokit/webhooks-examples ${require("@octokit/webhooks-examples/package.json").version}`,
      pull_request_examples: templates.length },
    settings: { parts: PARTS, clients: CLIENTS, rate: RATE, seconds: SECONDS, idle_clients: IDLE_CLIENTS, backlog: BACKLOG,
      wrk_duration: WRK_DURATION, connections: CONNECTIONS },
  };
  try {
    if (PARTS.includes("latency")) {
      report.latency = { pulls: await latencyRun("pulls", CLIENTS), deliveries: await latencyRun("deliveries", CLIENTS),
        pulls_one_client: await latencyRun("pulls", 1) };
    }
    if (PARTS.includes("idle")) report.idle = { websocket: await idleRun("ws"), sse: await idleRun("sse") };
    if (PARTS.includes("fanout")) report.fanout = await fanoutRun();
    if (PARTS.includes("ingest")) {
      const none = await ingestRun("no-clients", null);
      const all = await ingestRun("clients-all", "");
      const pulls = await ingestRun("clients-pulls", "resource=pulls");
      report.ingest = { without_clients: none, with_clients_all: all, with_clients_pulls: pulls,
        ratio_all: all.requests_per_second / none.requests_per_second,
        ratio_pulls: pulls.requests_per_second / none.requests_per_second };
    }
  } finally {
    await worker.terminate();
    rmSync(work, { recursive: true, force: true });
  }
  report.finished_at = new Date().toISOString();

  // --- report --------------------------------------------------------------------------------------
  const f = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));
  const met = (ok) => (ok ? "met" : "**not met**");
  const md = [
    "# forgehook live streams benchmark",
    "",
    `${report.started_at} → ${report.finished_at}; ${report.machine.nproc} cores, ${report.machine.cpu_model}; load average at ` +
      `start ${loadAtStart.join(" ")}; open-file limit ${softNofile}. Command: \`node bench/live.mjs\` (from \`bench/run.sh\`). ` +
      `Clients: the \`ws\` package in a worker thread of the benchmark process, on the same 2 cores as the server.`,
    "",
  ];
  if (report.latency) {
    const { pulls: lp, deliveries: ld, pulls_one_client: l1 } = report.latency;
    md.push(`## Latency: ${CLIENTS} WebSocket clients, ${RATE} deliveries/s for ${SECONDS} s`, "",
      "Each delivery is a distinct pull request (`pull_request` examples, number and id shifted per delivery). " +
        "Latency per (delivery, client) pair, to the moment the client's `ws` fired the message.", "",
      "| clients | change the clients wait for | pairs | from 200 received: p50 / p90 / p99 / max ms | from request sent: p50 / p99 ms | missing | target p99 ≤ 50 ms |",
      "|---:|---|---:|---:|---:|---:|---|");
    for (const r of [lp, ld, l1]) {
      const a = r.latency_from_accepted_ms, sdt = r.latency_from_send_ms;
      md.push(`| ${r.clients} | \`${r.query}\` (${r.mode === "pulls" ? "the pull request as processed" : "the delivery as stored"}) | ` +
        `${a.count} | ${f(a.p50, 2)} / ${f(a.p90, 2)} / ${f(a.p99, 2)} / ${f(a.max, 2)} | ${f(sdt.p50, 2)} / ${f(sdt.p99, 2)} | ` +
        `${r.missing_pairs} | ${met(a.p99 !== null && a.p99 <= 50)} |`);
    }
    md.push("", `Changes per client: pulls ${lp.changes_received_per_client.min}–${lp.changes_received_per_client.max} of ${lp.expected_changes}; ` +
      `deliveries ${ld.changes_received_per_client.min}–${ld.changes_received_per_client.max} of ${ld.expected_changes}. ` +
      `Reconnects: ${lp.reconnects} / ${ld.reconnects}. Sent: ${JSON.stringify(lp.send_status_counts)} / ${JSON.stringify(ld.send_status_counts)}. ` +
      `Server CPU while sending: ${f(100 * lp.server_cpu_share)} % / ${f(100 * ld.server_cpu_share)} % of one core; ` +
      `benchmark process (sender + clients): ${f(100 * lp.bench_process_cpu_share)} % / ${f(100 * ld.bench_process_cpu_share)} %. ` +
      `Negative "from 200" values (the change arrived before the 200): ${lp.latency_from_accepted_ms.negative} / ${ld.latency_from_accepted_ms.negative}. ` +
      `Ack (200) latency from send, p99: ${f(lp.ack_ms.p99, 2)} / ${f(ld.ack_ms.p99, 2)} ms with ${CLIENTS} clients, ${f(l1.ack_ms.p99, 2)} ms with 1.`, "");
  }
  if (report.idle) {
    md.push(`## Memory per idle client (${IDLE_CLIENTS} clients)`, "",
      "| kind | open | VmRSS before → after | per client | target ≤ 20 KB |", "|---|---:|---:|---:|---|");
    for (const r of [report.idle.websocket, report.idle.sse]) {
      md.push(`| ${r.kind === "ws" ? "WebSocket" : "SSE"} | ${r.streams_open} | ${f(r.rss_before_kb / 1024, 1)} → ${f(r.rss_after_kb / 1024, 1)} MB | ` +
        `**${f(r.per_client_kb, 1)} KB** | ${met(r.per_client_kb <= 20)} |`);
    }
    md.push("", `\`server.max_streams\` is 1000 by default: ${IDLE_CLIENTS === 1000 ? `one more stream was answered ${report.idle.sse.one_more_status} (SSE run), ${report.idle.websocket.one_more_status} (WebSocket run)` : "n/a"}.`, "");
  }
  if (report.fanout) {
    const r = report.fanout;
    md.push(`## Fan-out: ${CLIENTS} WebSocket clients (no filter) while the pipeline drains ${r.accepted} deliveries`, "",
      `${r.changes} changes (seq ${r.after + 1}–${r.newest_seq}) to ${CLIENTS} clients: **${f(r.messages_per_second)} messages/s** ` +
        `(${r.messages} of ${r.expected_messages} in ${f(r.seconds, 2)} s, ${f(r.per_client_messages_per_second)}/s per client); ` +
        `pipeline drained in ${f(r.pipeline_drain_seconds, 2)} s from the restart; reconnects after a drop ${r.reconnects} ` +
        `(close codes ${JSON.stringify(r.close_codes)}); out of order ${r.out_of_order}; server CPU ${f(r.server_cpu_seconds, 1)} s; peak RSS ${f(r.server_vm_hwm_kb / 1024, 1)} MB.`, "");
  }
  if (report.ingest) {
    const r = report.ingest;
    md.push(`## Ingest with clients connected (wrk -t2 -c${CONNECTIONS} -d${WRK_DURATION}, 21 KB pull_request.opened)`, "",
      "| clients | req/s | p99 ms | ratio | messages to clients | reconnects | target drop ≤ 10 % |", "|---|---:|---:|---:|---:|---:|---|",
      `| none | ${f(r.without_clients.requests_per_second)} | ${f(r.without_clients.wrk.latency_ms?.p99, 2)} | 1.00 | | | |`,
      `| ${CLIENTS}, no filter | ${f(r.with_clients_all.requests_per_second)} | ${f(r.with_clients_all.wrk.latency_ms?.p99, 2)} | ${f(r.ratio_all, 2)} | ` +
        `${r.with_clients_all.messages_received} | ${r.with_clients_all.reconnects} | ${met(r.ratio_all >= 0.9)} |`,
      `| ${CLIENTS}, \`resource=pulls\` | ${f(r.with_clients_pulls.requests_per_second)} | ${f(r.with_clients_pulls.wrk.latency_ms?.p99, 2)} | ${f(r.ratio_pulls, 2)} | ` +
        `${r.with_clients_pulls.messages_received} | ${r.with_clients_pulls.reconnects} | ${met(r.ratio_pulls >= 0.9)} |`, "");
  }
  writeFileSync(`${out}.json.tmp`, JSON.stringify(report, null, 2) + "\n");
  renameSync(`${out}.json.tmp`, `${out}.json`);
  writeFileSync(`${out}.md.tmp`, md.join("\n"));
  renameSync(`${out}.md.tmp`, `${out}.md`);
  log(`wrote ${out}.json and ${out}.md`);
}
