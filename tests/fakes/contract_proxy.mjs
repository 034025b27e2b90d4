// A contract check between forgehook and the fake forge: Stoplight Prism in proxy mode, loaded with
// GitHub's official OpenAPI description (@octokit/openapi). Every request is validated before it is
// forwarded (with --errors a request the real API would refuse is answered 422 by Prism and never
// reaches the fake) and every answer of the fake is validated against the operation's responses.
// Prism's validation messages are collected from its log.
//
//   const proxy = await startContractProxy(fake.url);          // reduced description (default)
//   ... point forgehook (or fetch) at proxy.url ...
//   assert.deepEqual(proxy.violations(), []);
//   await proxy.close();
//
// By default the description is reduced at start to the operations forgehook uses plus every
// component they reference, extracted programmatically from the official file (so every word is
// still GitHub's own); { full: true } loads the whole 13 MB description instead. Measured on the
// 2-core machine: reduced 200 KB, Prism listening after 1.2-2.1 s, RSS ≈155 MB; full 13 MB,
// 8-14 s, RSS 290-355 MB. Walking 10,000 deliveries (101 pages) through it: 1.6 s / 2.3 s.
import { spawn } from "node:child_process";
import http from "node:http";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FORGEHOOK_OPERATIONS } from "./github_operations.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
// GitHub's official REST description (@octokit/openapi).
export const GITHUB_DESCRIPTION = path.join(ROOT, "node_modules", "@octokit", "openapi", "generated", "api.github.com.json");
const PRISM = path.join(ROOT, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");

// The operations forgehook calls, which the fake implements: the contract check knows exactly these.
export { FORGEHOOK_OPERATIONS };

// Builds the reduced description: the listed operations (with their path-level parameters) and the
// transitive closure of the components they $ref. Nothing is rewritten.
export function reducedSpec(full = JSON.parse(readFileSync(GITHUB_DESCRIPTION, "utf8")), operations = FORGEHOOK_OPERATIONS) {
  const paths = {};
  for (const op of operations) {
    const [method, p] = op.split(" ");
    const item = full.paths[p];
    const operation = item?.[method.toLowerCase()];
    if (!operation) throw new Error(`${op} is not in GitHub's description`);
    paths[p] ??= Object.fromEntries(Object.entries(item).filter(([k]) => !["get", "put", "post", "patch", "delete", "head", "options", "trace"].includes(k)));
    paths[p][method.toLowerCase()] = operation;
  }
  const components = {};
  const seen = new Set();
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/")) {
        if (seen.has(v)) continue;
        seen.add(v);
        const [, , kind, name] = v.split("/");
        const target = full.components[kind]?.[name];
        if (target === undefined) throw new Error(`dangling ${v}`);
        (components[kind] ??= {})[name] = target;
        walk(target);
      } else walk(v);
    }
  };
  walk(paths);
  return { openapi: full.openapi, info: full.info, servers: full.servers, paths, components };
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

// Strips ANSI colours from Prism's log.
const plain = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");

/**
 * startContractProxy(upstreamUrl, {full=false, errors=true, startTimeoutMs=60000, operations})
 * -> {url, prismUrl, port, violations(), logViolations(), log(), startMs, specBytes, clearViolations(), close()}
 * url is a thin Node front that forwards to Prism and reads its answers.
 * violations(): [{kind: "request"|"response"|"other", request: "METHOD /path?query", status,
 *   type, title, detail, validation: [{location, severity, code, message}]}] from Prism's answers
 *   (problem+json bodies and the sl-violations header), less KNOWN_SPEC_GAPS (or `ignore`).
 * logViolations(): [{line, kind, path}] the "Violation:" and "Request terminated with error"
 *   lines of Prism's log, unfiltered.
 */
export async function startContractProxy(upstreamUrl, { full = process.env.FORGEHOOK_CONTRACT_FULL === "1", errors = true, startTimeoutMs = 60_000, operations, ignore } = {}) {
  const ignored = ignore ?? KNOWN_SPEC_GAPS;
  const dir = mkdtempSync(path.join(os.tmpdir(), "forgehook-contract-"));
  let specFile = GITHUB_DESCRIPTION;
  if (!full) {
    specFile = path.join(dir, "github-reduced.json");
    writeFileSync(specFile, JSON.stringify(reducedSpec(undefined, operations)));
  }
  const specBytes = Buffer.byteLength(readFileSync(specFile));
  const port = await freePort();
  const started = Date.now();
  // --cors=false: Prism would otherwise add Access-Control-* headers GitHub does not send.
  const args = [PRISM, "proxy", specFile, upstreamUrl, "-h", "127.0.0.1", "-p", String(port), "--cors=false"];
  if (errors) args.push("--errors");
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
  const lines = [];
  let found = [];
  let lastPath = null;
  let onLine = () => {};
  const feed = (chunk) => {
    for (const raw of plain(chunk.toString("utf8")).split("\n")) {
      const line = raw.trim();
      if (!line) continue;
      lines.push(line);
      const req = /\b(GET|POST|PATCH|PUT|DELETE)\s+(\S+)/i.exec(line);
      if (req && /HTTP SERVER/.test(line)) lastPath = `${req[1]} ${req[2]}`;
      if (/Violation:/.test(line) || /Request terminated with error/.test(line)) {
        const kind = /Violation: request/.test(line) || /UNPROCESSABLE_ENTITY|UNAUTHORIZED|NOT_ACCEPTABLE/.test(line) ? "request" : /Violation: response/.test(line) || /VIOLATIONS/.test(line) ? "response" : "other";
        found.push({ line, kind, path: lastPath });
      }
      onLine(line);
    }
  };
  child.stdout.on("data", feed);
  child.stderr.on("data", feed);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  // Never leave Prism behind when the test process ends without close().
  const killOnExit = () => {
    if (child.exitCode == null && child.signalCode == null) child.kill("SIGKILL");
  };
  process.on("exit", killOnExit);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`prism did not start within ${startTimeoutMs} ms:\n${lines.slice(-20).join("\n")}`)), startTimeoutMs);
    onLine = (line) => {
      if (/Prism is listening on/.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    };
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`prism exited (${code}) before listening:\n${lines.slice(-20).join("\n")}`));
    });
  });
  onLine = () => {};
  const startMs = Date.now() - started;

  // A thin Node front in front of Prism: Prism's log only says "Invalid request"; its answers
  // carry the details (problem+json `validation` on refused requests and on --errors response
  // failures, the `sl-violations` header on warnings). The front records those with the request.
  const detailed = [];
  const upstreamOrigin = new URL(upstreamUrl).origin;
  let frontPort = 0;
  const front = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: `127.0.0.1:${port}` };
      const up = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers, agent: false }, (pres) => {
        const out = [];
        pres.on("data", (c) => out.push(c));
        pres.on("end", () => {
          const text = Buffer.concat(out);
          const where = `${req.method} ${req.url}`;
          const ignore = (v) => ignored.some((f) => f({ method: req.method, url: req.url, status: pres.statusCode, violation: v }));
          let problem = null;
          if (/problem\+json|json/.test(pres.headers["content-type"] ?? "")) {
            try {
              const j = JSON.parse(text.toString("utf8"));
              if (typeof j?.type === "string" && j.type.startsWith("https://stoplight.io/prism/errors")) problem = j;
            } catch {}
          }
          if (problem) {
            const kind = /UNPROCESSABLE_ENTITY|UNAUTHORIZED|NOT_ACCEPTABLE|NO_PATH_MATCHED|NO_METHOD_MATCHED/.test(problem.type) ? "request" : "response";
            const v = { kind, request: where, status: pres.statusCode, type: problem.type, title: problem.title, detail: problem.detail, validation: problem.validation ?? [] };
            if (!ignore(v)) detailed.push(v);
          }
          const slv = pres.headers["sl-violations"];
          if (slv && !problem) {
            let list = [];
            try {
              list = JSON.parse(slv);
            } catch {
              list = [{ message: slv }];
            }
            for (const item of list) {
              const v = { kind: item.location?.[0] === "request" ? "request" : "response", request: where, status: pres.statusCode, severity: item.severity, validation: [item] };
              if (!ignore(v)) detailed.push(v);
            }
          }
          const h = { ...pres.headers };
          // Link and Location name the upstream; point them back through the proxy so a client
          // that follows them stays under the contract check.
          for (const k of ["link", "location"]) if (typeof h[k] === "string") h[k] = h[k].split(upstreamOrigin).join(`http://127.0.0.1:${frontPort}`);
          res.writeHead(pres.statusCode, h);
          res.end(text);
        });
      });
      up.on("error", (e) => {
        detailed.push({ kind: "other", request: `${req.method} ${req.url}`, detail: String(e) });
        res.writeHead(502);
        res.end();
      });
      up.end(body);
    });
  });
  await new Promise((r) => front.listen(0, "127.0.0.1", r));
  frontPort = front.address().port;
  return {
    url: `http://127.0.0.1:${frontPort}`,
    prismUrl: `http://127.0.0.1:${port}`,
    port: frontPort,
    startMs,
    specBytes,
    pid: child.pid,
    // Detailed violations (from Prism's answers), then log lines not explained by them.
    violations: () => [...detailed],
    logViolations: () => [...found],
    clearViolations: () => {
      found = [];
      detailed.length = 0;
    },
    log: () => [...lines],
    close: async () => {
      // Kill Prism first and drop keep-alive connections, so close() never waits on a client.
      if (child.exitCode == null && child.signalCode == null) child.kill("SIGTERM");
      const frontClosed = new Promise((r) => front.close(r));
      front.closeAllConnections?.();
      await Promise.all([frontClosed, exited]);
      process.off("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Known gaps of GitHub's description that are not faults of the fake or of forgehook: Prism warns
// "Unable to match the returned status code" when an answer's status is not listed for the
// operation. GitHub documents these statuses for every endpoint in its general pages but lists
// them for few operations:
// - 304 Not Modified for a conditional GET (the Events API lists only 200);
// - 401 Bad credentials / expired token, 403 and 429 for rate limits and missing permissions
//   ("Resource not accessible by integration" on GET .../hooks, which lists only 200 and 404);
// - 404 for a hook that does not exist on the config endpoints (they list only 200);
// - 500/502/503/504 answered by the fake's fault injection.
// Only the status mismatch is forgiven: a body that breaks a schema the operation does define
// is still a violation.
export const GENERIC_STATUSES = [304, 401, 403, 404, 429, 500, 502, 503, 504];
export const KNOWN_SPEC_GAPS = [
  ({ status, violation }) => GENERIC_STATUSES.includes(status) && violation.validation.length > 0 && violation.validation.every((x) => /Unable to match the returned status code/.test(x.message ?? "")),
];
