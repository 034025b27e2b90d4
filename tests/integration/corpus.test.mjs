// Every example payload GitHub publishes (@octokit/webhooks-examples, api.github.com) is accepted,
// as JSON and as a form hook, and stored once with the right metadata and the exact payload.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Forge, assertAccepted, githubExamples, githubSha256, headerValue, makeSecret, pool } from "./lib/forge.mjs";
import { start } from "./lib/server.mjs";

const examples = githubExamples();
const SECRET = makeSecret("gh");
const ADMIN = makeSecret("admin");

describe("GitHub example corpus", () => {
  let server;
  let fh;
  const sent = []; // {ex, form, res}

  before(async () => {
    server = await start({ FORGEHOOK_GITHUB_SECRET: SECRET, FORGEHOOK_ADMIN_TOKEN: ADMIN });
    fh = new Forge(server, { github: SECRET, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("our signer reproduces GitHub's documented test vector", () => {
    assert.equal(
      githubSha256("It's a Secret to Everybody", "Hello, World!"),
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
  });

  test("the corpus has 58 events and 329 examples", () => {
    assert.equal(new Set(examples.map((e) => e.event)).size, 58);
    assert.equal(examples.length, 329);
  });

  test("every example is answered 2xx accepted, as JSON and as form (distinct delivery ids)", async () => {
    const jobs = examples.flatMap((ex) => [
      { ex, form: false },
      { ex, form: true },
    ]);
    await pool(jobs, 8, async (job) => {
      const hookId = job.ex.payload.hook_id != null ? String(job.ex.payload.hook_id) : undefined;
      const res = await fh.github(job.ex.payload, { event: job.ex.event, form: job.form, hookId });
      sent.push({ ...job, res });
    });
    const failures = sent.filter(({ res }) => !(res.status >= 200 && res.status < 300 && res.json?.status === "accepted"));
    assert.deepEqual(
      failures.map(({ ex, form, res }) => `${ex.event}#${ex.index} ${form ? "form" : "json"} → ${res.status} ${res.text.slice(0, 120)}`),
      [],
    );
    for (const { res } of sent) assertAccepted(res);
    assert.equal(new Set(sent.map((s) => s.res.delivery)).size, examples.length * 2);
    assert.equal(new Set(sent.map((s) => s.res.json.id)).size, examples.length * 2, "every delivery got its own id");
  });

  test("each delivery is stored exactly once with its event, action and repository", async () => {
    assert.equal(sent.length, examples.length * 2, "the sending test ran");
    const rows = await fh.listAll({ forge: "github" });
    const byDelivery = new Map();
    for (const r of rows) byDelivery.set(r.delivery_id, [...(byDelivery.get(r.delivery_id) ?? []), r]);
    assert.equal(rows.length, sent.length, "one row per delivery sent");
    const problems = [];
    for (const { ex, form, res } of sent) {
      const found = byDelivery.get(res.delivery) ?? [];
      const tag = `${ex.event}#${ex.index} ${form ? "form" : "json"}`;
      if (found.length !== 1) {
        problems.push(`${tag}: stored ${found.length} times`);
        continue;
      }
      const row = found[0];
      const want = {
        id: res.json.id,
        forge: "github",
        hook_id: res.hookId ?? "",
        event: ex.event,
        action: ex.payload.action ?? null,
        repository: ex.payload.repository?.full_name ?? null,
        sender: ex.payload.sender?.login ?? null,
        attempts: 1,
        verification: "sha256",
        status: "queued",
      };
      const got = Object.fromEntries(Object.keys(want).map((k) => [k, row[k]]));
      try {
        assert.deepEqual(got, want);
        assert.ok(String(row.content_type).startsWith(form ? "application/x-www-form-urlencoded" : "application/json"), `content_type ${row.content_type}`);
      } catch (err) {
        problems.push(`${tag}: ${err.message.split("\n").slice(0, 12).join(" ")}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test("GET /api/v1/deliveries/{id} returns the exact payload and redacted signature headers", async () => {
    assert.equal(sent.length, examples.length * 2, "the sending test ran");
    const problems = [];
    await pool(sent, 8, async ({ ex, form, res }) => {
      const tag = `${ex.event}#${ex.index} ${form ? "form" : "json"}`;
      const detail = await fh.api(`/api/v1/deliveries/${res.json.id}`);
      try {
        assert.equal(detail.status, 200, detail.text.slice(0, 200));
        assert.deepEqual(detail.json.payload, ex.payload, "payload");
        assert.equal(detail.json.delivery_id, res.delivery);
        assert.equal(headerValue(detail.json.headers, "x-hub-signature-256"), "[redacted]", "X-Hub-Signature-256");
        assert.equal(headerValue(detail.json.headers, "x-hub-signature"), "[redacted]", "X-Hub-Signature");
        assert.equal(headerValue(detail.json.headers, "x-github-event"), ex.event, "X-GitHub-Event kept as received");
        assert.equal(headerValue(detail.json.headers, "x-github-delivery"), res.delivery, "X-GitHub-Delivery kept");
        const sig = res.sent.headers["X-Hub-Signature-256"].slice("sha256=".length);
        assert.ok(!detail.text.includes(sig), "the signature value appears in the response");
        assert.ok(!detail.text.includes(SECRET), "the secret appears in the response");
      } catch (err) {
        problems.push(`${tag}: ${err.message.split("\n").slice(0, 8).join(" ")}`);
      }
    });
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} deliveries differ`);
  });

  test("ping deliveries are stored as accepted with the hook id", async () => {
    const pings = sent.filter((s) => s.ex.event === "ping");
    assert.ok(pings.length >= 1, "the corpus has ping examples");
    const rows = await fh.listAll({ forge: "github", event: "ping" });
    assert.equal(rows.length, pings.length);
    for (const { ex, res } of pings) {
      assert.equal(res.json.status, "accepted");
      const row = rows.find((r) => r.delivery_id === res.delivery);
      assert.ok(row, `ping ${res.delivery} listed`);
      assert.equal(row.hook_id, String(ex.payload.hook_id));
      assert.equal(row.event, "ping");
    }
  });

  test("a form body encoded with + for spaces (as GitHub's encoder does) decodes to the same payload", async () => {
    const payload = { action: "opened", note: "a b+c & d=e %", repository: { full_name: "octo/plus" }, sender: { login: "octo" } };
    const json = JSON.stringify(payload);
    const body = new URLSearchParams({ payload: json }).toString();
    assert.ok(body.includes("+"), "URLSearchParams encodes spaces as +");
    const res = await fh.github(null, { event: "issues", form: true, body });
    assertAccepted(res);
    const detail = await fh.api(`/api/v1/deliveries/${res.json.id}`);
    assert.equal(detail.status, 200);
    assert.deepEqual(detail.json.payload, payload);
  });

  test("GET /metrics exposes the documented families and counts the accepted deliveries", async () => {
    const res = await fh.get("/metrics");
    assert.equal(res.status, 200);
    assert.match(String(res.headers["content-type"]), /^text\/plain/);
    for (const family of [
      "forgehook_http_requests_total",
      "forgehook_verification_failures_total",
      "forgehook_deliveries_total",
      "forgehook_body_bytes_total",
      "forgehook_ack_latency_seconds",
      "forgehook_store_commit_seconds",
      "forgehook_store_commit_batch_size",
      "forgehook_intake_queue_depth",
      "forgehook_connections_open",
    ]) {
      assert.ok(res.text.includes(`# TYPE ${family} `), `no # TYPE line for ${family}`);
    }
    let accepted = 0;
    for (const line of res.text.split("\n")) {
      if (line.startsWith("forgehook_deliveries_total{") && line.includes('forge="github"') && line.includes('outcome="accepted"')) {
        accepted += Number(line.trim().split(/\s+/).at(-1));
      }
    }
    assert.ok(accepted >= sent.length + 1, `forgehook_deliveries_total{forge="github",outcome="accepted"} = ${accepted}`);
  });

  test("the server output never contains the secret, the admin token or a signature", async () => {
    await server.stop();
    server.assertNoSecretsLogged();
  });
});
