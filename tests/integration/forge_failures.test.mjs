// Forge connections when things go wrong, through the real binary, the fake GitHub behind the
// contract proxy (every request and answer checked against GitHub's OpenAPI description), and the
// GitLab and Gitea fakes: a hook that already exists is adopted; a token without the right is a
// clear error and the connection is kept as failed; 5xx and timeouts are retried with nothing
// half-done; a spent rate limit is waited out; a GitHub App's installation token that expires
// mid-run is renewed; polling with ETags (304s) and a switch back to webhooks count no event twice.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startContractProxy } from "../fakes/contract_proxy.mjs";
import { startFakeGitea } from "../fakes/fake_gitea.mjs";
import { startFakeGitHub } from "../fakes/fake_github.mjs";
import { startFakeGitLab } from "../fakes/fake_gitlab.mjs";
import { Forge, makeSecret } from "./lib/forge.mjs";
import { removeDir, runCli, start, waitFor } from "./lib/server.mjs";

const ADMIN = makeSecret("admin");

describe("forge connections: failures and fallbacks", () => {
  let gh, proxy, server, fh;

  before(async () => {
    gh = await startFakeGitHub({ pollInterval: 1 });
    proxy = await startContractProxy(gh.url);
    server = await start({
      FORGEHOOK_ADMIN_TOKEN: ADMIN,
      FORGEHOOK_FORGES_RECONCILE_INTERVAL_S: 0,
      FORGEHOOK_FORGES_API_TIMEOUT_MS: 1500,
    });
    fh = new Forge(server, { admin: ADMIN });
    const cred = await fh.api("credentials/github", { method: "PUT", body: { api_url: proxy.url, token: "test-token" } });
    assert.equal(cred.status, 201, cred.text);
  });

  after(async () => {
    await server?.stop().catch(() => {});
    await proxy?.close();
    await gh?.close();
    if (server) await removeDir(server.dataDir);
  });

  const connect = (body) => fh.api("connections", { method: "POST", body: { url: server.url, ...body } });

  test("bad requests are refused with a precise error and store nothing", async () => {
    const cases = [
      [{}, /repository/],
      [{ repository: "a/b", organization: "a" }, /either/],
      [{ repository: "noslash" }, /OWNER\/NAME/],
      [{ repository: "a/b", forge: "bitbucket" }, /forge/],
      [{ repository: "a/b", mode: "push" }, /mode/],
      [{ repository: "a/b", events: "push" }, /events/],
      [{ repository: "a/b", colour: "red" }, /unknown field "colour"/],
      [{ repository: "a/b", secret: "too-short" }, /secret must be 16 to 256 printable characters/],
      [{ repository: "a/b", secret: "has spaces in it 0123456789" }, /secret must be 16 to 256 printable characters/],
      [{ repository: "a/b", url: "ftp://x" }, /public URL/],
    ];
    for (const [body, message] of cases) {
      const res = await connect(body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.match(res.json.message, message);
    }
    const badKey = await fh.api("credentials/github", { method: "PUT", body: { app_id: "1", private_key: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----" } });
    assert.equal(badKey.status, 400, badKey.text);
    assert.ok(!badKey.text.includes("nope"));
    assert.equal((await fh.api("credentials/bitbucket", { method: "PUT", body: { token: "x" } })).status, 404);
    assert.equal((await fh.api("connections")).json.connections.length, 0);
    assert.equal((await fh.api("connections", { method: "POST", body: { repository: "a/b" }, token: null })).status, 401);
  });

  test("a hook that already exists for the URL is adopted, not duplicated", async () => {
    const repo = "octo-org/adopt-me";
    gh.addRepo(repo);
    gh.createHook(repo, { name: "web", events: ["push"], config: { url: `${server.url}/webhooks/github`, content_type: "form", secret: "by-hand" } });
    const res = await connect({ repository: repo });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.status, "active", res.text);
    assert.equal(res.json.adopted, true);
    const hooks = gh.hooks(repo);
    assert.equal(hooks.length, 1);
    assert.equal(hooks[0].config.content_type, "json");
    assert.notEqual(hooks[0].config.secret, "by-hand");
    assert.ok(hooks[0].events.includes("pull_request"));
  });

  test("an organization: one org hook, whose deliveries for every repository of the org verify", async () => {
    gh.addRepo("whole-org/one");
    const res = await connect({ organization: "whole-org" });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.status, "active", res.text);
    assert.equal(res.json.organization, "whole-org");
    const [hook] = gh.hooks("whole-org");
    assert.equal(String(hook.id), res.json.hook_id);
    await gh.emit("whole-org/one", "issues", undefined, { action: "opened" });
    await gh.idle();
    const rows = await waitFor(async () => {
      const d = (await fh.api("/api/v1/deliveries?repository=whole-org%2Fone")).json.deliveries;
      return d.length === 1 && d;
    }, { message: "the org hook's delivery" });
    assert.equal(rows[0].verification, "sha256");
    assert.equal((await fh.api(`connections/${res.json.id}`, { method: "DELETE" })).status, 200);
    assert.equal(gh.hooks("whole-org").length, 0);
  });

  test("a token without the right is a clear error; the connection is kept as failed and mended later", async () => {
    const repo = "octo-org/private-repo";
    gh.addRepo(repo, { private: true });
    gh.addToken("ghp_reader", { kind: "classic", login: "reader", scopes: ["repo"], repos: { [repo]: "read" } });
    await fh.api("credentials/github", { method: "PUT", body: { api_url: proxy.url, token: "ghp_reader" } });
    const cli = await runCli(["repos", "connect", repo, "--url", server.url], { env: { FORGEHOOK_SERVER: server.url, FORGEHOOK_TOKEN: ADMIN } });
    assert.equal(cli.code, 2, cli.stderr);
    assert.match(cli.stdout, /failed/);
    assert.match(cli.stdout, /admin:repo_hook/);
    const [c] = (await fh.api("connections")).json.connections.filter((x) => x.repository === repo);
    assert.equal(c.status, "failed");
    assert.equal(c.failing, true);
    assert.ok(c.error);
    assert.equal(c.polling, true, "polled until the hook works");
    const status = await fh.api("/api/v1/metrics/status");
    assert.ok(status.json.connections.failing.some((f) => f.target === repo), status.text);
    assert.ok(!cli.stdout.includes("ghp_reader") && !server.stderr().includes("ghp_reader"), "the token is never shown");

    await fh.api("credentials/github", { method: "PUT", body: { api_url: proxy.url, token: "test-token" } });
    const mended = await fh.api(`connections/${c.id}/recheck`, { method: "POST" });
    assert.equal(mended.status, 200, mended.text);
    assert.equal(mended.json.status, "active", mended.text);
    assert.equal(mended.json.failing, false);
    assert.equal(gh.hooks(repo).length, 1);
  });

  test("forge 5xx and timeouts are retried with backoff, and nothing is made twice", async () => {
    const repo = "octo-org/flaky";
    gh.addRepo(repo);
    gh.fault({ count: 2, status: 502, method: "GET", path: `/repos/${repo}/hooks` });
    gh.fault({ count: 1, hangMs: 4000, method: "POST", path: `/repos/${repo}/hooks` });
    const faultedBefore = gh.requests.filter((r) => r.fault).length;
    const res = await connect({ repository: repo });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.status, "active", res.text);
    await gh.idle();
    // Every injected fault was met (two 502s, one timeout) and retried past.
    assert.equal(gh.requests.filter((r) => r.fault).length - faultedBefore, 3);
    assert.equal(gh.hooks(repo).length, 1, JSON.stringify(gh.hooks(repo).map((h) => h.id)));
  });

  test("a spent rate limit is waited out until its reset", async () => {
    const repo = "octo-org/limited";
    gh.addRepo(repo);
    gh.setRateLimit({ remaining: 0, resetInS: 2, token: "test-token" });
    const started = Date.now();
    const res = await connect({ repository: repo });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.status, "active", res.text);
    assert.ok(Date.now() - started >= 900, "it waited for the reset");
    const status = await fh.api("/api/v1/metrics/status");
    const budget = status.json.forge_rate_limits.find((b) => b.forge === "github");
    assert.ok(budget, status.text);
    assert.ok(budget.calls > 0);
    assert.ok(!status.text.includes("test-token"));
  });

  test("a GitHub App: JWT, installation token, and a token that expires mid-run", async () => {
    const repo = "app-org/app-repo";
    gh.addRepo(repo);
    const { privateKey } = crypto.generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    gh.addApp({ id: 777, privateKey });
    gh.addInstallation({ appId: 777, account: "app-org", repos: [repo], permissions: { repository_hooks: "write", metadata: "read" } });
    const appSecret = makeSecret("app-webhook");
    const cred = await fh.api("credentials/github", { method: "PUT", body: { api_url: proxy.url, app_id: "777", private_key: privateKey, webhook_secret: appSecret } });
    assert.equal(cred.status, 200, cred.text);
    assert.equal(cred.json.kind, "app");
    assert.ok(!cred.text.includes("PRIVATE KEY"));
    const res = await connect({ repository: repo });
    assert.equal(res.json.status, "active", res.text);
    // Every installation token GitHub gave out expires now: the next call gets 401 and renews.
    const tokensRoute = "POST /app/installations/{installation_id}/access_tokens";
    const issued = gh.counts()[tokensRoute];
    assert.ok(issued >= 1);
    for (const [token, t] of gh.state.tokens) if (t.kind === "installation") gh.expireToken(token);
    const rotated = await fh.api(`connections/${res.json.id}/rotate-secret`, { method: "POST" });
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(gh.counts()[tokensRoute], issued + 1, "one new installation token after the 401");
    // The App's own webhook (not a repository hook) is verified with the App's webhook secret.
    const body = JSON.stringify({ action: "created", installation: { id: 1 }, sender: { login: "octocat" } });
    const appDelivery = (secret) => fetch(`${server.url}/webhooks/github`, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "X-GitHub-Event": "installation", "X-GitHub-Delivery": crypto.randomUUID(),
        "X-GitHub-Hook-ID": "555000", "X-GitHub-Hook-Installation-Target-Type": "integration",
        "X-GitHub-Hook-Installation-Target-ID": "777",
        "X-Hub-Signature-256": `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}` },
    });
    assert.equal((await appDelivery(appSecret)).status, 200);
    assert.equal((await appDelivery("not-the-app-secret")).status, 401);
    await fh.api("credentials/github", { method: "PUT", body: { api_url: proxy.url, token: "test-token" } });
  });

  test("polling: ETags make unchanged polls 304s, and switching to webhooks counts nothing twice", async () => {
    const repo = "octo-org/polled";
    gh.addRepo(repo);
    const payload = gh.examplePayload("pull_request", { action: "opened", repo: gh.state.repos.get(repo) });
    gh.addEvent(repo, { type: "PullRequestEvent", payload: { action: payload.action, number: payload.number, pull_request: payload.pull_request }, actor: payload.sender });
    const res = await connect({ repository: repo, mode: "poll" });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.status, "polling");
    assert.equal(res.json.hook_id, null);
    assert.equal(gh.hooks(repo).length, 0);
    const polled = await waitFor(async () => {
      const d = (await fh.api(`/api/v1/deliveries?repository=${repo}`)).json.deliveries;
      return d.length === 1 && d;
    }, { message: "the polled event" });
    assert.equal(polled[0].source, "poll");
    assert.equal(polled[0].event, "pull_request");
    const again = await fh.api(`connections/${res.json.id}/poll`, { method: "POST" });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.not_modified, true, again.text);
    assert.equal(again.json.new, 0);

    // To webhooks: the hook is made, and the same event delivered as a webhook is a duplicate.
    const switched = await connect({ repository: repo, mode: "webhook" });
    assert.equal(switched.status, 200, switched.text);
    assert.equal(switched.json.status, "active", switched.text);
    await gh.emit(repo, "pull_request", payload);
    await gh.idle();
    const rows = await waitFor(async () => {
      const d = (await fh.api(`/api/v1/deliveries?repository=${repo}`)).json.deliveries.filter((x) => x.event === "pull_request");
      return d.length === 2 && d.every((x) => x.status !== "queued" && x.status !== "retrying") && d;
    }, { message: "both copies processed" });
    assert.deepEqual(rows.map((r) => r.status).sort(), ["duplicate", "processed"]);
    const activity = (await fh.api(`/api/v1/activity?repository=${repo}`)).json;
    const lines = (activity.items ?? activity.activity ?? activity.rows ?? []).filter((a) => a.kind === "pull_request");
    assert.equal(lines.length, 1, JSON.stringify(activity));
    assert.deepEqual(proxy.violations(), []);
  });

  test("without a credential the hint says how to add one", async () => {
    await fh.api("credentials/github", { method: "DELETE" });
    const res = await connect({ repository: "octo-org/no-credential" });
    // No token, key or hook secret of this suite reached forgehook's output.
    server.assertNoSecretsLogged(["test-token", "ghp_reader", ...gh.hooks("octo-org/adopt-me").map((h) => h.config.secret)]);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.status, "failed");
    assert.match(res.json.error, /no credential is stored for github/);
    assert.match(res.json.hint, /forgehook credentials set github --token-stdin/);
    await fh.api("credentials/github", { method: "PUT", body: { api_url: proxy.url, token: "test-token" } });
  });
});

describe("forge connections on GitLab and Gitea", () => {
  let gl, gt, server, fh;

  before(async () => {
    gl = await startFakeGitLab();
    gt = await startFakeGitea();
    server = await start({ FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_FORGES_RECONCILE_INTERVAL_S: 0 });
    fh = new Forge(server, { admin: ADMIN });
    assert.equal((await fh.api("credentials/gitlab", { method: "PUT", body: { api_url: gl.url, token: "glpat-test" } })).status, 201);
    assert.equal((await fh.api("credentials/gitea", { method: "PUT", body: { api_url: gt.url, token: "gitea-test" } })).status, 201);
  });

  after(async () => {
    await server?.stop().catch(() => {});
    await gl?.close();
    await gt?.close();
    if (server) await removeDir(server.dataDir);
  });

  test("a GitLab project in a subgroup: hook made with its own token, deliveries verify, disconnect deletes it", async () => {
    const project = "group/sub/project";
    gl.addProject(project);
    const res = await fh.api("connections", { method: "POST", body: { forge: "gitlab", repository: project, url: server.url } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.status, "active", res.text);
    const [hook] = gl.hooks(project);
    assert.equal(hook.url, `${server.url}/webhooks/gitlab`);
    assert.equal(hook.merge_requests_events, true);
    await gl.emit(project, "push_events");
    await gl.idle();
    await waitFor(async () => (await fh.api(`/api/v1/deliveries?forge=gitlab`)).json.deliveries.length === 1, { message: "the GitLab delivery" });
    const ping = await fh.api(`connections/${res.json.id}/ping`, { method: "POST" });
    assert.equal(ping.status, 200, ping.text);
    assert.equal(ping.json.arrived, true, ping.text);

    // A delivery GitLab could not hand over (forgehook refused it: the token had been changed
    // behind its back) is found in the hook's events and resent once the token is right again.
    const state = gl.hook(hook.id);
    const token = state.token;
    state.token = "changed-by-hand";
    await gl.emit(project, "push_events");
    await gl.idle();
    state.token = token;
    const run = await fh.api(`connections/${res.json.id}/reconcile`, { method: "POST" });
    assert.equal(run.status, 200, run.text);
    assert.equal(run.json.error, null, run.text);
    assert.equal(run.json.missing, 1, run.text);
    assert.equal(run.json.redelivery_requested, 1, run.text);
    await gl.idle();
    // The push, the ping's test push, and the resent push.
    await waitFor(async () => (await fh.api(`/api/v1/deliveries?forge=gitlab`)).json.deliveries.length === 3,
      { message: "the resent GitLab delivery" });
    const again = await fh.api(`connections/${res.json.id}/reconcile`, { method: "POST" });
    assert.equal(again.json.arrived, 1, again.text);
    assert.equal(again.json.missing, 0, again.text);

    assert.equal((await fh.api(`connections/${res.json.id}`, { method: "DELETE" })).status, 200);
    assert.equal(gl.hooks(project).length, 0);
  });

  test("a Gitea repository: hook made active with its own secret, deliveries verify", async () => {
    const repo = "gitea-org/tool";
    gt.addRepo(repo);
    const res = await fh.api("connections", { method: "POST", body: { forge: "gitea", repository: repo, url: server.url } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.status, "active", res.text);
    const [hook] = gt.hooks(repo);
    assert.equal(hook.active, true);
    await gt.emit(repo, "push");
    await gt.idle();
    await waitFor(async () => (await fh.api(`/api/v1/deliveries?forge=gitea`)).json.deliveries.length === 1, { message: "the Gitea delivery" });
    assert.equal((await fh.api(`connections/${res.json.id}`, { method: "DELETE" })).status, 200);
    assert.equal(gt.hooks(repo).length, 0);
  });
});
