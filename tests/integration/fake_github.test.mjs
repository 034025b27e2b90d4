// The fake GitHub (tests/fakes/fake_github.mjs), driven with plain fetch through the contract
// proxy (Prism + GitHub's official OpenAPI description): happy paths answer as GitHub would and
// raise no violation; a request the real API would refuse is reported. No forgehook binary needed.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import { startContractProxy } from "../fakes/contract_proxy.mjs";
import { makeAppJwt, startFakeGitHub } from "../fakes/fake_github.mjs";
import { startReceiver } from "../fakes/receiver.mjs";

const TOKEN = "ghp_fakeadmintoken0000000000000000000000";
const REPO = "octo-org/hello-world";
const hmac = (alg, key, body) => crypto.createHmac(alg, key).update(body).digest("hex");

describe("fake GitHub through the contract proxy", () => {
  let gh;
  let proxy;
  let rx;
  const api = async (method, path, { body, token = TOKEN, headers = {} } = {}) => {
    const url = path.startsWith("http") ? path : `${proxy.url}${path}`;
    const h = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (body !== undefined) h["content-type"] = "application/json";
    const res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, json, text };
  };
  const nextLink = (headers) => /<([^>]+)>;\s*rel="next"/.exec(headers.get("link") ?? "")?.[1];

  before(async () => {
    gh = await startFakeGitHub({ pollInterval: 1, tokens: { [TOKEN]: {} }, repos: [{ full: REPO, private: true }] });
    proxy = await startContractProxy(gh.url);
    rx = await startReceiver();
  });
  after(async () => {
    await gh?.idle();
    await proxy?.close();
    await gh?.close();
    await rx?.close();
  });
  beforeEach(() => proxy.clearViolations());

  test("the proxy starts with GitHub's reduced description in reasonable time", () => {
    assert.ok(proxy.startMs < 30_000, `prism took ${proxy.startMs} ms`);
    assert.ok(proxy.specBytes > 10_000);
  });

  let hookId;
  const SECRET = "It's a Secret to Everybody";
  test("create a hook: 201, Location, masked secret, form by default; a ping arrives signed", async () => {
    const res = await api("POST", `/repos/${REPO}/hooks`, { body: { name: "web", events: ["push", "pull_request"], config: { url: rx.url, secret: SECRET } } });
    assert.equal(res.status, 201, res.text);
    hookId = res.json.id;
    assert.equal(res.headers.get("location"), `${proxy.url}/repos/${REPO}/hooks/${hookId}`);
    assert.equal(res.json.config.secret, "********");
    assert.equal(res.json.config.content_type, "form");
    assert.deepEqual(res.json.events, ["push", "pull_request"]);
    assert.ok(res.headers.get("x-ratelimit-remaining"));
    const [ping] = await rx.waitFor(1);
    assert.equal(ping.headers["x-github-event"], "ping");
    assert.equal(ping.headers["x-github-hook-id"], String(hookId));
    assert.equal(ping.headers["content-type"], "application/x-www-form-urlencoded");
    assert.equal(ping.headers["x-hub-signature-256"], `sha256=${hmac("sha256", SECRET, ping.body)}`);
    assert.equal(ping.headers["x-hub-signature"], `sha1=${hmac("sha1", SECRET, ping.body)}`);
    const payload = JSON.parse(new URLSearchParams(ping.body.toString()).get("payload"));
    assert.equal(payload.hook_id, hookId);
    assert.deepEqual(proxy.violations(), []);
  });

  test("duplicate URL: 422 Hook already exists; list pages with Link", async () => {
    const dup = await api("POST", `/repos/${REPO}/hooks`, { body: { config: { url: rx.url, content_type: "json" } } });
    assert.equal(dup.status, 422);
    assert.equal(dup.json.message, "Validation Failed");
    assert.deepEqual(dup.json.errors[0], { resource: "Hook", code: "custom", message: "Hook already exists on this repository" });
    const unknownEvent = await api("POST", `/repos/${REPO}/hooks`, { body: { config: { url: `${rx.url}?two` }, events: ["fork_apply"] } });
    assert.equal(unknownEvent.status, 422);
    const second = await api("POST", `/repos/${REPO}/hooks`, { body: { config: { url: `${rx.url}?two`, content_type: "json" }, events: ["issues"] } });
    assert.equal(second.status, 201);
    const all = await api("GET", `/repos/${REPO}/hooks`);
    const notModified = await api("GET", `/repos/${REPO}/hooks`, { headers: { "if-none-match": all.headers.get("etag") } });
    assert.equal(notModified.status, 304, "every GET honours If-None-Match");
    assert.equal(notModified.headers.get("x-ratelimit-remaining"), all.headers.get("x-ratelimit-remaining"));
    const p1 = await api("GET", `/repos/${REPO}/hooks?per_page=1`);
    assert.equal(p1.status, 200);
    assert.equal(p1.json.length, 1);
    const next = nextLink(p1.headers);
    assert.ok(next?.startsWith(proxy.url), p1.headers.get("link"));
    const p2 = await api("GET", next);
    assert.equal(p2.json.length, 1);
    assert.notEqual(p2.json[0].id, p1.json[0].id);
    assert.equal(nextLink(p2.headers), undefined);
    assert.equal((await api("DELETE", `/repos/${REPO}/hooks/${second.json.id}`)).status, 204);
    assert.equal((await api("GET", `/repos/${REPO}/hooks/${second.json.id}`)).status, 404);
    assert.deepEqual(proxy.violations(), []);
  });

  test("deliveries: newest first, cursor pagination over a seeded log; one delivery in full", async () => {
    await gh.idle();
    const { guid } = await gh.emit(REPO, "push");
    gh.seedDeliveries(hookId, 250, { failEvery: 10 });
    const seen = [];
    let url = `/repos/${REPO}/hooks/${hookId}/deliveries?per_page=100`;
    let pages = 0;
    while (url) {
      const res = await api("GET", url);
      assert.equal(res.status, 200, res.text);
      seen.push(...res.json);
      url = nextLink(res.headers);
      pages++;
    }
    assert.equal(pages, 3);
    assert.equal(seen.length, 252); // ping + push + 250 seeded
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].id > seen[i].id, "newest first");
    assert.equal(seen.filter((d) => d.status_code === 502).length, 25);
    assert.equal(seen.at(-1).event, "ping");
    const push = seen.find((d) => d.guid === guid);
    assert.equal(push.status, "OK");
    const one = await api("GET", `/repos/${REPO}/hooks/${hookId}/deliveries/${push.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.json.guid, guid);
    assert.equal(one.json.request.headers["X-GitHub-Event"], "push");
    const failures = await api("GET", `/repos/${REPO}/hooks/${hookId}/deliveries?per_page=100&status=failure`);
    assert.equal(failures.json.length, 25);
    assert.deepEqual(proxy.violations(), []);
  });

  test("redelivery: 202, same GUID, valid signature, recorded as a new log entry", async () => {
    const list = await api("GET", `/repos/${REPO}/hooks/${hookId}/deliveries?per_page=100&status=failure`);
    const failed = list.json[0];
    const before = rx.received.length;
    const res = await api("POST", `/repos/${REPO}/hooks/${hookId}/deliveries/${failed.id}/attempts`);
    assert.equal(res.status, 202);
    await gh.idle();
    const [got] = (await rx.waitFor(before + 1)).slice(before);
    assert.equal(got.headers["x-github-delivery"], failed.guid);
    assert.equal(got.headers["x-hub-signature-256"], `sha256=${hmac("sha256", SECRET, got.body)}`);
    const head = await api("GET", `/repos/${REPO}/hooks/${hookId}/deliveries?per_page=1`);
    assert.equal(head.json[0].guid, failed.guid);
    assert.equal(head.json[0].redelivery, true);
    assert.equal(head.json[0].status_code, 200);
    assert.deepEqual(proxy.violations(), []);
  });

  test("PATCH with a config lacking the secret removes it; json content type delivers JSON", async () => {
    const res = await api("PATCH", `/repos/${REPO}/hooks/${hookId}`, { body: { config: { url: rx.url, content_type: "json" }, add_events: ["issues"] } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.config.secret, undefined);
    assert.ok(res.json.events.includes("issues"));
    const before = rx.received.length;
    await gh.emit(REPO, "issues", undefined, { action: "opened" });
    const [got] = (await rx.waitFor(before + 1)).slice(before);
    assert.equal(got.headers["x-hub-signature-256"], undefined);
    assert.equal(got.headers["content-type"], "application/json");
    assert.equal(JSON.parse(got.body).action, "opened");
    assert.equal(JSON.parse(got.body).repository.full_name, REPO);
    assert.deepEqual(proxy.violations(), []);
  });

  test("events: ETag and X-Poll-Interval; 304 does not count against the rate limit", async () => {
    gh.addEvent(REPO, { type: "PullRequestEvent", payload: { action: "opened", number: 1 } });
    const first = await api("GET", `/repos/${REPO}/events`);
    assert.equal(first.status, 200);
    assert.equal(first.json[0].type, "PullRequestEvent");
    assert.equal(first.json[0].repo.name, REPO);
    assert.equal(first.headers.get("x-poll-interval"), "1");
    const etag = first.headers.get("etag");
    const remaining = first.headers.get("x-ratelimit-remaining");
    const again = await api("GET", `/repos/${REPO}/events`, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get("x-ratelimit-remaining"), remaining);
    gh.addEvent(REPO, { type: "IssuesEvent", payload: { action: "closed" } });
    const changed = await api("GET", `/repos/${REPO}/events`, { headers: { "if-none-match": etag } });
    assert.equal(changed.status, 200);
    assert.equal(changed.json.length, 2);
    assert.deepEqual(proxy.violations(), []);
  });

  test("repository and user: permissions and X-OAuth-Scopes", async () => {
    const repo = await api("GET", `/repos/${REPO}`);
    assert.equal(repo.status, 200);
    assert.equal(repo.json.permissions.admin, true);
    const user = await api("GET", "/user");
    assert.equal(user.status, 200);
    assert.match(user.headers.get("x-oauth-scopes"), /admin:repo_hook/);
    const bad = await api("GET", "/user", { token: "nope" });
    assert.equal(bad.status, 401);
    assert.equal(bad.json.message, "Bad credentials");
    assert.ok(bad.headers.get("x-ratelimit-remaining"), "rate-limit headers on every answer");
    assert.deepEqual(proxy.violations(), []);
  });

  test("rights: a read-only classic token gets 404, a fine-grained token without Webhooks 403", async () => {
    gh.addToken("ghp_reader", { scopes: ["repo"], repos: { [REPO]: "read" }, orgs: {} });
    gh.addToken("github_pat_nohooks", { kind: "fine_grained", repos: { [REPO]: "admin" }, orgs: {}, permissions: { metadata: "read" } });
    assert.equal((await api("GET", `/repos/${REPO}/hooks`, { token: "ghp_reader" })).status, 404);
    const fg = await api("GET", `/repos/${REPO}/hooks`, { token: "github_pat_nohooks" });
    assert.equal(fg.status, 403);
    assert.equal(fg.json.message, "Resource not accessible by personal access token");
    assert.equal(fg.headers.get("x-accepted-github-permissions"), "repository_hooks=read");
    assert.equal((await api("GET", `/repos/${REPO}`, { token: "ghp_reader" })).json.permissions.admin, false);
    assert.deepEqual(proxy.violations(), []);
  });

  test("GitHub App: JWT, installation, installation token that expires", async () => {
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    gh.addApp({ id: 4242, privateKey });
    const inst = gh.addInstallation({ appId: 4242, account: "octo-org", repos: [REPO] });
    const jwt = makeAppJwt(4242, privateKey);
    const found = await api("GET", `/repos/${REPO}/installation`, { token: jwt });
    assert.equal(found.status, 200, found.text);
    assert.equal(found.json.id, inst.id);
    const tooLong = makeAppJwt(4242, privateKey, { iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 });
    assert.equal((await api("GET", `/repos/${REPO}/installation`, { token: tooLong })).status, 401);
    gh.setInstallationTokenTtl(400);
    const tok = await api("POST", `/app/installations/${inst.id}/access_tokens`, { token: jwt });
    assert.equal(tok.status, 201);
    assert.ok(tok.json.token.startsWith("ghs_"));
    const hooks = await api("GET", `/repos/${REPO}/hooks`, { token: tok.json.token, headers: {} });
    assert.equal(hooks.status, 200);
    await new Promise((r) => setTimeout(r, 500));
    const expired = await api("GET", `/repos/${REPO}/hooks`, { token: tok.json.token });
    assert.equal(expired.status, 401);
    assert.equal(expired.json.message, "Bad credentials");
    assert.deepEqual(proxy.violations(), []);
  });

  test("rate limits, secondary limits and injected faults", async () => {
    gh.setRateLimit({ remaining: 1, resetInS: 120, token: TOKEN });
    assert.equal((await api("GET", `/repos/${REPO}/hooks`)).status, 200);
    const limited = await api("GET", `/repos/${REPO}/hooks`);
    assert.equal(limited.status, 403);
    assert.equal(limited.headers.get("x-ratelimit-remaining"), "0");
    assert.match(limited.json.message, /^API rate limit exceeded/);
    assert.equal(gh.rateBudget(TOKEN).remaining, 0);
    // Another user's token has its own budget.
    gh.addToken("ghp_otheruser", { login: "someone-else" });
    const other = await api("GET", `/repos/${REPO}/hooks`, { token: "ghp_otheruser" });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get("x-ratelimit-limit"), "5000");
    assert.equal((await api("GET", "/user", { token: null })).headers.get("x-ratelimit-limit"), "60");
    gh.setRateLimit({ remaining: 5000 });
    gh.secondaryLimit({ count: 1, status: 429, retryAfter: 7 });
    const sec = await api("GET", `/repos/${REPO}/hooks`);
    assert.equal(sec.status, 429);
    assert.equal(sec.headers.get("retry-after"), "7");
    gh.fault({ count: 1, status: 503, method: "GET", path: /\/deliveries$/ });
    assert.equal((await api("GET", `/repos/${REPO}/hooks/${hookId}/deliveries`)).status, 503);
    assert.equal((await api("GET", `/repos/${REPO}/hooks/${hookId}/deliveries`)).status, 200);
    assert.deepEqual(proxy.violations(), []);
    const counts = gh.counts();
    assert.ok(counts["GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries"] >= 5);
  });

  test("organization hooks: create, config, ping, deliveries, redelivery; org hooks get repository events", async () => {
    const res = await api("POST", "/orgs/octo-org/hooks", { body: { name: "web", events: ["*"], config: { url: `${rx.url}?org`, content_type: "json", secret: "org-secret" } } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.type, "Organization");
    assert.equal(res.json.test_url, undefined);
    const id = res.json.id;
    assert.equal((await api("GET", "/orgs/octo-org/hooks")).json.length, 1);
    const cfg = await api("PATCH", `/orgs/octo-org/hooks/${id}/config`, { body: { insecure_ssl: "0" } });
    assert.equal(cfg.status, 200);
    assert.equal(cfg.json.secret, "********", "PATCH .../config keeps the secret");
    assert.equal((await api("POST", `/orgs/octo-org/hooks/${id}/pings`)).status, 204);
    await gh.idle();
    const before = rx.received.length;
    const { guid } = await gh.emit(REPO, "release", undefined, { action: "published" });
    const got = rx.received.slice(before).find((r) => r.path.endsWith("?org"));
    assert.equal(got.headers["x-github-delivery"], guid);
    assert.equal(got.headers["x-github-hook-installation-target-type"], "organization");
    assert.equal(got.headers["x-hub-signature-256"], `sha256=${hmac("sha256", "org-secret", got.body)}`);
    const list = await api("GET", `/orgs/octo-org/hooks/${id}/deliveries?per_page=10`);
    assert.equal(list.json[0].guid, guid);
    assert.equal(list.json[0].action, "published");
    assert.equal((await api("GET", `/orgs/octo-org/hooks/${id}/deliveries/${list.json[0].id}`)).status, 200);
    assert.equal((await api("POST", `/orgs/octo-org/hooks/${id}/deliveries/${list.json[0].id}/attempts`)).status, 202);
    assert.equal((await api("DELETE", `/orgs/octo-org/hooks/${id}`)).status, 204);
    await gh.idle();
    assert.deepEqual(proxy.violations(), []);
  });

  test("a request the real API would refuse is reported and never reaches the fake", async () => {
    const before = gh.requests.length;
    const bad = await api("POST", `/repos/${REPO}/hooks`, { body: { config: { url: rx.url, insecure_ssl: true } } });
    assert.equal(bad.status, 422);
    const extra = await api("POST", `/repos/${REPO}/hooks`, { body: { secret: "top-level", config: { url: `${rx.url}?x` } } });
    assert.equal(extra.status, 422);
    const wrongVerb = await api("PUT", `/repos/${REPO}/hooks/${hookId}`, { body: { active: false } });
    assert.ok(wrongVerb.status >= 400);
    assert.equal(gh.requests.length, before, "refused requests are not forwarded");
    const v = proxy.violations();
    assert.equal(v.length, 3, JSON.stringify(v, null, 1));
    assert.ok(v.every((x) => x.kind === "request"));
    assert.ok(v[0].validation.some((x) => x.location.join(".") === "body.config.insecure_ssl"));
    assert.ok(v[1].validation.some((x) => /additional properties; found 'secret'/.test(x.message)));
  });

  test("an answer the real API would never give is reported", async () => {
    // A hook object without its required `events` array, served by a fault rule with a body.
    gh.fault({ count: 1, status: 200, method: "GET", path: `/repos/${REPO}/hooks/${hookId}`, body: JSON.stringify({ id: hookId, name: "web" }) });
    const res = await api("GET", `/repos/${REPO}/hooks/${hookId}`);
    assert.equal(res.status, 500); // Prism --errors turns a response violation into a 500
    const v = proxy.violations();
    assert.equal(v.length, 1, JSON.stringify(v, null, 1));
    assert.equal(v[0].kind, "response");
    assert.ok(v[0].validation.some((x) => /required/.test(x.code ?? x.message)));
  });
});

describe("fake GitHub directly: failures it records and injects", () => {
  let gh;
  let rx;
  before(async () => {
    gh = await startFakeGitHub({ deliveryTimeoutMs: 300 });
    rx = await startReceiver({ status: "hang" });
  });
  after(async () => {
    await gh?.idle();
    await gh?.close();
    await rx?.close();
  });

  test("timeouts, refused connections and error statuses land in the delivery log", async () => {
    const slow = gh.createHook("o/r", { config: { url: rx.url, content_type: "json" }, events: ["push"] });
    const dead = gh.createHook("o/r", { config: { url: "http://127.0.0.1:9/none", content_type: "json" }, events: ["push"] });
    const { guid, deliveries } = await gh.emit("o/r", "push");
    const byHook = Object.fromEntries(deliveries.map((d) => [d.url, d]));
    assert.equal(byHook[rx.url].status, "timed out");
    assert.equal(byHook[rx.url].status_code, 0);
    assert.equal(byHook["http://127.0.0.1:9/none"].status, "failed to connect to host");
    assert.equal(slow.deliveries[0].guid, guid);
    assert.equal(dead.deliveries[0].guid, guid, "every hook gets the event's GUID");
    rx.setStatus(503);
    const second = await gh.emit("o/r", "push");
    assert.equal(second.deliveries.find((d) => d.url === rx.url).status, "Invalid HTTP Response: 503");
  });

  test("a hanging fault holds the request, then drops the connection", async () => {
    gh.fault({ count: 1, hangMs: 200, path: "/user" });
    const t = Date.now();
    await assert.rejects(fetch(`${gh.url}/user`, { headers: { authorization: "token test-token" } }));
    assert.ok(Date.now() - t >= 190);
    assert.equal((await fetch(`${gh.url}/user`, { headers: { authorization: "token test-token" } })).status, 200);
  });

  test("10,000 seeded deliveries are quick to seed and to page through", async () => {
    const h = gh.createHook("o/big", { config: { url: "http://127.0.0.1:9/x" } });
    let t = Date.now();
    const { guids, failed } = gh.seedDeliveries(h.id, 10_000, { failEvery: 50 });
    assert.equal(guids.length, 10_000);
    assert.equal(failed.length, 200);
    assert.ok(Date.now() - t < 3000, `seeding took ${Date.now() - t} ms`);
    t = Date.now();
    let url = `${gh.url}/repos/o/big/hooks/${h.id}/deliveries?per_page=100`;
    let n = 0;
    gh.resetRequests();
    while (url) {
      const res = await fetch(url, { headers: { authorization: "Bearer test-token" } });
      n += (await res.json()).length;
      url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
    }
    assert.equal(n, 10_000);
    assert.equal(gh.counts()["GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries"], 100);
    assert.ok(Date.now() - t < 10_000);
  });
});
