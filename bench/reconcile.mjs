// Reconciliation benchmark (issue "Forge connections"): the cost of reconciling one GitHub hook
// whose delivery log at the forge holds 10,000 deliveries, 1 % of which never reached forgehook.
// Target: one listing pass over the log and no per-delivery lookup at the forge for a delivery
// forgehook already stored; the only other calls are one redelivery request per missing delivery.
//
// Set-up, all on 127.0.0.1: the stateful fake GitHub (tests/fakes/fake_github.mjs; no contract
// proxy, which would time Prism), forgehook with a stored token and the repository connected (the
// hook made through the fake's API). The hook's log is filled with BENCH_RECONCILE_DELIVERIES
// entries, every 100th recorded as failed; the others are posted to forgehook as GitHub would have
// (signed with the hook's secret, same GUID and hook id), so they are stored. Then:
//   first run   POST /api/v1/connections/{id}/reconcile: time, the run's figures, and the requests
//               the fake received, by route
//   second run  after the redeliveries arrived: what a quiet hook costs (back to the previous run)
//
// Usage: node bench/reconcile.mjs OUT_PREFIX   (writes OUT_PREFIX.json and OUT_PREFIX.md)
// Environment: BENCH_FORGEHOOK_BIN (build/forgehook), BENCH_RECONCILE_DELIVERIES (10000),
//   BENCH_RECONCILE_FAIL_EVERY (100), BENCH_RECONCILE_TMP (bench/results/tmp).
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startFakeGitHub } from "../tests/fakes/fake_github.mjs";
import { forgehookServers } from "./lib/forgehook_server.mjs";

const out = process.argv[2];
if (!out) {
  console.error("usage: node bench/reconcile.mjs OUT_PREFIX");
  process.exit(2);
}
const env = (name, fallback) => process.env[name] || fallback;
const BIN = env("BENCH_FORGEHOOK_BIN", "build/forgehook");
const N = Number(env("BENCH_RECONCILE_DELIVERIES", "10000"));
const FAIL_EVERY = Number(env("BENCH_RECONCILE_FAIL_EVERY", "100"));
if (!existsSync(BIN)) {
  console.error(`reconcile: ${BIN} not found (this script never builds)`);
  process.exit(1);
}
const log = (msg) => console.error(`[reconcile ${new Date().toTimeString().slice(0, 8)}] ${msg}`);
const TOKEN = randomBytes(24).toString("hex");
const REPO = "bench-org/bench-repo";

const { get, startServer, stopServer } = forgehookServers({ bin: BIN, secret: "unused-global", token: TOKEN, connections: 16 });

function request(s, method, p, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: s.host, port: s.port, path: p, method, agent: s.agent,
      headers: { Authorization: `Bearer ${TOKEN}`, ...(data ? { "Content-Type": "application/json" } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c) => (text += c)).on("end", () => {
        let json;
        try { json = JSON.parse(text); } catch {}
        resolve({ status: res.statusCode, json, text });
      });
    });
    req.on("error", reject).end(data);
  });
}

function postDelivery(s, hookId, secret, d) {
  const body = d.payloadJson;
  return new Promise((resolve) => {
    const req = http.request({ host: s.host, port: s.port, path: "/webhooks/github", method: "POST", agent: s.agent,
      headers: { "Content-Type": "application/json", "X-GitHub-Event": d.event, "X-GitHub-Delivery": d.guid,
        "X-GitHub-Hook-ID": String(hookId), "User-Agent": "GitHub-Hookshot/bench",
        "X-Hub-Signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` } },
    (res) => res.resume().on("end", () => resolve(res.statusCode)));
    req.on("error", () => resolve(0)).end(body);
  });
}

const tmpRoot = env("BENCH_RECONCILE_TMP", "bench/results/tmp");
mkdirSync(tmpRoot, { recursive: true });
const work = mkdtempSync(path.join(tmpRoot, "reconcile-"));
const gh = await startFakeGitHub({ pollInterval: 60 });
gh.addRepo(REPO);
let s;
try {
  s = await startServer(path.join(work, "data"), {
    FORGEHOOK_PIPELINE_ENABLED: "false", FORGEHOOK_FORGES_RECONCILE_INTERVAL_S: "0" });
  const cred = await request(s, "PUT", "/api/v1/credentials/github", { api_url: gh.url, token: "test-token" });
  if (cred.status !== 201) throw new Error(`credential: ${cred.text}`);
  const conn = await request(s, "POST", "/api/v1/connections", { repository: REPO, url: `http://${s.host}:${s.port}` });
  if (conn.json?.status !== "active") throw new Error(`connect: ${conn.text}`);
  const hookId = conn.json.hook_id;
  const secret = gh.hook(hookId).config.secret;
  await gh.idle();

  log(`seeding ${N} log entries (every ${FAIL_EVERY}th failed) and storing the others in forgehook`);
  const seeded = gh.seedDeliveries(hookId, N, { failEvery: FAIL_EVERY });
  const failed = new Set(seeded.failed);
  const toStore = seeded.deliveries.filter((d) => !failed.has(d.guid));
  let next = 0;
  const codes = {};
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < toStore.length) {
      const code = await postDelivery(s, hookId, secret, toStore[next++]);
      codes[code] = (codes[code] || 0) + 1;
    }
  }));
  if ((codes[200] || 0) !== toStore.length) throw new Error(`storing: ${JSON.stringify(codes)}`);

  const runOnce = async (label) => {
    gh.resetRequests();
    const t0 = performance.now();
    const res = await request(s, "POST", `/api/v1/connections/${conn.json.id}/reconcile`);
    const ms = performance.now() - t0;
    if (res.status !== 200 || res.json.error) throw new Error(`${label}: ${res.text}`);
    const counts = gh.counts();
    log(`${label}: ${ms.toFixed(0)} ms, ${JSON.stringify(res.json)}`);
    return { ms: +ms.toFixed(1), run: res.json, forgeRequests: counts,
      forgeRequestTotal: Object.values(counts).reduce((a, b) => a + b, 0) };
  };
  const first = await runOnce("first run");
  await gh.idle(); // the redeliveries it asked for
  await sleep(200);
  const second = await runOnce("second run");

  const result = {
    startedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGB: +(os.totalmem() / 2 ** 30).toFixed(1), load: os.loadavg().map((x) => +x.toFixed(2)) },
    deliveriesInLog: N + 1, // and the hook's first ping
    missing: failed.size,
    first,
    second,
  };
  writeFileSync(`${out}.json`, JSON.stringify(result, null, 2));
  const row = (name, r) => `| ${name} | ${r.ms} | ${r.run.listed} | ${r.run.pages} | ${r.run.missing} | ${r.run.redelivery_requested} | ${r.run.arrived} | ${r.run.api_calls} | ${r.forgeRequestTotal} |`;
  writeFileSync(`${out}.md`, [
    `Reconciling one GitHub hook with ${N} deliveries in its log, ${failed.size} of them missing here (fake GitHub on 127.0.0.1).`,
    "",
    "| run | time (ms) | listed | pages | missing | redelivery requested | arrived | API calls (forgehook) | requests the forge got |",
    "|---|---|---|---|---|---|---|---|---|",
    row("first", first),
    row("second (after the redeliveries)", second),
    "",
    `Requests by route, first run: ${Object.entries(first.forgeRequests).map(([k, v]) => `\`${k}\` ${v}`).join(", ")}.`,
    "",
  ].join("\n"));
  log(`wrote ${out}.json and ${out}.md`);
} finally {
  if (s) await stopServer(s);
  await gh.close();
  rmSync(work, { recursive: true, force: true });
}
