// Redeliveries are deduplicated on (forge, hook id, delivery id): answered 200 "duplicate" with the
// stored id, counted as attempts, never stored twice.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Forge, assertAccepted, assertError, gitlabPushPayload, makeSecret, pushPayload, uid } from "./lib/forge.mjs";
import { runCli, start } from "./lib/server.mjs";

const GH = makeSecret("gh");
const GL = makeSecret("gltoken");
const ADMIN = makeSecret("admin");

function assertDuplicate(res, first, what = "") {
  assert.equal(res.status, 200, `${what} ${res.status} ${res.text}`);
  assert.deepEqual(
    { status: res.json?.status, id: res.json?.id, delivery: res.json?.delivery },
    { status: "duplicate", id: first.json.id, delivery: first.json.delivery },
    what,
  );
}

describe("deduplication", () => {
  let server;
  let fh;

  before(async () => {
    server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_GITLAB_TOKEN: GL, FORGEHOOK_ADMIN_TOKEN: ADMIN });
    fh = new Forge(server, { github: GH, gitlabToken: GL, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  const detail = async (id) => {
    const res = await fh.api(`/api/v1/deliveries/${id}`);
    assert.equal(res.status, 200, res.text);
    return res.json;
  };

  test("a GitHub redelivery (same delivery and hook id) is a duplicate: same id, attempts grow, one row", async () => {
    const payload = pushPayload("octo/dupes");
    const delivery = uid();
    const first = await fh.github(payload, { delivery, hookId: "5001" });
    assertAccepted(first);
    assert.equal((await detail(first.json.id)).attempts, 1);
    const rowsBefore = (await fh.listAll({ forge: "github" })).length;

    const second = await fh.github(payload, { delivery, hookId: "5001" });
    assertDuplicate(second, first, "second attempt");
    const d2 = await detail(first.json.id);
    assert.equal(d2.attempts, 2);
    assert.ok(d2.last_attempt_at >= d2.received_at, "last_attempt_at moves on");

    const third = await fh.github(payload, { delivery, hookId: "5001", form: true });
    assertDuplicate(third, first, "third attempt (as a form body)");
    assert.equal((await detail(first.json.id)).attempts, 3);

    const rows = await fh.listAll({ forge: "github" });
    assert.equal(rows.length, rowsBefore, "row count unchanged");
    assert.equal(rows.filter((r) => r.delivery_id === delivery).length, 1);
  });

  test("the same delivery id under a different hook id is a new delivery", async () => {
    const payload = pushPayload("octo/two-hooks");
    const delivery = uid();
    const a = await fh.github(payload, { delivery, hookId: "6001" });
    const b = await fh.github(payload, { delivery, hookId: "6002" });
    const c = await fh.github(payload, { delivery, hookId: null }); // no hook id header: hook id ""
    assertAccepted(a);
    assertAccepted(b);
    assertAccepted(c);
    assert.equal(new Set([a.json.id, b.json.id, c.json.id]).size, 3, "three distinct ids");
    const rows = (await fh.listAll({ forge: "github" })).filter((r) => r.delivery_id === delivery);
    // An absent hook id is the empty hook id; the API may show it as "" or null.
    assert.deepEqual(rows.map((r) => r.hook_id ?? "").sort(), ["", "6001", "6002"]);
    for (const r of rows) assert.equal(r.attempts, 1);
    assertDuplicate(await fh.github(payload, { delivery, hookId: "6002" }), b, "redelivery to hook 6002");
    assertDuplicate(await fh.github(payload, { delivery, hookId: null }), c, "redelivery with no hook id");
  });

  test("?delivery_id= finds a GUID as GitHub shows it, under every hook, each with its source; so does the CLI", async () => {
    const delivery = uid();
    const a = await fh.github(pushPayload("octo/by-guid"), { delivery, hookId: "7001" });
    const b = await fh.github(pushPayload("octo/by-guid"), { delivery, hookId: "7002" });
    assertAccepted(a);
    assertAccepted(b);
    await fh.github(pushPayload("octo/by-guid"), { hookId: "7001" }); // another GUID: not listed
    const res = await fh.api(`/api/v1/deliveries?delivery_id=${delivery}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.deliveries.map((d) => [d.id, d.delivery_id, d.hook_id, d.source]), [
      [b.json.id, delivery, "7002", "webhook"],
      [a.json.id, delivery, "7001", "webhook"],
    ]);
    const narrowed = await fh.api(`/api/v1/deliveries?delivery_id=${delivery}&forge=gitlab`);
    assert.deepEqual(narrowed.json.deliveries, []);
    assertError(await fh.api(`/api/v1/deliveries?deliveryid=${delivery}`), 400, "invalid_argument", { what: "a misspelt parameter" });

    const env = { FORGEHOOK_SERVER: server.url, FORGEHOOK_ADMIN_TOKEN: ADMIN };
    const out = await runCli(["deliveries", "list", "--delivery-id", delivery, "--json"], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout).deliveries.map((d) => d.id), [b.json.id, a.json.id]);
    const table = await runCli(["deliveries", "list", "--delivery-id", delivery], { env });
    const lines = table.stdout.trim().split("\n");
    assert.match(lines[0], /\bSOURCE\b/);
    assert.equal(lines.length, 3, table.stdout);
    for (const line of lines.slice(1)) assert.match(line, new RegExp(`\\bwebhook\\b.*${delivery}$`));
  });

  test("concurrent redeliveries of one delivery: one accepted, the rest duplicates of the same id", async () => {
    const payload = pushPayload("octo/race");
    const delivery = uid();
    const N = 12;
    const results = await Promise.all(Array.from({ length: N }, () => fh.github(payload, { delivery, hookId: "7001" })));
    for (const r of results) assert.equal(r.status, 200, `${r.status} ${r.text}`);
    const accepted = results.filter((r) => r.json.status === "accepted");
    const duplicates = results.filter((r) => r.json.status === "duplicate");
    assert.equal(accepted.length, 1, `exactly one accepted: ${results.map((r) => r.json.status)}`);
    assert.equal(duplicates.length, N - 1);
    assert.equal(new Set(results.map((r) => r.json.id)).size, 1, "all answers carry the same id");
    assert.equal((await detail(accepted[0].json.id)).attempts, N);
    assert.equal((await fh.listAll({ forge: "github" })).filter((r) => r.delivery_id === delivery).length, 1);
  });

  test("GitLab: the same Idempotency-Key (new event UUID, as on a resend) is a duplicate", async () => {
    const payload = gitlabPushPayload("group/idem");
    const key = uid();
    const first = await fh.gitlab(payload, { idempotencyKey: key, eventUUID: uid() });
    assertAccepted(first);
    const again = await fh.gitlab(payload, { idempotencyKey: key, eventUUID: uid() });
    assertDuplicate(again, first, "Idempotency-Key resend");
    assert.equal((await detail(first.json.id)).attempts, 2);
    const rows = (await fh.listAll({ forge: "gitlab" })).filter((r) => r.delivery_id === key);
    assert.equal(rows.length, 1);
  });

  test("GitLab: without Idempotency-Key, X-Gitlab-Event-UUID is the delivery id", async () => {
    const payload = gitlabPushPayload("group/event-uuid");
    const eventUUID = uid();
    const first = await fh.gitlab(payload, { idempotencyKey: null, eventUUID });
    assertAccepted(first);
    assert.equal(first.json.delivery, eventUUID);
    const again = await fh.gitlab(payload, { idempotencyKey: null, eventUUID });
    assertDuplicate(again, first, "Event-UUID redelivery");
    const rows = (await fh.listAll({ forge: "gitlab" })).filter((r) => r.delivery_id === eventUUID);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].attempts, 2);
  });

  test("GitLab: the same Idempotency-Key under another X-Gitlab-Webhook-UUID is a new delivery", async () => {
    const payload = gitlabPushPayload("group/two-hooks");
    const key = uid();
    const a = await fh.gitlab(payload, { idempotencyKey: key, webhookUUID: uid() });
    const b = await fh.gitlab(payload, { idempotencyKey: key, webhookUUID: uid() });
    assertAccepted(a);
    assertAccepted(b);
    assert.notEqual(a.json.id, b.json.id);
  });

  test("GitLab: neither Idempotency-Key nor X-Gitlab-Event-UUID → 400 missing_header", async () => {
    const res = await fh.gitlab(gitlabPushPayload(), { idempotencyKey: null, eventUUID: null });
    assertError(res, 400, "missing_header");
  });

  test("the server output never contains a secret, token or signature", async () => {
    await server.stop();
    server.assertNoSecretsLogged();
  });
});
