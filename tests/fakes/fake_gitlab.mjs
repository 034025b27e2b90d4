// A small stateful fake of GitLab's project webhooks API (REST v4, doc/api/project_webhooks.md)
// and of GitLab's webhook deliveries (doc/user/project/integrations/webhooks.md). 127.0.0.1 only.
//
//   const gl = await startFakeGitLab();              // token "glpat-test" is Maintainer everywhere
//   gl.addProject("group/project");
//   ... forgehook: GET/POST {gl.url}/api/v4/projects/group%2Fproject/hooks with PRIVATE-TOKEN ...
//   await gl.emit("group/project", "push_events");   // delivers "Push Hook" to subscribed hooks
import crypto from "node:crypto";
import { gitlabPushPayload } from "../integration/lib/forge.mjs";
import { BAD_JSON, Faults, ForgeApiError, compileRoutes, countRoutes, jsonApiHandler, listen, postWebhook } from "./common.mjs";

// Trigger (hook field) -> X-Gitlab-Event, log trigger name, object_kind.
export const GITLAB_TRIGGERS = {
  push_events: ["Push Hook", "push_hooks", "push"],
  tag_push_events: ["Tag Push Hook", "tag_push_hooks", "tag_push"],
  issues_events: ["Issue Hook", "issue_hooks", "issue"],
  confidential_issues_events: ["Confidential Issue Hook", "confidential_issue_hooks", "issue"],
  note_events: ["Note Hook", "note_hooks", "note"],
  confidential_note_events: ["Confidential Note Hook", "confidential_note_hooks", "note"],
  merge_requests_events: ["Merge Request Hook", "merge_request_hooks", "merge_request"],
  job_events: ["Job Hook", "job_hooks", "build"],
  pipeline_events: ["Pipeline Hook", "pipeline_hooks", "pipeline"],
  wiki_page_events: ["Wiki Page Hook", "wiki_page_hooks", "wiki_page"],
  deployment_events: ["Deployment Hook", "deployment_hooks", "deployment"],
  releases_events: ["Release Hook", "release_hooks", "release"],
  emoji_events: ["Emoji Hook", "emoji_hooks", "emoji"],
};
const BOOL_FIELDS = [...Object.keys(GITLAB_TRIGGERS), "enable_ssl_verification", "repository_update_events", "feature_flag_events", "resource_access_token_events"];
const TEST_TRIGGERS = ["push_events", "tag_push_events", "note_events", "issues_events", "confidential_issues_events", "merge_requests_events", "job_events", "pipeline_events", "wiki_page_events", "releases_events", "emoji_events", "resource_access_token_events"];

// Project hooks, and group hooks (doc/api/group_webhooks.md, Premium) with the same shape.
const ROUTES = compileRoutes(
  ["projects", "groups"].flatMap((k) => [
    `GET /api/v4/${k}/{id}/hooks`,
    `POST /api/v4/${k}/{id}/hooks`,
    `GET /api/v4/${k}/{id}/hooks/{hook_id}`,
    `PUT /api/v4/${k}/{id}/hooks/{hook_id}`,
    `DELETE /api/v4/${k}/{id}/hooks/{hook_id}`,
    `POST /api/v4/${k}/{id}/hooks/{hook_id}/test/{trigger}`,
    `GET /api/v4/${k}/{id}/hooks/{hook_id}/events`,
    `POST /api/v4/${k}/{id}/hooks/{hook_id}/events/{event_id}/resend`,
  ]),
);

const ApiError = ForgeApiError;

/**
 * options: tokens {token: {projects: {path: accessLevel} | "*"}} (access level 40 = Maintainer,
 *   30 = Developer; default {"glpat-test": {projects: "*"}} at Maintainer), projects [path],
 *   version "17.6.0" (User-Agent GitLab/<version>), deliveryTimeoutMs (default 10000),
 *   autoProjects (default true: an unknown project is created on first use by a "*" token).
 */
export async function startFakeGitLab(options = {}) {
  const state = { projects: new Map(), hooks: new Map(), nextId: { project: 15, hook: 1, log: 1 } };
  const tokens = new Map(Object.entries(options.tokens ?? { "glpat-test": { projects: "*" } }));
  const requests = [];
  const sent = [];
  const pending = new Set();
  const faults = new Faults();
  const version = options.version ?? "17.6.0";
  const timeoutMs = options.deliveryTimeoutMs ?? 10_000;
  let base = null;

  function addProject(p, { id, visibility = "private" } = {}) {
    if (!state.projects.has(p)) state.projects.set(p, { kind: "project", id: id ?? state.nextId.project++, path_with_namespace: p, name: p.split("/").pop(), visibility });
    return state.projects.get(p);
  }
  // Groups live in their own map; a group's hooks also get the events of every project below it.
  state.groups = new Map();
  function addGroup(p, { id } = {}) {
    if (!state.groups.has(p)) state.groups.set(p, { kind: "group", id: id ?? state.nextId.project++ + 1000, path_with_namespace: p, full_path: p, name: p.split("/").pop() });
    return state.groups.get(p);
  }
  for (const p of options.projects ?? []) addProject(p);
  const findProject = (idOrPath, kind = "project") => {
    const map = kind === "group" ? state.groups : state.projects;
    return /^\d+$/.test(idOrPath) ? [...map.values()].find((p) => p.id === Number(idOrPath)) : map.get(idOrPath);
  };

  function hookJson(h) {
    const out = { id: h.id, url: h.url, name: h.name, description: h.description, created_at: h.created_at };
    if (h.project.kind === "group") out.group_id = h.project.id;
    else out.project_id = h.project.id;
    for (const f of BOOL_FIELDS) out[f] = h[f];
    Object.assign(out, { push_events_branch_filter: h.push_events_branch_filter, branch_filter_strategy: h.branch_filter_strategy, alert_status: h.alert_status, disabled_until: h.disabled_until, url_variables: [], custom_webhook_template: h.custom_webhook_template ?? null, custom_headers: [] });
    return out; // `token` is never returned
  }
  function validate(body, { creating }) {
    if (creating && !body.url) throw new ApiError(400, { error: "url is missing" });
    const msg = {};
    if (body.url != null && !/^https?:\/\/[^\s/]+/.test(String(body.url))) msg.url = ["is blocked: Only allowed schemes are http, https"];
    if (body.push_events_branch_filter != null && typeof body.push_events_branch_filter !== "string") msg.push_events_branch_filter = ["is invalid"];
    if (Object.keys(msg).length) throw new ApiError(400, { message: msg });
  }
  function apply(h, body) {
    if (body.url != null) h.url = String(body.url);
    for (const k of ["name", "description", "push_events_branch_filter", "branch_filter_strategy", "custom_webhook_template"]) if (body[k] !== undefined) h[k] = body[k];
    if ("token" in body) h.token = body.token || null;
    for (const f of BOOL_FIELDS) if (body[f] !== undefined) h[f] = body[f] === true || body[f] === "true";
  }
  function createHook(project, body) {
    validate(body, { creating: true });
    const h = { id: state.nextId.hook++, uuid: crypto.randomUUID(), project, created_at: new Date().toISOString(), name: "", description: "", push_events_branch_filter: "", branch_filter_strategy: "wildcard", alert_status: "executable", disabled_until: null, token: null, logs: [] };
    for (const f of BOOL_FIELDS) h[f] = false;
    h.push_events = true; // GitLab's default
    h.enable_ssl_verification = true;
    apply(h, body);
    state.hooks.set(h.id, h);
    return h;
  }

  async function attempt(h, { trigger, payloadJson, eventUuid, idempotencyKey }) {
    const [eventName, logTrigger] = GITLAB_TRIGGERS[trigger] ?? ["System Hook", trigger];
    const headers = {
      "Content-Type": "application/json",
      "User-Agent": `GitLab/${version}`,
      "X-Gitlab-Event": eventName,
      "X-Gitlab-Webhook-UUID": h.uuid,
      "X-Gitlab-Instance": base,
      "X-Gitlab-Event-UUID": eventUuid,
      "Idempotency-Key": idempotencyKey,
    };
    if (h.token) headers["X-Gitlab-Token"] = h.token;
    const body = Buffer.from(payloadJson);
    const result = await postWebhook(h.url, headers, body, timeoutMs);
    const log = {
      id: state.nextId.log++,
      url: h.url,
      trigger: logTrigger,
      hookTrigger: trigger,
      request_headers: { ...headers, "X-Gitlab-Token": h.token ? "[REDACTED]" : undefined },
      request_data: JSON.parse(payloadJson),
      response_headers: result.responseHeaders ?? {},
      response_body: result.responseBody ?? "",
      execution_duration: result.durationS,
      response_status: result.statusCode ? String(result.statusCode) : "internal error",
      created_at: new Date().toISOString(),
      idempotencyKey,
      eventUuid,
    };
    h.logs.push(log);
    sent.push({ hookId: h.id, url: h.url, headers, body, result, log });
    return log;
  }
  const track = (p) => {
    pending.add(p);
    p.finally(() => pending.delete(p));
    return p;
  };
  function defaultPayload(project, trigger) {
    const kind = GITLAB_TRIGGERS[trigger]?.[2] ?? "push";
    const p = gitlabPushPayload(project.path_with_namespace, { project: { id: project.id, name: project.name, path_with_namespace: project.path_with_namespace } });
    if (kind !== "push") return { object_kind: kind, event_type: kind, project: p.project, user: { id: 1, username: "jsmith", name: "John Smith" }, object_attributes: { id: 1, iid: 1, action: "open", state: "opened" } };
    return p;
  }
  // emit(projectPath, trigger = "push_events", payload?) delivers to every hook of the project
  // that has `trigger` enabled; resolves {eventUuid, idempotencyKey, logs}.
  async function emit(projectPath, trigger = "push_events", payload) {
    const project = addProject(projectPath);
    const json = JSON.stringify(payload ?? defaultPayload(project, trigger));
    const eventUuid = crypto.randomUUID();
    const inGroup = (g) => g.kind === "group" && projectPath.startsWith(`${g.path_with_namespace}/`);
    const targets = [...state.hooks.values()].filter((h) => (h.project === project || inGroup(h.project)) && h[trigger] && h.alert_status === "executable");
    const logs = await track(Promise.all(targets.map((h) => attempt(h, { trigger, payloadJson: json, eventUuid, idempotencyKey: crypto.randomUUID() }))));
    return { eventUuid, logs };
  }

  function auth(req, url) {
    const t = req.headers["private-token"] ?? /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? url.searchParams.get("private_token");
    if (!t || !tokens.has(t)) throw new ApiError(401, { message: "401 Unauthorized" });
    return tokens.get(t);
  }
  // Project hooks need Maintainer (40); group hooks Owner (50).
  function requireProject(tok, id, kind) {
    let project = findProject(id, kind);
    if (!project && tok.projects === "*" && options.autoProjects !== false && !/^\d+$/.test(id)) project = kind === "group" ? addGroup(id) : addProject(id);
    const level = tok.projects === "*" ? 50 : tok.projects?.[project?.path_with_namespace];
    if (!project || level == null) throw new ApiError(404, { message: kind === "group" ? "404 Group Not Found" : "404 Project Not Found" });
    if (level < (kind === "group" ? 50 : 40)) throw new ApiError(403, { message: "403 Forbidden" });
    return project;
  }

  async function route(req, url, m, body) {
    const tok = auth(req, url);
    const kind = m.route.includes("/groups/") ? "group" : "project";
    const project = requireProject(tok, m.params.id, kind);
    const hook = () => {
      const h = state.hooks.get(Number(m.params.hook_id));
      if (!h || h.project !== project) throw new ApiError(404, { message: "404 Not found" });
      return h;
    };
    const b = body === BAD_JSON ? null : body ?? Object.fromEntries(url.searchParams);
    if (body === BAD_JSON) throw new ApiError(400, { error: "The provided content-type 'application/json' is not supported." });
    const paged = (items) => {
      const perPage = Math.min(Math.max(parseInt(url.searchParams.get("per_page") ?? "20", 10) || 20, 1), 100);
      const page = Math.max(parseInt(url.searchParams.get("page") ?? "1", 10) || 1, 1);
      const totalPages = Math.max(1, Math.ceil(items.length / perPage));
      const headers = { "x-total": String(items.length), "x-total-pages": String(totalPages), "x-per-page": String(perPage), "x-page": String(page), "x-next-page": page < totalPages ? String(page + 1) : "", "x-prev-page": page > 1 ? String(page - 1) : "" };
      const link = (p) => {
        const u = new URL(base + url.pathname);
        for (const [k, v] of url.searchParams) u.searchParams.set(k, v);
        u.searchParams.set("page", String(p));
        u.searchParams.set("per_page", String(perPage));
        return `<${u}>`;
      };
      const rels = [];
      if (page < totalPages) rels.push(`${link(page + 1)}; rel="next"`);
      if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
      rels.push(`${link(1)}; rel="first"`, `${link(totalPages)}; rel="last"`);
      headers.link = rels.join(", ");
      return [items.slice((page - 1) * perPage, page * perPage), headers];
    };
    switch (m.route.replace("/groups/", "/projects/")) {
      case "GET /api/v4/projects/{id}/hooks": {
        const [items, headers] = paged([...state.hooks.values()].filter((h) => h.project === project));
        return [200, items.map(hookJson), headers];
      }
      case "POST /api/v4/projects/{id}/hooks":
        return [201, hookJson(createHook(project, b ?? {}))];
      case "GET /api/v4/projects/{id}/hooks/{hook_id}":
        return [200, hookJson(hook())];
      case "PUT /api/v4/projects/{id}/hooks/{hook_id}": {
        const h = hook();
        validate(b ?? {}, { creating: false });
        apply(h, b ?? {});
        return [200, hookJson(h)];
      }
      case "DELETE /api/v4/projects/{id}/hooks/{hook_id}":
        state.hooks.delete(hook().id);
        return [204, null];
      case "POST /api/v4/projects/{id}/hooks/{hook_id}/test/{trigger}": {
        const h = hook();
        const trigger = m.params.trigger;
        if (!TEST_TRIGGERS.includes(trigger)) throw new ApiError(400, { error: "trigger does not have a valid value" });
        const json = JSON.stringify(defaultPayload(project.kind === "group" ? addProject(`${project.path_with_namespace}/project`) : project, trigger));
        track(attempt(h, { trigger, payloadJson: json, eventUuid: crypto.randomUUID(), idempotencyKey: crypto.randomUUID() }));
        return [201, { message: "201 Created" }];
      }
      case "GET /api/v4/projects/{id}/hooks/{hook_id}/events": {
        const h = hook();
        const status = url.searchParams.get("status");
        const since = Date.now() - 7 * 24 * 3600 * 1000; // GitLab keeps 7 days of events
        const list = h.logs
          .filter((l) => Date.parse(l.created_at) >= since)
          .filter((l) => {
            if (!status) return true;
            const code = Number(l.response_status) || 0;
            if (/^\d+$/.test(status)) return code === Number(status);
            if (status === "successful") return code >= 200 && code < 300;
            if (status === "client_failure") return code >= 400 && code < 500;
            if (status === "server_failure") return code >= 500 || code === 0;
            return true;
          })
          .reverse();
        const [items, headers] = paged(list);
        return [200, items.map(({ hookTrigger, idempotencyKey, eventUuid, ...l }) => l), headers];
      }
      case "POST /api/v4/projects/{id}/hooks/{hook_id}/events/{event_id}/resend": {
        const h = hook();
        const log = h.logs.find((l) => l.id === Number(m.params.event_id));
        if (!log) throw new ApiError(404, { message: "404 Not found" });
        // A resend keeps the Idempotency-Key; the event UUID is a new one.
        const res = await track(attempt(h, { trigger: log.hookTrigger, payloadJson: JSON.stringify(log.request_data), eventUuid: crypto.randomUUID(), idempotencyKey: log.idempotencyKey }));
        return [201, { response_status: Number(res.response_status) || res.response_status }];
      }
    }
    throw new ApiError(404, { error: "404 Not Found" });
  }

  const srv = await listen(jsonApiHandler({ name: "gitlab", routes: ROUTES, requests, faults, route, unmatched: () => new ApiError(404, { error: "404 Not Found" }) }));
  base = srv.url;

  return {
    url: srv.url,
    apiUrl: `${srv.url}/api/v4`,
    state,
    requests,
    sent,
    addProject,
    addGroup,
    addToken: (token, spec) => tokens.set(token, spec),
    createHook: (projectPath, body) => createHook(addProject(projectPath), body),
    hooks: (path) => [...state.hooks.values()].filter((h) => h.project.path_with_namespace === path),
    createGroupHook: (groupPath, body) => createHook(addGroup(groupPath), body),
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
