// Shared pieces of the fake forges: an HTTP server on 127.0.0.1:0 with a request log, fault
// injection, a JSON body reader and a webhook sender with a timeout. Nothing here reaches beyond
// 127.0.0.1 unless a test configures a hook URL elsewhere (tests must not).
import http from "node:http";
import { once } from "node:events";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const isoNow = (t = Date.now()) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");

// Reads the whole request body; resolves {raw: Buffer, json (undefined if absent, Symbol if bad)}.
export const BAD_JSON = Symbol("bad json");
export async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const raw = Buffer.concat(chunks);
  let json;
  if (raw.length) {
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      json = BAD_JSON;
    }
  }
  return { raw, json };
}

// Matches a path against route templates like "/repos/{owner}/{repo}/hooks/{hook_id}".
// Returns {route, params} or null. Placeholder values are URL-decoded.
export function compileRoutes(templates) {
  return templates.map((t) => {
    const [method, tpl] = t.split(" ");
    const names = [];
    const re = new RegExp(
      "^" +
        tpl.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{(\w+)\}/g, (_, n) => {
          names.push(n);
          return "([^/]+)";
        }) +
        "$",
    );
    return { key: t, method, tpl, re, names };
  });
}
export function matchRoute(routes, method, pathname) {
  let pathOnly = false;
  for (const r of routes) {
    const m = r.re.exec(pathname);
    if (!m) continue;
    if (r.method !== method) {
      pathOnly = true;
      continue;
    }
    const params = {};
    r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
    return { route: r.key, params };
  }
  return pathOnly ? { route: null, methodNotAllowed: true } : null;
}

// Fault injection state: fault({count, status, hangMs, method, path}) queues a rule; the next
// `count` requests matching method (string) and path (string prefix or RegExp) get `status`
// (default 502) with a small body, or hang `hangMs` ms then close the socket without answering.
export class Faults {
  constructor() {
    this.rules = [];
  }
  add({ count = 1, status = 502, hangMs = 0, method, path, body } = {}) {
    const rule = { left: count, status, hangMs, method, path, body, hits: 0 };
    this.rules.push(rule);
    return rule;
  }
  clear() {
    this.rules = [];
  }
  take(method, pathname) {
    for (const r of this.rules) {
      if (r.left <= 0) continue;
      if (r.method && r.method.toUpperCase() !== method) continue;
      if (r.path instanceof RegExp ? !r.path.test(pathname) : r.path && !pathname.startsWith(r.path)) continue;
      r.left--;
      r.hits++;
      return r;
    }
    return null;
  }
  // Applies a rule; returns true when the request was consumed.
  async apply(rule, res) {
    if (rule.hangMs) {
      await sleep(rule.hangMs);
      res.socket?.destroy();
      return true;
    }
    const body = rule.body ?? (rule.status === 502 ? "<html><body><h1>502 Bad Gateway</h1></body></html>" : JSON.stringify({ message: "Server Error" }));
    res.writeHead(rule.status, { "content-type": rule.body || rule.status !== 502 ? "application/json; charset=utf-8" : "text/html" });
    res.end(body);
    return true;
  }
}

// Starts an http.Server on 127.0.0.1:0 with `handler(req, res)`; tracks sockets so close() is quick.
export async function listen(handler) {
  const server = http.createServer(handler);
  const sockets = new Set();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// POSTs a webhook; resolves {statusCode (0 when no answer), status, durationS, responseHeaders,
// responseBody, error}. Never rejects.
export function postWebhook(url, headers, body, timeoutMs) {
  const started = process.hrtime.bigint();
  const dur = () => Number(process.hrtime.bigint() - started) / 1e9;
  return new Promise((resolve) => {
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      resolve({ durationS: Math.round(dur() * 100) / 100, ...r });
    };
    let u;
    try {
      u = new URL(url);
    } catch {
      return finish({ statusCode: 0, status: "Invalid URL", error: "invalid url" });
    }
    const req = http.request(
      { host: u.hostname, port: u.port || 80, path: u.pathname + u.search, method: "POST", headers: { ...headers, "content-length": body.length }, agent: false },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", () => finish({ statusCode: 0, status: "failed to read response" }));
        res.on("end", () => {
          const ok = res.statusCode >= 200 && res.statusCode < 300;
          finish({
            statusCode: res.statusCode,
            status: ok ? "OK" : `Invalid HTTP Response: ${res.statusCode}`,
            responseHeaders: res.headers,
            responseBody: Buffer.concat(chunks).toString("utf8").slice(0, 64 * 1024),
          });
        });
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      finish({ statusCode: 0, status: "timed out", error: "timeout" });
    });
    req.on("error", (err) =>
      finish({ statusCode: 0, status: err.code === "ECONNREFUSED" ? "failed to connect to host" : `failed to connect to host`, error: err.code || String(err) }),
    );
    req.end(body);
  });
}

// Counts of a request log by "METHOD route".
export function countRoutes(requests) {
  const out = {};
  for (const r of requests) {
    const k = `${r.method} ${r.route ?? r.path}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

// An error a fake answers with: an HTTP status and the forge's JSON body.
export class ForgeApiError extends Error {
  constructor(status, body) {
    super(JSON.stringify(body));
    this.status = status;
    this.body = body;
  }
}

// The request loop of a JSON REST fake: records each request in `requests` (method, path, route
// template, status, body), applies an injected fault, answers a request no route matches with
// `unmatched(match)` (a ForgeApiError), and otherwise what `route(req, url, match, json)` returns
// ([status, body, headers]) or the ForgeApiError it throws. Any other exception is a 500 naming `name`.
export function jsonApiHandler({ name, routes, requests, faults, route, unmatched, contentType = "application/json" }) {
  return async (req, res) => {
    const url = new URL(req.url, "http://x");
    const entry = { method: req.method, path: url.pathname, query: url.search, route: null, status: 0, at: Date.now(), headers: req.headers, body: null };
    requests.push(entry);
    const { json } = await readBody(req);
    entry.body = json;
    const m = matchRoute(routes, req.method, url.pathname);
    entry.route = m?.route ? m.route.slice(req.method.length + 1) : null;
    const send = (status, body, headers = {}) => {
      entry.status = status;
      res.writeHead(status, { ...(body != null ? { "content-type": contentType } : {}), ...headers });
      res.end(body == null ? undefined : JSON.stringify(body));
    };
    const fault = faults.take(req.method, url.pathname);
    if (fault) {
      entry.fault = true;
      entry.status = fault.hangMs ? 0 : fault.status;
      return faults.apply(fault, res);
    }
    try {
      if (!m || m.methodNotAllowed) throw unmatched(m);
      const [status, body, headers] = await route(req, url, m, json);
      send(status, body, headers);
    } catch (e) {
      if (e instanceof ForgeApiError) send(e.status, e.body);
      else send(500, { message: `fake ${name}: ${e.stack}` });
    }
  };
}
