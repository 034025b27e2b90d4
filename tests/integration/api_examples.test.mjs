// The examples in docs/API.md are this test's output. It starts a server, sends a scenario of GitHub's
// own example payloads (tests/integration/lib/scenario.mjs), calls every endpoint once, renders each
// request and answer, and fails when docs/API.md shows anything else between the
// `<!-- example: NAME -->` and `<!-- /example -->` markers (or lacks an example, or has one too many).
// Regenerate the examples after an intended change with:
//   FORGEHOOK_UPDATE_API_EXAMPLES=1 node --test tests/integration/api_examples.test.mjs
// Values stamped by the server's clock (receipt times, item and acknowledgement times) are shown as
// "<server time>", the webhook signature as "sha256=<hmac>", the test server's port as "<port>";
// everything else is what the server said.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { Forge, makeSecret } from "./lib/forge.mjs";
import { HOUR, REPO, T0, example, iso, issue, onRepo, pullRequest, review, workflowRun } from "./lib/scenario.mjs";
import { ROOT, makeTempDir, removeDir, start, waitFor } from "./lib/server.mjs";

const DOC = path.join(ROOT, "docs", "API.md");
const UPDATE = process.env.FORGEHOOK_UPDATE_API_EXAMPLES === "1";
const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const DAY = 24 * HOUR;
const repoQuery = encodeURIComponent(REPO.full_name);

// Delivery GUIDs derived from a name, so the examples do not change from run to run.
const guid = (name) => {
  const h = createHash("sha256").update(name).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

// --- scenario payloads beyond lib/scenario.mjs -----------------------------------------------------
const MILESTONE = { created_at: iso(T0 - DAY), due_on: iso(T0 + 2 * DAY) };
function milestoneIssue(number, action, updated, state) {
  const p = issue(action, updated, state, ["roadmap"], state === "closed" ? "completed" : null);
  p.issue.number = number;
  p.issue.title = number === 42 ? "Sprint board" : "Burndown chart";
  p.issue.html_url = `${REPO.html_url}/issues/${number}`;
  p.issue.created_at = iso(T0);
  p.issue.milestone = { ...p.issue.milestone, ...MILESTONE };
  return p;
}
function milestoneClosed() {
  const p = onRepo(example("milestone", "closed"));
  Object.assign(p.milestone, MILESTONE, { closed_at: iso(T0 + DAY), updated_at: iso(T0 + DAY), open_issues: 0, closed_issues: 2 });
  return p;
}
function release() {
  const p = onRepo(example("release", "published"));
  Object.assign(p.release, { tag_name: "v1.0.0", name: "v1.0.0", created_at: iso(T0 + 5 * HOUR), published_at: iso(T0 + 6 * HOUR),
    html_url: `${REPO.html_url}/releases/tag/v1.0.0` });
  return p;
}
function deploymentStatus() {
  const p = onRepo(example("deployment_status"));
  Object.assign(p.deployment, { created_at: iso(T0 + 6 * HOUR), updated_at: iso(T0 + 6 * HOUR) });
  Object.assign(p.deployment_status, { created_at: iso(T0 + 7 * HOUR), updated_at: iso(T0 + 7 * HOUR),
    target_url: `${REPO.html_url}/deployments` });
  return p;
}
const push = () => onRepo(example("push"));
const star = () => onRepo(example("star"));

// --- rendering -----------------------------------------------------------------------------------
// JSON as people read it: short values on one line, longer objects and arrays one entry per line.
function pretty(v, indent = "") {
  const flat = JSON.stringify(v, null, 1).replace(/\n\s*/g, " ").replace(/\[ /g, "[").replace(/ \]/g, "]")
    .replace(/{ /g, "{").replace(/ }/g, "}");
  if (flat.length + indent.length <= 100 || v === null || typeof v !== "object") return flat;
  const inner = indent + "  ";
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + pretty(x, inner)).join(",\n")}\n${indent}]`;
  return `{\n${Object.entries(v).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pretty(x, inner)}`).join(",\n")}\n${indent}}`;
}
// Timestamps the server took from its own clock during this run.
const RUN_STARTED = Date.now();
function scrub(v) {
  if (typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v)) {
    const t = Date.parse(v);
    return t >= RUN_STARTED - 60_000 && t <= Date.now() + 60_000 ? "<server time>" : v;
  }
  if (Array.isArray(v)) return v.map(scrub);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]));
  return v;
}
// A stored payload in full would fill a page: top-level scalars stay, objects and arrays are elided.
const shorten = (payload) =>
  Object.fromEntries(Object.entries(payload).map(([k, x]) => [k, x && typeof x === "object" ? (Array.isArray(x) ? "[…]" : "{…}") : x]));

const STATUS_TEXT = { 200: "OK", 201: "Created", 202: "Accepted", 401: "Unauthorized", 404: "Not Found" };
function render({ method, path: p, headers = [], body, bodyNote }, res, { responseText } = {}) {
  const req = [`${method} ${p}`, ...headers];
  if (body !== undefined) req.push("Content-Type: application/json", "", pretty(body));
  if (bodyNote) req.push("", bodyNote);
  const answer = responseText ?? pretty(scrub(res.json));
  return ["```http", ...req, "```", `→ ${res.status} ${STATUS_TEXT[res.status] ?? ""}`.trimEnd(),
    "```" + (responseText ? "" : "json"), answer, "```"].join("\n");
}

// --- the run -------------------------------------------------------------------------------------
let server, fh, dataDir;
const rendered = new Map();
const auth = ["Authorization: Bearer <admin token>"];

async function call(name, method, p, { body, expect = 200, transform } = {}) {
  const res = await fh.api(p, { method, body });
  assert.equal(res.status, expect, `${name}: ${method} ${p} → ${res.status} ${res.text}`);
  if (rendered.has(name)) throw new Error(`example ${name} rendered twice`);
  const json = transform ? transform(structuredClone(res.json)) : res.json;
  rendered.set(name, render({ method, path: p, headers: p.startsWith("/api/") ? auth : [], body }, { ...res, json }));
  return res;
}
async function deliver(name, event, payload, { expect = 200, secret } = {}) {
  const res = await fh.github(payload, { event, delivery: guid(name), hookId: "123", signatures: "sha256", secret });
  assert.equal(res.status, expect, `${name}: ${res.text}`);
  return res;
}
// One [[rules]] entry, so the commands examples have a run: announce a merged pull request.
const RULES = `[[rules]]
name = "announce-merge"
event = "pull_request"
action = "closed"
command = ["/bin/echo", "merged", "{{repository}}#{{/pull_request/number}}"]
payload = "none"

[[rules.when]]
pointer = "/pull_request/merged"
equals = true
`;
before(async () => {
  dataDir = await makeTempDir("forgehook-api-examples-");
  const config = path.join(dataDir, "rules.toml");
  writeFileSync(config, RULES);
  server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN }, { dataDir, config });
  fh = new Forge(server, { github: GH, admin: ADMIN, hookId: "123" });
});
after(async () => {
  fh?.close();
  await server?.stop();
  if (dataDir) await removeDir(dataDir);
});

test("every endpoint answers as docs/API.md shows", async () => {
  // Webhook intake: accepted, duplicate, refused.
  const opened = milestoneIssue(42, "opened", T0, "open");
  const webhook = (name, res, note) => rendered.set(name, render({
    method: "POST", path: "/webhooks/github", bodyNote: note,
    headers: ["Content-Type: application/json", "X-GitHub-Event: issues", `X-GitHub-Delivery: ${guid("issue-opened")}`,
      "X-GitHub-Hook-ID: 123", `X-Hub-Signature-256: sha256=<hmac>`],
  }, res));
  const bytes = Buffer.byteLength(JSON.stringify(opened));
  webhook("webhook-accepted", await deliver("issue-opened", "issues", opened),
    `(the issues "opened" example of @octokit/webhooks-examples, ${bytes} bytes)`);
  webhook("webhook-duplicate", await deliver("issue-opened", "issues", opened), "(the same delivery again)");
  webhook("webhook-invalid-signature", await deliver("issue-opened", "issues", opened, { expect: 401, secret: "wrong" }),
    "(signed with another secret)");

  // The scenario: a pull request's life, an issue driving a planned item, a milestone, CI, a release.
  await deliver("pr-opened", "pull_request", pullRequest("opened", T0));
  await deliver("pr-review", "pull_request_review", review(T0 + 2 * HOUR));
  await deliver("pr-synchronize", "pull_request", pullRequest("synchronize", T0 + 3 * HOUR));
  await deliver("pr-merged", "pull_request", pullRequest("closed", T0 + 5 * HOUR, { merged: true }));
  await deliver("issue-43-opened", "issues", milestoneIssue(43, "opened", T0 + HOUR, "open"));
  await deliver("run-failed", "workflow_run", workflowRun(100, "failure", T0));
  await deliver("release", "release", release());
  await deliver("push", "push", push());
  await deliver("deployment-status", "deployment_status", deploymentStatus());
  await deliver("star", "star", star());
  await fh.drained();

  // Planned items.
  const item = await call("items-create", "POST", "/api/v1/items", {
    body: { title: "Sprint board", owner: "alice", tags: ["q4"], issue: { repository: REPO.full_name, number: 42 } },
    expect: 201,
  });
  const id = item.json.id;
  await call("items-update", "PATCH", `/api/v1/items/${id}`, { body: { title: "Sprint board v2", status: "in_progress" } });
  await deliver("issue-42-closed", "issues", milestoneIssue(42, "closed", T0 + 4 * HOUR, "closed"));
  await deliver("issue-43-closed", "issues", milestoneIssue(43, "closed", T0 + 20 * HOUR, "closed"));
  await deliver("milestone-closed", "milestone", milestoneClosed());
  await fh.drained();
  await call("items-get", "GET", `/api/v1/items/${id}`);
  const scratch = await fh.api("/api/v1/items", { method: "POST", body: { title: "Scratch" } });
  await call("items-delete", "DELETE", `/api/v1/items/${scratch.json.id}`);

  // Incidents: acknowledged while open, resolved by the next green run.
  const open = (await fh.api("/api/v1/incidents")).json.incidents;
  await call("incident-ack", "POST", `/api/v1/incidents/${open[0].id}/ack`, { body: { by: "bob", note: "flaky test, on it" } });
  await deliver("run-succeeded", "workflow_run", workflowRun(101, "success", T0 + HOUR));
  await fh.drained();

  // Lists.
  await call("pulls", "GET", `/api/v1/pulls?repository=${repoQuery}&number=7`);
  await call("reviews", "GET", `/api/v1/reviews?repository=${repoQuery}&number=7`);
  await call("issues", "GET", `/api/v1/issues?repository=${repoQuery}&number=42`);
  await call("items", "GET", "/api/v1/items?state=completed");
  await call("runs", "GET", `/api/v1/runs?repository=${repoQuery}&limit=1`);
  await call("incidents", "GET", "/api/v1/incidents?state=resolved");
  await call("releases", "GET", `/api/v1/releases?repository=${repoQuery}`);
  await call("branches", "GET", `/api/v1/branches?repository=${repoQuery}&limit=1`);
  await call("milestones", "GET", `/api/v1/milestones?repository=${repoQuery}`);
  await call("deployments", "GET", `/api/v1/deployments?repository=${repoQuery}`);
  await call("repositories", "GET", "/api/v1/repositories");
  await call("activity", "GET", `/api/v1/activity?repository=${repoQuery}&kind=pull_request,star&limit=2`);

  // Commands of [[rules]]: the merged pull request's announcement.
  await waitFor(async () => (await fh.api("/api/v1/commands?state=succeeded")).json.commands.length === 1,
    { message: "the announce-merge command succeeded" });
  const steady = (run) => ({ ...run, duration_seconds: "<duration>" });
  const runs = await call("commands", "GET", "/api/v1/commands?rule=announce-merge",
    { transform: (page) => ({ ...page, commands: page.commands.map(steady) }) });
  await call("command", "GET", `/api/v1/commands/${runs.json.commands[0].id}`, { transform: steady });
  const merged = (await fh.api(`/api/v1/deliveries?delivery_id=${guid("pr-merged")}`)).json.deliveries[0];
  await call("rules-test", "POST", "/api/v1/rules/test", { body: { delivery: merged.id },
    transform: (t) => ({ ...t, rules: t.rules.map((r) => ({ ...r, command: r.command && { ...r.command, workdir: "<data_dir>" } })) }) });

  // The examples must not contradict themselves: each record's URL names its own number, run, tag.
  const urlOf = {
    pulls: (r) => `${REPO.html_url}/pull/${r.number}`,
    reviews: (r) => `${REPO.html_url}/pull/${r.pull_number}#pullrequestreview-${r.review_id}`,
    issues: (r) => `${REPO.html_url}/issues/${r.number}`,
    runs: (r) => `${REPO.html_url}/actions/runs/${r.run_id}`,
    releases: (r) => `${REPO.html_url}/releases/tag/${r.tag}`,
  };
  for (const [resource, expected] of Object.entries(urlOf)) {
    const rows = (await fh.api(`/api/v1/${resource}?limit=500`)).json[resource];
    assert.ok(rows.length > 0, resource);
    for (const r of rows) {
      assert.equal(r.repository, REPO.full_name, `${resource}: ${JSON.stringify(r)}`);
      assert.equal(r.url, expected(r), `${resource}: ${JSON.stringify(r)}`);
    }
  }

  // Metrics.
  await call("metrics-status", "GET", `/api/v1/metrics/status?repository=${repoQuery}`);
  await call("metrics-pulls", "GET", `/api/v1/metrics/pulls?since=${iso(T0 - DAY)}&until=${iso(T0 + DAY)}`);
  await call("metrics-sprint", "GET", "/api/v1/metrics/sprint?milestone=v1.0");
  await call("metrics-health", "GET", `/api/v1/metrics/health?since=${iso(T0 - DAY)}`);

  // The delivery log, replay and rebuild.
  const deliveries = await call("deliveries", "GET", "/api/v1/deliveries?event=issues&limit=1");
  await call("delivery", "GET", `/api/v1/deliveries/${deliveries.json.deliveries[0].id}`,
    { transform: (d) => ({ ...d, headers: { ...d.headers, Host: "127.0.0.1:<port>" }, payload: shorten(d.payload) }) });
  await call("replay-one", "POST", `/api/v1/deliveries/${deliveries.json.deliveries[0].id}/replay`, { expect: 202 });
  await call("replay-filter", "POST", "/api/v1/replay", { body: { event: "workflow_run", status: "processed" }, expect: 202 });
  await fh.drained();
  await call("rebuild", "POST", "/api/v1/rebuild", { expect: 202 });
  await fh.drained();

  // Stored secrets (on another repository, so the scenario's deliveries keep verifying as before).
  await call("secrets-put", "PUT", "/api/v1/secrets/github/repository/octo-org/other", { body: { secrets: ["<new>", "<old>"] } });
  await call("secrets-list", "GET", "/api/v1/secrets");
  await call("secrets-delete", "DELETE", "/api/v1/secrets/github/repository/octo-org/other");

  // Health and metrics (no token).
  for (const [name, p] of [["healthz", "/healthz"], ["readyz", "/readyz"]]) {
    const res = await fh.request("GET", p);
    rendered.set(name, render({ method: "GET", path: p }, res));
  }
  const metrics = await fh.request("GET", "/metrics");
  const wanted = /^(# (HELP|TYPE) )?forgehook_(deliveries_total|processed_total)\b/;
  rendered.set("metrics", render({ method: "GET", path: "/metrics" }, metrics,
    { responseText: metrics.text.split("\n").filter((l) => wanted.test(l)).join("\n") + "\n…" }));

  // docs/API.md against what was rendered.
  const region = /<!-- example: ([\w-]+) -->\n([\s\S]*?)\n?<!-- \/example -->/g;
  const examplesIn = (text) => new Map([...text.matchAll(region)].map((m) => [m[1], m[2]]));
  if (UPDATE) {
    const doc = readFileSync(DOC, "utf8");
    const missing = [...rendered.keys()].filter((k) => !examplesIn(doc).has(k));
    assert.deepEqual(missing, [], "add a `<!-- example: NAME -->` + `<!-- /example -->` region to docs/API.md for these");
    writeFileSync(DOC, doc.replace(region, (_, name) => `<!-- example: ${name} -->\n${rendered.get(name) ?? ""}\n<!-- /example -->`));
  }
  const inDoc = examplesIn(readFileSync(DOC, "utf8"));
  assert.deepEqual([...inDoc.keys()].sort(), [...rendered.keys()].sort(), "examples in docs/API.md vs examples this test makes");
  for (const [name, text] of rendered) {
    assert.equal(inDoc.get(name).trim(), text.trim(),
      `docs/API.md example "${name}" differs from the server's answer; if the change is intended, run ` +
      "FORGEHOOK_UPDATE_API_EXAMPLES=1 node --test tests/integration/api_examples.test.mjs");
  }
});
