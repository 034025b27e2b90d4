// The fake GitLab and Gitea (tests/fakes/fake_gitlab.mjs, fake_gitea.mjs) with plain fetch: hook
// CRUD, validation errors, deliveries with each forge's headers, GitLab's event log and resend.
// No forgehook binary needed.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startFakeGitea } from "../fakes/fake_gitea.mjs";
import { startFakeGitLab } from "../fakes/fake_gitlab.mjs";
import { startReceiver } from "../fakes/receiver.mjs";

const call = async (url, method, headers, body) => {
  const res = await fetch(url, { method, headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) }, body: body && JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, json };
};

describe("fake GitLab", () => {
  let gl;
  let rx;
  const H = { "PRIVATE-TOKEN": "glpat-test" };
  const P = encodeURIComponent("group/project");
  before(async () => {
    gl = await startFakeGitLab();
    rx = await startReceiver();
  });
  after(async () => {
    await gl?.idle();
    await gl?.close();
    await rx?.close();
  });

  test("hooks: create, validation, get, update, list, delete", async () => {
    assert.equal((await call(`${gl.apiUrl}/projects/${P}/hooks`, "GET", {})).status, 401);
    const missing = await call(`${gl.apiUrl}/projects/${P}/hooks`, "POST", H, { push_events: true });
    assert.equal(missing.status, 400);
    const bad = await call(`${gl.apiUrl}/projects/${P}/hooks`, "POST", H, { url: "ftp://x" });
    assert.equal(bad.status, 400);
    assert.ok(bad.json.message.url);
    const created = await call(`${gl.apiUrl}/projects/${P}/hooks`, "POST", H, { url: rx.url, token: "gl-secret", merge_requests_events: true });
    assert.equal(created.status, 201);
    assert.equal(created.json.token, undefined);
    assert.equal(created.json.push_events, true);
    assert.equal(created.json.merge_requests_events, true);
    const id = created.json.id;
    const upd = await call(`${gl.apiUrl}/projects/${P}/hooks/${id}`, "PUT", H, { issues_events: true });
    assert.equal(upd.json.issues_events, true);
    const list = await call(`${gl.apiUrl}/projects/${P}/hooks`, "GET", H);
    assert.equal(list.json.length, 1);
    assert.equal(list.headers.get("x-total"), "1");
    const other = await call(`${gl.apiUrl}/projects/${P}/hooks`, "POST", H, { url: `${rx.url}?2` });
    assert.equal((await call(`${gl.apiUrl}/projects/${P}/hooks/${other.json.id}`, "DELETE", H)).status, 204);
    assert.equal((await call(`${gl.apiUrl}/projects/${P}/hooks/${other.json.id}`, "GET", H)).status, 404);
  });

  test("deliveries: headers, test trigger, event log, resend keeps the Idempotency-Key", async () => {
    const [h] = gl.hooks("group/project");
    const { eventUuid } = await gl.emit("group/project", "push_events");
    const [got] = await rx.waitFor(1);
    assert.equal(got.headers["x-gitlab-event"], "Push Hook");
    assert.equal(got.headers["x-gitlab-token"], "gl-secret");
    assert.equal(got.headers["x-gitlab-event-uuid"], eventUuid);
    assert.ok(got.headers["idempotency-key"]);
    assert.equal(JSON.parse(got.body).object_kind, "push");
    const t = await call(`${gl.apiUrl}/projects/${P}/hooks/${h.id}/test/merge_requests_events`, "POST", H);
    assert.equal(t.status, 201);
    await gl.idle();
    assert.equal(rx.received.at(-1).headers["x-gitlab-event"], "Merge Request Hook");
    const events = await call(`${gl.apiUrl}/projects/${P}/hooks/${h.id}/events`, "GET", H);
    assert.equal(events.status, 200);
    assert.equal(events.json.length, 2);
    assert.equal(events.json[1].trigger, "push_hooks");
    assert.equal(events.json[1].response_status, "200");
    const resend = await call(`${gl.apiUrl}/projects/${P}/hooks/${h.id}/events/${events.json[1].id}/resend`, "POST", H);
    assert.equal(resend.status, 201);
    const again = rx.received.at(-1);
    assert.equal(again.headers["idempotency-key"], got.headers["idempotency-key"]);
    assert.equal(again.headers["x-gitlab-event"], "Push Hook");
  });
});

describe("fake GitLab group hooks", () => {
  let gl;
  let rx;
  before(async () => {
    gl = await startFakeGitLab({ tokens: { owner: { projects: "*" }, maint: { projects: { grp: 40 } } } });
    rx = await startReceiver();
  });
  after(async () => {
    await gl?.idle();
    await gl?.close();
    await rx?.close();
  });

  test("a group hook gets the events of projects below the group; Maintainer is not enough", async () => {
    const created = await call(`${gl.apiUrl}/groups/grp/hooks`, "POST", { "PRIVATE-TOKEN": "owner" }, { url: rx.url, push_events: true, token: "t" });
    assert.equal(created.status, 201);
    assert.equal(created.json.group_id > 0, true);
    assert.equal(created.json.project_id, undefined);
    assert.equal((await call(`${gl.apiUrl}/groups/grp/hooks`, "GET", { "PRIVATE-TOKEN": "maint" })).status, 403);
    await gl.emit("grp/sub/app", "push_events");
    const [got] = await rx.waitFor(1);
    assert.equal(got.headers["x-gitlab-event"], "Push Hook");
    await gl.emit("other/app", "push_events");
    assert.equal(rx.received.length, 1);
  });
});

describe("fake Gitea", () => {
  let gt;
  let rx;
  const H = { authorization: "token gitea-test" };
  before(async () => {
    gt = await startFakeGitea({ flavor: "forgejo" });
    rx = await startReceiver();
  });
  after(async () => {
    await gt?.idle();
    await gt?.close();
    await rx?.close();
  });

  test("hooks: validation, create (inactive by default), patch, list, delete, test delivery", async () => {
    const base = `${gt.apiUrl}/repos/gitea-org/repo/hooks`;
    assert.equal((await call(base, "POST", H, { type: "gitea", config: { url: rx.url } })).status, 422); // no content_type
    assert.equal((await call(base, "POST", H, { type: "nope", config: { url: rx.url, content_type: "json" } })).status, 422);
    const created = await call(base, "POST", H, { type: "gitea", config: { url: rx.url, content_type: "json", secret: "gt-secret" }, events: ["push"] });
    assert.equal(created.status, 201);
    assert.equal(created.json.active, false);
    assert.equal(created.json.config.secret, undefined);
    const id = created.json.id;
    await gt.emit("gitea-org/repo", "push");
    assert.equal(rx.received.length, 0, "inactive hooks get nothing");
    const patched = await call(`${base}/${id}`, "PATCH", H, { active: true });
    assert.equal(patched.json.active, true);
    await gt.emit("gitea-org/repo", "push");
    const [got] = await rx.waitFor(1);
    const hex = crypto.createHmac("sha256", "gt-secret").update(got.body).digest("hex");
    assert.equal(got.headers["x-gitea-signature"], hex);
    assert.equal(got.headers["x-hub-signature-256"], `sha256=${hex}`);
    assert.equal(got.headers["x-forgejo-signature"], hex);
    assert.equal(got.headers["x-gitea-event"], "push");
    assert.ok(got.headers["x-gitea-delivery"]);
    assert.equal((await call(`${base}/${id}/tests`, "POST", H)).status, 204);
    await gt.idle();
    assert.equal(rx.received.length, 2);
    assert.equal((await call(base, "GET", H)).json.length, 1);
    assert.equal((await call(base, "GET", { authorization: "token wrong" })).status, 401);
    assert.equal((await call(`${base}/${id}`, "DELETE", H)).status, 204);
    assert.equal((await call(`${base}/${id}`, "GET", H)).status, 404);
  });

  test("form hooks sign the raw JSON; signature headers are present without a secret", async () => {
    const base = `${gt.apiUrl}/repos/gitea-org/form/hooks`;
    const created = await call(base, "POST", H, { type: "gitea", active: true, config: { url: rx.url, content_type: "form", secret: "s2" } });
    const plain = await call(base, "POST", H, { type: "gitea", active: true, config: { url: `${rx.url}?plain`, content_type: "json" } });
    assert.equal(created.status, 201);
    assert.equal(plain.status, 201);
    const before = rx.received.length;
    await gt.emit("gitea-org/form", "push");
    const got = (await rx.waitFor(before + 2)).slice(before);
    const form = got.find((r) => r.headers["content-type"] === "application/x-www-form-urlencoded");
    const json = new URLSearchParams(form.body.toString()).get("payload");
    assert.equal(form.headers["x-gitea-signature"], crypto.createHmac("sha256", "s2").update(json).digest("hex"));
    const bare = got.find((r) => r.path.endsWith("?plain"));
    assert.equal(bare.headers["x-gitea-signature"], "");
    assert.equal(bare.headers["x-hub-signature-256"], "sha256=");
  });

  test("organisation hooks get the events of the organisation's repositories", async () => {
    const created = await call(`${gt.apiUrl}/orgs/gitea-org/hooks`, "POST", H, { type: "gitea", active: true, config: { url: `${rx.url}?org`, content_type: "json" }, events: ["push"] });
    assert.equal(created.status, 201);
    assert.equal((await call(`${gt.apiUrl}/orgs/gitea-org/hooks`, "GET", H)).json.length, 1);
    const before = rx.received.length;
    await gt.emit("gitea-org/another", "push");
    assert.equal(rx.received.slice(before).filter((r) => r.path.endsWith("?org")).length, 1);
    assert.equal((await call(`${gt.apiUrl}/orgs/gitea-org/hooks/${created.json.id}`, "DELETE", H)).status, 204);
  });
});
