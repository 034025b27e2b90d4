// What the benchmark scripts (processing.mjs, live.mjs) share: a forgehook server started on a free
// loopback port with a generated secret and admin token, plain HTTP calls to it, signed GitHub
// deliveries rendered from a payload template, CPU seconds from /proc and nearest-rank percentiles.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

// Nearest-rank percentile p (0-100) of an ascending array; null when empty.
export const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : null;

// CPU seconds a process used so far (user + system), from /proc.
export function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;  // utime, stime in clock ticks (USER_HZ = 100)
}

// A payload whose numeric fields `refs` ([[object, field], ...] inside `payload`) are shifted by
// copy * shift in copy `copy`. The fields are replaced by sentinels once and the body split around
// them, so rendering a copy is a join, not JSON work per delivery.
export function shiftingTemplate(payload, refs, shift) {
  const SENTINEL_BASE = 987650000000;
  const obj = structuredClone(payload);
  const fields = [];
  for (const [key, f] of refs) {
    const o = obj[key];
    if (!o || typeof o !== "object" || typeof o[f] !== "number") continue;
    const sentinel = String(SENTINEL_BASE + fields.length);
    fields.push({ sentinel, original: o[f] });
    o[f] = Number(sentinel);
  }
  // Pieces are strings of the body or the index of the field whose value goes there.
  let pieces = [JSON.stringify(obj)];
  fields.forEach(({ sentinel }, n) => {
    pieces = pieces.flatMap((p) => (typeof p !== "string" ? [p] : p.split(sentinel).flatMap((s, i) => (i ? [n, s] : [s]))));
  });
  return (copy) => pieces.map((p) => (typeof p === "string" ? p : String(fields[p].original + copy * shift))).join("");
}

// Servers of `bin` signing with `secret` and answering `token`; `children` (a Set) holds the running
// processes so an interrupted script can stop them.
export function forgehookServers({ bin, secret, token, connections, children = new Set() }) {
  const sign = (body) => "sha256=" + createHmac("sha256", secret).update(body).digest("hex");

  function get(s, p) {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: s.host, port: s.port, path: p, agent: s.agent,
        headers: { Authorization: `Bearer ${token}` } }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d)).on("end", () => resolve({ status: res.statusCode, body }));
      });
      req.on("error", reject).end();
    });
  }

  // POSTs delivery d ({event, id, body, signature}) to `route` of server s ({host, port, agent}: a
  // peer too); resolves with the status (0: no answer, or none within `timeoutMs` when given).
  function post(s, d, { route = "/webhooks/github", timeoutMs = 0 } = {}) {
    return new Promise((resolve) => {
      const req = http.request({ host: s.host, port: s.port, path: route, method: "POST", agent: s.agent,
        headers: { "Content-Type": "application/json", "X-GitHub-Event": d.event, "X-GitHub-Delivery": d.id,
          "X-GitHub-Hook-ID": "424242", "X-Hub-Signature-256": d.signature, "User-Agent": "GitHub-Hookshot/bench" } },
      (res) => { res.resume().on("end", () => resolve(res.statusCode)); });
      if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy());
      req.on("error", () => resolve(0)).end(d.body);
    });
  }

  // `readyMs`: how long start-up may take (a large database's migration takes longer than 10 s);
  // `config`: a TOML file for --config (the [[rules]] of bench/commands.mjs).
  async function startServer(dataDir, extraEnv = {}, { readyMs = 10000, config } = {}) {
    mkdirSync(dataDir, { recursive: true });
    const args = ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, ...(config ? ["--config", config] : [])];
    const child = spawn(bin, args, {
      env: { ...process.env, FORGEHOOK_GITHUB_SECRET: secret, FORGEHOOK_ADMIN_TOKEN: token, FORGEHOOK_LOG_LEVEL: "warn",
        ...extraEnv },
      stdio: ["ignore", "ignore", "pipe"],
    });
    children.add(child);
    child.once("exit", () => children.delete(child));
    let stderr = "";
    child.stderr.on("data", (d) => { stderr = (stderr + d).slice(-4000); });
    const addrFile = path.join(dataDir, "forgehook.addr");
    for (let i = 0; i < readyMs / 25; i++) {
      if (child.exitCode !== null) throw new Error(`forgehook exited during start-up: ${stderr}`);
      if (existsSync(addrFile) && readFileSync(addrFile, "utf8").trim()) {
        const base = readFileSync(addrFile, "utf8").trim();
        const [host, port] = base.split(":");
        const s = { child, base, host, port: Number(port), agent: new http.Agent({ keepAlive: true, maxSockets: connections }) };
        if ((await get(s, "/readyz").catch(() => ({ status: 0 }))).status === 200) return s;
      }
      await sleep(25);
    }
    child.kill("SIGKILL");
    throw new Error(`forgehook did not become ready in ${readyMs / 1000} s`);
  }

  async function stopServer(s) {
    s.agent.destroy();
    if (s.child.exitCode !== null) return;
    const exited = new Promise((r) => s.child.once("exit", r));
    s.child.kill("SIGTERM");
    await Promise.race([exited, sleep(10000).then(() => s.child.kill("SIGKILL"))]);
  }

  return { sign, get, post, startServer, stopServer, children };
}
