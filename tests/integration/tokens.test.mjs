// Read-only API tokens through the real binary and the CLI: created (the text shown once), used for
// reads, refused for changes, listed without their text, revoked (then 401); stream tickets are not
// tokens. No token or ticket ever reaches the server's output.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { Forge, assertAccepted, makeSecret, pushPayload } from "./lib/forge.mjs";
import { runCli, start } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");

describe("read-only API tokens", () => {
  let server, fh;
  const shown = []; // every token and ticket text the server handed out
  const admin = (args) => runCli(args, { env: { FORGEHOOK_SERVER: server.url, FORGEHOOK_ADMIN_TOKEN: ADMIN } });
  const readOnly = (args, token) => runCli(args, { env: { FORGEHOOK_SERVER: server.url, FORGEHOOK_TOKEN: token } });
  async function ok(out, what) {
    assert.equal(out.code, 0, `${what}: exit ${out.code}: ${out.stderr}`);
    return out;
  }
  async function createToken(name) {
    const out = await ok(await admin(["tokens", "create", "--name", name, "--json"]), "tokens create");
    const created = JSON.parse(out.stdout);
    shown.push(created.token);
    return created;
  }

  before(async () => {
    server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    assertAccepted(await fh.github(pushPayload("octo/tokens")), "a delivery to read");
    await fh.drained();
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("create shows the token once; a read-only token reads, through the API and the CLI", async () => {
    const human = await ok(await admin(["tokens", "create", "--name", "wallboard"]), "tokens create");
    const line = human.stdout.split("\n").find((l) => l.startsWith("token"));
    assert.match(line ?? "", /^token {2,}fht_[0-9a-f]{64}$/, human.stdout);
    shown.push(line.split(/ +/)[1]);
    assert.match(human.stderr, /not shown again/);

    const created = await createToken("grafana");
    assert.deepEqual(Object.keys(created).sort(), ["created_at", "id", "name", "token"]);
    assert.equal(created.name, "grafana");

    const deliveries = await fh.api("/api/v1/deliveries", { token: created.token });
    assert.equal(deliveries.status, 200, deliveries.text);
    assert.equal(deliveries.json.deliveries.length, 1);
    for (const args of [["deliveries", "list"], ["activity"], ["metrics", "status"], ["items", "list"]]) {
      await ok(await readOnly([...args, "--json"], created.token), args.join(" "));
    }
    // --token works as well as FORGEHOOK_TOKEN.
    const viaFlag = await runCli(["deliveries", "list", "--json", "--token", created.token], { env: { FORGEHOOK_SERVER: server.url } });
    await ok(viaFlag, "deliveries list --token");
  });

  test("a read-only token changes nothing and sees neither secrets nor tokens: 403 forbidden", async () => {
    const { token } = await createToken("reader");
    for (const [method, p, body] of [
      ["POST", "/api/v1/items", { title: "nope" }],
      ["POST", "/api/v1/rebuild"],
      ["POST", "/api/v1/replay", { all: true }],
      ["PUT", "/api/v1/secrets/github/hook/1", { secrets: ["x-secret-value"] }],
      ["GET", "/api/v1/secrets"],
      ["GET", "/api/v1/tokens"],
      ["POST", "/api/v1/tokens", { name: "escalate" }],
    ]) {
      const res = await fh.api(p, { method, body, token });
      assert.equal(res.status, 403, `${method} ${p}: ${res.text}`);
      assert.equal(res.json.error, "forbidden");
    }
    for (const args of [["items", "add", "--title", "nope"], ["secrets"], ["tokens", "list"], ["rebuild"]]) {
      const out = await readOnly(args, token);
      assert.notEqual(out.code, 0, args.join(" "));
      assert.match(out.stderr, /HTTP 403: read-only token/, args.join(" "));
    }
    assert.equal((await fh.api("/api/v1/items")).json.items.length, 0);
  });

  test("tokens list never shows a token's text; revoke makes it 401 at once", async () => {
    const created = await createToken("short-lived");
    await ok(await readOnly(["deliveries", "list"], created.token), "used once");

    const table = await ok(await admin(["tokens", "list"]), "tokens list");
    assert.match(table.stdout, /^ID {2,}NAME {2,}CREATED_AT {2,}LAST_USED_AT {2,}REVOKED_AT$/m);
    assert.match(table.stdout, new RegExp(`^${created.id} {2,}short-lived {2,}\\S+ {2,}\\S+Z {2,}-$`, "m"));
    const listed = await ok(await admin(["tokens", "list", "--json"]), "tokens list --json");
    for (const t of shown) {
      assert.ok(!table.stdout.includes(t.slice(4)), "a token's text in tokens list");
      assert.ok(!listed.stdout.includes(t.slice(4)), "a token's text in tokens list --json");
    }
    const row = JSON.parse(listed.stdout).tokens.find((t) => t.id === created.id);
    assert.deepEqual(Object.keys(row).sort(), ["created_at", "id", "last_used_at", "name", "revoked_at"]);
    assert.notEqual(row.last_used_at, null);

    const revoked = await ok(await admin(["tokens", "revoke", String(created.id)]), "tokens revoke");
    assert.equal(revoked.stdout, `revoked token ${created.id}\n`);
    const refused = await fh.api("/api/v1/deliveries", { token: created.token });
    assert.equal(refused.status, 401, refused.text);
    assert.equal(refused.json.error, "unauthorized");
    const cli = await readOnly(["deliveries", "list"], created.token);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /HTTP 401/);
    const again = await admin(["tokens", "revoke", "999999"]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /HTTP 404/);
    const after = JSON.parse((await ok(await admin(["tokens", "list", "--json"]), "list")).stdout).tokens;
    assert.notEqual(after.find((t) => t.id === created.id).revoked_at, null);
  });

  test("revoking a token ends its open streams (WebSocket close 4003, SSE a final revoked event); the admin's stay", async () => {
    const { id, token } = await createToken("wallboard-live");
    const wsUrl = `${server.url.replace("http", "ws")}/api/v1/stream`;
    const ws = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${token}` } });
    const wsClosed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
    await new Promise((resolve, reject) => { ws.on("open", resolve); ws.on("error", reject); });
    const adminWs = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${ADMIN}` } });
    await new Promise((resolve, reject) => { adminWs.on("open", resolve); adminWs.on("error", reject); });

    let sseText = "";
    const sseEnded = new Promise((resolve, reject) => {
      http.get(`${server.url}/api/v1/events`, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
        assert.equal(res.statusCode, 200);
        res.setEncoding("utf8");
        res.on("data", (chunk) => (sseText += chunk));
        res.on("end", resolve);
      }).on("error", reject);
    });
    await waitUntil(() => sseText.startsWith("retry:"), "the SSE stream to open");

    await ok(await admin(["tokens", "revoke", String(id)]), "tokens revoke");
    const closed = await withTimeout(wsClosed, "the WebSocket to close");
    assert.deepEqual(closed, { code: 4003, reason: "token revoked" });
    await withTimeout(sseEnded, "the SSE response to end");
    assert.match(sseText, /event: revoked\ndata: \{"error":"token_revoked"\}\n\n$/);
    assert.equal(adminWs.readyState, WebSocket.OPEN, "the admin's stream is not the token's");
    adminWs.close();
    // And it cannot come back.
    const again = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${token}` } });
    const refused = await new Promise((resolve) => again.on("unexpected-response", (_req, res) => resolve(res.statusCode)));
    assert.equal(refused, 401);
  });

  test("stream tickets: issued to either kind of token, never accepted as a token", async () => {
    const { token } = await createToken("browser");
    for (const bearer of [token, ADMIN]) {
      const res = await fh.api("/api/v1/stream/tickets", { method: "POST", token: bearer });
      assert.equal(res.status, 201, res.text);
      assert.match(res.json.ticket, /^fhs_[0-9a-f]{64}$/);
      assert.ok(Date.parse(res.json.expires_at) > Date.now());
      shown.push(res.json.ticket);
      const asToken = await fh.api("/api/v1/deliveries", { token: res.json.ticket });
      assert.equal(asToken.status, 401, asToken.text);
      const asParam = await fh.api(`/api/v1/deliveries?ticket=${res.json.ticket}`, { token: null });
      assert.equal(asParam.status, 401, asParam.text);
    }
    assert.equal((await fh.api("/api/v1/stream/tickets", { method: "POST", token: null })).status, 401);
  });

  test("tokens survive a restart, and nothing handed out reaches the server's output", async () => {
    const created = await createToken("durable");
    server.assertNoSecretsLogged(shown);
    await server.stop();
    const restarted = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN }, { dataDir: server.dataDir });
    try {
      const res = await new Forge(restarted, { admin: ADMIN }).api("/api/v1/deliveries", { token: created.token });
      assert.equal(res.status, 200, res.text);
      restarted.assertNoSecretsLogged(shown);
    } finally {
      await restarted.stop();
    }
  });
});

async function waitUntil(predicate, what, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function withTimeout(promise, what, ms = 5000) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))),
  ]);
}
