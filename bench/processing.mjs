// Processing benchmark (issue "Pipeline and activity model"): how fast forgehook turns accepted
// deliveries into committed projections. Two measurements, each on a fresh server and data dir:
//
//   backlog  deliveries accepted with the pipeline off (pipeline.enabled=false), then the server is
//            restarted with it on and timed until every delivery is processed: deliveries/s with
//            their projections committed.
//   steady   an open-loop sender at a fixed rate (default 2,000 deliveries/s) with the pipeline on;
//            accept-to-projection latency of every delivery is read from the database afterwards
//            (deliveries.processed_at - deliveries.received_at, both written by the server, in µs).
//
// Payloads: bench/lib/example_deliveries.mjs (every example of @octokit/webhooks-examples, cycled,
// resource ids shifted per copy, each signed as GitHub signs it with a fresh X-GitHub-Delivery).
//
// Usage: node bench/processing.mjs OUT_PREFIX   (writes OUT_PREFIX.json and OUT_PREFIX.md)
// Environment: BENCH_FORGEHOOK_BIN (build/forgehook), BENCH_PROCESSING_BACKLOG (30000),
//   BENCH_PROCESSING_RATE (2000), BENCH_PROCESSING_SECONDS (10), BENCH_PROCESSING_CONNECTIONS (32),
//   BENCH_PROCESSING_TMP (bench/results/tmp: where the data dirs live, removed afterwards).
// Needs the sqlite3 CLI (scripts/install-deps.sh bench). Only 127.0.0.1 is contacted.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { exampleDeliveries } from "./lib/example_deliveries.mjs";
import { cpuSeconds, forgehookServers, pct } from "./lib/forgehook_server.mjs";

const out = process.argv[2];
if (!out) {
  console.error("usage: node bench/processing.mjs OUT_PREFIX");
  process.exit(2);
}
const env = (name, fallback) => process.env[name] || fallback;
const BIN = env("BENCH_FORGEHOOK_BIN", "build/forgehook");
const BACKLOG = Number(env("BENCH_PROCESSING_BACKLOG", "30000"));
const RATE = Number(env("BENCH_PROCESSING_RATE", "2000"));
const SECONDS = Number(env("BENCH_PROCESSING_SECONDS", "10"));
const CONNECTIONS = Number(env("BENCH_PROCESSING_CONNECTIONS", "32"));
for (const [k, v] of Object.entries({ BACKLOG, RATE, SECONDS, CONNECTIONS })) {
  if (!Number.isFinite(v) || v <= 0) { console.error(`processing: ${k} must be a positive number`); process.exit(2); }
}
if (!existsSync(BIN)) { console.error(`processing: ${BIN} not found (this script never builds)`); process.exit(1); }

const startedAt = new Date().toISOString();
const loadAtStart = os.loadavg().map((x) => +x.toFixed(2));
const log = (msg) => console.error(`[processing ${new Date().toTimeString().slice(0, 8)}] ${msg}`);
const SECRET = randomBytes(16).toString("hex");
const TOKEN = randomBytes(24).toString("hex");

// --- server ------------------------------------------------------------------------------------
const { sign, get, post, startServer: startWith, stopServer } = forgehookServers({ bin: BIN, secret: SECRET, token: TOKEN,
  connections: CONNECTIONS });
const payloads = exampleDeliveries(sign);
const delivery = payloads.delivery;
const startServer = (dataDir, pipelineEnabled) => startWith(dataDir, { FORGEHOOK_PIPELINE_ENABLED: String(pipelineEnabled) });
async function processedCount(s) {
  const { body } = await get(s, "/metrics");
  let n = 0;
  for (const m of body.matchAll(/^forgehook_processed_total\{outcome="(\w+)"\} (\d+)/gm)) n += Number(m[2]);
  return n;
}
async function waitProcessed(s, want, limitMs) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const n = await processedCount(s);
    if (n >= want) return { n, at: performance.now() };
    if (Date.now() > deadline) return { n, at: performance.now(), timedOut: true };
    await sleep(10);
  }
}
function sql(dataDir, query) {
  return execFileSync("sqlite3", ["-readonly", "-separator", "\t", path.join(dataDir, "forgehook.db"), query],
    { encoding: "utf8", maxBuffer: 256 << 20 }).trim();
}
function statuses(dataDir) {
  return Object.fromEntries(sql(dataDir, "SELECT status, count(*) FROM deliveries GROUP BY status")
    .split("\n").filter(Boolean).map((l) => { const [k, v] = l.split("\t"); return [k, Number(v)]; }));
}

// --- backlog -----------------------------------------------------------------------------------
async function backlogRun(work) {
  const dataDir = path.join(work, "backlog");
  log(`backlog: accepting ${BACKLOG} deliveries with the pipeline off`);
  let s = await startServer(dataDir, false);
  let next = 0, accepted = 0;
  const codes = {};
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (next < BACKLOG) {
      const code = await post(s, delivery(next++));
      codes[code] = (codes[code] || 0) + 1;
      if (code === 200) accepted++;
    }
  }));
  await stopServer(s);
  log(`backlog: ${accepted} accepted (${JSON.stringify(codes)}); restarting with the pipeline on`);
  s = await startServer(dataDir, true);
  const t0 = performance.now(), cpu0 = cpuSeconds(s.child.pid);
  const atStart = await processedCount(s);
  const end = await waitProcessed(s, accepted, 300000);
  const cpu = cpuSeconds(s.child.pid) - cpu0;
  await stopServer(s);
  const seconds = (end.at - t0) / 1000;
  const result = {
    accepted, send_status_counts: codes, processed_before_timing: atStart, processed: end.n, seconds,
    deliveries_per_second: (end.n - atStart) / seconds, server_cpu_seconds: cpu,
    timed_out: !!end.timedOut, final_statuses: statuses(dataDir),
    activity_rows: Number(sql(dataDir, "SELECT count(*) FROM activity")),
    pull_request_rows: Number(sql(dataDir, "SELECT count(*) FROM pulls")),
  };
  log(`backlog: ${result.deliveries_per_second.toFixed(0)} deliveries/s (${end.n - atStart} in ${seconds.toFixed(2)} s)`);
  return result;
}

// --- steady ------------------------------------------------------------------------------------
async function steadyRun(work) {
  const dataDir = path.join(work, "steady");
  const total = Math.round(RATE * SECONDS);
  log(`steady: ${RATE} deliveries/s for ${SECONDS} s (${total}), pipeline on`);
  const s = await startServer(dataDir, true);
  const cpu0 = cpuSeconds(s.child.pid);
  const ackMs = [];
  const codes = {};
  const pending = [];
  const t0 = performance.now();
  let sent = 0, maxBehind = 0;
  // Open loop: whatever the server's speed, request i is due at t0 + i / RATE. The latency of an
  // answer is measured from when its request was due, so a stalled server cannot hide its stalls.
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * RATE) + 1);
    maxBehind = Math.max(maxBehind, due - sent);
    for (; sent < due; sent++) {
      const scheduled = t0 + (sent / RATE) * 1000;
      pending.push(post(s, delivery(sent)).then((code) => {
        codes[code] = (codes[code] || 0) + 1;
        if (code === 200) ackMs.push(performance.now() - scheduled);
      }));
    }
    await sleep(1);
  }
  await Promise.all(pending);
  const sendSeconds = (performance.now() - t0) / 1000;
  const cpuWhileSending = cpuSeconds(s.child.pid) - cpu0;  // before the drain wait and its /metrics polling
  const accepted = codes[200] || 0;
  const end = await waitProcessed(s, accepted, 60000);
  await stopServer(s);
  const lat = sql(dataDir, "SELECT processed_at - received_at FROM deliveries WHERE status = 'processed' ORDER BY 1")
    .split("\n").filter(Boolean).map((v) => Number(v) / 1000);
  ackMs.sort((a, b) => a - b);
  const result = {
    rate: RATE, seconds: SECONDS, sent, send_seconds: sendSeconds, send_status_counts: codes,
    max_requests_due_at_once: maxBehind, processed: end.n, timed_out: !!end.timedOut,
    final_statuses: statuses(dataDir), server_cpu_seconds: cpuWhileSending, server_cpu_share: cpuWhileSending / sendSeconds,
    accept_to_projection_ms: { count: lat.length, p50: pct(lat, 50), p90: pct(lat, 90), p99: pct(lat, 99), max: lat.at(-1) },
    ack_ms: { count: ackMs.length, p50: pct(ackMs, 50), p99: pct(ackMs, 99), max: ackMs.at(-1) },
  };
  log(`steady: accept-to-projection p50 ${result.accept_to_projection_ms.p50?.toFixed(2)} ms, ` +
    `p99 ${result.accept_to_projection_ms.p99?.toFixed(2)} ms`);
  return result;
}

// --- report ------------------------------------------------------------------------------------
// Data dirs on the same disk as bench/run.sh's, so fsync costs the same in both reports.
const tmpRoot = env("BENCH_PROCESSING_TMP", "bench/results/tmp");
mkdirSync(tmpRoot, { recursive: true });
const work = mkdtempSync(path.join(tmpRoot, "processing."));
let backlog, steady;
try {
  backlog = await backlogRun(work);
  steady = await steadyRun(work);
} finally {
  rmSync(work, { recursive: true, force: true });
}
const report = {
  started_at: startedAt,
  finished_at: new Date().toISOString(),
  machine: { nproc: os.cpus().length, cpu_model: os.cpus()[0]?.model, loadavg_at_start: loadAtStart },
  // The binary by its path relative to the checkout, never this machine's absolute path.
  forgehook: `${path.relative(process.cwd(), path.resolve(BIN))}, sha256 ${execFileSync("sha256sum", [BIN], { encoding: "utf8" }).slice(0, 12)}`,
  payloads: { examples: payloads.examples, events: payloads.events, source: payloads.source },
  settings: { backlog: BACKLOG, rate: RATE, seconds: SECONDS, connections: CONNECTIONS },
  backlog, steady,
};
const f = (x, d = 0) => (x === null || x === undefined ? "–" : x.toFixed(d));
const md = [
  "# forgehook processing benchmark",
  "",
  `${report.started_at} → ${report.finished_at}; ${report.machine.nproc} cores, ${report.machine.cpu_model}; load ` +
    `average at start ${report.machine.loadavg_at_start.join(" ")}. Payloads: all ${report.payloads.examples} examples (${report.payloads.events} ` +
    `events) of ${report.payloads.source}, cycled, resource ids shifted per copy. Command: \`node bench/processing.mjs\`.`,
  "",
  "| measurement | result | target |",
  "|---|---:|---:|",
  `| backlog of ${backlog.accepted} deliveries drained | ${f(backlog.deliveries_per_second)} deliveries/s ` +
    `(${f(backlog.seconds, 2)} s, server CPU ${f(backlog.server_cpu_seconds, 1)} s) | ≥ 5,000/s |`,
  `| accept → projection at ${RATE}/s for ${SECONDS} s, p50 | ${f(steady.accept_to_projection_ms.p50, 2)} ms | |`,
  `| accept → projection, p99 | ${f(steady.accept_to_projection_ms.p99, 2)} ms | ≤ 100 ms |`,
  `| accept → projection, max | ${f(steady.accept_to_projection_ms.max, 2)} ms | |`,
  `| delivery acknowledged (client, from due time), p50 / p99 | ${f(steady.ack_ms.p50, 2)} / ${f(steady.ack_ms.p99, 2)} ms | |`,
  `| server CPU while steady | ${f(100 * steady.server_cpu_share, 0)} % of one core | |`,
  "",
  `Final delivery statuses: backlog ${JSON.stringify(backlog.final_statuses)}, steady ${JSON.stringify(steady.final_statuses)}; ` +
    `sent at steady rate: ${JSON.stringify(steady.send_status_counts)}.`,
  "",
];
writeFileSync(`${out}.json.tmp`, JSON.stringify(report, null, 2) + "\n");
renameSync(`${out}.json.tmp`, `${out}.json`);
writeFileSync(`${out}.md.tmp`, md.join("\n"));
renameSync(`${out}.md.tmp`, `${out}.md`);
log(`wrote ${out}.json and ${out}.md`);
