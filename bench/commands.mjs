// Rule-triggered commands (issue 10): forgehook's [[rules]] against adnanh/webhook, the same rule on
// both (a signed GitHub `pull_request` delivery runs a command), all on 127.0.0.1.
//
//   targets   forgehook          answers once the delivery is committed; the pipeline queues the
//                                rule's run in the transaction that processes it; the scheduler runs
//                                it ([commands] max_running, the rule's concurrency)
//             webhook-wait       adnanh/webhook, include-command-output-in-response: true (answers
//                                after the command ended)
//             webhook-async      adnanh/webhook's default, fire-and-forget (answers, then runs)
//   commands  true               /bin/true, as the issue says; completions counted from forgehook's
//                                API (runs `succeeded`) and from webhook's -verbose log ("finished
//                                handling" lines)
//             touch              /usr/bin/touch <X-GitHub-Delivery> in a fresh directory: ground
//                                truth, "lost" = acknowledged (2xx) deliveries whose file never appears
//
// Each run: a fresh server, BENCH_COMMANDS_DELIVERIES deliveries (the first pull_request example of
// @octokit/webhooks-examples, signed as GitHub signs, a fresh GUID each) from a Node client keeping
// BENCH_COMMANDS_CONNECTIONS requests in flight (stops sending after BENCH_COMMANDS_SEND_LIMIT_S),
// then a bounded wait (BENCH_COMMANDS_WAIT_S) for the commands to finish.
//
// Usage: node bench/commands.mjs OUT_DIR   (writes OUT_DIR/commands.json and OUT_DIR/commands.md)
// Environment: BENCH_FORGEHOOK_BIN (build/forgehook), BENCH_COMMANDS_DELIVERIES (20000),
//   BENCH_COMMANDS_CONNECTIONS (64), BENCH_COMMANDS_SEND_LIMIT_S (120), BENCH_COMMANDS_WAIT_S (120),
//   BENCH_COMMANDS_MAX_RUNNING (8: forgehook's [commands] max_running and the rule's concurrency),
//   BENCH_COMMANDS_TARGETS (forgehook,webhook-wait,webhook-async), BENCH_COMMANDS_KINDS (true,touch),
//   BENCH_COMMANDS_TMP (bench/results/tmp), BENCH_COMMANDS_KEEP (0; 1 keeps each row's directory there). Needs webhook and the sqlite3 CLI
//   (scripts/install-deps.sh bench).
import { execFileSync, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readSync, readdirSync, renameSync, rmSync, statSync,
  writeFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { forgehookServers, pct } from "./lib/forgehook_server.mjs";

const require = createRequire(import.meta.url);
const outDir = process.argv[2];
if (!outDir) {
  console.error("usage: node bench/commands.mjs OUT_DIR");
  process.exit(2);
}
const env = (name, fallback) => process.env[name] || fallback;
const BIN = env("BENCH_FORGEHOOK_BIN", "build/forgehook");
const DELIVERIES = Number(env("BENCH_COMMANDS_DELIVERIES", "20000"));
const CONNECTIONS = Number(env("BENCH_COMMANDS_CONNECTIONS", "64"));
const SEND_LIMIT_S = Number(env("BENCH_COMMANDS_SEND_LIMIT_S", "120"));
const WAIT_S = Number(env("BENCH_COMMANDS_WAIT_S", "120"));
const MAX_RUNNING = Number(env("BENCH_COMMANDS_MAX_RUNNING", "8"));
const TARGETS = env("BENCH_COMMANDS_TARGETS", "forgehook,webhook-wait,webhook-async").split(",").filter(Boolean);
const KINDS = env("BENCH_COMMANDS_KINDS", "true,touch").split(",").filter(Boolean);
const KEEP = env("BENCH_COMMANDS_KEEP", "0") === "1";  // keep each row's data dir, config and logs
for (const [k, v] of Object.entries({ DELIVERIES, CONNECTIONS, SEND_LIMIT_S, WAIT_S, MAX_RUNNING })) {
  if (!Number.isFinite(v) || v <= 0) { console.error(`commands: ${k} must be a positive number`); process.exit(2); }
}
const known = { targets: ["forgehook", "webhook-wait", "webhook-async"], kinds: ["true", "touch"] };
for (const t of TARGETS) if (!known.targets.includes(t)) { console.error(`commands: unknown target ${t}`); process.exit(2); }
for (const k of KINDS) if (!known.kinds.includes(k)) { console.error(`commands: unknown command ${k}`); process.exit(2); }
if (TARGETS.includes("forgehook") && !existsSync(BIN)) {
  console.error(`commands: ${BIN} not found (this script never builds)`);
  process.exit(1);
}
const REQUEST_TIMEOUT_MS = 10000;  // GitHub's own limit: a slower answer is a failed delivery
const STALL_S = 10;                // no new completion for this long after sending ended: done waiting
const WEBHOOK_DONE_LINE = "finished handling github";

const startedAt = new Date().toISOString();
const loadAtStart = os.loadavg().map((x) => +x.toFixed(2));
const log = (msg) => console.error(`[commands ${new Date().toTimeString().slice(0, 8)}] ${msg}`);
const nowMs = () => performance.timeOrigin + performance.now();  // wall clock, ms, sub-ms resolution
const SECRET = randomBytes(16).toString("hex");
const TOKEN = randomBytes(24).toString("hex");
const fh = forgehookServers({ bin: BIN, secret: SECRET, token: TOKEN, connections: CONNECTIONS });

// The issue's delivery: the first pull_request example (opened), signed once (the body is constant).
const example = require("@octokit/webhooks-examples").find((e) => e.name === "pull_request").examples[0];
const BODY = JSON.stringify(example);
const SIGNATURE = fh.sign(BODY);

// The command of each kind, as argv; {{delivery_id}} is forgehook's template for X-GitHub-Delivery,
// webhook gets the same header through pass-arguments-to-command. Both run in `dir`.
const COMMANDS = { true: ["/bin/true"], touch: ["/usr/bin/touch", "{{delivery_id}}"] };

// --- servers -----------------------------------------------------------------------------------
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function startForgehook(work, kind, dir) {
  const config = path.join(work, "rules.toml");
  const q = JSON.stringify;  // a TOML basic string or array of them is JSON's syntax
  writeFileSync(config, `[commands]\nmax_running = ${MAX_RUNNING}\n\n[[rules]]\nname = "bench"\n` +
    `event = "pull_request"\ncommand = ${q(COMMANDS[kind])}\nworkdir = ${q(dir)}\npayload = "none"\n` +
    `concurrency = ${Math.min(MAX_RUNNING, 64)}\n`);
  const s = await fh.startServer(path.join(work, "data"), {}, { config });
  return { ...s, route: "/webhooks/github", stop: () => fh.stopServer(s),
    command: `forgehook serve --listen 127.0.0.1:0 --config rules.toml   # max_running = ${MAX_RUNNING}, ` +
      `rule concurrency = ${Math.min(MAX_RUNNING, 64)}, payload = "none"` };
}

// The hooks file of bench/run.sh's webhook (payload-hmac-sha256 on X-Hub-Signature-256), plus the
// event match forgehook's rule has, the command's argument and working directory, and -verbose.
async function startWebhook(work, kind, dir, wait) {
  const hook = {
    id: "github",
    "execute-command": COMMANDS[kind][0],
    "command-working-directory": dir,
    "include-command-output-in-response": wait,
    "trigger-rule-mismatch-http-response-code": 401,
    "trigger-rule": { and: [
      { match: { type: "payload-hmac-sha256", secret: SECRET, parameter: { source: "header", name: "X-Hub-Signature-256" } } },
      { match: { type: "value", value: "pull_request", parameter: { source: "header", name: "X-GitHub-Event" } } },
    ] },
  };
  if (kind === "touch") hook["pass-arguments-to-command"] = [{ source: "header", name: "X-GitHub-Delivery" }];
  const hooksFile = path.join(work, "hooks.json");
  writeFileSync(hooksFile, JSON.stringify([hook], null, 2));
  const port = await freePort();
  const logFile = path.join(work, "webhook.log");
  const fd = openSync(logFile, "w");
  const child = spawn("webhook", ["-hooks", hooksFile, "-ip", "127.0.0.1", "-port", String(port), "-http-methods", "POST",
    "-verbose"], { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  fh.children.add(child);
  child.once("exit", () => fh.children.delete(child));
  const s = { child, host: "127.0.0.1", port, route: "/hooks/github", logFile,
    agent: new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS }) };
  s.stop = () => fh.stopServer(s);  // SIGTERM, SIGKILL after 10 s: the same for any child with an agent
  s.command = `webhook -hooks hooks.json -ip 127.0.0.1 -port <free port> -http-methods POST -verbose   ` +
    `# include-command-output-in-response: ${wait}`;
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error("webhook exited during start-up");
    const up = await new Promise((r) => net.connect(port, "127.0.0.1").once("connect", function () { this.destroy(); r(true); })
      .once("error", () => r(false)));
    if (up) return s;
    await sleep(25);
  }
  await s.stop();
  throw new Error("webhook did not listen within 10 s");
}

// --- completion counters -------------------------------------------------------------------------
// Lines of webhook's log that say a command ended, read incrementally (the log grows to megabytes).
function webhookLogCounter(file) {
  let offset = 0, rest = "", done = 0, errors = 0;
  const buf = Buffer.alloc(1 << 20);
  const sampleErrors = [];
  return () => {
    const fd = openSync(file, "r");
    for (let n; (n = readSync(fd, buf, 0, buf.length, offset)) > 0; offset += n) {
      const lines = (rest + buf.toString("utf8", 0, n)).split("\n");
      rest = lines.pop();
      for (const l of lines) {
        if (l.includes(WEBHOOK_DONE_LINE)) done++;
        else if (/error/i.test(l)) { errors++; if (sampleErrors.length < 5) sampleErrors.push(l.slice(0, 300)); }
      }
    }
    closeSync(fd);
    return { done, errors, sampleErrors };
  };
}

// forgehook has nothing left to do: every delivery processed, no run queued, running or retrying.
async function forgehookIdle(s) {
  const st = await fh.get(s, "/api/v1/metrics/status");
  if (st.status !== 200 || JSON.parse(st.body).webhooks.processing_backlog !== 0) return false;
  for (const state of UNFINISHED) {
    const r = await fh.get(s, `/api/v1/commands?state=${state}&limit=1`);
    if (r.status !== 200 || JSON.parse(r.body).commands.length) return false;
  }
  return true;
}

// Runs by status from GET /api/v1/commands, every page.
const UNFINISHED = ["queued", "running", "retrying"];
async function forgehookRunStatuses(s) {
  const counts = {};
  for (let cursor = null, page = 0; page < 10000; page++) {
    const r = await fh.get(s, `/api/v1/commands?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
    if (r.status !== 200) throw new Error(`GET /api/v1/commands → ${r.status} ${r.body.slice(0, 200)}`);
    const j = JSON.parse(r.body);
    for (const c of j.commands) counts[c.status] = (counts[c.status] || 0) + 1;
    if ((cursor = j.next_cursor) == null) return counts;
  }
  throw new Error("GET /api/v1/commands: too many pages");
}

function sql(dataDir, query) {
  return execFileSync("sqlite3", ["-readonly", "-separator", "\t", path.join(dataDir, "forgehook.db"), query],
    { encoding: "utf8", maxBuffer: 256 << 20 }).split("\n").filter(Boolean);
}

// Each run's times in µs (wall clock, written by the server), read after it stopped.
function forgehookRunTimes(dataDir) {
  return sql(dataDir, "SELECT c.status, d.received_at, c.queued_at, c.ended_at FROM command_runs c " +
    "JOIN deliveries d ON d.id = c.delivery").map((l) => {
    const [status, received, queued, ended] = l.split("\t");
    return { status, received: Number(received), queued: Number(queued), ended: ended === "" ? null : Number(ended) };
  });
}

// The stored deliveries by GUID, read after the server stopped: `ran`, their run ended (succeeded or
// not); `toRun`, not yet processed by the pipeline (no run queued yet) or the run queued, running or
// retrying: in the database, they go on after a restart, so they are not lost.
function forgehookRunsByDelivery(dataDir) {
  const ran = new Set(), toRun = new Set();
  for (const l of sql(dataDir, "SELECT d.delivery_id, d.status, coalesce(c.status, '') FROM deliveries d " +
    "LEFT JOIN command_runs c ON c.delivery = d.id")) {
    const [guid, deliveryStatus, runStatus] = l.split("\t");
    if (runStatus && !UNFINISHED.includes(runStatus)) ran.add(guid);
    else if (UNFINISHED.includes(runStatus) || ["queued", "retrying"].includes(deliveryStatus)) toRun.add(guid);
  }
  return { ran, toRun };
}

// --- one run -------------------------------------------------------------------------------------
async function send(s) {
  const acked = [];  // {id, at}: acknowledged (2xx) deliveries and when the answer arrived
  const codes = {};
  const latencies = [];
  let next = 0, lastAnswer = 0;
  const t0 = nowMs();
  const stopAt = t0 + SEND_LIMIT_S * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (next < DELIVERIES && nowMs() < stopAt) {
      next++;
      const d = { event: "pull_request", id: randomUUID(), body: BODY, signature: SIGNATURE };
      const sent = nowMs();
      const code = await fh.post(s, d, { route: s.route, timeoutMs: REQUEST_TIMEOUT_MS });
      lastAnswer = nowMs();
      codes[code] = (codes[code] || 0) + 1;
      if (code >= 200 && code < 300) { acked.push({ id: d.id, at: lastAnswer }); latencies.push(lastAnswer - sent); }
    }
  }));
  latencies.sort((a, b) => a - b);
  return { t0, sent: next, acked, codes, sendSeconds: (lastAnswer - t0) / 1000,
    responseMs: { p50: pct(latencies, 50), p99: pct(latencies, 99) } };
}

// Polls `progress` (→ {done}) until it reaches `want`, or WAIT_S, or, without `idle`, nothing new for
// STALL_S; `idle` (forgehook, which says what it has left) tells there is nothing left to run.
// Returns the count and when it last grew.
async function waitForCommands(progress, want, idle) {
  const deadline = nowMs() + WAIT_S * 1000;
  let last = await progress(), lastGrew = nowMs();
  for (;;) {
    if (last.done >= want || (idle && (await idle()))) return { ...last, lastGrew, timedOut: false };
    if (nowMs() > deadline || (!idle && nowMs() - lastGrew > STALL_S * 1000)) return { ...last, lastGrew, timedOut: true };
    await sleep(100);
    const p = await progress();
    if (p.done > last.done) lastGrew = nowMs();
    last = p;
  }
}

// Files the touch command left: GUID → mtime (ms, wall clock).
function touchedFiles(dir) {
  const files = new Map();
  for (const f of readdirSync(dir)) files.set(f, statSync(path.join(dir, f)).mtimeMs);
  return files;
}

async function measure(target, kind, tmpRoot) {
  // Absolute: the rule's workdir must be.
  const work = path.resolve(mkdtempSync(path.join(tmpRoot, `commands.${target}.${kind}.`)));
  const dir = path.join(work, "runs");
  mkdirSync(dir);
  log(`${target} / ${kind}: ${DELIVERIES} deliveries, ${CONNECTIONS} in flight`);
  let s;
  try {
    s = target === "forgehook" ? await startForgehook(work, kind, dir) : await startWebhook(work, kind, dir, target === "webhook-wait");
    const cpu0 = process.cpuUsage();
    const sent = await send(s);
    const acked = sent.acked.length;
    log(`${target} / ${kind}: ${acked} acknowledged in ${sent.sendSeconds.toFixed(2)} s (${JSON.stringify(sent.codes)}); waiting for commands`);
    const counter = target === "forgehook" ? null : webhookLogCounter(s.logFile);
    const progress = kind === "touch" ? async () => ({ done: readdirSync(dir).length })
      : target === "forgehook" ? async () => ({ done: 0 }) : async () => counter();
    const waited = await waitForCommands(progress, acked, target === "forgehook" ? () => forgehookIdle(s) : null);
    const row = { target, command: COMMANDS[kind].join(" "), kind, deliveries_sent: sent.sent, acknowledged: acked,
      status_counts: sent.codes, non_2xx: sent.sent - acked, send_seconds: sent.sendSeconds,
      accepted_per_s: acked / sent.sendSeconds, response_ms: sent.responseMs, wait_timed_out: waited.timedOut,
      server_command: s.command, client_cpu_s: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpu0)) };

    let lastCompletion = waited.lastGrew;
    let unfinished = new Set();  // forgehook's commands still to run when the wait ended (webhook keeps none)
    let forgehookRan = new Set();
    let finishLatencies = null;
    if (target === "forgehook") {
      const counts = await forgehookRunStatuses(s);
      row.runs_by_status_api = counts;
      row.completed_api = counts.succeeded || 0;
      await s.stop();
      const runs = forgehookRunTimes(path.join(work, "data"));
      ({ ran: forgehookRan, toRun: unfinished } = forgehookRunsByDelivery(path.join(work, "data")));
      const ended = runs.filter((r) => r.status === "succeeded" && r.ended);
      lastCompletion = ended.reduce((a, r) => Math.max(a, r.ended), 0) / 1000;
      finishLatencies = ended.map((r) => (r.ended - r.received) / 1000);
      row.latency_source = "server: command_runs.ended_at − deliveries.received_at";
    } else {
      const c = counter();
      row.completed_log = c.done;
      row.log_error_lines = c.errors;
      row.log_error_samples = c.sampleErrors;
      await s.stop();
      if (target === "webhook-wait") {
        row.latency_source = "client: request → response (webhook answers after the command)";
        row.accept_to_finished_ms = { p50: sent.responseMs.p50, p99: sent.responseMs.p99 };
      }
    }
    row.completed = target === "forgehook" ? row.completed_api : row.completed_log;
    row.unfinished_at_end = target === "forgehook" ? unfinished.size : null;
    if (kind === "touch") {
      const files = touchedFiles(dir);
      const ackedIds = new Set(sent.acked.map((a) => a.id));
      row.files = files.size;
      row.lost = sent.acked.filter((a) => !files.has(a.id) && !unfinished.has(a.id)).length;
      row.ran_but_not_acknowledged = [...files.keys()].filter((f) => !ackedIds.has(f)).length;
      // At least once: a run whose process ended but whose end was not recorded runs again.
      row.ran_and_still_queued = [...unfinished].filter((g) => files.has(g)).length;
      row.completed = files.size;
      if (files.size) lastCompletion = [...files.values()].reduce((a, b) => Math.max(a, b));
      if (target === "webhook-async") {
        finishLatencies = sent.acked.filter((a) => files.has(a.id)).map((a) => files.get(a.id) - a.at);
        row.latency_source = "client: 2xx received → file's mtime (a lower bound: webhook accepted it earlier)";
      }
    } else {
      // forgehook: acknowledged, its run not ended (a failed run ran) nor still to run; webhook: acknowledged − ends.
      row.lost = target === "forgehook" ? sent.acked.filter((a) => !forgehookRan.has(a.id) && !unfinished.has(a.id)).length
        : Math.max(0, acked - row.completed);
    }
    if (finishLatencies) {
      finishLatencies.sort((a, b) => a - b);
      row.accept_to_finished_ms = { count: finishLatencies.length, p50: pct(finishLatencies, 50), p99: pct(finishLatencies, 99) };
    }
    row.completion_seconds = row.completed ? (lastCompletion - sent.t0) / 1000 : null;
    row.completed_per_s = row.completed ? row.completed / row.completion_seconds : 0;
    log(`${target} / ${kind}: ${row.completed} completed (${row.completed_per_s.toFixed(0)}/s), ${row.lost} lost`);
    return row;
  } finally {
    await s?.stop();
    if (!KEEP) rmSync(work, { recursive: true, force: true });
  }
}

// --- runs and report -----------------------------------------------------------------------------
mkdirSync(outDir, { recursive: true });
const tmpRoot = env("BENCH_COMMANDS_TMP", "bench/results/tmp");
mkdirSync(tmpRoot, { recursive: true });
const stopAll = () => { for (const c of fh.children) c.kill("SIGKILL"); };
process.once("SIGINT", () => { stopAll(); process.exit(130); });
process.once("SIGTERM", () => { stopAll(); process.exit(143); });
const rows = [];
for (const kind of KINDS) {
  for (const target of TARGETS) {
    try {
      rows.push(await measure(target, kind, tmpRoot));
    } catch (e) {
      log(`${target} / ${kind}: ${e.message}`);
      rows.push({ target, kind, command: COMMANDS[kind].join(" "), error: e.message.trim().replace(/\s+/g, " ") });
    }
  }
}

const machine = { nproc: os.cpus().length, cpu_model: os.cpus()[0]?.model, loadavg_at_start: loadAtStart };
const version = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: "utf8" }).trim(); } catch { return "absent"; } };
const report = {
  started_at: startedAt, finished_at: new Date().toISOString(), machine,
  settings: { deliveries: DELIVERIES, connections: CONNECTIONS, send_limit_s: SEND_LIMIT_S, wait_s: WAIT_S, stall_s: STALL_S,
    max_running: MAX_RUNNING, request_timeout_ms: REQUEST_TIMEOUT_MS },
  payload: { event: "pull_request", action: example.action, bytes: Buffer.byteLength(BODY),
    source: `@octokit/webhooks-examples ${require("@octokit/webhooks-examples/package.json").version}, pull_request example #0` },
  versions: { forgehook: existsSync(BIN) ? `${path.relative(process.cwd(), path.resolve(BIN))}, sha256 ${version("sha256sum", [BIN]).slice(0, 12)}` : "absent",
    webhook: version("webhook", ["-version"]), node: process.version },
  rows,
};
// The knobs this run was given, to print the command that reruns it.
const knobs = Object.entries(process.env).filter(([k]) => k.startsWith("BENCH_COMMANDS_")).sort()
  .map(([k, v]) => `${k}=${v} `).join("");
const f = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : "–");
const md = [
  "# Rule-triggered commands: forgehook against adnanh/webhook",
  "",
  `${report.started_at} → ${report.finished_at}; ${machine.nproc} cores, ${machine.cpu_model}; load average at start ` +
    `${machine.loadavg_at_start.join(" ")}. ${DELIVERIES} signed \`pull_request\` deliveries per row ` +
    `(${report.payload.bytes} B, fresh X-GitHub-Delivery each), ${CONNECTIONS} in flight from one Node client, ` +
    `then up to ${WAIT_S} s for the commands. forgehook: \`[commands] max_running = ${MAX_RUNNING}\`, rule concurrency ` +
    `${Math.min(MAX_RUNNING, 64)}. Command: \`${knobs}node bench/commands.mjs ${outDir}\`.`,
  "",
  "| target | command | accepted (2xx) /s | non-2xx | completed | completed /s | lost | still queued at the end | accept → finished p50 / p99 ms | response p50 / p99 ms |",
  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
];
for (const r of rows) {
  if (r.error) { md.push(`| ${r.target} | \`${r.command}\` | ${r.error} | | | | | | | |`); continue; }
  md.push(`| ${r.target} | \`${r.command}\` | ${f(r.accepted_per_s)} | ${r.non_2xx} | ${r.completed} of ${r.acknowledged} | ` +
    `${f(r.completed_per_s)} | ${r.lost}${r.lost ? " **(LOST)**" : ""} | ${r.unfinished_at_end ?? "–"} | ` +
    `${r.accept_to_finished_ms ? `${f(r.accept_to_finished_ms.p50, 1)} / ${f(r.accept_to_finished_ms.p99, 1)}` : "–"} | ` +
    `${f(r.response_ms.p50, 1)} / ${f(r.response_ms.p99, 1)} |`);
}
for (const r of rows.filter((x) => !x.error && x.deliveries_sent < DELIVERIES)) {
  md.push("", `${r.target} \`${r.command}\`: sending stopped at the ${SEND_LIMIT_S} s limit after ${r.deliveries_sent} deliveries.`);
}
md.push("", "Ratios forgehook / webhook (same command):", "", "| command | peer | accepted /s | completed /s |", "|---|---|---:|---:|");
for (const kind of KINDS) {
  const fhRow = rows.find((r) => r.target === "forgehook" && r.kind === kind && !r.error);
  for (const peer of ["webhook-wait", "webhook-async"]) {
    const o = rows.find((r) => r.target === peer && r.kind === kind && !r.error);
    if (fhRow && o) md.push(`| \`${fhRow.command}\` | ${peer} | ${ratio(fhRow.accepted_per_s, o.accepted_per_s)} | ${ratio(fhRow.completed_per_s, o.completed_per_s)} |`);
  }
}
md.push("", "How each figure is read:", "",
  "- completed: forgehook, runs `succeeded` in `GET /api/v1/commands`; webhook, `finished handling` lines of its " +
    "`-verbose` log; for `touch`, on both, the files in the run's directory (ground truth).",
  "- lost: acknowledged (2xx) deliveries whose command never ran: for `touch` the GUIDs without a file, for " +
    "`/bin/true` acknowledged − runs ended (forgehook: in any status, a failed run ran) − still queued.",
  "- still queued at the end: forgehook's acknowledged deliveries whose command had not run when the wait ended " +
    "(not yet processed, or the run queued, running or retrying: in its database, they go on after a restart, so " +
    "not lost); webhook keeps nothing, so what it had not run when stopped is lost.",
  "- completed /s: completions over the time from the first request to the last completion (forgehook: the last " +
    "`ended_at`; `touch`: the newest file's mtime; webhook `/bin/true`: when the log count last grew, polled every 100 ms).",
  "- accept → finished: " + [...new Set(rows.filter((r) => r.latency_source).map((r) => `${r.target}: ${r.latency_source}`))].join("; ") + ".",
  "");
for (const r of rows.filter((x) => x.ran_and_still_queued)) {
  md.push(`- ${r.target} \`${r.command}\`: ${r.ran_and_still_queued} commands ran but their end was not recorded, ` +
    "so they run again after a restart (at least once).");
}
for (const r of rows.filter((x) => x.log_error_lines)) {
  md.push(`- ${r.target} \`${r.command}\`: ${r.log_error_lines} error lines in its log, e.g. \`${r.log_error_samples[0]}\``);
}
md.push("", "Servers:", "", "```", ...new Set(rows.filter((r) => r.server_command).map((r) => r.server_command)), "```", "");
writeFileSync(path.join(outDir, "commands.json.tmp"), JSON.stringify(report, null, 2) + "\n");
renameSync(path.join(outDir, "commands.json.tmp"), path.join(outDir, "commands.json"));
writeFileSync(path.join(outDir, "commands.md.tmp"), md.join("\n"));
renameSync(path.join(outDir, "commands.md.tmp"), path.join(outDir, "commands.md"));
log(`wrote ${outDir}/commands.json and ${outDir}/commands.md`);
