// A small stateful fake of Gitea's (or Forgejo's) repository webhooks API (/api/v1, swagger
// CreateHookOption / EditHookOption / Hook, modules/structs/hook.go) and of its deliveries
// (services/webhook/deliver.go). 127.0.0.1 only.
//
//   const gt = await startFakeGitea();                 // token "gitea-test" is admin everywhere
//   ... forgehook: POST {gt.url}/api/v1/repos/o/r/hooks with "Authorization: token gitea-test" ...
//   await gt.emit("o/r", "push");
import crypto from "node:crypto";
import { giteaPushPayload } from "../integration/lib/forge.mjs";
import { BAD_JSON, Faults, ForgeApiError, compileRoutes, countRoutes, jsonApiHandler, listen, postWebhook } from "./common.mjs";

const ROUTES = compileRoutes([
  "GET /api/v1/repos/{owner}/{repo}/hooks",
  "POST /api/v1/repos/{owner}/{repo}/hooks",
  "GET /api/v1/repos/{owner}/{repo}/hooks/{id}",
  "PATCH /api/v1/repos/{owner}/{repo}/hooks/{id}",
  "DELETE /api/v1/repos/{owner}/{repo}/hooks/{id}",
  "POST /api/v1/repos/{owner}/{repo}/hooks/{id}/tests",
  "GET /api/v1/orgs/{org}/hooks",
  "POST /api/v1/orgs/{org}/hooks",
  "GET /api/v1/orgs/{org}/hooks/{id}",
  "PATCH /api/v1/orgs/{org}/hooks/{id}",
  "DELETE /api/v1/orgs/{org}/hooks/{id}",
]);
const HOOK_TYPES = ["gitea", "forgejo", "gogs", "slack", "discord", "dingtalk", "telegram", "msteams", "feishu", "matrix", "wechatwork", "packagist"];

// Gitea's error body: {message, url}.
class ApiError extends ForgeApiError {
  constructor(status, message, extra = {}) {
    super(status, { message, url: "https://docs.gitea.com/api/", ...extra });
  }
}

/**
 * options: tokens {token: {repos: {full: "admin"|"write"|"read"} | "*"}} (default
 *   {"gitea-test": {repos: "*"}}), flavor "gitea" | "forgejo" (Forgejo adds X-Forgejo-* headers),
 *   deliveryTimeoutMs (default 5000, Gitea's [webhook] DELIVER_TIMEOUT), autoRepos (default true).
 */
export async function startFakeGitea(options = {}) {
  const state = { repos: new Map(), orgs: new Map(), hooks: new Map(), nextId: { repo: 7, hook: 1, task: 1 } };
  const tokens = new Map(Object.entries(options.tokens ?? { "gitea-test": { repos: "*" } }));
  const flavor = options.flavor ?? "gitea";
  const timeoutMs = options.deliveryTimeoutMs ?? 5000;
  const requests = [];
  const sent = [];
  const pending = new Set();
  const faults = new Faults();

  function addRepo(full, { private: priv = true } = {}) {
    if (!state.repos.has(full)) {
      const [owner, name] = full.split("/");
      state.repos.set(full, { id: state.nextId.repo++, owner, name, full, private: priv });
    }
    return state.repos.get(full);
  }
  function hookJson(h) {
    // Gitea returns the config without the secret.
    const config = { content_type: h.config.content_type, url: h.config.url, http_method: h.config.http_method };
    return { id: h.id, type: h.type, branch_filter: h.branch_filter, config, events: h.events, authorization_header: h.authorization_header, active: h.active, updated_at: h.updated_at, created_at: h.created_at };
  }
  function validate(body, { creating }) {
    if (creating) {
      if (!HOOK_TYPES.includes(body.type)) throw new ApiError(422, "Invalid hook type");
      if (!body.config || typeof body.config !== "object") throw new ApiError(422, "[Config]: Required");
    }
    const c = body.config;
    if (c) {
      if (creating && !c.url) throw new ApiError(422, "Missing config option: url");
      if (c.url != null && !/^https?:\/\/[^\s/]+/.test(c.url)) throw new ApiError(422, "Invalid url");
      if (creating && !c.content_type) throw new ApiError(422, "Missing config option: content_type");
      if (c.content_type != null && !["json", "form"].includes(c.content_type)) throw new ApiError(422, "Invalid content type");
      if (c.http_method != null && !["POST", "GET", "PUT", "post", "get", "put"].includes(c.http_method)) throw new ApiError(422, "Invalid http method");
    }
  }
  function applyBody(h, body) {
    const c = body.config ?? {};
    if (c.url != null) h.config.url = c.url;
    if (c.content_type != null) h.config.content_type = c.content_type;
    if (c.http_method != null) h.config.http_method = c.http_method.toUpperCase();
    if ("secret" in c) h.config.secret = c.secret ?? "";
    if (Array.isArray(body.events)) h.events = body.events.length ? body.events : ["push"];
    if (body.branch_filter != null) h.branch_filter = body.branch_filter;
    if (body.authorization_header != null) h.authorization_header = body.authorization_header;
    if (typeof body.active === "boolean") h.active = body.active;
    h.updated_at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  function createHook(repo, body) {
    validate(body, { creating: true });
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const h = { id: state.nextId.hook++, repo, type: body.type, config: { url: "", content_type: "json", http_method: "POST", secret: "" }, events: ["push"], branch_filter: "", authorization_header: "", active: false, created_at: now, updated_at: now, tasks: [] };
    applyBody(h, body); // `active` defaults to false (CreateHookOption)
    state.hooks.set(h.id, h);
    return h;
  }
  const subscribed = (h, event) => h.active && (h.events.includes(event) || h.events.includes("*") || (event.startsWith("pull_request") && h.events.includes("pull_request")));

  async function attempt(h, event, payloadJson, { guid = crypto.randomUUID(), eventType = event } = {}) {
    const json = Buffer.from(payloadJson);
    const form = h.config.content_type === "form";
    const body = form ? Buffer.from(`payload=${encodeURIComponent(payloadJson)}`) : json;
    // Gitea signs the raw JSON even for form hooks; the headers are sent even without a secret.
    const sha256 = h.config.secret ? crypto.createHmac("sha256", h.config.secret).update(json).digest("hex") : "";
    const sha1 = h.config.secret ? crypto.createHmac("sha1", h.config.secret).update(json).digest("hex") : "";
    const headers = {
      "User-Agent": "Go-http-client/1.1",
      "Content-Type": form ? "application/x-www-form-urlencoded" : "application/json",
      "X-Gitea-Delivery": guid,
      "X-Gitea-Event": event,
      "X-Gitea-Event-Type": eventType,
      "X-Gitea-Signature": sha256,
      "X-Gogs-Delivery": guid,
      "X-Gogs-Event": event,
      "X-Gogs-Event-Type": eventType,
      "X-Gogs-Signature": sha256,
      "X-GitHub-Delivery": guid,
      "X-GitHub-Event": event,
      "X-GitHub-Event-Type": eventType,
      "X-Hub-Signature": `sha1=${sha1}`,
      "X-Hub-Signature-256": `sha256=${sha256}`,
    };
    if (flavor === "forgejo") Object.assign(headers, { "X-Forgejo-Delivery": guid, "X-Forgejo-Event": event, "X-Forgejo-Event-Type": eventType, "X-Forgejo-Signature": sha256 });
    if (h.authorization_header) headers.Authorization = h.authorization_header;
    const result = await postWebhook(h.config.url, headers, body, timeoutMs);
    const task = { id: state.nextId.task++, uuid: guid, event, is_succeed: result.statusCode >= 200 && result.statusCode < 300, status: result.statusCode, delivered: new Date().toISOString() };
    h.tasks.push(task);
    sent.push({ hookId: h.id, url: h.config.url, headers, body, result, task });
    return task;
  }
  const track = (p) => {
    pending.add(p);
    p.finally(() => pending.delete(p));
    return p;
  };
  const defaultPayload = (repo) => giteaPushPayload(repo.full, { repository: { id: repo.id, name: repo.name, full_name: repo.full, owner: { login: repo.owner }, private: repo.private } });
  // emit(full, event = "push", payload?) delivers to every active hook subscribed to event.
  async function emit(full, event = "push", payload) {
    const repo = addRepo(full);
    const json = JSON.stringify(payload ?? defaultPayload(repo));
    const targets = [...state.hooks.values()].filter((h) => (h.repo === repo || h.repo.org === repo.owner) && subscribed(h, event));
    const tasks = await track(Promise.all(targets.map((h) => attempt(h, event, json))));
    return { tasks };
  }

  function auth(req, url) {
    const a = req.headers.authorization;
    const t = /^(?:token|bearer)\s+(\S+)$/i.exec(a ?? "")?.[1] ?? url.searchParams.get("access_token") ?? url.searchParams.get("token");
    if (a && !t) throw new ApiError(401, "invalid authorization header");
    if (t && !tokens.has(t)) throw new ApiError(401, "user does not exist [uid: 0, name: ]");
    return t ? tokens.get(t) : null;
  }
  async function route(req, url, m, body) {
    const tok = auth(req, url);
    // An organisation's hooks are kept like a repository's, under a pseudo-repository {org}.
    const isOrg = m.route.includes("/orgs/");
    const full = isOrg ? `org:${m.params.org}` : `${m.params.owner}/${m.params.repo}`;
    let repo = isOrg ? state.orgs.get(m.params.org) : state.repos.get(full);
    if (!repo && tok?.repos === "*" && options.autoRepos !== false) {
      if (isOrg) state.orgs.set(m.params.org, (repo = { org: m.params.org, full, private: true }));
      else repo = addRepo(full);
    }
    const role = tok ? (tok.repos === "*" ? "admin" : tok.repos?.[full]) : null;
    if (!repo || (!role && repo.private)) throw new ApiError(404, "The target couldn't be found.", { errors: [] });
    if (!tok) throw new ApiError(401, "token is required");
    if (role !== "admin") throw new ApiError(403, "Must have admin rights to repository", { errors: [] });
    if (body === BAD_JSON) throw new ApiError(422, "invalid JSON");
    const hook = () => {
      const h = state.hooks.get(Number(m.params.id));
      if (!h || h.repo !== repo) throw new ApiError(404, "The target couldn't be found.", { errors: [] });
      return h;
    };
    switch (m.route.replace("/orgs/{org}/", "/repos/{owner}/{repo}/")) {
      case "GET /api/v1/repos/{owner}/{repo}/hooks": {
        const limit = Math.min(Math.max(parseInt(url.searchParams.get("limit") ?? "30", 10) || 30, 1), 50);
        const page = Math.max(parseInt(url.searchParams.get("page") ?? "1", 10) || 1, 1);
        const all = [...state.hooks.values()].filter((h) => h.repo === repo);
        const headers = { "x-total-count": String(all.length) };
        const pages = Math.max(1, Math.ceil(all.length / limit));
        if (page < pages) headers.link = `<${srv.url}${url.pathname}?limit=${limit}&page=${page + 1}>; rel="next",<${srv.url}${url.pathname}?limit=${limit}&page=${pages}>; rel="last"`;
        return [200, all.slice((page - 1) * limit, page * limit).map(hookJson), headers];
      }
      case "POST /api/v1/repos/{owner}/{repo}/hooks":
        return [201, hookJson(createHook(repo, body ?? {}))];
      case "GET /api/v1/repos/{owner}/{repo}/hooks/{id}":
        return [200, hookJson(hook())];
      case "PATCH /api/v1/repos/{owner}/{repo}/hooks/{id}": {
        const h = hook();
        validate(body ?? {}, { creating: false });
        applyBody(h, body ?? {});
        return [200, hookJson(h)];
      }
      case "DELETE /api/v1/repos/{owner}/{repo}/hooks/{id}":
        state.hooks.delete(hook().id);
        return [204, null];
      case "POST /api/v1/repos/{owner}/{repo}/hooks/{id}/tests": {
        // Gitea sends a push of the branch's last commit to this hook, active or not.
        const h = hook();
        track(attempt(h, "push", JSON.stringify(defaultPayload(repo))));
        return [204, null];
      }
    }
    throw new ApiError(404, "Not Found");
  }

  const srv = await listen(jsonApiHandler({ name: "gitea", routes: ROUTES, requests, faults, route, unmatched: (m) => (m?.methodNotAllowed ? new ApiError(405, "Method Not Allowed") : new ApiError(404, "Not Found")), contentType: "application/json;charset=utf-8" }));

  return {
    url: srv.url,
    apiUrl: `${srv.url}/api/v1`,
    state,
    requests,
    sent,
    addRepo,
    addToken: (token, spec) => tokens.set(token, spec),
    createHook: (full, body) => createHook(addRepo(full), body),
    hooks: (full) => [...state.hooks.values()].filter((h) => h.repo.full === (full.includes("/") ? full : `org:${full}`)),
    hook: (id) => state.hooks.get(Number(id)),
    emit,
    fault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    counts: () => countRoutes(requests),
    idle: async () => {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    close: () => srv.close(),
  };
}
