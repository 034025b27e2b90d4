// forgehook's MCP server driven by the official TypeScript SDK client (@modelcontextprotocol/sdk),
// over both transports: Streamable HTTP at /mcp and stdio through `forgehook mcp`. The model is
// seeded with GitHub's own example payloads; the webhook tools run against the stateful fake GitHub
// behind the OpenAPI contract proxy (as tests/integration/forge_connections.test.mjs does).
import crypto from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import AjvModule from "ajv";
import { startContractProxy } from "../fakes/contract_proxy.mjs";
import { startFakeGitHub } from "../fakes/fake_github.mjs";
import { Forge, httpRequest, makeSecret } from "./lib/forge.mjs";
import { HOUR, REPO, T0, example, iso, issue, onRepo, pullRequest, workflowRun } from "./lib/scenario.mjs";
import { BIN, makeTempDir, removeDir, start, waitFor } from "./lib/server.mjs";

const Ajv = AjvModule.default ?? AjvModule;
const ADMIN = makeSecret("admin");
const GH = makeSecret("gh");
const HOOK_REPO = "octo-org/hello-world";
const FORGE_TOKEN = "test-token"; // the fake's default classic token
const WRITE_TOOLS = ["setup_webhooks", "test_webhook", "remove_webhooks", "subscribe_to_updates", "acknowledge_incident",
  "update_planned_item", "replay_deliveries"];
const ALL_TOOLS = [...WRITE_TOOLS, "list_webhooks", "get_webhook_deliveries", "get_webhook_status", "get_live_project_status",
  "get_live_sprint_metrics", "get_recent_activity", "get_live_repository_health", "list_incidents", "list_planned_items", "list_commands"].sort();

let gh, proxy, server, fh, readOnlyToken, itemId, dataDir;
const ajv = new Ajv({ strict: false, allErrors: true });

function milestoneIssue(number, action, updated, state) {
  const p = issue(action, updated, state, ["roadmap"], state === "closed" ? "completed" : null);
  Object.assign(p.issue, { number, title: `Issue ${number}`, html_url: `${REPO.html_url}/issues/${number}`, created_at: iso(T0) });
  p.issue.milestone = { ...p.issue.milestone, number: 1, title: "v1.0", state: "open", created_at: iso(T0 - 24 * HOUR), due_on: iso(T0 + 48 * HOUR) };
  return p;
}

async function deliver(event, payload) {
  const res = await fh.github(payload, { event, signatures: "sha256" });
  assert.equal(res.status, 200, `${event}: ${res.text}`);
  return res;
}

async function httpClient(token) {
  const client = new Client({ name: "forgehook-it", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return { client, close: async () => { await transport.terminateSession().catch(() => {}); await client.close(); } };
}

async function stdioClient(token) {
  const client = new Client({ name: "forgehook-it-stdio", version: "1.0.0" });
  const transport = new StdioClientTransport({
    command: BIN,
    args: ["mcp", "--server", server.url],
    env: { PATH: process.env.PATH, LANG: "C.UTF-8", FORGEHOOK_TOKEN: token },
    stderr: "pipe",
  });
  await client.connect(transport);
  return { client, close: () => client.close() };
}

// A tool's structured result, checked against the tool's own outputSchema.
async function callOk(client, tools, name, args = {}) {
  const result = await client.callTool({ name, arguments: args });
  assert.notEqual(result.isError, true, `${name}: ${JSON.stringify(result.content)}`);
  const validate = ajv.compile(tools.get(name).outputSchema);
  assert.ok(validate(result.structuredContent), `${name} output: ${JSON.stringify(validate.errors)}`);
  assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent, `${name}: the text is the structured result`);
  return result.structuredContent;
}

async function callError(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  assert.equal(result.isError, true, `${name} ${JSON.stringify(args)} should fail: ${JSON.stringify(result)}`);
  return result.content.map((c) => c.text).join("\n");
}

// POST /mcp by hand, for the transport's refusals.
function rawPost(body, headers = {}) {
  return httpRequest({ port: server.port, method: "POST", path: "/mcp", body,
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers } });
}

before(async () => {
  gh = await startFakeGitHub({ pollInterval: 1 });
  gh.addRepo(HOOK_REPO);
  proxy = await startContractProxy(gh.url);
  // One [[rules]] entry, so list_commands has a run to show: echo each pull request's number.
  dataDir = await makeTempDir("forgehook-mcp-");
  const config = path.join(dataDir, "rules.toml");
  writeFileSync(config, '[[rules]]\nname = "echo-pull"\nevent = "pull_request"\npayload = "none"\n' +
    'command = ["/bin/echo", "pull", "{{/pull_request/number}}"]\n');
  server = await start({ FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_FORGES_RECONCILE_INTERVAL_S: 600 },
    { dataDir, config });
  fh = new Forge(server, { github: GH, admin: ADMIN });
  // The model: a pull request, issues of a milestone, a failed CI run (an incident), a planned item.
  await deliver("pull_request", pullRequest("opened", T0));
  await deliver("issues", milestoneIssue(42, "opened", T0, "open"));
  await deliver("issues", milestoneIssue(43, "closed", T0 + HOUR, "closed"));
  await deliver("workflow_run", workflowRun(100, "failure", T0));
  await deliver("star", onRepo(example("star", "created")));
  await fh.drained();
  const item = await fh.api("/api/v1/items", { method: "POST", body: { title: "Sprint board", owner: "alice",
    issue: { repository: REPO.full_name, number: 42 } } });
  assert.equal(item.status, 201, item.text);
  itemId = item.json.id;
  const token = await fh.api("/api/v1/tokens", { method: "POST", body: { name: "mcp-reader" } });
  assert.equal(token.status, 201, token.text);
  readOnlyToken = token.json.token;
  const cred = await fh.api("/api/v1/credentials/github", { method: "PUT", body: { api_url: proxy.url, token: FORGE_TOKEN } });
  assert.equal(cred.status, 201, cred.text);
});

after(async () => {
  fh?.close();
  await server?.stop().catch(() => {});
  await proxy?.close();
  await gh?.close();
  if (server) await removeDir(server.dataDir);
});

for (const [transportName, connect] of [["Streamable HTTP", httpClient], ["stdio", stdioClient]]) {
  describe(`MCP over ${transportName}`, () => {
    let session, client, tools;
    before(async () => {
      session = await connect(ADMIN);
      client = session.client;
    });
    after(async () => session?.close());

    test("initialize names forgehook and offers tools and subscribable resources", () => {
      assert.equal(client.getServerVersion().name, "forgehook");
      const caps = client.getServerCapabilities();
      assert.equal(caps.resources.subscribe, true);
      assert.deepEqual(caps.tools, { listChanged: false });
    });

    test("tools/list: every tool, each schema compiles", async () => {
      const listed = (await client.listTools()).tools;
      assert.deepEqual(listed.map((t) => t.name).sort(), ALL_TOOLS);
      tools = new Map(listed.map((t) => [t.name, t]));
      for (const t of listed) {
        assert.equal(t.inputSchema.type, "object", t.name);
        assert.equal(t.outputSchema.type, "object", t.name);
        ajv.compile(t.inputSchema);
        ajv.compile(t.outputSchema);
        assert.equal(t.annotations.readOnlyHint, !WRITE_TOOLS.includes(t.name), t.name);
      }
      assert.equal(tools.get("remove_webhooks").annotations.destructiveHint, true);
    });

    test("the model's tools answer from the seeded model", async () => {
      const status = await callOk(client, tools, "get_live_project_status", { include_activity: true, activity_timeframe: "30d" });
      const direct = (await fh.api("/api/v1/metrics/status")).json;
      assert.ok(status.status.open_pulls >= 1);
      assert.equal(status.status.open_pulls, direct.open_pulls);
      assert.equal(status.status.incidents_open, 1);
      assert.ok(Array.isArray(status.activity));

      const sprint = await callOk(client, tools, "get_live_sprint_metrics", { include_burndown: false, include_team_metrics: true });
      assert.equal(sprint.sprint.milestone, "v1.0");
      assert.equal(sprint.sprint.issues, 2);
      assert.equal(sprint.sprint.closed, 1);
      assert.equal(sprint.sprint.burndown, undefined, "include_burndown: false leaves it out");
      assert.ok(Array.isArray(sprint.sprint.velocity));
      assert.equal(sprint.team.opened, 0, "no pull request opened in the last 30 days (the scenario is older)");
      const byNumber = await callOk(client, tools, "get_live_sprint_metrics", { milestone_number: 1 });
      assert.equal(byNumber.sprint.milestone, "v1.0");
      assert.ok(Array.isArray(byNumber.sprint.burndown));

      const activity = await callOk(client, tools, "get_recent_activity", { event_types: ["pull_request", "issues"], limit: 10 });
      assert.equal(activity.count, activity.activity.length);
      assert.deepEqual([...new Set(activity.activity.map((a) => a.kind))].sort(), ["issues", "pull_request"]);
      const actor = activity.activity[0].actor;
      const byActors = await callOk(client, tools, "get_recent_activity", { actors: [actor, "nobody-at-all"] });
      assert.ok(byActors.count >= 1 && byActors.activity.every((a) => a.actor === actor));

      const health = await callOk(client, tools, "get_live_repository_health", { repository: REPO.full_name });
      assert.equal(health.repository, REPO.full_name);
      assert.equal(typeof health.health.ci.runs_failed, "number");

      const runs = await waitFor(async () => {
        const r = await callOk(client, tools, "list_commands", { rule: "echo-pull" });
        // One run per pull_request delivery: the seeded one, and those later tests send.
        return r.commands.length >= 1 && r.commands.every((c) => c.status === "succeeded") ? r : null;
      }, { message: "the echo-pull commands ran" });
      const run = await callOk(client, tools, "list_commands", { run_id: runs.commands.at(-1).id });
      assert.deepEqual(run.commands[0].argv, ["/bin/echo", "pull", "7"]);
      assert.equal(run.commands[0].output, "pull 7\n");
      assert.match(await callError(client, "list_commands", { state: "sleepy" }), /state must be one of/);

      const incidents = await callOk(client, tools, "list_incidents", { state: "open" });
      assert.equal(incidents.incidents.length, 1);
      assert.equal(incidents.incidents[0].workflow, "CI");
      const acked = await callOk(client, tools, "acknowledge_incident", { incident_id: incidents.incidents[0].id, by: "mcp", note: "looking" });
      assert.equal(acked.incident.acknowledged.by, "mcp");

      const items = await callOk(client, tools, "list_planned_items", { owner: "alice" });
      assert.deepEqual(items.items.map((i) => i.id), [itemId]);
      const updated = await callOk(client, tools, "update_planned_item", { item_id: itemId, status: "in_progress", tags: [transportName] });
      assert.equal(updated.item.manual_status, "in_progress");
      assert.deepEqual(updated.item.tags, [transportName]);

      const deliveries = await fh.api("/api/v1/deliveries?event=star");
      const replayed = await callOk(client, tools, "replay_deliveries", { delivery_id: deliveries.json.deliveries[0].id });
      assert.equal(replayed.requeued, 1);
      const filtered = await callOk(client, tools, "replay_deliveries", { event: "star" });
      assert.equal(filtered.requeued, 1);
    });

    test("the webhook tools manage a hook at the fake GitHub", async () => {
      // The stdio client chooses the hook's secret; the HTTP one lets forgehook generate it.
      const chosen = transportName === "stdio" ? `chosen-${crypto.randomBytes(16).toString("hex")}` : undefined;
      assert.match(await callError(client, "setup_webhooks", { repository: HOOK_REPO, secret: "short" }),
        /secret must be at least 16 characters/);
      assert.match(await callError(client, "setup_webhooks", { repository: HOOK_REPO, active: false }), /active: false/);
      const setup = await callOk(client, tools, "setup_webhooks",
        { repository: HOOK_REPO, webhook_url: server.url, ...(chosen ? { secret: chosen } : {}) });
      const hook = setup.webhook;
      assert.equal(setup.created, true);
      assert.equal(setup.secret_generated, !chosen);
      assert.equal(hook.status, "active", JSON.stringify(hook));
      assert.equal(gh.hook(hook.hook_id).config.url, `${server.url}/webhooks/github`);
      if (chosen) assert.equal(gh.hook(hook.hook_id).config.secret, chosen, "the hook signs with the chosen secret");
      else assert.match(gh.hook(hook.hook_id).config.secret, /^[0-9a-f]{64}$/);
      assert.ok(!JSON.stringify(setup).includes(gh.hook(hook.hook_id).config.secret), "the secret is never shown");

      const listed = await callOk(client, tools, "list_webhooks");
      assert.deepEqual(listed.webhooks.map((w) => w.id), [hook.id]);

      const tested = await callOk(client, tools, "test_webhook", { webhook_id: hook.id });
      assert.equal(tested.results[0].webhook_id, hook.id);
      assert.equal(tested.results[0].arrived, true, JSON.stringify(tested));

      const deliveries = await callOk(client, tools, "get_webhook_deliveries", { webhook_id: hook.id, per_page: 5 });
      assert.equal(deliveries.repository, HOOK_REPO);
      assert.ok(deliveries.deliveries.some((d) => d.event === "ping"), JSON.stringify(deliveries));

      const status = await callOk(client, tools, "get_webhook_status", { webhook_id: hook.id });
      assert.equal(status.status.forge_hook.id, hook.hook_id);
      const overall = await callOk(client, tools, "get_webhook_status");
      assert.equal(overall.webhook_id, null);
      assert.equal(overall.status.connections.total, 1);

      assert.match(await callError(client, "remove_webhooks", { webhook_id: hook.id, confirm: false }), /confirm: true/);
      assert.ok(gh.hook(hook.hook_id), "refused without confirm: the hook is still there");
      const removed = await callOk(client, tools, "remove_webhooks", { webhook_id: hook.id, confirm: true });
      assert.equal(removed.removed[0].id, hook.id);
      assert.equal(gh.hook(hook.hook_id), undefined, "the hook is gone at the forge");
      assert.deepEqual(proxy.violations(), []);
    });

    test("a subscribed resource is notified within a second of the delivery's 2xx", async () => {
      const uri = `forgehook://repositories/${REPO.full_name}/pulls`;
      const read = await client.readResource({ uri });
      assert.equal(read.contents[0].mimeType, "application/json");
      assert.ok(JSON.parse(read.contents[0].text).pulls.some((p) => p.number === 7), read.contents[0].text);
      const updates = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updates.push({ uri: n.params.uri, at: Date.now() }));
      await client.subscribeResource({ uri });
      await new Promise((r) => setTimeout(r, 300)); // the notification stream is open
      updates.length = 0;
      const number = transportName === "stdio" ? 9 : 8;
      await deliver("pull_request", pullRequest("opened", T0 + HOUR, { number }));
      const acceptedAt = Date.now();
      await waitFor(() => updates.some((u) => u.uri === uri), { timeoutMs: 3000, message: "notifications/resources/updated" });
      const first = updates.find((u) => u.uri === uri);
      assert.ok(first.at - acceptedAt < 1000, `notified ${first.at - acceptedAt} ms after the 2xx`);
      await client.unsubscribeResource({ uri });
    });

    test("subscribe_to_updates: a session subscription and a signed callback", async () => {
      const own = await callOk(client, tools, "subscribe_to_updates", { subscription_id: "s1", events: ["items"] });
      assert.equal(own.mode, "session");
      const updates = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updates.push(n.params.uri));
      await new Promise((r) => setTimeout(r, 300));
      await fh.api(`/api/v1/items/${itemId}`, { method: "PATCH", body: { description: transportName } });
      await waitFor(() => updates.includes("forgehook://items"), { timeoutMs: 3000, message: "items updated" });

      const callback = await callOk(client, tools, "subscribe_to_updates", { subscription_id: "cb", events: ["pulls"], callback: "https://example.com/hook" });
      assert.equal(callback.mode, "callback");
      assert.match(callback.secret, /^whsec_/);
      assert.equal(callback.subscription.url, "https://example.com/hook");
      assert.match(await callError(client, "subscribe_to_updates", { subscription_id: "x", events: ["nonsense"] }), /nonsense/);
    });

    test("resources: list, templates, unknown URI", async () => {
      const listed = (await client.listResources()).resources.map((r) => r.uri);
      for (const uri of ["forgehook://items", "forgehook://incidents", "forgehook://activity", "forgehook://status",
        `forgehook://repositories/${REPO.full_name}/pulls`, `forgehook://repositories/${REPO.full_name}/runs`])
        assert.ok(listed.includes(uri), uri);
      const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
      assert.ok(templates.includes("forgehook://repositories/{owner}/{name}/pulls"));
      const items = await client.readResource({ uri: "forgehook://items" });
      assert.equal(JSON.parse(items.contents[0].text).items[0].id, itemId);
      await assert.rejects(client.readResource({ uri: "forgehook://nothing" }), (e) => e.code === -32002);
      await assert.rejects(client.readResource({ uri: "forgehook://repositories/no/such/pulls" }), (e) => e.code === -32002);
    });

    test("bad arguments are tool errors naming the argument; an unknown tool is -32602", async () => {
      assert.match(await callError(client, "get_webhook_deliveries", { webhook_id: "one" }), /webhook_id must be an integer/);
      assert.match(await callError(client, "get_webhook_deliveries", {}), /missing required argument "webhook_id"/);
      assert.match(await callError(client, "list_incidents", { colour: "red" }), /unknown argument "colour"/);
      assert.match(await callError(client, "list_incidents", { state: "sleepy" }), /state must be one of/);
      assert.match(await callError(client, "get_webhook_status", { webhook_id: 999 }), /404/);
      await assert.rejects(client.callTool({ name: "no_such_tool", arguments: {} }), (e) => e.code === -32602);
      assert.ok(await client.ping());
    });
  });
}

describe("read-only token", () => {
  for (const [transportName, connect] of [["Streamable HTTP", httpClient], ["stdio", stdioClient]]) {
    test(`over ${transportName}: only read tools are listed, a write tool is refused`, async () => {
      const { client, close } = await connect(readOnlyToken);
      try {
        const names = (await client.listTools()).tools.map((t) => t.name);
        for (const w of WRITE_TOOLS) assert.ok(!names.includes(w), `${w} listed for a read-only token`);
        assert.ok(names.includes("list_incidents"));
        assert.match(await callError(client, "acknowledge_incident", { incident_id: 1 }), /read-only/);
        const incidents = await client.callTool({ name: "list_incidents", arguments: {} });
        assert.equal(incidents.isError, false);
      } finally {
        await close();
      }
    });
  }
});

describe("Streamable HTTP transport rules", () => {
  const init = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize",
    params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });

  test("initialize negotiates the version and returns a session id of 128 bits", async () => {
    const res = await rawPost(init, { Authorization: `Bearer ${ADMIN}` });
    assert.equal(res.status, 200, res.text);
    assert.equal(JSON.parse(res.text).result.protocolVersion, "2025-03-26");
    assert.match(res.headers["mcp-session-id"], /^[0-9a-f]{32}$/);
    const unknown = JSON.parse((await rawPost(init.replace("2025-03-26", "1999-01-01"), { Authorization: `Bearer ${ADMIN}` })).text);
    assert.equal(unknown.result.protocolVersion, "2025-11-25");
  });

  test("refusals: no token 401, missing session 400, unknown session 404, foreign Origin 403, bad version 400", async () => {
    const ping = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" });
    const noToken = await rawPost(init);
    assert.equal(noToken.status, 401);
    assert.equal(noToken.headers["www-authenticate"], "Bearer");
    assert.equal((await rawPost(ping, { Authorization: `Bearer ${ADMIN}` })).status, 400);
    assert.equal((await rawPost(ping, { Authorization: `Bearer ${ADMIN}`, "Mcp-Session-Id": "0".repeat(32) })).status, 404);
    assert.equal((await rawPost(init, { Authorization: `Bearer ${ADMIN}`, Origin: "http://evil.example" })).status, 403);
    assert.equal((await rawPost(init, { Authorization: `Bearer ${ADMIN}`, Origin: server.url })).status, 200, "its own origin");
    assert.equal((await rawPost(init, { Authorization: `Bearer ${ADMIN}`, "MCP-Protocol-Version": "1999-01-01" })).status, 400);
    const sid = (await rawPost(init, { Authorization: `Bearer ${ADMIN}` })).headers["mcp-session-id"];
    // Another token cannot use this session.
    assert.equal((await rawPost(ping, { Authorization: `Bearer ${readOnlyToken}`, "Mcp-Session-Id": sid })).status, 404);
    const ok = await rawPost(ping, { Authorization: `Bearer ${ADMIN}`, "Mcp-Session-Id": sid });
    assert.deepEqual(JSON.parse(ok.text), { jsonrpc: "2.0", id: 2, result: {} });
    const unknown = await rawPost(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "sampling/nothing" }),
      { Authorization: `Bearer ${ADMIN}`, "Mcp-Session-Id": sid });
    assert.equal(JSON.parse(unknown.text).error.code, -32601);
    const note = await rawPost(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      { Authorization: `Bearer ${ADMIN}`, "Mcp-Session-Id": sid });
    assert.equal(note.status, 202);
    assert.equal(note.text, "");
    const ended = await httpRequest({ port: server.port, method: "DELETE", path: "/mcp",
      headers: { Authorization: `Bearer ${ADMIN}`, "Mcp-Session-Id": sid } });
    assert.equal(ended.status, 204);
    assert.equal((await rawPost(ping, { Authorization: `Bearer ${ADMIN}`, "Mcp-Session-Id": sid })).status, 404);
  });

  test("garbage is a JSON-RPC parse error, a batch is refused, and the server stays healthy", async () => {
    const garbage = await rawPost("{not json", { Authorization: `Bearer ${ADMIN}` });
    assert.equal(garbage.status, 400);
    assert.equal(JSON.parse(garbage.text).error.code, -32700);
    const batch = await rawPost(`[${init}]`, { Authorization: `Bearer ${ADMIN}` });
    assert.equal(JSON.parse(batch.text).error.code, -32600);
    const health = await httpRequest({ port: server.port, path: "/healthz" });
    assert.equal(health.status, 200);
  });

  test("a revoked token ends its sessions", async () => {
    const created = await fh.api("/api/v1/tokens", { method: "POST", body: { name: "short-lived" } });
    const { client, close } = await httpClient(created.json.token);
    try {
      assert.ok(await client.ping());
      assert.equal((await fh.api(`/api/v1/tokens/${created.json.id}`, { method: "DELETE" })).status, 200);
      await assert.rejects(client.ping());
    } finally {
      await close().catch(() => {});
    }
  });
});

test("forgehook mcp answers a request the server refuses (token revoked) with an error of that request", async () => {
  const { spawn } = await import("node:child_process");
  const created = await fh.api("/api/v1/tokens", { method: "POST", body: { name: "stdio-revoked" } });
  const proc = spawn(BIN, ["mcp", "--server", server.url], { env: { PATH: process.env.PATH, FORGEHOOK_TOKEN: created.json.token } });
  const lines = [];
  let buffer = "";
  proc.stdout.on("data", (b) => {
    buffer += b;
    for (let i; (i = buffer.indexOf("\n")) >= 0; buffer = buffer.slice(i + 1)) lines.push(JSON.parse(buffer.slice(0, i)));
  });
  proc.stdin.write('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}\n');
  await waitFor(() => lines.some((l) => l.id === 1), { message: "initialize answered" });
  assert.equal((await fh.api(`/api/v1/tokens/${created.json.id}`, { method: "DELETE" })).status, 200);
  proc.stdin.write('{"jsonrpc":"2.0","id":"after-revoke","method":"tools/list"}\n');
  const answer = await waitFor(() => lines.find((l) => l.id === "after-revoke"), { message: "tools/list answered" });
  assert.match(answer.error.message, /401/);
  proc.stdin.end();
  assert.equal(await new Promise((resolve) => proc.on("exit", resolve)), 0);
});

test("forgehook mcp answers initialize with an error when the server is unreachable, and exits non-zero", async () => {
  const { spawn } = await import("node:child_process");
  const proc = spawn(BIN, ["mcp", "--server", "http://127.0.0.1:1"], { env: { PATH: process.env.PATH, FORGEHOOK_TOKEN: "x" } });
  let out = "";
  proc.stdout.on("data", (b) => (out += b));
  proc.stdin.end('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}\n');
  const code = await new Promise((resolve) => proc.on("exit", resolve));
  assert.notEqual(code, 0);
  const answer = JSON.parse(out.trim());
  assert.equal(answer.id, 1);
  assert.match(answer.error.message, /unreachable/);
});
