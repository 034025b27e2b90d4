// Outbound subscriptions through the real binary, with receivers that are node HTTP servers on
// 127.0.0.1: every callback verified with the npm `standardwebhooks` package (not our code); a
// receiver that fails first gets every change in seq order once it recovers; kill -9 mid-retry
// loses nothing; the address guard (create-time and send-time); redirects not followed;
// auto-disable, resume, pause, manual retry; read-only tokens cannot change subscriptions; the
// secret is in the create answer only.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { Forge, assertAccepted, assertError, githubExamples, makeSecret, pushPayload } from "./lib/forge.mjs";
import { makeTempDir, removeDir, runCli, start, waitFor } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };

// A callback receiver: `respond(req, n)` (n: requests so far, from 1) returns [status, headers?, body?].
async function receiver(respond = () => [200]) {
  const got = []; // every request: {headers, body, status}
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const [status, headers = {}, text = ""] = r.respond({ headers: req.headers, body }, got.length + 1);
      got.push({ headers: req.headers, body, status });
      res.writeHead(status, headers);
      res.end(text);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const r = {
    respond,
    got,
    port: server.address().port,
    url: `http://127.0.0.1:${server.address().port}/hook`,
    // Delivered (2xx) requests, one per webhook-id (at least once: duplicates dropped), in arrival order.
    delivered() {
      const seen = new Set();
      return got.filter((g) => g.status < 300 && !seen.has(g.headers["webhook-id"]) && seen.add(g.headers["webhook-id"]));
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
  return r;
}

async function config(dir, lines) {
  const file = path.join(dir, "forgehook.toml");
  await writeFile(file, `[subscriptions]\n${lines.join("\n")}\n`);
  return file;
}

async function newestSeq(fh) {
  const res = await fh.api("/api/v1/changes?limit=1&after=0");
  assert.equal(res.status, 200, res.text);
  return res.json.newest_seq;
}

async function feed(fh, afterSeq, query = {}) {
  const out = [];
  for (;;) {
    const res = await fh.api(`/api/v1/changes?${new URLSearchParams({ ...query, after: String(afterSeq), limit: "1000" })}`);
    assert.equal(res.status, 200, res.text);
    out.push(...res.json.changes);
    if (res.json.changes.length === 0) return out;
    afterSeq = res.json.next_after;
  }
}

async function create(fh, body, status = 201) {
  const res = await fh.api("/api/v1/subscriptions", { method: "POST", body });
  assert.equal(res.status, status, res.text);
  return res.json;
}

async function get(fh, id) {
  const res = await fh.api(`/api/v1/subscriptions/${id}`);
  assert.equal(res.status, 200, res.text);
  return res.json;
}

async function attempts(fh, id) {
  const res = await fh.api(`/api/v1/subscriptions/${id}/attempts?limit=500`);
  assert.equal(res.status, 200, res.text);
  return res.json.attempts;
}

const seqOf = (g) => JSON.parse(g.body).seq;

function verified(secret, g) {
  return new Webhook(secret).verify(g.body, {
    "webhook-id": g.headers["webhook-id"],
    "webhook-timestamp": g.headers["webhook-timestamp"],
    "webhook-signature": g.headers["webhook-signature"],
  });
}

describe("subscriptions (private networks allowed)", () => {
  let server, fh, dir;
  const secrets = [];
  before(async () => {
    dir = await makeTempDir("forgehook-subs-");
    const file = await config(dir, [
      "allow_private_networks = true",
      "retry_initial_ms = 100",
      "retry_max_ms = 400",
      "retry_period_s = 2",
      "disable_after_failed_messages = 2",
    ]);
    server = await start(ENV, { dataDir: path.join(dir, "data"), config: file });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    server?.assertNoSecretsLogged(secrets);
    await server?.stop();
    await removeDir(dir);
  });

  test("create answers the secret once; list and get never show it; bad input is a precise 400", async () => {
    const rx = await receiver();
    const created = await create(fh, { url: rx.url, description: "ci bot", resources: ["pulls", "deliveries"], actions: ["created"] });
    secrets.push(created.secret);
    assert.match(created.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(created.secret.slice(6), "base64").length, 32);
    const keys = ["id", "url", "description", "resources", "actions", "repository", "forge", "status", "disabled_reason",
      "consecutive_failures", "created_at", "updated_at", "last_success_at", "last_attempt_at", "pending", "failed"];
    assert.deepEqual(Object.keys(created).sort(), [...keys, "secret"].sort());
    const shown = await get(fh, created.id);
    assert.deepEqual(Object.keys(shown).sort(), [...keys].sort());
    assert.equal(shown.status, "active");
    assert.deepEqual(shown.resources, ["pulls", "deliveries"]);
    const list = await fh.api("/api/v1/subscriptions");
    assert.equal(list.status, 200);
    assert.ok(list.json.subscriptions.some((s) => s.id === created.id));
    assert.ok(!list.text.includes(created.secret) && !list.text.includes(created.secret.slice(6)));
    assert.ok(!JSON.stringify(shown).includes(created.secret.slice(6)));

    const given = `whsec_${Buffer.alloc(24, 7).toString("base64")}`;
    secrets.push(given);
    assert.equal((await create(fh, { url: rx.url, secret: given })).secret, given);
    for (const [body, words] of [
      [{ url: rx.url, resources: ["pull"] }, /resource must be one of .*"pull"/],
      [{ url: rx.url, actions: ["opened"] }, /actions must be one of/],
      [{ url: rx.url, secret: "whsec_" + Buffer.alloc(16).toString("base64") }, /24 to 64 bytes/],
      [{ url: rx.url, secret: "not-a-key" }, /whsec_/],
      [{ url: rx.url, forge: "bitbucket" }, /forge must be one of/],
      [{ url: "ftp://example.com/x" }, /http or https/],
      [{ url: "http://user:pw@example.com/x" }, /credentials/],
      [{ url: "not a url" }, /absolute http/],
      [{ resources: ["pulls"] }, /url is required/],
      [{ url: rx.url, colour: "red" }, /unknown field "colour"/],
    ]) {
      const res = await fh.api("/api/v1/subscriptions", { method: "POST", body });
      assertError(res, 400, "invalid_argument");
      assert.match(res.json.message, words, JSON.stringify(body));
    }
    await rx.close();
  });

  test("each change reaches the receiver as the change feed renders it, signed (verified with standardwebhooks)", async () => {
    const rx = await receiver();
    const from = await newestSeq(fh);
    const sub = await create(fh, { url: rx.url });
    secrets.push(sub.secret);
    const examples = githubExamples().filter((e) => ["pull_request", "issues", "push"].includes(e.event)).slice(0, 6);
    for (const e of examples) assertAccepted(await fh.github(e.payload, { event: e.event }), e.event);
    await fh.drained();
    const want = await feed(fh, from);
    assert.ok(want.length >= examples.length);
    await waitFor(() => rx.delivered().length >= want.length, { timeoutMs: 20_000, message: "every change delivered" });
    const got = rx.delivered();
    assert.deepEqual(got.map(seqOf), want.map((c) => c.seq));
    for (const [i, g] of got.entries()) {
      assert.deepEqual(verified(sub.secret, g), want[i]);
      assert.deepEqual(JSON.parse(g.body), want[i]);
      assert.equal(g.headers["webhook-id"], `msg_${sub.id}_${want[i].seq}`);
      assert.equal(g.headers["content-type"], "application/json");
      assert.match(g.headers["user-agent"], /^forgehook\/\d+\.\d+\.\d+$/);
      assert.ok(Math.abs(Number(g.headers["webhook-timestamp"]) - Date.now() / 1000) < 60);
    }
    // A body changed in flight, or another key, fails verification.
    assert.throws(() => verified(sub.secret, { ...got[0], body: got[0].body.replace(/"seq":\d+/, '"seq":0') }));
    assert.throws(() => verified(`whsec_${Buffer.alloc(32, 1).toString("base64")}`, got[0]));
    const shown = await get(fh, sub.id);
    assert.equal(shown.pending, 0);
    assert.ok(shown.last_success_at);
    const metrics = await fh.get("/metrics");
    const delivered = Number(metrics.text.match(/^forgehook_subscription_attempts_total\{outcome="delivered"\} (\d+)$/m)?.[1]);
    assert.ok(delivered >= want.length, metrics.text.slice(-600));
    await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "DELETE" });
    await rx.close();
  });

  test("rotate-secret: the next request is signed with the new secret only", async () => {
    const rx = await receiver();
    const sub = await create(fh, { url: rx.url, resources: ["deliveries"], actions: ["created"] });
    secrets.push(sub.secret);
    const rotated = await fh.api(`/api/v1/subscriptions/${sub.id}/rotate-secret`, { method: "POST" });
    assert.equal(rotated.status, 200, rotated.text);
    secrets.push(rotated.json.secret);
    assert.notEqual(rotated.json.secret, sub.secret);
    assertAccepted(await fh.github(pushPayload("octo/rotated")));
    await waitFor(() => rx.delivered().length === 1, { message: "one delivery" });
    const [g] = rx.delivered();
    assert.equal(verified(rotated.json.secret, g).resource, "deliveries");
    assert.throws(() => verified(sub.secret, g));
    await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "DELETE" });
    await rx.close();
  });

  test("filters: resources, actions and repository, with the change feed's names", async () => {
    const rx = await receiver();
    const from = await newestSeq(fh);
    const sub = await create(fh, { url: rx.url, resources: ["deliveries"], actions: ["created"], repository: "OCTO/filtered" });
    secrets.push(sub.secret);
    assertAccepted(await fh.github(pushPayload("octo/filtered")));
    assertAccepted(await fh.github(pushPayload("octo/other")));
    await fh.drained();
    const want = (await feed(fh, from, { resource: "deliveries", repository: "octo/filtered" })).filter((c) => c.action === "created");
    assert.equal(want.length, 1);
    await waitFor(() => rx.delivered().length >= 1, { message: "the one matching change" });
    await sleep(300); // nothing else may follow
    assert.deepEqual(rx.delivered().map(seqOf), [want[0].seq]);
    await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "DELETE" });
    await rx.close();
  });

  test("a receiver failing its first attempts gets every change once it recovers, in seq order, no gaps", async () => {
    const rx = await receiver((req, n) => (n <= 5 ? [503, {}, "not yet"] : [200]));
    const from = await newestSeq(fh);
    const sub = await create(fh, { url: rx.url, resources: ["deliveries", "pulls", "issues"] });
    secrets.push(sub.secret);
    const examples = githubExamples().filter((e) => ["pull_request", "issues"].includes(e.event)).slice(0, 12);
    for (const e of examples) assertAccepted(await fh.github(e.payload, { event: e.event }), e.event);
    await fh.drained();
    const want = await feed(fh, from, { resource: "deliveries,pulls,issues" });
    await waitFor(() => rx.delivered().length >= want.length, { timeoutMs: 30_000, message: "all delivered after recovery" });
    const got = rx.delivered();
    assert.deepEqual(got.map(seqOf), want.map((c) => c.seq));
    // In order on the wire too: once delivered, no older seq arrives later.
    const wire = rx.got.map(seqOf);
    for (let i = 1; i < wire.length; i++) assert.ok(wire[i] >= wire[i - 1], `seq ${wire[i]} after ${wire[i - 1]}`);
    assert.equal(rx.got.filter((g) => g.status === 503).length, 5);
    assert.ok(rx.got.slice(0, 5).every((g) => g.headers["webhook-id"] === `msg_${sub.id}_${want[0].seq}`), "retries of the first message");
    const log = await attempts(fh, sub.id);
    const failures = log.filter((a) => a.status_code === 503);
    assert.equal(failures.length, 5);
    assert.deepEqual(failures.map((a) => a.attempt).sort(), [1, 2, 3, 4, 5]);
    assert.equal(failures[0].response_excerpt, "not yet");
    assert.equal(failures[0].error, "HTTP 503");
    assert.equal(failures[0].seq, want[0].seq);
    assert.ok(typeof failures[0].duration_ms === "number" && failures[0].message_id > 0 && failures[0].at);
    const shown = await get(fh, sub.id);
    assert.equal(shown.consecutive_failures, 0);
    assert.equal(shown.status, "active");
    await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "DELETE" });
    await rx.close();
  });

  test("a redirect is not followed (here to a link-local address): the attempt fails and says so", async () => {
    const rx = await receiver(() => [307, { Location: "http://169.254.169.254/latest/meta-data/" }]);
    const sub = await create(fh, { url: rx.url, resources: ["deliveries"], actions: ["created"] });
    secrets.push(sub.secret);
    assertAccepted(await fh.github(pushPayload("octo/redirect")));
    const first = await waitFor(async () => (await attempts(fh, sub.id)).find((a) => a.attempt === 1), { message: "an attempt" });
    assert.equal(first.status_code, 307);
    assert.match(first.error, /redirect not followed.*169\.254\.169\.254/);
    assert.equal((await get(fh, sub.id)).pending, 1);
    await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "DELETE" });
    await rx.close();
  });

  test("an endpoint failing every message is disabled; resume re-enables it; a failed message is retried by hand", async () => {
    let healthy = false;
    const rx = await receiver(() => (healthy ? [200] : [500]));
    const sub = await create(fh, { url: rx.url, resources: ["deliveries"], actions: ["created"] });
    secrets.push(sub.secret);
    assertAccepted(await fh.github(pushPayload("octo/dead-1")));
    assertAccepted(await fh.github(pushPayload("octo/dead-2")));
    const disabled = await waitFor(async () => {
      const s = await get(fh, sub.id);
      return s.status === "disabled" && s;
    }, { timeoutMs: 20_000, message: "auto-disable" });
    assert.match(disabled.disabled_reason, /2 consecutive messages failed, each retried for 2 s; last error: HTTP 500/);
    assert.equal(disabled.failed, 2);
    assert.ok(disabled.consecutive_failures >= 2);
    const failed = (await fh.api(`/api/v1/subscriptions/${sub.id}/messages?status=failed`)).json.messages;
    assert.equal(failed.length, 2);
    assert.ok(failed.every((m) => m.status === "failed" && m.last_error === "HTTP 500" && m.attempts >= 2));
    // A third change waits while disabled.
    assertAccepted(await fh.github(pushPayload("octo/dead-3")));
    await waitFor(async () => (await get(fh, sub.id)).pending === 1, { message: "third enqueued" });
    const before = rx.got.length;
    await sleep(400);
    assert.equal(rx.got.length, before, "nothing sent while disabled");

    healthy = true;
    const resumed = await fh.api(`/api/v1/subscriptions/${sub.id}/resume`, { method: "POST" });
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.json.status, "active");
    assert.equal(resumed.json.disabled_reason, null);
    assert.equal(resumed.json.consecutive_failures, 0);
    await waitFor(() => rx.delivered().length === 1, { message: "the pending one after resume" });

    const oldest = failed[failed.length - 1];
    const retried = await fh.api(`/api/v1/subscriptions/${sub.id}/messages/${oldest.id}/retry`, { method: "POST" });
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.json.status, "pending");
    await waitFor(() => rx.delivered().some((g) => seqOf(g) === oldest.seq), { message: "the retried message" });
    const again = await fh.api(`/api/v1/subscriptions/${sub.id}/messages/${oldest.id}/retry`, { method: "POST" });
    assertError(again, 409, "not_failed");
    assertError(await fh.api(`/api/v1/subscriptions/${sub.id}/messages/999999/retry`, { method: "POST" }), 404, "not_found");
    const delivered = (await fh.api(`/api/v1/subscriptions/${sub.id}/messages?status=delivered`)).json.messages;
    assert.equal(delivered.length, 2);
    await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "DELETE" });
    await rx.close();
  });

  test("a paused subscription keeps enqueuing and sends on resume", async () => {
    const rx = await receiver();
    const sub = await create(fh, { url: rx.url, resources: ["deliveries"], actions: ["created"] });
    secrets.push(sub.secret);
    const paused = await fh.api(`/api/v1/subscriptions/${sub.id}/pause`, { method: "POST" });
    assert.equal(paused.json.status, "paused");
    assertAccepted(await fh.github(pushPayload("octo/paused")));
    await waitFor(async () => (await get(fh, sub.id)).pending === 1, { message: "enqueued while paused" });
    await sleep(400);
    assert.equal(rx.got.length, 0);
    assert.equal((await fh.api(`/api/v1/subscriptions/${sub.id}/resume`, { method: "POST" })).json.status, "active");
    await waitFor(() => rx.delivered().length === 1, { message: "sent on resume" });
    await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "DELETE" });
    await rx.close();
  });

  test("update changes url and filters; delete removes it; unknown ids are 404", async () => {
    const rx = await receiver();
    const sub = await create(fh, { url: "http://127.0.0.1:9/nowhere" });
    secrets.push(sub.secret);
    const patched = await fh.api(`/api/v1/subscriptions/${sub.id}`, {
      method: "PATCH", body: { url: rx.url, resources: ["issues"], actions: ["updated", "deleted"], forge: "github", description: "new" },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.url, rx.url);
    assert.deepEqual(patched.json.resources, ["issues"]);
    assert.deepEqual(patched.json.actions, ["updated", "deleted"]);
    assert.equal(patched.json.forge, "github");
    assert.equal(patched.json.description, "new");
    assert.ok(!("secret" in patched.json));
    assertError(await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "PATCH", body: { secret: "x" } }), 400, "invalid_argument");
    assertError(await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "PATCH", body: { actions: ["merged"] } }), 400, "invalid_argument");
    const gone = await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "DELETE" });
    assert.equal(gone.status, 200);
    assertError(await fh.api(`/api/v1/subscriptions/${sub.id}`), 404, "not_found");
    assertError(await fh.api(`/api/v1/subscriptions/${sub.id}/attempts`), 404, "not_found");
    assertError(await fh.api(`/api/v1/subscriptions/${sub.id}?limit=3`), 400, "invalid_argument");
    await rx.close();
  });

  test("the CLI: create (secret shown once), list, show, update, pause, resume, messages, attempts, retry, rotate-secret, delete", async () => {
    const cli = async (args, code = 0) => {
      const out = await runCli(["subscriptions", ...args], { env: { FORGEHOOK_SERVER: server.url, FORGEHOOK_ADMIN_TOKEN: ADMIN } });
      assert.equal(out.code, code, `${args.join(" ")}: exit ${out.code}: ${out.stderr}`);
      return out;
    };
    const rx = await receiver(() => [500]);
    const created = JSON.parse((await cli(["create", "--url", rx.url, "--resource", "deliveries", "--action", "created", "--json"])).stdout);
    secrets.push(created.secret);
    assert.deepEqual(created.resources, ["deliveries"]);
    const human = await cli(["create", "--url", rx.url, "--description", "table"]);
    const secret = human.stdout.match(/whsec_[A-Za-z0-9+/=]+/)?.[0];
    assert.ok(secret, human.stdout);
    secrets.push(secret);
    assert.match(human.stderr, /not shown again/);
    const table = (await cli(["list"])).stdout;
    assert.match(table.split("\n")[0], /ID\s+STATUS\s+URL/i);
    assert.ok(table.includes(rx.url) && !table.includes(created.secret) && !table.includes(secret));
    const listed = JSON.parse((await cli(["list", "--json"])).stdout).subscriptions;
    assert.ok(listed.some((x) => x.id === created.id) && !JSON.stringify(listed).includes("whsec_"));
    assert.equal(JSON.parse((await cli(["show", String(created.id), "--json"])).stdout).url, rx.url);
    const updated = JSON.parse((await cli(["update", String(created.id), "--description", "via cli", "--repository", "octo/cli", "--json"])).stdout);
    assert.equal(updated.description, "via cli");
    assert.equal(updated.repository, "octo/cli");
    assert.deepEqual(updated.resources, ["deliveries"]);
    assert.match((await cli(["pause", String(created.id)])).stdout, /is paused/);
    assert.match((await cli(["resume", String(created.id)])).stdout, /is active/);
    assertAccepted(await fh.github(pushPayload("octo/cli")));
    const attempt = await waitFor(async () => JSON.parse((await cli(["attempts", String(created.id), "--json"])).stdout).attempts[0], { message: "an attempt" });
    assert.equal(attempt.status_code, 500);
    assert.match((await cli(["attempts", String(created.id)])).stdout, /HTTP 500/);
    const pending = JSON.parse((await cli(["messages", String(created.id), "--status", "pending", "--json"])).stdout).messages;
    assert.equal(pending.length, 1);
    const refused = await cli(["retry", String(created.id), String(pending[0].id)], 1);
    assert.match(refused.stderr, /only a failed message can be retried/);
    const rotated = await cli(["rotate-secret", String(created.id)]);
    const newSecret = rotated.stdout.match(/whsec_[A-Za-z0-9+/=]+/)?.[0];
    assert.ok(newSecret && newSecret !== created.secret, rotated.stdout);
    secrets.push(newSecret);
    assert.match(rotated.stderr, /not shown again/);
    assert.match((await cli(["delete", String(created.id)])).stdout, /deleted subscription/);
    const bad = await cli(["create", "--url", rx.url, "--resource", "pullz"], 1);
    assert.match(bad.stderr, /"pullz"/);
    await rx.close();
  });

  test("a read-only token lists, shows and reads attempts, but cannot create, update, pause or delete", async () => {
    const token = (await fh.api("/api/v1/tokens", { method: "POST", body: { name: "viewer" } })).json.token;
    secrets.push(token);
    const sub = await create(fh, { url: "http://127.0.0.1:9/x" });
    secrets.push(sub.secret);
    assert.equal((await fh.api("/api/v1/subscriptions", { token })).status, 200);
    assert.equal((await fh.api(`/api/v1/subscriptions/${sub.id}`, { token })).status, 200);
    assert.equal((await fh.api(`/api/v1/subscriptions/${sub.id}/attempts`, { token })).status, 200);
    assert.equal((await fh.api(`/api/v1/subscriptions/${sub.id}/messages?status=pending`, { token })).status, 200);
    assertError(await fh.api("/api/v1/subscriptions", { method: "POST", body: { url: "http://127.0.0.1:9/" }, token }), 403, "forbidden");
    assertError(await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "PATCH", body: { description: "x" }, token }), 403, "forbidden");
    assertError(await fh.api(`/api/v1/subscriptions/${sub.id}/pause`, { method: "POST", token }), 403, "forbidden");
    assertError(await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "DELETE", token }), 403, "forbidden");
    assert.equal((await get(fh, sub.id)).status, "active");
    await fh.api(`/api/v1/subscriptions/${sub.id}`, { method: "DELETE" });
  });
});

describe("subscriptions across kill -9", () => {
  test("kill -9 while a message is being retried loses nothing: after restart the receiver gets every change", async () => {
    const dir = await makeTempDir("forgehook-subs-kill-");
    const file = await config(dir, ["allow_private_networks = true", "retry_initial_ms = 100", "retry_max_ms = 300"]);
    const dataDir = path.join(dir, "data");
    let healthy = false;
    const rx = await receiver(() => (healthy ? [200] : [500]));
    let server = await start(ENV, { dataDir, config: file });
    let fh = new Forge(server, { github: GH, admin: ADMIN });
    const sub = await create(fh, { url: rx.url, resources: ["deliveries"] });
    for (let i = 0; i < 8; i++) assertAccepted(await fh.github(pushPayload(`octo/kill-${i}`)));
    await fh.drained();
    const want = await feed(fh, 0, { resource: "deliveries" });
    await waitFor(() => rx.got.length >= 3, { message: "retries under way" });
    await server.kill9();
    fh.close();
    healthy = true;
    server = await start(ENV, { dataDir, config: file });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    await waitFor(() => rx.delivered().length >= want.length, { timeoutMs: 20_000, message: "everything after restart" });
    const got = rx.delivered();
    assert.deepEqual(got.map(seqOf), want.map((c) => c.seq));
    for (const [i, g] of got.entries()) assert.deepEqual(verified(sub.secret, g), want[i]);
    const shown = await get(fh, sub.id);
    assert.equal(shown.pending, 0);
    assert.equal(shown.failed, 0);
    server.assertNoSecretsLogged([sub.secret]);
    fh.close();
    await server.stop();
    await rx.close();
    await removeDir(dir);
  });
});

describe("subscriptions with the address guard on (the default)", () => {
  let server, fh;
  before(async () => {
    server = await start(ENV);
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("a URL naming a loopback, private, link-local or unspecified address is refused at create", async () => {
    for (const url of ["http://127.0.0.1:8080/x", "http://10.1.2.3/x", "http://169.254.169.254/latest", "http://[::1]:9000/",
      "https://192.168.1.10/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://100.64.0.1/", "http://[fd00::1]/"]) {
      const res = await fh.api("/api/v1/subscriptions", { method: "POST", body: { url } });
      assertError(res, 400, "invalid_argument");
      assert.match(res.json.message, /is an? .*address: refused while subscriptions\.allow_private_networks is off/, url);
    }
    assert.equal((await fh.api("/api/v1/subscriptions")).json.subscriptions.length, 0);
  });

  test("a host name resolving to loopback (localhost) is refused at send time, with an attempt saying why", async () => {
    const rx = await receiver();
    const sub = await create(fh, { url: `http://localhost:${rx.port}/hook`, resources: ["deliveries"], actions: ["created"] });
    assertAccepted(await fh.github(pushPayload("octo/ssrf")));
    const first = await waitFor(async () => (await attempts(fh, sub.id))[0], { message: "an attempt" });
    assert.equal(first.status_code, null);
    assert.match(first.error, /localhost resolves to (127\.0\.0\.1|::1), a loopback address: refused/);
    assert.equal(rx.got.length, 0);
    await rx.close();
    server.assertNoSecretsLogged([sub.secret]);
  });
});
