// Test-side forges: signs deliveries the way GitHub, GitLab and Gitea/Forgejo do, with node:crypto
// (independent of the server's C++), posts them, and talks to the admin API.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { ROOT, waitFor } from "./server.mjs";

export const uid = () => crypto.randomUUID();
// A secret long and unique enough to be searched for in the server's output.
export const makeSecret = (label = "secret") => `${label}-${crypto.randomBytes(18).toString("hex")}`;
export const makeSigningKey = () => `whsec_${crypto.randomBytes(32).toString("base64")}`;

// ---- signing -------------------------------------------------------------------------------------

export const hmacHex = (alg, key, data) => crypto.createHmac(alg, key).update(data).digest("hex");
export const githubSha256 = (secret, body) => `sha256=${hmacHex("sha256", secret, body)}`;
export const githubSha1 = (secret, body) => `sha1=${hmacHex("sha1", secret, body)}`;
export const giteaSignature = (secret, json) => hmacHex("sha256", secret, json);
// Standard Webhooks: base64 HMAC-SHA256 keyed with the base64-decoded part after "whsec_".
export function standardWebhookSignature(key, id, timestamp, body) {
  const raw = Buffer.from(key.replace(/^whsec_/, ""), "base64");
  const mac = crypto.createHmac("sha256", raw).update(`${id}.${timestamp}.`).update(body).digest("base64");
  return `v1,${mac}`;
}

// JSON body, or GitHub's/Gitea's form body: payload=<encodeURIComponent(json)>.
export function encodeBody(payload, { form = false } = {}) {
  const json = typeof payload === "string" ? payload : JSON.stringify(payload);
  if (!form) return { json, body: Buffer.from(json), contentType: "application/json" };
  return {
    json,
    body: Buffer.from(`payload=${encodeURIComponent(json)}`),
    contentType: "application/x-www-form-urlencoded",
  };
}

// ---- HTTP ----------------------------------------------------------------------------------------

// One HTTP exchange. Resolves {status, headers, text, json}; rejects on a network error. A request
// on a reused keep-alive socket that the server closed meanwhile (ECONNRESET before any response)
// is retried once on a fresh connection, as Node's documentation recommends (req.reusedSocket).
export function httpRequest({ host = "127.0.0.1", port, method = "GET", path: p = "/", headers = {}, body, agent, localAddress, timeoutMs = 30_000 }) {
  const once = (useAgent) =>
    new Promise((resolve, reject) => {
      const hdrs = { ...headers };
      if (body != null && !Object.keys(hdrs).some((h) => h.toLowerCase() === "content-length")) {
        hdrs["Content-Length"] = Buffer.byteLength(body);
      }
      const req = http.request({ host, port, method, path: p, headers: hdrs, agent: useAgent, localAddress }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json = null;
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${p}: no response within ${timeoutMs} ms`)));
      req.on("error", (err) => {
        err.reusedSocket = req.reusedSocket;
        reject(err);
      });
      if (body != null) req.write(body);
      req.end();
    });
  return once(agent).catch((err) => {
    if (err.reusedSocket && (err.code === "ECONNRESET" || err.code === "EPIPE")) return once(agent);
    throw err;
  });
}

// Raw TCP exchange for what an HTTP client library will not send (slow clients, huge heads,
// over-long bodies). Writes `parts` (strings/Buffers; a function part is called with the socket and
// awaited), then waits until the server closes the socket or deadlineMs passes.
// Resolves {response, closed, closedAfterMs, error, raw}; response is the parsed first response or null.
export function rawExchange({ host = "127.0.0.1", port, localAddress, parts = [], deadlineMs = 5000 }) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const socket = net.connect({ host, port, localAddress });
    const chunks = [];
    let error = null;
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      resolve({ response: parseHttpResponse(raw), closed, closedAfterMs: closed ? Date.now() - t0 : null, error, raw });
    };
    const timer = setTimeout(() => finish(false), deadlineMs);
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", (err) => {
      error = err; // ECONNRESET/EPIPE count as "closed by the server"
      finish(true);
    });
    socket.on("end", () => finish(true));
    socket.on("close", () => finish(true));
    socket.on("connect", async () => {
      try {
        for (const part of parts) {
          if (done) return;
          if (typeof part === "function") await part(socket);
          else await new Promise((r) => socket.write(part, () => r()));
        }
      } catch (err) {
        error = err;
      }
    });
  });
}

// Every complete response in raw (pipelined/keep-alive exchanges); Content-Length framed only.
export function parseHttpResponses(raw) {
  const out = [];
  let rest = raw;
  while (rest.length) {
    const sep = rest.indexOf("\r\n\r\n");
    if (sep < 0) break;
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(rest.subarray(0, sep).toString("latin1"));
    const end = sep + 4 + (m ? Number(m[1]) : 0);
    if (end > rest.length) break;
    out.push(parseHttpResponse(rest.subarray(0, end)));
    rest = rest.subarray(end);
  }
  return out;
}

export function parseHttpResponse(raw) {
  const sep = raw.indexOf("\r\n\r\n");
  if (sep < 0) return null;
  const head = raw.subarray(0, sep).toString("latin1").split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
  if (!m) return null;
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = raw.subarray(sep + 4);
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    const out = [];
    let rest = body;
    for (;;) {
      const eol = rest.indexOf("\r\n");
      if (eol < 0) break;
      const size = parseInt(rest.subarray(0, eol).toString(), 16);
      if (!size) break;
      out.push(rest.subarray(eol + 2, eol + 2 + size));
      rest = rest.subarray(eol + 2 + size + 2);
    }
    body = Buffer.concat(out);
  } else if (headers["content-length"] != null) {
    body = body.subarray(0, Number(headers["content-length"]));
  }
  const text = body.toString("utf8");
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: Number(m[1]), headers, text, json };
}

// ---- the client ----------------------------------------------------------------------------------

// A client bound to one running server. opts: github (secret), gitlabToken, gitlabSigningKey,
// gitea (secret), admin (token), localAddress, keepAlive. Records every signature/token it sends in
// server.signatures so the output leak check can look for them.
export class Forge {
  constructor(server, opts = {}) {
    this.server = server;
    this.opts = opts;
    this.agent = new http.Agent({ keepAlive: opts.keepAlive ?? true, maxSockets: opts.maxSockets ?? Infinity });
    this.defaultHookId = opts.hookId ?? String(100000 + crypto.randomInt(800000));
    this.defaultWebhookUUID = opts.webhookUUID ?? uid();
  }

  close() {
    this.agent.destroy();
  }

  #remember(...values) {
    for (const v of values) {
      if (!v) continue;
      const bare = String(v).replace(/^(sha256=|sha1=)/, "");
      this.server.signatures.add(bare.toLowerCase());
      for (const entry of String(v).split(" ")) {
        const b64 = entry.replace(/^v1,/, "");
        if (b64) this.server.signatures.add(b64);
      }
    }
  }

  request(method, p, { headers = {}, body, localAddress, agent, timeoutMs } = {}) {
    return httpRequest({
      host: this.server.host,
      port: this.server.port,
      method,
      path: p,
      headers,
      body,
      agent: agent ?? this.agent,
      localAddress: localAddress ?? this.opts.localAddress,
      timeoutMs,
    });
  }

  get(p, o) {
    return this.request("GET", p, o);
  }

  // A GitHub delivery. o: event, delivery, hookId (null = no header), secret, form, signatures
  // ("both" as GitHub sends | "sha256" | "sha1" | "none"), signature256/signature1 overrides, body
  // (raw override, signed as is), contentType, headers (extra, applied last), omit (header names).
  async github(payload, o = {}) {
    const enc = o.body != null ? { body: Buffer.from(o.body), contentType: o.form ? "application/x-www-form-urlencoded" : "application/json" } : encodeBody(payload, o);
    const delivery = o.delivery ?? uid();
    const hookId = o.hookId === undefined ? this.defaultHookId : o.hookId;
    const secret = o.secret ?? this.opts.github;
    const mode = o.signatures ?? "both";
    const headers = {
      "User-Agent": "GitHub-Hookshot/it-test",
      "Content-Type": o.contentType ?? enc.contentType,
      "X-GitHub-Event": o.event ?? "push",
      "X-GitHub-Delivery": delivery,
    };
    if (hookId != null) {
      headers["X-GitHub-Hook-ID"] = String(hookId);
      headers["X-GitHub-Hook-Installation-Target-Type"] = "repository";
      headers["X-GitHub-Hook-Installation-Target-ID"] = "1296269";
    }
    if (mode === "both" || mode === "sha1") headers["X-Hub-Signature"] = o.signature1 ?? githubSha1(secret, enc.body);
    if (mode === "both" || mode === "sha256") headers["X-Hub-Signature-256"] = o.signature256 ?? githubSha256(secret, enc.body);
    this.#remember(headers["X-Hub-Signature"], headers["X-Hub-Signature-256"]);
    Object.assign(headers, o.headers ?? {});
    for (const h of o.omit ?? []) delete headers[h];
    const res = await this.request("POST", o.path ?? "/webhooks/github", { headers, body: enc.body, localAddress: o.localAddress, agent: o.agent });
    return Object.assign(res, { delivery, hookId, sent: { headers, body: enc.body } });
  }

  // A GitLab delivery. o: event ("Push Hook"), token (null = no header), signingKey (null = unsigned;
  // default the client's), idempotencyKey / eventUUID / webhookUUID (null = no header), webhookId,
  // timestamp (Unix s), signature (override), headers, omit, body, contentType.
  async gitlab(payload, o = {}) {
    const body = Buffer.from(o.body ?? JSON.stringify(payload));
    const token = o.token === undefined ? this.opts.gitlabToken : o.token;
    const signingKey = o.signingKey === undefined ? this.opts.gitlabSigningKey : o.signingKey;
    const idempotencyKey = o.idempotencyKey === undefined ? uid() : o.idempotencyKey;
    const eventUUID = o.eventUUID === undefined ? uid() : o.eventUUID;
    const webhookUUID = o.webhookUUID === undefined ? this.defaultWebhookUUID : o.webhookUUID;
    const headers = {
      "User-Agent": "GitLab/17.5.0",
      "Content-Type": o.contentType ?? "application/json",
      "X-Gitlab-Event": o.event ?? "Push Hook",
      "X-Gitlab-Instance": "https://gitlab.example.test",
    };
    if (token != null) headers["X-Gitlab-Token"] = token;
    if (eventUUID != null) headers["X-Gitlab-Event-UUID"] = eventUUID;
    if (webhookUUID != null) headers["X-Gitlab-Webhook-UUID"] = webhookUUID;
    if (idempotencyKey != null) headers["Idempotency-Key"] = idempotencyKey;
    if (signingKey != null) {
      const id = o.webhookId ?? `msg_${uid()}`;
      const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
      headers["webhook-id"] = id;
      headers["webhook-timestamp"] = ts;
      headers["webhook-signature"] = o.signature ?? standardWebhookSignature(signingKey, id, ts, body);
      this.#remember(headers["webhook-signature"]);
    }
    Object.assign(headers, o.headers ?? {});
    for (const h of o.omit ?? []) delete headers[h];
    const res = await this.request("POST", "/webhooks/gitlab", { headers, body, localAddress: o.localAddress });
    return Object.assign(res, { delivery: idempotencyKey ?? eventUUID, idempotencyKey, eventUUID, webhookUUID, sent: { headers, body } });
  }

  // A Gitea (or, with o.forgejo, Forgejo) delivery. The signature is over the JSON even for form
  // bodies. o: event, delivery, hookId, secret, form, forgejo, signature, githubCopies (default
  // true for Gitea: the GitHub-compatible header copies Gitea also sends), headers, omit.
  async gitea(payload, o = {}) {
    const enc = encodeBody(payload, o);
    const delivery = o.delivery ?? uid();
    const secret = o.secret ?? this.opts.gitea;
    const sig = o.signature ?? giteaSignature(secret, enc.json);
    const p = o.forgejo ? "X-Forgejo" : "X-Gitea";
    const headers = {
      "User-Agent": o.forgejo ? "Forgejo/9.0" : "Go-http-client/1.1",
      "Content-Type": o.contentType ?? enc.contentType,
      [`${p}-Event`]: o.event ?? "push",
      [`${p}-Event-Type`]: o.event ?? "push",
      [`${p}-Delivery`]: delivery,
      [`${p}-Signature`]: sig,
    };
    if (o.hookId != null) headers[`${p}-Hook-ID`] = String(o.hookId);
    if (!o.forgejo && (o.githubCopies ?? true)) {
      headers["X-GitHub-Event"] = o.event ?? "push";
      headers["X-GitHub-Delivery"] = delivery;
      headers["X-Hub-Signature-256"] = `sha256=${sig}`;
    }
    this.#remember(sig);
    Object.assign(headers, o.headers ?? {});
    for (const h of o.omit ?? []) delete headers[h];
    const res = await this.request("POST", "/webhooks/gitea", { headers, body: enc.body, localAddress: o.localAddress });
    return Object.assign(res, { delivery, sent: { headers, body: enc.body, json: enc.json } });
  }

  // Admin API call with the admin token (o.token overrides; null sends no Authorization).
  api(p, { method = "GET", body, token } = {}) {
    const t = token === undefined ? this.opts.admin : token;
    const headers = {};
    if (t != null) headers.Authorization = `Bearer ${t}`;
    let b;
    if (body !== undefined) {
      b = typeof body === "string" ? body : JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
    return this.request(method, p.startsWith("/") ? p : `/api/v1/${p}`, { headers, body: b });
  }

  // Every row of a list endpoint (default: deliveries) matching filter, following next_cursor page
  // by page (bounded).
  async listAll(filter = {}, { resource = "deliveries", pageLimit = 500, maxPages = 200 } = {}) {
    const out = [];
    let cursor = null;
    for (let page = 0; page < maxPages; page++) {
      const q = new URLSearchParams({ ...filter, limit: String(pageLimit) });
      if (cursor != null) q.set("cursor", String(cursor));
      const res = await this.api(`/api/v1/${resource}?${q}`);
      assert.equal(res.status, 200, `GET /api/v1/${resource}?${q} → ${res.status} ${res.text}`);
      assert.ok(Array.isArray(res.json?.[resource]), `${resource} page is not {${resource}: [...]}: ${res.text.slice(0, 300)}`);
      out.push(...res.json[resource]);
      cursor = res.json.next_cursor;
      if (cursor == null) return out;
    }
    throw new Error(`listAll: more than ${maxPages} pages`);
  }

  // Waits until the pipeline has processed every queued delivery (metrics/status backlog 0).
  async drained() {
    await waitFor(async () => {
      const s = await this.api("/api/v1/metrics/status");
      return s.status === 200 && s.json.webhooks.processing_backlog === 0;
      // A PostgreSQL store drains a crash's backlog in small batches at a few hundred a second.
    }, { timeoutMs: 30_000, message: "processing backlog drained" });
  }
}

// ---- assertions and helpers ----------------------------------------------------------------------

// Asserts an error response: exact status, JSON body {error: code, message: string}, and that the
// body contains none of the forbidden strings (secrets, signatures, tokens).
export function assertError(res, status, code, { forbidden = [], what = "" } = {}) {
  const label = `${what ? what + ": " : ""}expected ${status} ${code}, got ${res.status} ${res.text?.slice(0, 300)}`;
  assert.equal(res.status, status, label);
  assert.ok(res.json && typeof res.json === "object", `${label} (body is not JSON)`);
  assert.equal(res.json.error, code, label);
  assert.equal(typeof res.json.message, "string", `${label} (no message)`);
  if (res.headers) assert.match(String(res.headers["content-type"]), /^application\/json/, `${label} (Content-Type ${res.headers["content-type"]})`);
  for (const f of forbidden) {
    if (f) assert.ok(!res.text.includes(f), `${what}: the error body contains a secret/signature`);
  }
}

export function assertAccepted(res, what = "") {
  assert.ok(res.status >= 200 && res.status < 300, `${what} expected 2xx accepted, got ${res.status} ${res.text?.slice(0, 300)}`);
  assert.equal(res.json?.status, "accepted", `${what} expected status accepted: ${res.text?.slice(0, 300)}`);
  assert.equal(typeof res.json.id, "number", `${what} no numeric id: ${res.text}`);
  if (res.delivery !== undefined) assert.equal(res.json.delivery, res.delivery, `${what} echoed delivery id`);
}

// Retry-After must be a number of seconds (delta-seconds, RFC 9110).
export function assertRetryAfter(headers, what = "") {
  const v = headers["retry-after"];
  assert.ok(v != null, `${what} Retry-After header missing`);
  assert.match(String(v), /^\d+$/, `${what} Retry-After is not delta-seconds: ${v}`);
  assert.ok(Number(v) >= 1, `${what} Retry-After: ${v} asks for an immediate retry`);
}

// Value of a stored header from a delivery's `headers`, whatever its shape: an object (any name
// case), an array of [name, value] pairs, or an array of {name, value}. undefined when absent.
export function headerValue(headers, name) {
  const n = name.toLowerCase();
  if (Array.isArray(headers)) {
    for (const h of headers) {
      const [k, v] = Array.isArray(h) ? h : [h.name ?? h.key, h.value];
      if (String(k).toLowerCase() === n) return v;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === n) return Array.isArray(v) && v.length === 1 ? v[0] : v;
  return undefined;
}

// Runs fn over items with at most `concurrency` in flight; returns results in order.
export async function pool(items, concurrency, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

// GitHub's own example payloads: [{event, payload, index}] (58 events, 329 examples).
export function githubExamples() {
  const file = path.join(ROOT, "node_modules", "@octokit", "webhooks-examples", "api.github.com", "index.json");
  const groups = JSON.parse(readFileSync(file, "utf8"));
  const out = [];
  for (const g of groups) g.examples.forEach((payload, index) => out.push({ event: g.name, payload, index }));
  return out;
}

// A small realistic GitHub push payload for repository `full`.
export function pushPayload(full = "octo-org/hello-world", extra = {}) {
  const [owner, name] = full.split("/");
  return {
    ref: "refs/heads/main",
    before: "0".repeat(40),
    after: crypto.randomBytes(20).toString("hex"),
    created: false,
    deleted: false,
    forced: false,
    commits: [],
    repository: { id: 1296269, name, full_name: full, owner: { login: owner, id: 1 } },
    pusher: { name: owner, email: `${owner}@example.test` },
    sender: { login: owner, id: 1 },
    ...extra,
  };
}

export function gitlabPushPayload(pathWithNamespace = "group/project", extra = {}) {
  return {
    object_kind: "push",
    event_name: "push",
    before: "0".repeat(40),
    after: crypto.randomBytes(20).toString("hex"),
    ref: "refs/heads/main",
    user_username: "jsmith",
    project: { id: 15, name: pathWithNamespace.split("/").pop(), path_with_namespace: pathWithNamespace },
    commits: [],
    total_commits_count: 0,
    ...extra,
  };
}

export function giteaPushPayload(full = "gitea-org/repo", extra = {}) {
  const [owner, name] = full.split("/");
  return {
    ref: "refs/heads/main",
    before: "0".repeat(40),
    after: crypto.randomBytes(20).toString("hex"),
    commits: [],
    repository: { id: 7, name, full_name: full, owner: { login: owner } },
    pusher: { login: owner },
    sender: { login: owner },
    ...extra,
  };
}
