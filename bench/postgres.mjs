// PostgreSQL benchmark (issue "PostgreSQL store and several nodes"): forgehook on one PostgreSQL
// with one node and with two nodes on this machine, and the embedded SQLite store in the same run.
//
//   intake  the same wrk load as bench/run.sh's rows (-t2 -c32, bench/wrk/github.lua, signed
//           deliveries with fresh GUIDs, pipeline on): one node gets all of it; two nodes get half
//           each (two wrk processes, -t1 -c16, at the same time). Requests/s summed, p99 the worse.
//   drain   a backlog accepted with the pipeline off, then the node(s) restarted with it on and
//           timed from their start until every delivery is processed (bench/lib/example_deliveries.mjs
//           payloads on 16 repositories: processing spreads over nodes by repository).
// CPU seconds of the forgehook processes and of the whole PostgreSQL server (postmaster and its
// backends, from /proc) are read around each measurement: what a delivery costs each side.
//
// Usage: node bench/postgres.mjs OUT_PREFIX   (writes OUT_PREFIX.json and OUT_PREFIX.md)
// Environment: BENCH_FORGEHOOK_BIN (build/forgehook), BENCH_DURATION (10s), BENCH_PAYLOADS (21k,8k),
//   BENCH_POSTGRES_ROUNDS (2), BENCH_POSTGRES_BACKLOG (20000), BENCH_POSTGRES_TMP (bench/results/tmp).
// Needs wrk and PostgreSQL 15 (scripts/install-deps.sh bench, test). Only 127.0.0.1 is contacted.
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startPostgres } from "../tests/integration/lib/postgres.mjs";
import { exampleDeliveries } from "./lib/example_deliveries.mjs";
import { cpuSeconds, forgehookServers } from "./lib/forgehook_server.mjs";

const run = promisify(execFile);
const out = process.argv[2];
if (!out) {
  console.error("usage: node bench/postgres.mjs OUT_PREFIX");
  process.exit(2);
}
const env = (name, fallback) => process.env[name] || fallback;
const BIN = env("BENCH_FORGEHOOK_BIN", "build/forgehook");
const DURATION = env("BENCH_DURATION", "10s");
const PAYLOADS = env("BENCH_PAYLOADS", "21k,8k").split(",").filter((p) => p === "21k" || p === "8k");
const ROUNDS = Number(env("BENCH_POSTGRES_ROUNDS", "2"));
const BACKLOG = Number(env("BENCH_POSTGRES_BACKLOG", "20000"));
if (!existsSync(BIN)) { console.error(`postgres: ${BIN} not found (this script never builds)`); process.exit(1); }
if (!PAYLOADS.length || !(ROUNDS >= 1) || !(BACKLOG >= 1)) { console.error("postgres: bad settings"); process.exit(2); }

const log = (msg) => console.error(`[postgres ${new Date().toTimeString().slice(0, 8)}] ${msg}`);
const startedAt = new Date().toISOString();
const loadAtStart = os.loadavg().map((x) => +x.toFixed(2));
const SECRET = randomBytes(16).toString("hex");
const TOKEN = randomBytes(24).toString("hex");
const MASTER_KEY = randomBytes(32).toString("hex");
const servers = forgehookServers({ bin: BIN, secret: SECRET, token: TOKEN, connections: 32 });
const { sign, get, post, startServer, stopServer } = servers;
const examples = exampleDeliveries(sign);
// Spread over 16 repositories (every full_name of a copy renamed): nodes claim whole repositories,
// so deliveries of one repository are processed by one node at a time, in order. An installation
// with several nodes serves many repositories; the examples name only a few.
const REPOSITORIES = 16;
const deliveries = {
  delivery: (i) => {
    const d = examples.delivery(i);
    const body = d.body.replace(/"full_name":"[^"]*"/g, `"full_name":"bench-org/repo-${i % REPOSITORIES}"`);
    return { ...d, body, signature: sign(body) };
  },
};

const tmpRoot = env("BENCH_POSTGRES_TMP", "bench/results/tmp");
mkdirSync(tmpRoot, { recursive: true });
const work = mkdtempSync(path.join(tmpRoot, "postgres."));
const pg = await startPostgres();
process.on("exit", () => pg.stopSync());

// CPU seconds of the PostgreSQL server: its postmaster and every process it started.
function postgresCpu() {
  const postmaster = Number(readFileSync(path.join(pg.socketDir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
  let total = cpuSeconds(postmaster);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1].split(" ");
      if (Number(stat[1]) === postmaster) total += cpuSeconds(Number(entry));
    } catch {}  // a backend that ended meanwhile
  }
  return total;
}

// Node `i` of a cluster on database `db`; `pipeline`: pipeline.enabled.
async function startNode(db, i, pipeline) {
  return startServer(path.join(work, `${db}-node${i}`), {
    FORGEHOOK_STORE_BACKEND: "postgres", FORGEHOOK_STORE_POSTGRES_URL: pg.url(db),
    FORGEHOOK_STORE_POSTGRES_PASSWORD: pg.password, FORGEHOOK_MASTER_KEY: MASTER_KEY,
    FORGEHOOK_PIPELINE_ENABLED: String(pipeline),
  }, { readyMs: 30000 });
}
const startSqlite = (name, pipeline) => startServer(path.join(work, name), { FORGEHOOK_PIPELINE_ENABLED: String(pipeline) });

// --- intake ------------------------------------------------------------------------------------
const bodies = {};
{
  const dir = path.join(work, "payloads");
  const manifest = JSON.parse(execFileSync("node", ["bench/lib/payloads.mjs", dir, SECRET, PAYLOADS.join(",")], { encoding: "utf8" }));
  for (const p of manifest) bodies[p.id] = { ...p, file: path.join(dir, `${p.id}.json`) };
}

// wrk at `s` with `threads`/`connections`; {rps, p99_ms, statuses}.
async function wrk(s, payload, threads, connections) {
  const p = bodies[payload];
  const { stdout } = await run("timeout", ["--kill-after=5", "60", "wrk", `-t${threads}`, `-c${connections}`, `-d${DURATION}`,
    "--timeout", "10s", "--latency", "-s", "bench/wrk/github.lua", `http://${s.base}/webhooks/github`], {
    env: { ...process.env, BENCH_BODY_FILE: p.file, BENCH_SIGNATURE: p.signature, BENCH_EVENT: p.event, BENCH_HOOK_ID: "424242",
      BENCH_RUN_NONCE: randomBytes(4).toString("hex") },
    maxBuffer: 16 << 20,
  });
  const result = JSON.parse(stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT ")).slice("BENCH_RESULT ".length));
  return result;
}

async function intake(setup, payload) {
  const nodes = await setup.start();
  const cpu0 = nodes.map((s) => cpuSeconds(s.child.pid));
  const pg0 = setup.postgres ? postgresCpu() : 0;
  const t0 = performance.now();
  const share = nodes.length === 1 ? [[2, 32]] : [[1, 16], [1, 16]];
  const results = await Promise.all(nodes.map((s, i) => wrk(s, payload, ...share[i])));
  const seconds = (performance.now() - t0) / 1000;
  const fhCpu = nodes.reduce((sum, s, i) => sum + cpuSeconds(s.child.pid) - cpu0[i], 0);
  const pgCpu = setup.postgres ? postgresCpu() - pg0 : 0;
  for (const s of nodes) await stopServer(s);
  const ok = results.reduce((sum, r) => sum + (r.status_counts?.["200"] ?? 0), 0);
  // Answered 200 per second (the run.sh rows count 2xx too), each wrk over its own duration.
  const rps = results.reduce((sum, r) => sum + (r.status_counts?.["200"] ?? 0) / r.duration_s, 0);
  const errors = (r) => r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout;
  const row = {
    setup: setup.name, payload, rps, ok, p99_ms: Math.max(...results.map((r) => r.latency_ms.p99)),
    non_2xx: results.reduce((sum, r) => sum + r.non_2xx, 0), errors: results.reduce((sum, r) => sum + errors(r), 0),
    forgehook_cpu_us_per_request: ok ? (fhCpu / ok) * 1e6 : null,
    postgres_cpu_us_per_request: ok && setup.postgres ? (pgCpu / ok) * 1e6 : null, seconds,
  };
  log(`intake ${setup.name} ${payload}: ${rps.toFixed(0)} req/s, p99 ${row.p99_ms.toFixed(1)} ms`);
  return row;
}

// --- drain -------------------------------------------------------------------------------------
async function processedCount(s) {
  const { body } = await get(s, "/metrics");
  let n = 0;
  for (const m of body.matchAll(/^forgehook_processed_total\{outcome="(\w+)"\} (\d+)/gm)) n += Number(m[2]);
  return n;
}

async function drain(setup) {
  let [filler] = await setup.startFilling();
  let next = 0, accepted = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < BACKLOG) if ((await post(filler, deliveries.delivery(next++))) === 200) accepted++;
  }));
  await stopServer(filler);
  // Timed from the start of the node(s): processing begins as soon as a node is up, before it
  // answers /readyz. Their CPU is counted from birth (0 at spawn).
  const pg0 = setup.postgres ? postgresCpu() : 0;
  const t0 = performance.now();
  const nodes = await setup.startDraining();
  let done = 0;
  for (const deadline = Date.now() + 600_000; Date.now() < deadline;) {
    done = (await Promise.all(nodes.map(processedCount))).reduce((a, b) => a + b, 0);
    if (done >= accepted) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - t0) / 1000;
  const fhCpu = nodes.reduce((sum, s) => sum + cpuSeconds(s.child.pid), 0);  // since their start
  const pgCpu = setup.postgres ? postgresCpu() - pg0 : 0;
  const perNode = await Promise.all(nodes.map(processedCount));
  for (const s of nodes) await stopServer(s);
  const row = {
    setup: setup.name, accepted, processed: done, seconds, per_second: done / seconds, per_node: perNode,
    forgehook_cpu_us_per_delivery: (fhCpu / done) * 1e6,
    postgres_cpu_us_per_delivery: setup.postgres ? (pgCpu / done) * 1e6 : null,
  };
  log(`drain ${setup.name}: ${row.per_second.toFixed(0)} deliveries/s (${perNode.join(" + ")})`);
  return row;
}

// --- runs --------------------------------------------------------------------------------------
let serial = 0;
const fresh = async () => pg.createDatabase(`bench${++serial}`);
const setups = {
  sqlite: () => ({ name: "SQLite, 1 node", start: async () => [await startSqlite(`sqlite${++serial}`, true)] }),
  pg1: () => ({ name: "PostgreSQL, 1 node", postgres: true, start: async () => { const db = await fresh(); return [await startNode(db, 0, true)]; } }),
  pg2: () => ({ name: "PostgreSQL, 2 nodes", postgres: true,
    start: async () => { const db = await fresh(); return [await startNode(db, 0, true), await startNode(db, 1, true)]; } }),
};
const drains = {
  sqlite: () => { const name = `sqlite-drain${++serial}`; return { name: "SQLite, 1 node",
    startFilling: async () => [await startSqlite(name, false)], startDraining: async () => [await startSqlite(name, true)] }; },
  pg1: () => { let db; return { name: "PostgreSQL, 1 node", postgres: true,
    startFilling: async () => { db = await fresh(); return [await startNode(db, 0, false)]; },
    startDraining: async () => [await startNode(db, 0, true)] }; },
  pg2: () => { let db; return { name: "PostgreSQL, 2 nodes", postgres: true,
    startFilling: async () => { db = await fresh(); return [await startNode(db, 0, false)]; },
    startDraining: async () => [await startNode(db, 0, true), await startNode(db, 1, true)] }; },
};

const intakeRows = [];
const drainRows = [];
try {
  for (let round = 1; round <= ROUNDS; round++)
    for (const payload of PAYLOADS)
      for (const key of ["sqlite", "pg1", "pg2"]) intakeRows.push({ round, ...(await intake(setups[key](), payload)) });
  for (let round = 1; round <= ROUNDS; round++)
    for (const key of ["sqlite", "pg1", "pg2"]) drainRows.push({ round, ...(await drain(drains[key]())) });
} finally {
  for (const child of servers.children) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
}

// --- report ------------------------------------------------------------------------------------
const pgVersion = execFileSync("psql", ["--version"], { encoding: "utf8" }).trim();
const report = {
  started_at: startedAt, finished_at: new Date().toISOString(),
  machine: { nproc: os.cpus().length, cpu_model: os.cpus()[0]?.model, loadavg_at_start: loadAtStart },
  forgehook: `${path.relative(process.cwd(), path.resolve(BIN))}, sha256 ${execFileSync("sha256sum", [BIN], { encoding: "utf8" }).slice(0, 12)}`,
  postgres: `${pgVersion}, throwaway cluster on this machine (fsync on, default settings, unix socket and 127.0.0.1)`,
  settings: { duration: DURATION, payloads: PAYLOADS, rounds: ROUNDS, backlog: BACKLOG },
  intake: intakeRows, drain: drainRows,
};
const f = (x, d = 0) => (x === null || x === undefined ? "–" : x.toFixed(d));
const best = (rows, key) => rows.reduce((a, r) => (r[key] > a[key] ? r : a));
const md = [
  "# forgehook on PostgreSQL: one and two nodes, against SQLite in the same run",
  "",
  `${report.started_at} → ${report.finished_at}; ${report.machine.nproc} cores, ${report.machine.cpu_model}; load average at start ` +
    `${loadAtStart.join(" ")}. ${report.postgres}. Command: \`node bench/postgres.mjs\` (from \`make bench\`).`,
  "",
  `Intake: wrk ${DURATION}, 32 connections in all (two nodes: 16 each, at once), pipeline on, ${ROUNDS} rounds; the table shows each setup's rounds.`,
  "",
  "| payload | setup | req/s | p99 | non-2xx | forgehook CPU / request | PostgreSQL CPU / request |",
  "|---|---|---:|---:|---:|---:|---:|",
  ...intakeRows.map((r) => `| ${r.payload} | ${r.setup} (round ${r.round}) | ${f(r.rps)} | ${f(r.p99_ms, 1)} ms | ${r.non_2xx + r.errors} | ` +
    `${f(r.forgehook_cpu_us_per_request)} µs | ${f(r.postgres_cpu_us_per_request)} µs |`),
  "",
  `Backlog drain: ${BACKLOG} deliveries (all ${examples.examples} examples, cycled, on ${REPOSITORIES} repositories) accepted with the pipeline off, then processed; timed from the nodes' start.`,
  "",
  "| setup | deliveries/s | per node | forgehook CPU / delivery | PostgreSQL CPU / delivery |",
  "|---|---:|---|---:|---:|",
  ...drainRows.map((r) => `| ${r.setup} (round ${r.round}) | ${f(r.per_second)} | ${r.per_node.join(" + ")} | ` +
    `${f(r.forgehook_cpu_us_per_delivery)} µs | ${f(r.postgres_cpu_us_per_delivery)} µs |`),
  "",
];
for (const payload of PAYLOADS) {
  const of = (name) => best(intakeRows.filter((r) => r.payload === payload && r.setup === name), "rps");
  md.push(`Best rounds at ${payload}: PostgreSQL 1 node / SQLite ${f(of("PostgreSQL, 1 node").rps / of("SQLite, 1 node").rps, 2)}x, ` +
    `2 nodes / 1 node ${f(of("PostgreSQL, 2 nodes").rps / of("PostgreSQL, 1 node").rps, 2)}x.`);
}
md.push("");
writeFileSync(`${out}.json.tmp`, JSON.stringify(report, null, 2) + "\n");
renameSync(`${out}.json.tmp`, `${out}.json`);
writeFileSync(`${out}.md.tmp`, md.join("\n"));
renameSync(`${out}.md.tmp`, `${out}.md`);
log(`wrote ${out}.json and ${out}.md`);
