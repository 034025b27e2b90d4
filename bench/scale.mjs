// Scale benchmark (issue "scale benchmark"): forgehook with N stored deliveries (default 10,000,000)
// over 2,000 repositories and a year. Steps, on one fresh data dir:
//
//   generate  build/forgehook-scalegen writes the deliveries through the store's delivery log
//             (GitHub's examples with shifted ids, numbers, repositories and times; see its header)
//   process   forgehook serve processes the whole backlog into the model: deliveries/s
//   queries   p50/p99 of each list and metrics endpoint with its common filters, R requests each
//             (one client, one request at a time, keep-alive), filters varied per request
//   size      bytes on disk per delivery (database + log), RSS of the server (now and peak)
//   rebuild   POST /api/v1/rebuild, timed until every delivery is processed again: deliveries/s
//   prune     POST /api/v1/deliveries/prune dry run for bodies older than 180 days: time and counts
//
// Usage: node bench/scale.mjs OUT_PREFIX   (writes OUT_PREFIX.json and OUT_PREFIX.md; with
//   SCALE_WRITE_DOC=1 also the marked section of docs/PERFORMANCE.md)
// Environment: SCALE_DELIVERIES (10000000), SCALE_REPOSITORIES (2000), SCALE_REQUESTS (200 per
//   endpoint), SCALE_DATA_DIR (bench/results/tmp/scale-data-N, one per size: a 1 M run must not
//   replace a kept 10 M one; removed before generating, and afterwards unless SCALE_KEEP=1),
//   SCALE_REUSE=1 (measure an existing SCALE_DATA_DIR: no generation, no processing wait),
//   SCALE_REBUILD=0 (no rebuild), SCALE_PRUNE=1 (last, prune the bodies older than 180 days while
//   deliveries arrive at 100/s, timing intake: this changes the data dir),
//   BENCH_FORGEHOOK_BIN (build/forgehook). Only 127.0.0.1 is contacted.
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cpuSeconds, forgehookServers, pct } from "./lib/forgehook_server.mjs";

const out = process.argv[2];
if (!out) {
  console.error("usage: node bench/scale.mjs OUT_PREFIX");
  process.exit(2);
}
const env = (name, fallback) => process.env[name] || fallback;
const BIN = env("BENCH_FORGEHOOK_BIN", "build/forgehook");
const GEN = path.join(path.dirname(BIN), "forgehook-scalegen");
const N = Number(env("SCALE_DELIVERIES", "10000000"));
const REPOS = Number(env("SCALE_REPOSITORIES", "2000"));
const REQUESTS = Number(env("SCALE_REQUESTS", "200"));
const DATA = env("SCALE_DATA_DIR", `bench/results/tmp/scale-data-${N}`);
const REUSE = env("SCALE_REUSE", "0") === "1";
for (const f of [BIN, GEN]) if (!existsSync(f)) { console.error(`scale: ${f} not found (this script never builds)`); process.exit(1); }

const log = (msg) => console.error(`[scale ${new Date().toTimeString().slice(0, 8)}] ${msg}`);
const startedAt = new Date();
const TOKEN = randomBytes(24).toString("hex");
const { get, post: postDelivery, sign, startServer, stopServer, children } = forgehookServers({ bin: BIN, secret: randomBytes(16).toString("hex"),
  token: TOKEN, connections: 1 });
process.on("SIGINT", () => { for (const c of children) c.kill("SIGKILL"); process.exit(130); });

function post(s, p, body) {
  return new Promise((resolve, reject) => {
    // A connection of its own: the keep-alive one (one socket) is the query and delivery client's.
    const r = http.request({ host: s.host, port: s.port, path: p, method: "POST", agent: false,
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d)).on("end", () => resolve({ status: res.statusCode, body: text }));
    });
    r.on("error", reject).end(body ? JSON.stringify(body) : "");
  });
}
// Deliveries through the pipeline since the server started, every outcome (/metrics: cheap, unlike
// /api/v1/metrics/status, whose counts are queries of their own).
async function processedCount(s) {
  const { body } = await get(s, "/metrics");
  let n = 0;
  for (const m of body.matchAll(/^forgehook_processed_total\{outcome="(\w+)"\} (\d+)/gm)) n += Number(m[2]);
  return n;
}
async function waitProcessed(s, want, label) {
  const t0 = performance.now();
  let last = t0;
  for (;;) {
    const n = await processedCount(s);
    if (n >= want) return (performance.now() - t0) / 1000;
    if (performance.now() - last > 30000) {
      log(`${label}: ${n} of ${want} processed`);
      last = performance.now();
    }
    await sleep(100);
  }
}
function rss(pid) {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, "m"))[1]);
  return { rssMiB: +(kb("VmRSS") / 1024).toFixed(1), peakMiB: +(kb("VmHWM") / 1024).toFixed(1) };
}
// The store: the database with its log, and the body journal's segments.
function diskBytes(dir) {
  const journal = path.join(dir, "bodies");
  const segments = existsSync(journal)
    ? readdirSync(journal).filter((f) => f.endsWith(".seg")).reduce((n, f) => n + statSync(path.join(journal, f)).size, 0)
    : 0;
  return segments + readdirSync(dir).filter((f) => f.startsWith("forgehook.db")).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
}

// --- generate ----------------------------------------------------------------------------------
let generated = null;
if (!REUSE) {
  rmSync(DATA, { recursive: true, force: true });
  execFileSync("mkdir", ["-p", DATA]);
  log(`generating ${N} deliveries over ${REPOS} repositories`);
  const t0 = performance.now();
  generated = JSON.parse(execFileSync(GEN, ["--data-dir", DATA, "--deliveries", String(N), "--repositories", String(REPOS)],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
  generated.wallSeconds = +((performance.now() - t0) / 1000).toFixed(1);
  log(`generated in ${generated.wallSeconds} s`);
}

// --- process -------------------------------------------------------------------------------------
const START = [DATA, { FORGEHOOK_STORE_RETENTION_DAYS: "0" }, { readyMs: 600000 }];
let s = await startServer(...START);
let processing = null;
if (!REUSE) {
  const cpu0 = cpuSeconds(s.child.pid);
  const seconds = await waitProcessed(s, N, "process");
  processing = { seconds: +seconds.toFixed(1), perSecond: Math.round(N / seconds), cpuSeconds: +(cpuSeconds(s.child.pid) - cpu0).toFixed(1) };
  log(`processed in ${processing.seconds} s (${processing.perSecond}/s)`);
  // A fresh start measures queries as after a restart, with the pipeline idle.
  await stopServer(s);
  s = await startServer(...START);
}
const afterStart = rss(s.child.pid);
// Queries are timed on a quiet server: housekeeping's first pass after a start (change feed, event
// keys) runs first. Quiet: under 0.05 CPU s in a second, waited for at most 2 minutes.
for (let i = 0; i < 120; i++) {
  const c0 = cpuSeconds(s.child.pid);
  await sleep(1000);
  if (cpuSeconds(s.child.pid) - c0 < 0.05) break;
}

// --- queries -----------------------------------------------------------------------------------
// The repositories that received deliveries (copy k of the examples goes to repository k % REPOS).
const COPIES = Math.floor(N / 328);  // complete copies of the 328 examples scalegen uses
const ACTIVE = Math.min(REPOS, Math.ceil(N / 328));
const repo = (i) => `scale-org-${i % ACTIVE % 50}/repo-${i % ACTIVE}`;
const pick = (a, i) => a[i % a.length];
const EVENTS = ["pull_request", "push", "issues", "workflow_run", "issue_comment", "pull_request_review", "check_run"];
const enc = encodeURIComponent;
const endpoints = [
  ["/deliveries?repository=&event=", (i) => `/api/v1/deliveries?repository=${enc(repo(i * 7919))}&event=${pick(EVENTS, i)}`],
  ["/deliveries?event=", (i) => `/api/v1/deliveries?event=${pick(EVENTS, i)}`],
  ["/deliveries (newest page)", () => "/api/v1/deliveries"],
  ["/pulls?repository=&state=", (i) => `/api/v1/pulls?repository=${enc(repo(i * 7919))}&state=${pick(["open", "closed", "merged"], i)}`],
  ["/pulls?state=", (i) => `/api/v1/pulls?state=${pick(["open", "closed", "merged"], i)}`],
  ["/activity?timeframe=24h", () => "/api/v1/activity?timeframe=24h"],
  ["/activity?repository=&timeframe=7d", (i) => `/api/v1/activity?repository=${enc(repo(i * 7919))}&timeframe=7d`],
  ["/metrics/status", () => "/api/v1/metrics/status"],
  ["/metrics/status?repository=", (i) => `/api/v1/metrics/status?repository=${enc(repo(i * 7919))}`],
  ["/metrics/pulls", () => "/api/v1/metrics/pulls"],
  ["/metrics/pulls?repository=", (i) => `/api/v1/metrics/pulls?repository=${enc(repo(i * 7919))}`],
  // A sprint is one repository's milestone: copy k's is "v<k>.0" in repository k % REPOS.
  ["/metrics/sprint?repository=&milestone=", (i) => {
    const k = (i * 7919) % COPIES;
    return `/api/v1/metrics/sprint?repository=${enc(repo(k % REPOS))}&milestone=v${k}.0`;
  }],
  ["/metrics/health", () => "/api/v1/metrics/health"],
  ["/metrics/health?repository=", (i) => `/api/v1/metrics/health?repository=${enc(repo(i * 7919))}`],
];
const queries = [];
for (const [name, url] of endpoints) {
  await get(s, url(0));  // warm: prepared statements and the page cache for this query shape
  const ms = [];
  let bad = 0, rows = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    const r = await get(s, url(i + 1));
    ms.push(performance.now() - t0);
    if (r.status !== 200) bad++;
    else if (i === 0) rows = Object.values(JSON.parse(r.body)).find(Array.isArray)?.length ?? null;
  }
  ms.sort((a, b) => a - b);
  const q = { name, requests: REQUESTS, errors: bad, p50: +pct(ms, 50).toFixed(2), p99: +pct(ms, 99).toFixed(2),
    max: +ms.at(-1).toFixed(2), firstRows: rows };
  queries.push(q);
  log(`${name}: p50 ${q.p50} ms, p99 ${q.p99} ms${bad ? `, ${bad} errors` : ""}`);
}
const afterQueries = rss(s.child.pid);

// --- size ----------------------------------------------------------------------------------------
const bytes = diskBytes(DATA);
const size = { bytes, perDelivery: Math.round(bytes / N) };

// --- prune (dry run) -----------------------------------------------------------------------------
let prune = null;
{
  const t0 = performance.now();
  const r = await post(s, "/api/v1/deliveries/prune", { dry_run: true, older_than_days: 180 });
  prune = { seconds: +((performance.now() - t0) / 1000).toFixed(2), ...JSON.parse(r.body) };
  log(`prune dry run (180 days): ${prune.deliveries} bodies, ${prune.bytes} bytes, ${prune.seconds} s`);
}

// --- rebuild -------------------------------------------------------------------------------------
let rebuild = null;
if (env("SCALE_REBUILD", "1") === "1") {
  const cpu0 = cpuSeconds(s.child.pid);
  const before = await processedCount(s);
  const t0 = performance.now();
  const r = await post(s, "/api/v1/rebuild");
  // The rebuild's one transaction (empty the projections, queue every delivery) holds the writer.
  const answeredSeconds = +((performance.now() - t0) / 1000).toFixed(1);
  const requeued = JSON.parse(r.body).requeued;
  await waitProcessed(s, before + requeued, "rebuild");
  const seconds = (performance.now() - t0) / 1000;
  rebuild = { requeued, answeredSeconds, seconds: +seconds.toFixed(1), perSecond: Math.round(requeued / seconds),
    secondsPerMillion: +(seconds / (requeued / 1e6)).toFixed(1), cpuSeconds: +(cpuSeconds(s.child.pid) - cpu0).toFixed(1) };
  log(`rebuild: ${requeued} in ${rebuild.seconds} s (${rebuild.perSecond}/s)`);
}
const afterRebuild = rss(s.child.pid);

// --- prune while deliveries arrive (SCALE_PRUNE=1; changes the data dir) ---------------------------
// Intake's latency at a steady 100 deliveries/s for 10 s, then again while the bodies older than
// 180 days are pruned (500 a transaction): pruning must never stall intake.
let pruneLive = null;
if (env("SCALE_PRUNE", "0") === "1") {
  const payload = JSON.stringify(createRequire(import.meta.url)("@octokit/webhooks-examples")
    .find((e) => e.name === "issues").examples[0]);
  async function steady(seconds, until) {
    const ms = [];
    const t0 = performance.now();
    for (let i = 0; (until ? !until.done : performance.now() - t0 < seconds * 1000); i++) {
      const due = t0 + i * 10;
      if (due > performance.now()) await sleep(due - performance.now());
      const a = performance.now();
      const code = await postDelivery(s, { event: "issues", id: randomUUID(), body: payload, signature: sign(payload) });
      ms.push(code === 200 ? performance.now() - a : Infinity);
    }
    ms.sort((a, b) => a - b);
    return { n: ms.length, p50: +pct(ms, 50).toFixed(2), p99: +pct(ms, 99).toFixed(2), max: +ms.at(-1).toFixed(2) };
  }
  const quiet = await steady(10);
  const state = { done: false };
  const t0 = performance.now();
  const pruning = post(s, "/api/v1/deliveries/prune", { older_than_days: 180 }).then((r) => { state.done = true; return r; });
  const during = await steady(0, state);
  const r = await pruning;
  pruneLive = { quiet, during, seconds: +((performance.now() - t0) / 1000).toFixed(1), ...JSON.parse(r.body) };
  log(`prune: ${pruneLive.deliveries} bodies in ${pruneLive.seconds} s; intake p99 ${quiet.p99} ms quiet, ${during.p99} ms while pruning`);
}
await stopServer(s);

// --- report --------------------------------------------------------------------------------------
const result = {
  startedAt: startedAt.toISOString(), minutes: +((Date.now() - startedAt) / 60000).toFixed(1),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), kernel: os.release() },
  deliveries: N, repositories: REPOS, generated, processing, queries, size, prune, rebuild, pruneLive,
  memory: { afterStart, afterQueries, afterRebuild },
};
writeFileSync(`${out}.json`, JSON.stringify(result, null, 2) + "\n");
const fmt = (n) => n.toLocaleString("en-US");
const md = [
  `Measured ${result.startedAt.slice(0, 16)}Z on ${result.machine.cpus} × ${result.machine.model}, ${result.machine.memGiB} GiB, ` +
    `in ${result.minutes} min: \`SCALE_DELIVERIES=${N}${REUSE ? " SCALE_REUSE=1" : ""}${rebuild ? "" : " SCALE_REBUILD=0"}` +
    `${pruneLive ? " SCALE_PRUNE=1" : ""} node bench/scale.mjs\`.`,
  "",
  `- Deliveries: ${fmt(N)} over ${fmt(REPOS)} repositories and 365 days` +
    (generated ? ` (generated in ${generated.wallSeconds} s; bodies ${fmt(generated.body_bytes)} B as received, ` +
      `${fmt(generated.stored_body_bytes)} B stored)` : ""),
  `- On disk: ${fmt(bytes)} B, **${fmt(size.perDelivery)} B per delivery** (database and log, body journal, projections and change feed included)`,
  processing ? `- First processing of the backlog: ${processing.seconds} s, **${fmt(processing.perSecond)} deliveries/s**` : null,
  rebuild && `- Rebuild: ${fmt(rebuild.requeued)} deliveries in ${rebuild.seconds} s, **${fmt(rebuild.perSecond)} deliveries/s**, ` +
    `${rebuild.secondsPerMillion} s per million (${rebuild.cpuSeconds} CPU s; the request answered after ${rebuild.answeredSeconds} s)`,
  `- RSS: ${afterStart.rssMiB} MiB after start, ${afterQueries.rssMiB} MiB after the queries, ${afterRebuild.rssMiB} MiB ` +
    `${rebuild ? "after the rebuild" : "at the end"} (peak ${afterRebuild.peakMiB} MiB)`,
  `- Prune dry run (bodies older than 180 days): ${fmt(prune.deliveries)} bodies, ${fmt(prune.bytes)} B, ${prune.seconds} s`,
  pruneLive && `- Prune (bodies older than 180 days) while 100 deliveries/s arrive: ${fmt(pruneLive.deliveries)} bodies, ` +
    `${fmt(pruneLive.bytes)} B in ${pruneLive.seconds} s; intake p50/p99/max ${pruneLive.quiet.p50}/${pruneLive.quiet.p99}/` +
    `${pruneLive.quiet.max} ms before, ${pruneLive.during.p50}/${pruneLive.during.p99}/${pruneLive.during.max} ms during`,
  "",
  `| Endpoint (${REQUESTS} requests each, filters varied) | p50 ms | p99 ms | max ms | errors |`,
  "|---|---:|---:|---:|---:|",
  ...queries.map((q) => `| \`${q.name}\` | ${q.p50} | ${q.p99} | ${q.max} | ${q.errors} |`),
].filter((l) => typeof l === "string").join("\n");
writeFileSync(`${out}.md`, md + "\n");
if (env("SCALE_WRITE_DOC", "0") === "1") {
  const doc = "docs/PERFORMANCE.md";
  const text = readFileSync(doc, "utf8");
  const begin = "<!-- scale-results -->", end = "<!-- /scale-results -->";
  if (text.includes(begin) && text.includes(end))
    writeFileSync(doc, text.slice(0, text.indexOf(begin) + begin.length) + "\n" + md + "\n" + text.slice(text.indexOf(end)));
}
if (env("SCALE_KEEP", "0") !== "1" && !REUSE) rmSync(DATA, { recursive: true, force: true });
log(`wrote ${out}.json and ${out}.md`);
