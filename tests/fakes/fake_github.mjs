// A stateful fake of the GitHub REST API (v2022-11-28), limited to what forgehook calls: repository
// and organization webhooks with their delivery logs and redelivery, the repository and user
// endpoints used to check rights, the repository Events API with ETags, and GitHub App
// installation lookups and installation tokens. It also delivers webhooks the way GitHub's
// Hookshot does. Everything listens on 127.0.0.1. The forge facts it follows are those of the
// shared FORGE-PROTOCOLS.md reference (see README.md here).
//
//   const gh = await startFakeGitHub({ pollInterval: 1 });
//   gh.addRepo("octo-org/hello", { private: true });
//   gh.addToken("t1", { scopes: ["admin:repo_hook"], repos: { "octo-org/hello": "admin" } });
//   ... forgehook talks to gh.url ...
//   await gh.emit("octo-org/hello", "push");      // delivers to every subscribed active hook
//   gh.counts()                                    // {"GET /repos/{owner}/{repo}/hooks": 3, ...}
//   await gh.close();
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { githubExamples } from "../integration/lib/forge.mjs";
import { GITHUB_DESCRIPTION } from "./contract_proxy.mjs";
import { FORGEHOOK_OPERATIONS } from "./github_operations.mjs";
import { BAD_JSON, Faults, compileRoutes, countRoutes, isoNow, listen, matchRoute, postWebhook, readBody, sleep } from "./common.mjs";

const DOCS = "https://docs.github.com/rest";

// GitHub's own example payloads (@octokit/webhooks-examples), loaded once, by event name.
let examplesByEvent;
export function githubExamplePayloads() {
  if (!examplesByEvent) {
    examplesByEvent = new Map();
    for (const { event, payload } of githubExamples()) {
      if (!examplesByEvent.has(event)) examplesByEvent.set(event, []);
      examplesByEvent.get(event).push(payload);
    }
  }
  return examplesByEvent;
}

// GitHub's OpenAPI examples, used as templates for large objects (full repository, user,
// installation) so their shape is GitHub's own. Loaded lazily (13 MB).
let spec;
function loadSpec() {
  spec ??= JSON.parse(readFileSync(GITHUB_DESCRIPTION, "utf8"));
  return spec;
}
function specExample(name) {
  const v = loadSpec().components.examples[name]?.value;
  return v ? structuredClone(v) : {};
}

// Webhook event names GitHub accepts in a hook's `events`: the categories of the description's
// x-webhooks (doc names with "-" are event names with "_"), plus "*". GitHub answers 422 for an
// unknown event (changelog 2017-08-09, "Breaking changes to creating webhooks via the API").
let eventNames;
export function githubEventNames() {
  if (!eventNames) {
    eventNames = new Set(["*"]);
    for (const v of Object.values(loadSpec()["x-webhooks"] ?? {})) {
      const c = v.post?.["x-github"]?.subcategory;
      if (c) eventNames.add(c.replace(/-/g, "_"));
    }
    for (const e of githubExamplePayloads().keys()) eventNames.add(e);
  }
  return eventNames;
}
const badEvents = (list) => (Array.isArray(list) ? list.filter((e) => !githubEventNames().has(e)) : []);

const ROUTES = compileRoutes(FORGEHOOK_OPERATIONS);

class HttpError extends Error {
  constructor(status, body, headers = {}) {
    super(body?.message ?? String(status));
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}
const err = (status, message, extra = {}, headers = {}) => new HttpError(status, { message, documentation_url: extra.documentation_url ?? DOCS, status: String(status), ...extra }, headers);
const notFound = () => err(404, "Not Found", { documentation_url: "https://docs.github.com/rest" });
const validationFailed = (errors, documentation_url = `${DOCS}/repos/webhooks`) => err(422, "Validation Failed", { errors, documentation_url });

const b64url = (buf) => Buffer.from(buf).toString("base64url");

// Makes an RS256 JWT the way a GitHub App does (for tests that play forgehook's part).
export function makeAppJwt(appId, privateKeyPem, { iat = Math.floor(Date.now() / 1000) - 60, exp = iat + 600, iss = appId } = {}) {
  const head = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const body = b64url(JSON.stringify({ iat, exp, iss }));
  const sig = crypto.sign("RSA-SHA256", Buffer.from(`${head}.${body}`), privateKeyPem);
  return `${head}.${body}.${b64url(sig)}`;
}

/**
 * options:
 *   pollInterval      X-Poll-Interval of the Events API, s (default 60; tests use 1)
 *   rateLimit         {limit=5000, remaining=limit, resetInS=3600} for the "core" resource
 *   deliveryTimeoutMs how long a delivery waits for the receiver (default 10000, like github.com)
 *   installationTokenTtlMs  lifetime of installation tokens (default 3600000)
 *   tokens            {token: spec} as for addToken; default one classic admin token "test-token"
 *   repos             ["owner/name" | {full, private, id}] created at start
 *   autoRepos         true (default): an unknown repository is created on first use
 *   publicUrl         base URL written into hook urls and Link headers (default: from Host)
 *   hookshot          User-Agent version suffix (default "6d0a1b7")
 */
export async function startFakeGitHub(options = {}) {
  const state = {
    repos: new Map(), // full name -> {id, name, owner, full, private, orgId}
    orgs: new Map(), // login -> {id, login}
    hooks: new Map(), // id -> hook
    tokens: new Map(), // token -> spec
    apps: new Map(), // app id -> {id, publicKey, installations: Map}
    installations: new Map(), // installation id -> {id, appId, account, repos: [full] | "all", permissions}
    events: new Map(), // repo full -> [event] (newest last)
    // Rate limits: one "core" budget per user (every token of a login shares it), per app
    // installation and per app (JWT calls), and one for unauthenticated calls (60/h). `rate` is
    // the template a new budget starts from.
    rate: { limit: options.rateLimit?.limit ?? 5000, used: 0, remaining: 0, reset: 0 },
    buckets: new Map(),
    secondary: [],
    nextId: { repo: 100000, org: 900000, hook: 400000000, delivery: 10_000_000_000, event: 30_000_000_000, user: 5000 },
  };
  state.rate.remaining = options.rateLimit?.remaining ?? state.rate.limit;
  state.rate.used = state.rate.limit - state.rate.remaining;
  state.rate.reset = Math.floor(Date.now() / 1000) + (options.rateLimit?.resetInS ?? 3600);

  const requests = [];
  const sent = []; // every delivery attempt: {hookId, url, headers, body, result}
  const pending = new Set();
  const faults = new Faults();
  let pollInterval = options.pollInterval ?? 60;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 10_000;
  const hookshot = `GitHub-Hookshot/${options.hookshot ?? "6d0a1b7"}`;
  let tokenTtlMs = options.installationTokenTtlMs ?? 3_600_000;
  let base = options.publicUrl ?? null;
  const autoRepos = options.autoRepos !== false;

  // ---- model ---------------------------------------------------------------------------------
  function addOrg(login) {
    if (!state.orgs.has(login)) state.orgs.set(login, { id: state.nextId.org++, login });
    return state.orgs.get(login);
  }
  function addRepo(spec, opts = {}) {
    if (typeof spec === "object") ({ full: spec, ...opts } = spec);
    const full = spec;
    if (state.repos.has(full)) return Object.assign(state.repos.get(full), opts.private == null ? {} : { private: opts.private });
    const [owner, name] = full.split("/");
    const org = addOrg(owner);
    const repo = { id: opts.id ?? state.nextId.repo++, owner, name, full, private: opts.private ?? true, org };
    state.repos.set(full, repo);
    state.events.set(full, []);
    return repo;
  }
  // spec: {kind: "classic"|"fine_grained"|"installation", login, scopes: [...] (classic),
  //        repos: {full: "admin"|"maintain"|"write"|"read"} or "*" (admin everywhere),
  //        orgs: {org: "admin"|"member"} or "*", permissions: {repository_hooks: "read"|"write",
  //        organization_hooks, metadata} (fine-grained / installation), expiresAt (ms)}
  function addToken(token, spec = {}) {
    const t = { kind: "classic", login: "octocat", scopes: ["repo", "admin:repo_hook", "admin:org_hook"], repos: "*", orgs: "*", permissions: {}, ...spec, token };
    t.userId ??= state.nextId.user++;
    state.tokens.set(token, t);
    return t;
  }
  function addApp({ id, publicKey, privateKey }) {
    const app = { id: Number(id), publicKey: publicKey ?? crypto.createPublicKey(privateKey).export({ type: "spki", format: "pem" }), privateKey };
    state.apps.set(app.id, app);
    return app;
  }
  // {appId, id?, account: "org" (login), repos: [full] | "all", permissions}
  function addInstallation({ appId, id, account, repos = "all", permissions = { repository_hooks: "write", organization_hooks: "write", metadata: "read" } }) {
    const inst = { id: id ?? state.nextId.user++ + 70_000_000, appId: Number(appId), account, repos, permissions };
    addOrg(account);
    state.installations.set(inst.id, inst);
    return inst;
  }
  for (const r of options.repos ?? []) addRepo(r);
  for (const [k, v] of Object.entries(options.tokens ?? { "test-token": {} })) addToken(k, v);

  const repoRole = (tok, repo) => {
    if (!tok) return repo.private ? null : "read";
    if (tok.kind === "installation") {
      const inst = state.installations.get(tok.installationId);
      const ok = inst && inst.account === repo.owner && (inst.repos === "all" || inst.repos.includes(repo.full));
      return ok ? "app" : repo.private ? null : "read";
    }
    const role = tok.repos === "*" ? "admin" : tok.repos?.[repo.full];
    return role ?? (tok.orgs === "*" || tok.orgs?.[repo.owner] === "admin" ? "admin" : repo.private ? null : "read");
  };
  const perms = (role) => ({
    admin: role === "admin",
    maintain: role === "admin" || role === "maintain",
    push: ["admin", "maintain", "write"].includes(role),
    triage: ["admin", "maintain", "write", "triage"].includes(role),
    pull: !!role,
  });

  // ---- hooks ---------------------------------------------------------------------------------
  const hookBase = (h) => (h.scope.type === "repository" ? `${base}/repos/${h.scope.full}/hooks/${h.id}` : `${base}/orgs/${h.scope.org}/hooks/${h.id}`);
  function hookJson(h) {
    const config = { content_type: h.config.content_type, insecure_ssl: h.config.insecure_ssl, url: h.config.url };
    if (h.config.secret) config.secret = "********";
    const out = {
      type: h.scope.type === "repository" ? "Repository" : "Organization",
      id: h.id,
      name: "web",
      active: h.active,
      events: h.events,
      config,
      updated_at: h.updated_at,
      created_at: h.created_at,
      url: hookBase(h),
    };
    if (h.scope.type === "repository") out.test_url = `${hookBase(h)}/test`;
    out.ping_url = `${hookBase(h)}/pings`;
    out.deliveries_url = `${hookBase(h)}/deliveries`;
    if (h.scope.type === "repository") out.last_response = h.last_response;
    return out;
  }
  function validateHookConfig(config, { creating }) {
    const errors = [];
    if (creating && (config == null || typeof config !== "object")) errors.push({ resource: "Hook", code: "missing_field", field: "config" });
    else if (config && typeof config === "object") {
      if (creating && !config.url) errors.push({ resource: "Hook", code: "custom", field: "url", message: "url cannot be blank" });
      else if (config.url != null && !/^https?:\/\/[^\s/]+/.test(String(config.url))) errors.push({ resource: "Hook", code: "custom", field: "url", message: "url is not supported because it isn't reachable over the public Internet (localhost)".replace(/ \(localhost\)$/, "") });
      if (config.content_type != null && !["json", "form"].includes(config.content_type)) errors.push({ resource: "Hook", code: "invalid", field: "content_type", message: "content_type is not included in the list" });
      if (config.insecure_ssl != null && !["0", "1", 0, 1].includes(config.insecure_ssl)) errors.push({ resource: "Hook", code: "invalid", field: "insecure_ssl" });
    }
    return errors;
  }
  function scopeHooks(scope) {
    const out = [];
    for (const h of state.hooks.values()) if (h.scope.type === scope.type && (scope.type === "repository" ? h.scope.full === scope.full : h.scope.org === scope.org)) out.push(h);
    return out;
  }
  function createHook(scope, body) {
    if (body?.name != null && body.name !== "web") throw validationFailed([{ resource: "Hook", code: "custom", message: `Name must be 'web'` }]);
    const errors = validateHookConfig(body?.config, { creating: true });
    if (errors.length) throw validationFailed(errors);
    const events = body.events ?? ["push"];
    if (!Array.isArray(events)) throw validationFailed([{ resource: "Hook", code: "invalid", field: "events" }]);
    // The message text is not confirmed; the status and shape are GitHub's.
    if (badEvents(events).length) throw validationFailed([{ resource: "Hook", code: "invalid", field: "events", message: `Invalid events: ${badEvents(events).join(", ")}` }]);
    // GitHub: one hook per config URL (for overlapping events; a same-URL hook is refused).
    for (const h of scopeHooks(scope))
      if (h.config.url === body.config.url)
        throw validationFailed([{ resource: "Hook", code: "custom", message: `Hook already exists on this ${scope.type === "repository" ? "repository" : "organization"}` }]);
    const now = isoNow();
    const h = {
      id: state.nextId.hook++,
      scope,
      active: body.active ?? true,
      events: [...new Set(events)],
      config: {
        url: String(body.config.url),
        content_type: body.config.content_type ?? "form",
        insecure_ssl: String(body.config.insecure_ssl ?? "0"),
        secret: body.config.secret || null,
      },
      created_at: now,
      updated_at: now,
      last_response: { code: null, status: "unused", message: null },
      deliveries: [], // oldest first
      deliveryIndex: new Map(),
    };
    state.hooks.set(h.id, h);
    return h;
  }
  function updateHook(h, body, { configOnly = false } = {}) {
    const cfg = configOnly ? body : body.config;
    const errors = validateHookConfig(cfg, { creating: false });
    if (errors.length) throw validationFailed(errors);
    if (!configOnly) {
      const bad = [...badEvents(body.events), ...badEvents(body.add_events)];
      if (bad.length) throw validationFailed([{ resource: "Hook", code: "invalid", field: "events", message: `Invalid events: ${bad.join(", ")}` }]);
    }
    if (cfg && typeof cfg === "object") {
      if (configOnly) {
        // PATCH .../config changes only the fields given.
        if (cfg.url != null) h.config.url = String(cfg.url);
        if (cfg.content_type != null) h.config.content_type = cfg.content_type;
        if (cfg.insecure_ssl != null) h.config.insecure_ssl = String(cfg.insecure_ssl);
        if ("secret" in cfg) h.config.secret = cfg.secret || null;
      } else {
        // PATCH /hooks/{id} with a config replaces it: a config without `secret` removes the
        // secret (GitHub's real behaviour), missing content_type goes back to form.
        if (cfg.url != null) h.config.url = String(cfg.url);
        h.config.content_type = cfg.content_type ?? "form";
        h.config.insecure_ssl = String(cfg.insecure_ssl ?? "0");
        h.config.secret = cfg.secret || null;
      }
    }
    if (!configOnly) {
      if (Array.isArray(body.events)) h.events = [...new Set(body.events)];
      if (Array.isArray(body.add_events)) h.events = [...new Set([...h.events, ...body.add_events])];
      if (Array.isArray(body.remove_events)) h.events = h.events.filter((e) => !body.remove_events.includes(e));
      if (typeof body.active === "boolean") h.active = body.active;
    }
    h.updated_at = isoNow();
  }

  // ---- deliveries ----------------------------------------------------------------------------
  function deliveryItem(d) {
    return {
      id: d.id,
      guid: d.guid,
      delivered_at: d.delivered_at,
      redelivery: d.redelivery,
      duration: d.duration,
      status: d.status,
      status_code: d.status_code,
      event: d.event,
      action: d.action,
      installation_id: d.installation_id,
      repository_id: d.repository_id,
      throttled_at: d.throttled_at,
    };
  }
  function record(h, d) {
    d.id = state.nextId.delivery++;
    h.deliveries.push(d);
    h.deliveryIndex.set(d.id, d);
    return d;
  }
  function repoForPayload(payload) {
    const full = payload?.repository?.full_name;
    return full ? state.repos.get(full) : undefined;
  }
  // One attempt of one event to one hook; records it in the hook's log.
  async function attempt(h, { guid, event, payloadJson, action, installationId, redelivery }) {
    const json = payloadJson;
    const form = h.config.content_type === "form";
    const body = Buffer.from(form ? `payload=${encodeURIComponent(json)}` : json);
    const target = h.scope.type === "repository" ? { type: "repository", id: state.repos.get(h.scope.full)?.id } : { type: "organization", id: state.orgs.get(h.scope.org)?.id };
    const headers = {
      Accept: "*/*",
      "User-Agent": hookshot,
      "X-GitHub-Delivery": guid,
      "X-GitHub-Event": event,
      "X-GitHub-Hook-ID": String(h.id),
      "X-GitHub-Hook-Installation-Target-ID": String(target.id),
      "X-GitHub-Hook-Installation-Target-Type": target.type,
      "content-type": form ? "application/x-www-form-urlencoded" : "application/json",
    };
    if (h.config.secret) {
      headers["X-Hub-Signature"] = `sha1=${crypto.createHmac("sha1", h.config.secret).update(body).digest("hex")}`;
      headers["X-Hub-Signature-256"] = `sha256=${crypto.createHmac("sha256", h.config.secret).update(body).digest("hex")}`;
    }
    const deliveredAt = isoNow();
    const result = await postWebhook(h.config.url, headers, body, deliveryTimeoutMs);
    let parsedPayload;
    try {
      parsedPayload = JSON.parse(json);
    } catch {}
    const d = record(h, {
      guid,
      delivered_at: deliveredAt,
      redelivery: !!redelivery,
      duration: result.durationS,
      status: result.status,
      status_code: result.statusCode,
      event,
      action: action ?? parsedPayload?.action ?? null,
      installation_id: installationId ?? parsedPayload?.installation?.id ?? null,
      repository_id: parsedPayload?.repository?.id ?? null,
      throttled_at: null,
      url: h.config.url,
      payloadJson: json,
      request: { headers: { ...headers, "X-Hub-Signature": headers["X-Hub-Signature"] ? "********" : undefined, "X-Hub-Signature-256": headers["X-Hub-Signature-256"] ? "********" : undefined } },
      response: { headers: result.responseHeaders ?? {}, payload: result.responseBody ?? null },
    });
    h.last_response = { code: result.statusCode || null, status: result.statusCode >= 200 && result.statusCode < 300 ? "active" : "misconfigured", message: result.status };
    sent.push({ hookId: h.id, url: h.config.url, headers, body, result, delivery: d });
    return d;
  }
  function track(p) {
    pending.add(p);
    p.finally(() => pending.delete(p));
    return p;
  }
  const subscribed = (h, event) => h.active && (event === "ping" || h.events.includes("*") || h.events.includes(event));

  // Picks GitHub's example payload for event (and action) and points it at the fake's repository.
  function examplePayload(event, { action, repo } = {}) {
    const list = githubExamplePayloads().get(event);
    if (!list) throw new Error(`no example payload for event ${event}`);
    const ex = structuredClone((action && list.find((p) => p.action === action)) || list[0]);
    if (repo && ex.repository) {
      Object.assign(ex.repository, { id: repo.id, name: repo.name, full_name: repo.full, private: repo.private });
      if (ex.repository.owner) Object.assign(ex.repository.owner, { login: repo.owner, id: repo.org.id });
    }
    if (repo && ex.organization) Object.assign(ex.organization, { login: repo.owner, id: repo.org.id });
    return ex;
  }

  // Delivers event to every active subscribed hook of the repository and of its organization.
  // Resolves {guid, deliveries: [delivery records]} when every attempt has finished.
  async function emit(full, event, payload, { action, guid = crypto.randomUUID(), orgHooks = true } = {}) {
    const repo = full.includes("/") ? (autoRepos ? addRepo(full) : state.repos.get(full)) : null;
    const org = full.includes("/") ? repo.owner : full;
    const p = payload ?? examplePayload(event, { action, repo });
    const json = typeof p === "string" ? p : JSON.stringify(p);
    const targets = [];
    for (const h of state.hooks.values()) {
      if (!subscribed(h, event)) continue;
      if (repo && h.scope.type === "repository" && h.scope.full === repo.full) targets.push(h);
      else if (orgHooks && h.scope.type === "organization" && h.scope.org === org) targets.push(h);
    }
    const job = Promise.all(targets.map((h) => attempt(h, { guid, event, payloadJson: json, action })));
    const deliveries = await track(job);
    return { guid, deliveries };
  }
  function ping(h) {
    const repo = h.scope.type === "repository" ? state.repos.get(h.scope.full) : null;
    const payload = {
      zen: "Keep it logically awesome.",
      hook_id: h.id,
      hook: { ...hookJson(h), config: { ...hookJson(h).config } },
      sender: { login: "octocat", id: 1, type: "User" },
    };
    if (repo) payload.repository = { id: repo.id, name: repo.name, full_name: repo.full, private: repo.private, owner: { login: repo.owner, id: repo.org.id } };
    else payload.organization = { login: h.scope.org, id: state.orgs.get(h.scope.org).id };
    return track(attempt(h, { guid: crypto.randomUUID(), event: "ping", payloadJson: JSON.stringify(payload), action: null }));
  }
  function testPush(h) {
    const repo = state.repos.get(h.scope.full);
    const p = examplePayload("push", { repo });
    return track(attempt(h, { guid: crypto.randomUUID(), event: "push", payloadJson: JSON.stringify(p), action: null }));
  }
  function redeliver(h, d) {
    return track(attempt(h, { guid: d.guid, event: d.event, payloadJson: d.payloadJson, action: d.action, installationId: d.installation_id, redelivery: true }));
  }

  // Fills a hook's log with n entries without sending them (oldest first, spaced spacingMs apart,
  // ending now). failEvery: every k-th entry is a failure (status_code 502, or 0 with
  // "failed to connect to host" when failStatus is 0). Payload is GitHub's example for the
  // event, so redelivering a seeded entry sends a real body. Returns {guids, failed: [guid],
  // deliveries}.
  function seedDeliveries(...args) {
    // seedDeliveries(hookId, n, opts) or seedDeliveries(repoOrOrg, hookId, n, opts)
    if (typeof args[0] === "string" && !/^\d+$/.test(args[0])) args.shift();
    return seedInto(...args);
  }
  function seedInto(hookId, n, { event = "push", action = null, failEvery = 0, failStatus = 502, spacingMs = 1000, endAt = Date.now(), redeliveryEvery = 0 } = {}) {
    const h = state.hooks.get(Number(hookId));
    if (!h) throw new Error(`no hook ${hookId}`);
    const repo = h.scope.type === "repository" ? state.repos.get(h.scope.full) : null;
    const payloadJson = JSON.stringify(examplePayload(event, { action, repo }));
    const guids = [];
    const failed = [];
    const out = [];
    for (let i = 0; i < n; i++) {
      const fail = failEvery > 0 && (i + 1) % failEvery === 0;
      const guid = crypto.randomUUID();
      const d = record(h, {
        guid,
        delivered_at: isoNow(endAt - (n - 1 - i) * spacingMs),
        redelivery: redeliveryEvery > 0 && (i + 1) % redeliveryEvery === 0,
        duration: 0.05,
        status: fail ? (failStatus ? `Invalid HTTP Response: ${failStatus}` : "failed to connect to host") : "OK",
        status_code: fail ? failStatus : 200,
        event,
        action,
        installation_id: null,
        repository_id: repo?.id ?? null,
        throttled_at: null,
        url: h.config.url,
        payloadJson,
        request: { headers: { "X-GitHub-Event": event, "X-GitHub-Delivery": guid } },
        response: { headers: {}, payload: null },
      });
      guids.push(guid);
      if (fail) failed.push(guid);
      out.push(d);
    }
    return { guids, failed, deliveries: out };
  }

  // ---- Events API ----------------------------------------------------------------------------
  const EVENT_TYPES = { push: "PushEvent", pull_request: "PullRequestEvent", issues: "IssuesEvent", issue_comment: "IssueCommentEvent", create: "CreateEvent", delete: "DeleteEvent", release: "ReleaseEvent", fork: "ForkEvent", watch: "WatchEvent", pull_request_review: "PullRequestReviewEvent", pull_request_review_comment: "PullRequestReviewCommentEvent", gollum: "GollumEvent", member: "MemberEvent", public: "PublicEvent" };
  // addEvent(repo, {type: "PullRequestEvent" | webhook name, payload, actor, created_at, public}).
  // Returns the event object. At most 300 events are kept per repository (GitHub's cap).
  function addEvent(full, ev = {}) {
    const repo = addRepo(full);
    const type = EVENT_TYPES[ev.type] ?? ev.type ?? "PushEvent";
    const e = {
      id: String(ev.id ?? state.nextId.event++),
      type,
      actor: ev.actor ?? { id: 1, login: "octocat", display_login: "octocat", gravatar_id: "", url: "https://api.github.com/users/octocat", avatar_url: "https://avatars.githubusercontent.com/u/1?" },
      repo: { id: repo.id, name: repo.full, url: `https://api.github.com/repos/${repo.full}` },
      payload: ev.payload ?? {},
      public: ev.public ?? !repo.private,
      created_at: ev.created_at ?? isoNow(),
    };
    if (repo.org) e.org = { id: repo.org.id, login: repo.owner, gravatar_id: "", url: `https://api.github.com/orgs/${repo.owner}`, avatar_url: `https://avatars.githubusercontent.com/u/${repo.org.id}?` };
    const list = state.events.get(full);
    list.push(e);
    if (list.length > 300) list.splice(0, list.length - 300);
    return e;
  }

  // ---- HTTP ----------------------------------------------------------------------------------
  const bucketKey = (auth) =>
    auth?.tok ? (auth.tok.kind === "installation" ? `installation:${auth.tok.installationId}` : `user:${auth.tok.login}`) : auth?.jwt ? `app:${auth.jwt.app.id}` : "anonymous";
  function bucket(key) {
    let b = state.buckets.get(key);
    if (!b) {
      b = key === "anonymous" ? { limit: options.rateLimit?.anonymousLimit ?? 60, used: 0, reset: Math.floor(Date.now() / 1000) + 3600 } : { ...state.rate };
      b.remaining ??= b.limit;
      if (key === "anonymous") b.remaining = b.limit;
      state.buckets.set(key, b);
    }
    const now = Math.floor(Date.now() / 1000);
    if (now >= b.reset) {
      b.remaining = b.limit;
      b.used = 0;
      b.reset = now + 3600;
    }
    return b;
  }
  function rateHeaders(b) {
    return {
      "x-ratelimit-limit": String(b.limit),
      "x-ratelimit-remaining": String(b.remaining),
      "x-ratelimit-used": String(b.used),
      "x-ratelimit-reset": String(b.reset),
      "x-ratelimit-resource": "core",
    };
  }
  function authenticate(req) {
    const h = req.headers.authorization;
    if (!h) return { tok: null };
    const m = /^(?:bearer|token)\s+(\S+)$/i.exec(h);
    if (!m) throw err(401, "Bad credentials");
    const raw = m[1];
    if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(raw) && !state.tokens.has(raw)) return { jwt: verifyJwt(raw) };
    const tok = state.tokens.get(raw);
    if (!tok || (tok.expiresAt && Date.now() >= tok.expiresAt)) throw err(401, "Bad credentials");
    return { tok };
  }
  function verifyJwt(jwt) {
    const [h64, p64, s64] = jwt.split(".");
    let head, claims;
    try {
      head = JSON.parse(Buffer.from(h64, "base64url"));
      claims = JSON.parse(Buffer.from(p64, "base64url"));
    } catch {
      throw err(401, "A JSON web token could not be decoded");
    }
    if (head.alg !== "RS256") throw err(401, "A JSON web token could not be decoded");
    const app = state.apps.get(Number(claims.iss));
    if (!app) throw err(401, "Integration not found");
    const ok = crypto.verify("RSA-SHA256", Buffer.from(`${h64}.${p64}`), app.publicKey, Buffer.from(s64, "base64url"));
    if (!ok) throw err(401, "A JSON web token could not be decoded");
    const now = Math.floor(Date.now() / 1000);
    if (!Number.isInteger(claims.iat) || claims.iat > now + 60) throw err(401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued");
    if (!Number.isInteger(claims.exp)) throw err(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
    if (claims.exp - claims.iat > 600) throw err(401, "'Expiration time' claim ('exp') is too far in the future");
    if (claims.exp <= now) throw err(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
    return { app, claims };
  }

  // Rights on hooks. GitHub's observed behaviour: a repository the caller cannot see is 404; a
  // classic token that can see it but is not admin (or lacks a hook scope) gets 404 on a private
  // repository and 403 "Must have admin rights to Repository." on a public one; fine-grained and
  // installation tokens without the "Webhooks" permission get 403 "Resource not accessible by
  // integration" / "... by personal access token" with X-Accepted-GitHub-Permissions.
  function requireRepo(auth, owner, name) {
    if (auth.jwt) throw err(401, "A JSON web token could not be decoded");
    const full = `${owner}/${name}`;
    let repo = state.repos.get(full);
    if (!repo && autoRepos && auth.tok && (auth.tok.repos === "*" || auth.tok.orgs === "*")) repo = addRepo(full);
    if (!repo) throw notFound();
    const role = repoRole(auth.tok, repo);
    if (!role) throw notFound();
    return { repo, role };
  }
  function requireHookRights(auth, { repo, role }, write, kind = "repository_hooks") {
    const tok = auth.tok;
    const level = write ? "write" : "read";
    if (!tok) throw repo?.private === false ? err(403, "Must have admin rights to Repository.") : notFound();
    if (tok.kind === "classic") {
      const scopeOk = tok.scopes.includes(kind === "repository_hooks" ? "repo" : "admin:org") || tok.scopes.includes(kind === "repository_hooks" ? "admin:repo_hook" : "admin:org_hook") || (kind === "repository_hooks" && (tok.scopes.includes("write:repo_hook") || (!write && tok.scopes.includes("read:repo_hook"))));
      if (role !== "admin" || !scopeOk) throw repo && !repo.private ? err(403, "Must have admin rights to Repository.") : notFound();
      return;
    }
    const have = tok.permissions?.[kind];
    if (tok.kind === "installation" && role !== "app" && kind === "repository_hooks") throw notFound();
    if (!(have === "write" || (have === "read" && !write)) || (tok.kind === "fine_grained" && kind === "repository_hooks" && role !== "admin" && role !== "app")) {
      const who = tok.kind === "installation" ? "integration" : "personal access token";
      throw err(403, `Resource not accessible by ${who}`, {}, { "x-accepted-github-permissions": `${kind}=${level}` });
    }
  }
  function requireOrg(auth, org) {
    if (auth.jwt) throw err(401, "A JSON web token could not be decoded");
    const tok = auth.tok;
    const o = state.orgs.get(org) ?? (autoRepos && tok?.kind === "classic" && tok.orgs === "*" ? addOrg(org) : undefined);
    if (!o || !tok) throw notFound();
    if (tok.kind === "installation") {
      const inst = state.installations.get(tok.installationId);
      if (!inst || inst.account !== org) throw notFound();
      return o;
    }
    if (!(tok.orgs === "*" || tok.orgs?.[org])) throw notFound();
    return o;
  }
  function requireOrgHookRights(auth, org, write) {
    const tok = auth.tok;
    if (tok.kind === "classic") {
      if (!(tok.orgs === "*" || tok.orgs?.[org] === "admin") || !(tok.scopes.includes("admin:org_hook") || tok.scopes.includes("admin:org"))) throw notFound();
      return;
    }
    requireHookRights(auth, { repo: null, role: "app" }, write, "organization_hooks");
  }

  function paginatePages(items, url, perPageDefault = 30) {
    const perPage = Math.min(Math.max(parseInt(url.searchParams.get("per_page") ?? perPageDefault, 10) || perPageDefault, 1), 100);
    const page = Math.max(parseInt(url.searchParams.get("page") ?? "1", 10) || 1, 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (p) => {
      const u = new URL(`${base}${url.pathname}`);
      for (const [k, v] of url.searchParams) if (k !== "page") u.searchParams.set(k, v);
      u.searchParams.set("per_page", String(perPage));
      u.searchParams.set("page", String(p));
      return `<${u}>`;
    };
    const rels = [];
    if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
    if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) rels.push(`${link(1)}; rel="first"`);
    return { slice, headers: rels.length ? { link: rels.join(", ") } : {} };
  }

  async function route(req, url, auth, body, m) {
    const { params } = m;
    const r = m.route;
    const isOrg = r.includes("/orgs/{org}/hooks");
    const write = req.method !== "GET";
    let h;
    const loadScope = () => {
      if (isOrg) {
        requireOrg(auth, params.org);
        requireOrgHookRights(auth, params.org, write);
        return { type: "organization", org: params.org };
      }
      const rr = requireRepo(auth, params.owner, params.repo);
      requireHookRights(auth, rr, write);
      return { type: "repository", full: rr.repo.full };
    };
    const loadHook = (scope) => {
      const hh = state.hooks.get(Number(params.hook_id));
      if (!hh || hh.scope.type !== scope.type || (scope.type === "repository" ? hh.scope.full !== scope.full : hh.scope.org !== scope.org)) throw notFound();
      return hh;
    };
    const needBody = () => {
      if (body === BAD_JSON) throw err(400, "Problems parsing JSON");
      return body ?? {};
    };
    const tail = r.replace(/^\w+ \/(repos\/\{owner\}\/\{repo\}|orgs\/\{org\})/, "");
    switch (`${req.method} ${tail}`) {
      case "GET /hooks": {
        const scope = loadScope();
        const { slice, headers } = paginatePages(scopeHooks(scope), url);
        return [200, slice.map(hookJson), headers];
      }
      case "POST /hooks": {
        const scope = loadScope();
        h = createHook(scope, needBody());
        ping(h);
        return [201, hookJson(h), { location: hookBase(h) }];
      }
      case "GET /hooks/{hook_id}":
        return [200, hookJson(loadHook(loadScope()))];
      case "PATCH /hooks/{hook_id}": {
        h = loadHook(loadScope());
        updateHook(h, needBody());
        return [200, hookJson(h)];
      }
      case "DELETE /hooks/{hook_id}": {
        h = loadHook(loadScope());
        state.hooks.delete(h.id);
        return [204, null];
      }
      case "GET /hooks/{hook_id}/config":
        return [200, hookJson(loadHook(loadScope())).config];
      case "PATCH /hooks/{hook_id}/config": {
        h = loadHook(loadScope());
        updateHook(h, needBody(), { configOnly: true });
        return [200, hookJson(h).config];
      }
      case "POST /hooks/{hook_id}/pings":
        ping(loadHook(loadScope()));
        return [204, null];
      case "POST /hooks/{hook_id}/tests": {
        h = loadHook(loadScope());
        if (h.events.includes("push") || h.events.includes("*")) testPush(h);
        return [204, null];
      }
      case "GET /hooks/{hook_id}/deliveries": {
        h = loadHook(loadScope());
        // per_page: at most 100, larger values are clamped as on GitHub's other lists; a value
        // that is not a positive number is 422 (the operation lists 400 and 422).
        const rawPerPage = parseInt(url.searchParams.get("per_page") ?? "30", 10);
        if (!(rawPerPage >= 1)) throw validationFailed([{ resource: "Hook", code: "invalid", field: "per_page" }]);
        const perPage = Math.min(rawPerPage, 100);
        const cursor = url.searchParams.get("cursor");
        const status = url.searchParams.get("status");
        let end = h.deliveries.length; // exclusive index into the oldest-first log
        if (cursor) {
          const cm = /^v1_(\d+)$/.exec(cursor);
          if (!cm) throw err(400, "Bad Request", { documentation_url: `${DOCS}/repos/webhooks#list-deliveries-for-a-repository-webhook` });
          const before = Number(cm[1]);
          // binary search: first index whose id >= before (ids increase along the log)
          let lo = 0;
          let hi = h.deliveries.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (h.deliveries[mid].id < before) lo = mid + 1;
            else hi = mid;
          }
          end = lo;
        }
        const out = [];
        let i = end - 1;
        for (; i >= 0 && out.length < perPage; i--) {
          const d = h.deliveries[i];
          if (status === "success" && !(d.status_code >= 200 && d.status_code < 300)) continue;
          if (status === "failure" && d.status_code >= 200 && d.status_code < 300) continue;
          out.push(d);
        }
        const headers = {};
        if (out.length === perPage && i >= 0) {
          const u = new URL(`${base}${url.pathname}`);
          for (const [k, v] of url.searchParams) if (k !== "cursor") u.searchParams.set(k, v);
          u.searchParams.set("per_page", String(perPage));
          u.searchParams.set("cursor", `v1_${out[out.length - 1].id}`);
          headers.link = `<${u}>; rel="next"`;
        }
        return [200, out.map(deliveryItem), headers];
      }
      case "GET /hooks/{hook_id}/deliveries/{delivery_id}": {
        h = loadHook(loadScope());
        const d = h.deliveryIndex.get(Number(params.delivery_id));
        if (!d) throw notFound();
        let payload = null;
        try {
          payload = JSON.parse(d.payloadJson);
        } catch {}
        return [200, { ...deliveryItem(d), url: d.url, request: { headers: d.request.headers, payload }, response: d.response }];
      }
      case "POST /hooks/{hook_id}/deliveries/{delivery_id}/attempts": {
        h = loadHook(loadScope());
        const d = h.deliveryIndex.get(Number(params.delivery_id));
        if (!d) throw notFound();
        redeliver(h, d);
        return [202, {}];
      }
    }
    switch (r) {
      case "GET /repos/{owner}/{repo}/events": {
        const { repo } = requireRepo(auth, params.owner, params.repo);
        const list = [...state.events.get(repo.full)].reverse();
        const { slice, headers } = paginatePages(list, url);
        // ETag and If-None-Match → 304 are handled for every GET in handle().
        return [200, slice, { ...headers, "x-poll-interval": String(pollInterval) }];
      }
      case "GET /repos/{owner}/{repo}": {
        const { repo, role } = requireRepo(auth, params.owner, params.repo);
        const tpl = specExample("full-repository");
        const owner = { ...(tpl.owner ?? {}), login: repo.owner, id: repo.org.id, type: "Organization" };
        const out = {
          ...tpl,
          id: repo.id,
          name: repo.name,
          full_name: repo.full,
          private: repo.private,
          visibility: repo.private ? "private" : "public",
          owner,
          html_url: `https://github.com/${repo.full}`,
          url: `${base}/repos/${repo.full}`,
          hooks_url: `${base}/repos/${repo.full}/hooks`,
          has_discussions: tpl.has_discussions ?? false,
          permissions: perms(role === "app" ? "read" : role),
        };
        if (tpl.organization) out.organization = { ...tpl.organization, login: repo.owner, id: repo.org.id };
        delete out.parent;
        delete out.source;
        delete out.template_repository;
        if (auth.tok?.kind === "installation") delete out.permissions; // an installation token gets no per-user permissions
        return [200, out];
      }
      case "GET /user": {
        if (auth.jwt) throw err(401, "A JSON web token could not be decoded");
        if (!auth.tok) throw err(401, "Requires authentication");
        if (auth.tok.kind === "installation") throw err(403, "Resource not accessible by integration");
        const tpl = specExample("private-user");
        const out = { ...tpl, login: auth.tok.login, id: auth.tok.userId };
        const headers = {};
        if (auth.tok.kind === "classic") headers["x-oauth-scopes"] = auth.tok.scopes.join(", ");
        headers["x-accepted-oauth-scopes"] = "";
        return [200, out, headers];
      }
      case "GET /repos/{owner}/{repo}/installation":
      case "GET /orgs/{org}/installation": {
        if (!auth.jwt) throw err(401, "A JSON web token is required to access this endpoint.", {}, {});
        const account = params.org ?? params.owner;
        const full = params.org ? null : `${params.owner}/${params.repo}`;
        const inst = [...state.installations.values()].find((i) => i.appId === auth.jwt.app.id && i.account === account && (full == null || i.repos === "all" || i.repos.includes(full)));
        if (!inst) throw notFound();
        return [200, installationJson(inst)];
      }
      case "POST /app/installations/{installation_id}/access_tokens": {
        if (!auth.jwt) throw err(401, "A JSON web token is required to access this endpoint.");
        const inst = state.installations.get(Number(params.installation_id));
        if (!inst || inst.appId !== auth.jwt.app.id) throw notFound();
        const token = `ghs_${crypto.randomBytes(18).toString("base64url")}`;
        const expiresAt = Date.now() + tokenTtlMs;
        state.tokens.set(token, { token, kind: "installation", installationId: inst.id, permissions: inst.permissions, login: `app-${inst.appId}[bot]`, userId: inst.id, expiresAt });
        return [201, { token, expires_at: isoNow(expiresAt), permissions: inst.permissions, repository_selection: inst.repos === "all" ? "all" : "selected" }];
      }
    }
    throw notFound();
  }
  function installationJson(inst) {
    const tpl = specExample("installation");
    const org = state.orgs.get(inst.account);
    return {
      ...tpl,
      id: inst.id,
      app_id: inst.appId,
      target_id: org.id,
      target_type: "Organization",
      account: { ...(tpl.account ?? {}), login: inst.account, id: org.id, type: "Organization" },
      permissions: inst.permissions,
      repository_selection: inst.repos === "all" ? "all" : "selected",
      access_tokens_url: `${base}/app/installations/${inst.id}/access_tokens`,
    };
  }

  const handle = async (req, res) => {
    const url = new URL(req.url, "http://x");
    if (!base) base = `http://${req.headers.host}`;
    const entry = { method: req.method, path: url.pathname, query: url.search, route: null, status: 0, at: Date.now(), headers: req.headers, body: null };
    requests.push(entry);
    const { raw, json } = await readBody(req);
    entry.body = json === BAD_JSON ? raw.toString("utf8") : json;
    const m = matchRoute(ROUTES, req.method, url.pathname);
    entry.route = m?.route ? m.route.slice(req.method.length + 1) : null;
    const send = (status, body, headers = {}) => {
      entry.status = status;
      const h = { "x-github-api-version-selected": "2022-11-28", "x-github-media-type": "github.v3; format=json", "x-github-request-id": crypto.randomBytes(8).toString("hex").toUpperCase(), ...headers };
      if (body != null) h["content-type"] = "application/json; charset=utf-8";
      res.writeHead(status, h);
      res.end(body == null ? undefined : JSON.stringify(body));
    };
    const fault = faults.take(req.method, url.pathname);
    if (fault) {
      entry.status = fault.hangMs ? 0 : fault.status;
      entry.fault = true;
      return faults.apply(fault, res);
    }
    // Rate-limit headers on every answer (a 401 shows the unauthenticated budget).
    let rb = bucket("anonymous");
    let rh = rateHeaders(rb);
    try {
      // GitHub answers 400 for an API version it does not support (2022-11-28 and 2026-03-10 exist).
      const ver = req.headers["x-github-api-version"];
      if (ver && !["2022-11-28", "2026-03-10"].includes(ver)) throw err(400, `API version '${ver}' is not supported.`);
      const auth = authenticate(req);
      rb = bucket(bucketKey(auth));
      rh = rateHeaders(rb);
      if (auth.tok?.kind === "classic") rh["x-oauth-scopes"] = auth.tok.scopes.join(", ");
      // secondary limits on demand
      const sec = state.secondary.find((s) => s.left > 0 && (!s.method || s.method === req.method) && (!s.path || (s.path instanceof RegExp ? s.path.test(url.pathname) : url.pathname.startsWith(s.path))));
      if (sec) {
        sec.left--;
        throw err(sec.status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.", { documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits" }, sec.retryAfter != null ? { "retry-after": String(sec.retryAfter) } : {});
      }
      if (!auth.jwt && rb.remaining <= 0) {
        throw err(403, `API rate limit exceeded for user ID ${auth.tok?.userId ?? 0}. If you reach out to GitHub Support for help, please include the request ID.`, { documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api" });
      }
      if (!m) throw notFound();
      if (m.methodNotAllowed) throw notFound();
      let [status, body, headers = {}, meta = {}] = await route(req, url, auth, json, m);
      // Conditional requests, as on every GitHub GET: an ETag on each 200, and a 304 (which does
      // not count against the rate limit) when If-None-Match names it.
      if (req.method === "GET" && status === 200) {
        headers.etag ??= `W/"${crypto.createHash("sha1").update(JSON.stringify(body)).digest("hex")}"`;
        headers["cache-control"] ??= "private, max-age=60, s-maxage=60";
        headers.vary ??= "Accept, Authorization, Cookie, X-GitHub-OTP,Accept-Encoding, Accept, X-Requested-With";
        const inm = req.headers["if-none-match"];
        const bare = (t) => t.trim().replace(/^W\//, "");
        if (inm && inm.split(",").some((t) => t.trim() === "*" || bare(t) === bare(headers.etag))) {
          status = 304;
          body = null;
          meta = { ...meta, free: true };
        }
      }
      if (!auth.jwt && !meta.free) {
        rb.remaining = Math.max(0, rb.remaining - 1);
        rb.used++;
        Object.assign(rh, rateHeaders(rb));
      }
      send(status, body, { ...rh, ...headers });
    } catch (e) {
      if (!(e instanceof HttpError)) {
        send(500, { message: `fake github: ${e.stack}` });
        return;
      }
      send(e.status, e.body, { ...rh, ...e.headers });
    }
  };
  const srv = await listen((req, res) => {
    handle(req, res).catch((e) => {
      try {
        res.writeHead(500);
        res.end(String(e));
      } catch {}
    });
  });
  if (!options.publicUrl) base = srv.url;

  return {
    url: srv.url,
    port: srv.port,
    state,
    requests,
    sent,
    // model
    addRepo,
    addOrg,
    addToken,
    addApp,
    addInstallation,
    addEvent,
    // hooks and deliveries
    hooks: (full) => [...state.hooks.values()].filter((h) => (full.includes("/") ? h.scope.full === full : h.scope.org === full)),
    hook: (id) => state.hooks.get(Number(id)),
    createHook: (full, body) => createHook(full.includes("/") ? { type: "repository", full: addRepo(full).full } : { type: "organization", org: addOrg(full).login }, body),
    emit,
    ping: (id) => ping(state.hooks.get(Number(id))),
    redeliver: (hookId, deliveryId) => {
      const h = state.hooks.get(Number(hookId));
      return redeliver(h, h.deliveryIndex.get(Number(deliveryId)));
    },
    seedDeliveries,
    examplePayload,
    idle: async () => {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    // behaviour
    setPublicUrl: (u) => (base = u.replace(/\/$/, "")),
    // setRateLimit({limit, remaining, resetInS | resetAt, token | key}): with `token` (or a budget
    // key: "user:<login>", "installation:<id>", "anonymous") only that budget, else every
    // authenticated budget and the template new ones start from.
    setRateLimit: ({ limit, remaining, resetInS, resetAt, token, key } = {}) => {
      const apply = (b) => {
        if (limit != null) b.limit = limit;
        if (remaining != null) {
          b.remaining = remaining;
          b.used = b.limit - remaining;
        }
        if (resetAt != null) b.reset = resetAt;
        else if (resetInS != null) b.reset = Math.floor(Date.now() / 1000) + resetInS;
      };
      if (token != null || key != null) {
        const t = token != null ? state.tokens.get(token) : null;
        if (token != null && !t) throw new Error(`unknown token`);
        return apply(bucket(key ?? bucketKey({ tok: t })));
      }
      apply(state.rate);
      for (const [k, b] of state.buckets) if (k !== "anonymous") apply(b);
    },
    // The budget a token spends: {limit, remaining, used, reset}.
    rateBudget: (token) => ({ ...bucket(token == null ? "anonymous" : bucketKey({ tok: state.tokens.get(token) })) }),
    // next `count` matching requests get a secondary rate limit (403 by default; 429 also seen)
    secondaryLimit: ({ count = 1, status = 403, retryAfter = 60, method, path } = {}) => state.secondary.push({ left: count, status, retryAfter, method, path }),
    fault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setInstallationTokenTtl: (ms) => (tokenTtlMs = ms),
    expireToken: (token) => {
      const t = state.tokens.get(token);
      if (t) t.expiresAt = Date.now() - 1;
    },
    setPollInterval: (s) => (pollInterval = s),
    // request log
    counts: () => countRoutes(requests),
    resetRequests: () => requests.splice(0),
    close: async () => {
      await srv.close();
    },
  };
}
