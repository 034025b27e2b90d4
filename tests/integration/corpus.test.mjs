// Every example payload GitHub publishes (@octokit/webhooks-examples, api.github.com) is accepted,
// as JSON and as a form hook, and stored once with the right metadata and the exact payload.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Forge, assertAccepted, assertError, githubExamples, githubSha256, headerValue, makeSecret, pool } from "./lib/forge.mjs";
import { start } from "./lib/server.mjs";

const examples = githubExamples();
const SECRET = makeSecret("gh");
const ADMIN = makeSecret("admin");

describe("GitHub example corpus", () => {
  let server;
  let fh;
  const sent = []; // {ex, form, res}

  before(async () => {
    // Intake only: the pipeline would move rows from "queued" to "processed" while these checks read
    // them (tests/integration/pipeline.test.mjs covers processing).
    server = await start({ FORGEHOOK_GITHUB_SECRET: SECRET, FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_PIPELINE_ENABLED: "false" });
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
        if (!form) assert.equal(row.body_size, res.sent.body.length, "body_size is the size of the JSON body");
        assert.match(row.received_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, "received_at is RFC 3339 UTC");
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

  const roundTrip = async (payload, event) => {
    for (const form of [false, true]) {
      const what = `${payload.repository.full_name} ${form ? "form" : "json"}`;
      const res = await fh.github(payload, { event, form });
      assertAccepted(res, what);
      sent.push({ ex: { event, payload, index: -1 }, form, res });
      const detail = await fh.api(`/api/v1/deliveries/${res.json.id}`);
      assert.equal(detail.status, 200, detail.text.slice(0, 200));
      assert.deepEqual(detail.json.payload, payload, what);
    }
  };

  test("a Unicode-heavy payload is accepted and returned intact, as JSON and as form", async () => {
    await roundTrip(
      {
        action: "opened",
        repository: { full_name: "octo/unicode" },
        sender: { login: "octo" },
        title: "héllo wörld — 日本語 — emoji 🎉👩‍💻 — \u0000 nul — \u2028 line sep — \"quotes\" \\ back",
      },
      "issues",
    );
  });

  test("a 5 MB payload (under the 25 MiB default limit) is accepted and returned intact, as JSON and as form", async () => {
    await roundTrip({ action: "edited", repository: { full_name: "octo/big" }, sender: { login: "octo" }, blob: "0123456789abcdef".repeat(5 * 65536) }, "issues");
  });

  test("paging with limit=50 returns every delivery once, newest first", async () => {
    const all = await fh.listAll({});
    assert.ok(all.length > 600, `only ${all.length} deliveries`);
    const seen = [];
    let cursor = null;
    for (let page = 0; page < 40; page++) {
      const q = new URLSearchParams({ limit: "50" });
      if (cursor != null) q.set("cursor", String(cursor));
      const res = await fh.api(`/api/v1/deliveries?${q}`);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.json.deliveries.length <= 50);
      seen.push(...res.json.deliveries.map((d) => d.id));
      cursor = res.json.next_cursor;
      if (cursor == null) break;
      assert.equal(res.json.deliveries.length, 50, "only the last page may be short");
    }
    assert.equal(cursor, null, "paging did not end");
    assert.equal(new Set(seen).size, seen.length, "a delivery appears on two pages");
    assert.deepEqual(seen, all.map((d) => d.id), "paging at 50 and at 500 disagree");
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1] > seen[i], `not newest first at ${i}: ${seen[i - 1]}, ${seen[i]}`);
  });

  test("a cursor stays valid while new deliveries arrive: the next page continues where the first ended", async () => {
    const first = await fh.api("/api/v1/deliveries?limit=10");
    assert.equal(first.status, 200);
    assert.notEqual(first.json.next_cursor, null);
    const added = [];
    for (let i = 0; i < 5; i++) added.push(await fh.github({ repository: { full_name: "octo/late" } }, { event: "push" }));
    for (const r of added) assertAccepted(r);
    const second = await fh.api(`/api/v1/deliveries?limit=10&cursor=${encodeURIComponent(first.json.next_cursor)}`);
    assert.equal(second.status, 200, second.text);
    const all = await fh.listAll({});
    const ids = all.map((d) => d.id);
    const start = ids.indexOf(first.json.deliveries[0].id);
    assert.deepEqual([...first.json.deliveries, ...second.json.deliveries].map((d) => d.id), ids.slice(start, start + 20));
    assert.ok(!second.json.deliveries.some((d) => d.repository === "octo/late"), "new deliveries leaked into a later page");
  });

  test("list filters: event, repository, status, since and until", async () => {
    const issues = sent.filter((s) => s.ex.event === "issues").map((s) => s.res.delivery).sort();
    const listedIssues = (await fh.listAll({ event: "issues" })).filter((d) => d.repository !== "octo/plus");
    assert.deepEqual(listedIssues.map((d) => d.delivery_id).sort(), issues, "event=issues");
    const repo = "Codertocat/Hello-World";
    const inRepo = sent.filter((s) => s.ex.payload.repository?.full_name === repo).map((s) => s.res.delivery).sort();
    assert.ok(inRepo.length > 10, "the corpus has many Codertocat/Hello-World examples");
    assert.deepEqual((await fh.listAll({ repository: repo })).map((d) => d.delivery_id).sort(), inRepo, `repository=${repo}`);
    const total = (await fh.listAll({})).length;
    assert.equal((await fh.listAll({ status: "queued" })).length, total, "status=queued (nothing processes yet)");
    const nowS = Math.floor(Date.now() / 1000);
    assert.equal((await fh.listAll({ since: String(nowS + 3600) })).length, 0, "since an hour from now (Unix seconds)");
    assert.equal((await fh.listAll({ until: "2001-01-01T00:00:00Z" })).length, 0, "until 2001 (RFC 3339)");
    assert.equal((await fh.listAll({ since: "2001-01-01T00:00:00Z", until: String(nowS + 3600) })).length, total, "since 2001 until an hour from now");
    // since is inclusive, until exclusive: [t, t) is empty, [t, t + 1 µs) holds the delivery received at t.
    const one = (await fh.listAll({ event: "ping" }))[0];
    const empty = await fh.api(`deliveries?${new URLSearchParams({ since: one.received_at, until: one.received_at })}`);
    assertError(empty, 400, "invalid_argument", { what: "an empty range [t, t) is refused, not answered with nothing" });
    const [, whole, fraction] = one.received_at.match(/^(.+)\.(\d{6})Z$/);
    const next = BigInt(Date.parse(`${whole}Z`)) * 1000n + BigInt(fraction) + 1n; // Unix µs
    const nextText = new Date(Number(next / 1000000n) * 1000).toISOString().replace(/\.\d{3}Z$/, "") +
      `.${String(next % 1000000n).padStart(6, "0")}Z`;
    const exact = await fh.listAll({ since: one.received_at, until: nextText });
    assert.ok(exact.some((d) => d.id === one.id), "since is inclusive");
    assert.deepEqual(exact.filter((d) => d.received_at !== one.received_at), [], "nothing outside [t, t + 1 µs)");
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
      "forgehook_intake_unindexed",
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
