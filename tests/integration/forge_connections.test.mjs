// Forge connections end to end, through the real binary and a stateful fake GitHub
// (tests/fakes/fake_github.mjs) behind Prism in proxy mode with GitHub's own OpenAPI description
// (tests/fakes/contract_proxy.mjs): every request forgehook makes and every answer it gets is
// checked against the description, and the test fails on any violation.
//
// The scenario: connect a repository (the hook is made with a secret of its own) → deliveries
// arrive and verify → forgehook stops while GitHub keeps "delivering" (they fail in its log) →
// restart → the reconciliation at start finds every failed delivery and asks for it again → the
// model ends identical to a second forgehook that missed nothing → the secret is rotated while
// deliveries are in flight (none refused) → disconnect deletes the hook.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { startContractProxy } from "../fakes/contract_proxy.mjs";
import { startFakeGitHub } from "../fakes/fake_github.mjs";
import { Forge, makeSecret } from "./lib/forge.mjs";
import { model } from "./lib/model.mjs";
import { removeDir, runCli, start, waitFor } from "./lib/server.mjs";

const ADMIN = makeSecret("admin");
const REPO = "octo-org/hello-world";
const TOKEN = "test-token"; // the fake's default classic token: admin everywhere

async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function deliveriesOf(fh, repository = REPO) {
  const res = await fh.api(`/api/v1/deliveries?repository=${encodeURIComponent(repository)}&limit=500`);
  assert.equal(res.status, 200, res.text);
  return res.json.deliveries;
}

describe("forge connections: connect, miss nothing, rotate, disconnect", () => {
  let gh, proxy, port, server, fh, twin, twinFh;
  const twinSecret = makeSecret("twin");

  before(async () => {
    gh = await startFakeGitHub({ pollInterval: 1 });
    gh.addRepo(REPO);
    proxy = await startContractProxy(gh.url);
    port = await freePort();
    // A fixed port: the hook keeps pointing at forgehook across its restart.
    server = await start({ FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_FORGES_RECONCILE_INTERVAL_S: 600 }, { listen: `127.0.0.1:${port}` });
    fh = new Forge(server, { admin: ADMIN });
    // The twin receives every event through a hook of its own and is never stopped.
    twin = await start({ FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_GITHUB_SECRET: twinSecret, FORGEHOOK_FORGES_RECONCILE_INTERVAL_S: 0 });
    twinFh = new Forge(twin, { admin: ADMIN });
    gh.createHook(REPO, { name: "web", events: ["*"], config: { url: `${twin.url}/webhooks/github`, content_type: "json", secret: twinSecret } });
  });

  after(async () => {
    await server?.stop().catch(() => {});
    await twin?.stop().catch(() => {});
    await proxy?.close();
    await gh?.close();
    if (server) await removeDir(server.dataDir);
    if (twin) await removeDir(twin.dataDir);
  });

  let connection;
  const hookSecrets = []; // every secret the hook had: none may reach forgehook's output

  test("a stored token and a connect make one JSON hook with a secret of its own", async () => {
    const cred = await fh.api("credentials/github", { method: "PUT", body: { api_url: proxy.url, token: TOKEN } });
    assert.equal(cred.status, 201, cred.text);
    assert.equal(cred.json.token, "set");
    assert.ok(!cred.text.includes(TOKEN));

    const res = await fh.api("connections", { method: "POST", body: { repository: REPO, url: server.url } });
    assert.equal(res.status, 201, res.text);
    connection = res.json;
    assert.equal(connection.status, "active", res.text);
    assert.equal(connection.url, `${server.url}/webhooks/github`);
    const hook = gh.hook(connection.hook_id);
    assert.equal(hook.config.content_type, "json");
    assert.match(hook.config.secret, /^[0-9a-f]{64}$/);
    assert.notEqual(hook.config.secret, twinSecret);
    assert.ok(hook.events.includes("pull_request"));
    assert.ok(!res.text.includes(hook.config.secret), "the API never shows the hook's secret");
    hookSecrets.push(hook.config.secret);

    // Connecting again changes nothing at the forge: the same hook, no duplicate.
    const again = await fh.api("connections", { method: "POST", body: { repository: REPO, url: server.url } });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.hook_id, connection.hook_id);
    assert.equal(gh.hooks(REPO).length, 2);
  });

  test("ping reports the round trip of the forge's ping", async () => {
    const res = await fh.api(`connections/${connection.id}/ping`, { method: "POST" });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.arrived, true, res.text);
    assert.equal(typeof res.json.round_trip_ms, "number");
    assert.ok(res.json.round_trip_ms >= 0 && res.json.round_trip_ms < 10_000);
  });

  test("deliveries arrive and verify with the hook's secret", async () => {
    await gh.emit(REPO, "pull_request", undefined, { action: "opened" });
    await gh.emit(REPO, "issues", undefined, { action: "opened" });
    await gh.emit(REPO, "push");
    await gh.idle();
    const rows = await waitFor(async () => {
      const d = (await deliveriesOf(fh)).filter((r) => r.event !== "ping");
      return d.length >= 3 && d;
    }, { message: "three deliveries" });
    assert.ok(rows.every((r) => r.verification === "sha256"), JSON.stringify(rows));
    const ours = gh.sent.filter((s) => String(s.hookId) === String(connection.hook_id));
    assert.ok(ours.length >= 4, "the ping and three events");
    assert.deepEqual(ours.map((s) => s.result.statusCode).filter((c) => c !== 200), [], "forgehook accepted every one");
  });

  test("deliveries GitHub could not hand over while forgehook was down are found and redelivered at start", async () => {
    await server.stop();
    const missed = [];
    missed.push((await gh.emit(REPO, "pull_request", undefined, { action: "closed" })).guid);
    missed.push((await gh.emit(REPO, "issues", undefined, { action: "closed" })).guid);
    missed.push((await gh.emit(REPO, "release", undefined, { action: "published" })).guid);
    missed.push((await gh.emit(REPO, "create")).guid);
    await gh.idle();
    // GitHub logged them as failed for forgehook's hook (no answer: status_code 0).
    const attempts = gh.sent.filter((s) => String(s.hookId) === String(connection.hook_id) && missed.includes(s.delivery.guid));
    assert.deepEqual(attempts.map((s) => s.delivery.status_code), [0, 0, 0, 0]);

    server = await start({ FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_FORGES_RECONCILE_INTERVAL_S: 600 }, { listen: `127.0.0.1:${port}`, dataDir: server.dataDir });
    fh = new Forge(server, { admin: ADMIN });
    const run = await waitFor(async () => {
      const res = await fh.api(`connections/${connection.id}/reconciliations`);
      const start = res.json.reconciliations.find((r) => r.trigger === "start" && r.finished_at);
      return start;
    }, { timeoutMs: 20_000, message: "the reconciliation at start" });
    assert.equal(run.error, null, JSON.stringify(run));
    assert.equal(run.missing, 4, JSON.stringify(run));
    assert.equal(run.redelivery_requested, 4, JSON.stringify(run));
    assert.equal(run.api_calls, 1 + 4, "one page of the log, one request per missing delivery");

    await waitFor(async () => {
      const ids = new Set((await deliveriesOf(fh)).map((d) => d.delivery_id));
      return missed.every((g) => ids.has(g));
    }, { timeoutMs: 15_000, message: "the redelivered deliveries" });
    // Each missed delivery is findable by the GUID GitHub shows.
    const byGuid = await fh.api(`/api/v1/deliveries?delivery_id=${missed[0]}`);
    assert.equal(byGuid.status, 200, byGuid.text);
    assert.equal(byGuid.json.deliveries.length, 1);

    const manual = await fh.api(`connections/${connection.id}/reconcile`, { method: "POST" });
    assert.equal(manual.status, 200, manual.text);
    assert.equal(manual.json.arrived, 4, manual.text);
    assert.equal(manual.json.missing, 0, manual.text);
    assert.equal(manual.json.redelivery_requested, 0, manual.text);

    const status = await fh.api(`connections/${connection.id}/status`);
    assert.equal(status.status, 200, status.text);
    assert.equal(status.json.failing, false, status.text);
    assert.equal(status.json.missed_24h.arrived, 4, status.text);
    assert.ok(status.json.forge_hook, status.text);
    assert.ok(status.json.last_delivery_at, status.text);
  });

  test("the model is the one of a forgehook that missed nothing", async () => {
    const wantEvents = (await deliveriesOf(twinFh)).filter((d) => d.event !== "ping").length;
    await waitFor(async () => {
      const [ours, theirs] = await Promise.all([
        fh.api("/api/v1/deliveries?status=processed&limit=500"),
        twinFh.api("/api/v1/deliveries?status=processed&limit=500"),
      ]);
      return ours.json.deliveries.filter((d) => d.event !== "ping").length === wantEvents &&
        theirs.json.deliveries.filter((d) => d.event !== "ping").length === wantEvents;
    }, { timeoutMs: 15_000, message: "both pipelines to finish" });
    assert.deepEqual(await model(fh), await model(twinFh));
  });

  test("a secret rotated while deliveries are in flight refuses none of them", async () => {
    const before = gh.hook(connection.hook_id).config.secret;
    const from = gh.sent.length;
    const storm = [];
    for (let i = 0; i < 20; i++) storm.push(gh.emit(REPO, "issues", undefined, { action: i % 2 ? "labeled" : "edited" }));
    const rotated = await fh.api(`connections/${connection.id}/rotate-secret`, { method: "POST" });
    for (let i = 0; i < 20; i++) storm.push(gh.emit(REPO, "issues", undefined, { action: "edited" }));
    await Promise.all(storm);
    await gh.idle();
    assert.equal(rotated.status, 200, rotated.text);
    assert.ok(rotated.json.previous_secret_accepted_until, rotated.text);
    const after = gh.hook(connection.hook_id).config.secret;
    assert.notEqual(after, before);
    hookSecrets.push(after);
    const ours = gh.sent.slice(from).filter((s) => String(s.hookId) === String(connection.hook_id));
    assert.equal(ours.length, 40);
    assert.deepEqual(ours.map((s) => s.result.statusCode).filter((c) => c !== 200), [], "none refused");
    // Both secrets signed some of them: the rotation happened in the middle of the storm.
    const signedWith = (secret, s) =>
      s.headers["X-Hub-Signature-256"] === `sha256=${crypto.createHmac("sha256", secret).update(s.body).digest("hex")}`;
    assert.ok(ours.some((s) => signedWith(before, s)) && ours.some((s) => signedWith(after, s)));
  });

  test("the CLI lists, shows and reconciles the connection", async () => {
    const env = { FORGEHOOK_SERVER: server.url, FORGEHOOK_TOKEN: ADMIN };
    const list = await runCli(["repos", "list"], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /octo-org\/hello-world/);
    const show = await runCli(["repos", "show", REPO], { env });
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /last_delivery_at/);
    const reconcile = await runCli(["reconcile", REPO], { env });
    assert.equal(reconcile.code, 0, reconcile.stderr);
    assert.match(reconcile.stdout, /octo-org\/hello-world/);
  });

  test("disconnect deletes the hook and keeps the history", async () => {
    const count = (await deliveriesOf(fh)).length;
    const res = await fh.api(`connections/${connection.id}`, { method: "DELETE" });
    assert.equal(res.status, 200, res.text);
    assert.equal(gh.hook(connection.hook_id), undefined);
    assert.equal(gh.hooks(REPO).length, 1, "the twin's hook stays");
    assert.equal((await fh.api("connections")).json.connections.length, 0);
    assert.equal((await deliveriesOf(fh)).length, count);
    assert.deepEqual(proxy.violations(), [], "every request and answer matched GitHub's description");
    server.assertNoSecretsLogged([...hookSecrets, TOKEN]);
  });
});
