// Stored secrets (per hook, per repository) take precedence over the configured ones, and their
// values never come back from the API or appear in the server's output.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Forge, assertAccepted, assertError, giteaPushPayload, gitlabPushPayload, makeSecret, pushPayload, uid } from "./lib/forge.mjs";
import { start } from "./lib/server.mjs";

const GLOBAL = makeSecret("gh-global");
const GL_GLOBAL = makeSecret("gl-global");
const GITEA_GLOBAL = makeSecret("gitea-global");
const ADMIN = makeSecret("admin");

describe("stored secrets", () => {
  let server;
  let fh;
  const stored = []; // every secret value PUT during the run

  before(async () => {
    server = await start({
      FORGEHOOK_GITHUB_SECRET: GLOBAL,
      FORGEHOOK_GITLAB_TOKEN: GL_GLOBAL,
      FORGEHOOK_GITEA_SECRET: GITEA_GLOBAL,
      FORGEHOOK_ADMIN_TOKEN: ADMIN,
      // This suite checks which 401 each of many wrong signatures from one address gets; the
      // throttle that would answer the later ones 429 is tested in limits.test.mjs.
      FORGEHOOK_LIMITS_SIGNATURE_FAILURES_BURST: "0",
    });
    fh = new Forge(server, { github: GLOBAL, gitlabToken: GL_GLOBAL, gitea: GITEA_GLOBAL, admin: ADMIN });
  });
  let first; // the first server, owner of the data dir
  after(async () => {
    fh?.close();
    await server?.cleanup();
    await first?.cleanup();
  });

  async function put(forge, scope, key, secrets) {
    stored.push(...secrets);
    const res = await fh.api(`/api/v1/secrets/${forge}/${scope}/${key}`, { method: "PUT", body: { secrets } });
    assert.equal(res.status, 200, `PUT ${forge}/${scope}/${key}: ${res.status} ${res.text}`);
    for (const s of secrets) assert.ok(!res.text.includes(s), "the PUT response contains a secret value");
    return res;
  }

  test("a per-hook secret takes precedence: accepted with it, the global secret refused for that hook id", async () => {
    const hookSecret = makeSecret("hook777");
    await put("github", "hook", "777", [hookSecret]);
    assertAccepted(await fh.github(pushPayload("octo/hooked"), { hookId: "777", secret: hookSecret }), "hook secret");
    assertAccepted(await fh.github(pushPayload("octo/hooked"), { hookId: "777", secret: hookSecret, form: true }), "hook secret, form");
    assertError(await fh.github(pushPayload("octo/hooked"), { hookId: "777", secret: GLOBAL }), 401, "invalid_signature", {
      what: "global secret for hook 777",
    });
    assertAccepted(await fh.github(pushPayload("octo/hooked"), { hookId: "778", secret: GLOBAL }), "another hook keeps the global secret");
    assertError(await fh.github(pushPayload("octo/hooked"), { hookId: "778", secret: hookSecret }), 401, "invalid_signature", {
      what: "hook 777's secret for hook 778",
    });
  });

  test("a per-repository secret takes precedence over the global one", async () => {
    const repoSecret = makeSecret("repo1");
    await put("github", "repository", "octo/repo1", [repoSecret]);
    assertAccepted(await fh.github(pushPayload("octo/repo1"), { hookId: "900", secret: repoSecret }), "repository secret");
    assertAccepted(await fh.github(pushPayload("octo/repo1"), { hookId: "900", secret: repoSecret, form: true }), "repository secret, form body");
    assertError(await fh.github(pushPayload("octo/repo1"), { hookId: "900", secret: GLOBAL }), 401, "invalid_signature", {
      what: "global secret for octo/repo1",
    });
    assertAccepted(await fh.github(pushPayload("octo/repo2"), { hookId: "900", secret: GLOBAL }), "another repository keeps the global secret");
  });

  test("a hook secret takes precedence over a repository secret", async () => {
    const hookSecret = makeSecret("hook901");
    const repoSecret = makeSecret("repo3");
    await put("github", "hook", "901", [hookSecret]);
    await put("github", "repository", "octo/repo3", [repoSecret]);
    assertAccepted(await fh.github(pushPayload("octo/repo3"), { hookId: "901", secret: hookSecret }));
    assertError(await fh.github(pushPayload("octo/repo3"), { hookId: "901", secret: repoSecret }), 401, "invalid_signature");
    assertError(await fh.github(pushPayload("octo/repo3"), { hookId: "901", secret: GLOBAL }), 401, "invalid_signature");
  });

  test("stored secrets rotate: current and previous are both accepted", async () => {
    const current = makeSecret("current");
    const previous = makeSecret("previous");
    await put("github", "hook", "902", [current, previous]);
    assertAccepted(await fh.github(pushPayload(), { hookId: "902", secret: current }));
    assertAccepted(await fh.github(pushPayload(), { hookId: "902", secret: previous }));
    assertError(await fh.github(pushPayload(), { hookId: "902", secret: GLOBAL }), 401, "invalid_signature");
  });

  test("replacing a stored secret with PUT drops the old value", async () => {
    const oldS = makeSecret("old");
    const newS = makeSecret("new");
    await put("github", "hook", "903", [oldS]);
    assertAccepted(await fh.github(pushPayload(), { hookId: "903", secret: oldS }));
    await put("github", "hook", "903", [newS]);
    assertAccepted(await fh.github(pushPayload(), { hookId: "903", secret: newS }));
    assertError(await fh.github(pushPayload(), { hookId: "903", secret: oldS }), 401, "invalid_signature");
  });

  test("a GitLab per-hook token (X-Gitlab-Webhook-UUID) takes precedence", async () => {
    const hook = uid();
    const token = makeSecret("glhook");
    await put("gitlab", "hook", hook, [token]);
    assertAccepted(await fh.gitlab(gitlabPushPayload(), { webhookUUID: hook, token }));
    assertError(await fh.gitlab(gitlabPushPayload(), { webhookUUID: hook, token: GL_GLOBAL }), 401, "invalid_signature");
    assertAccepted(await fh.gitlab(gitlabPushPayload(), { webhookUUID: uid(), token: GL_GLOBAL }));
  });

  test("a GitLab per-repository token (project.path_with_namespace) takes precedence", async () => {
    const token = makeSecret("glrepo");
    await put("gitlab", "repository", "group/secret-project", [token]);
    assertAccepted(await fh.gitlab(gitlabPushPayload("group/secret-project"), { token }));
    assertError(await fh.gitlab(gitlabPushPayload("group/secret-project"), { token: GL_GLOBAL }), 401, "invalid_signature");
  });

  test("a Gitea per-repository secret takes precedence", async () => {
    const secret = makeSecret("gitearepo");
    await put("gitea", "repository", "gitea-org/secret-repo", [secret]);
    assertAccepted(await fh.gitea(giteaPushPayload("gitea-org/secret-repo"), { secret }));
    assertAccepted(await fh.gitea(giteaPushPayload("gitea-org/secret-repo"), { secret, form: true }));
    assertError(await fh.gitea(giteaPushPayload("gitea-org/secret-repo"), { secret: GITEA_GLOBAL }), 401, "invalid_signature");
  });

  test("with stored secrets present, a wrong signature on a malformed body is still 401 (verified before decoding)", async () => {
    const wrong = makeSecret("wrong");
    assertError(await fh.github(null, { body: '{"repository":{"full_name":"octo/repo1"', secret: wrong, hookId: "900" }), 401, "invalid_signature", { what: "malformed JSON" });
    assertError(await fh.github(null, { body: "foo=bar", form: true, secret: wrong, hookId: "777" }), 401, "invalid_signature", { what: "form without payload, hook with a stored secret" });
  });

  test("GET /api/v1/secrets lists forge, scope, key and count, never a value", async () => {
    const res = await fh.api("/api/v1/secrets");
    assert.equal(res.status, 200, res.text);
    assert.ok(Array.isArray(res.json?.secrets), res.text.slice(0, 200));
    const find = (forge, scope, key) => res.json.secrets.find((s) => s.forge === forge && s.scope === scope && s.key === key);
    assert.deepEqual(find("github", "hook", "777"), { forge: "github", scope: "hook", key: "777", count: 1 });
    assert.deepEqual(find("github", "hook", "902"), { forge: "github", scope: "hook", key: "902", count: 2 });
    assert.deepEqual(find("github", "repository", "octo/repo1"), { forge: "github", scope: "repository", key: "octo/repo1", count: 1 });
    assert.ok(find("gitea", "repository", "gitea-org/secret-repo"), "gitea repository secret listed");
    assert.ok(stored.length >= 10);
    for (const s of [...stored, GLOBAL, GL_GLOBAL, GITEA_GLOBAL, ADMIN]) assert.ok(!res.text.includes(s), "GET /api/v1/secrets contains a secret value");
  });

  test("DELETE removes a stored secret (the global one applies again); a second DELETE → 404", async () => {
    const res = await fh.api("/api/v1/secrets/github/hook/777", { method: "DELETE" });
    assert.equal(res.status, 200, res.text);
    assertAccepted(await fh.github(pushPayload(), { hookId: "777", secret: GLOBAL }), "global secret after DELETE");
    assertError(await fh.api("/api/v1/secrets/github/hook/777", { method: "DELETE" }), 404, "not_found");
    const repo = await fh.api("/api/v1/secrets/github/repository/octo/repo1", { method: "DELETE" });
    assert.equal(repo.status, 200, repo.text);
    assertAccepted(await fh.github(pushPayload("octo/repo1"), { hookId: "900", secret: GLOBAL }), "global secret after repository DELETE");
    const list = await fh.api("/api/v1/secrets");
    assert.ok(!list.json.secrets.some((s) => s.forge === "github" && s.key === "777"), "deleted secret still listed");
  });

  test("the secrets API needs the admin token → 401 unauthorized", async () => {
    const s = makeSecret("sneaky");
    const res = await fh.api("/api/v1/secrets/github/hook/999", { method: "PUT", body: { secrets: [s] }, token: null });
    assertError(res, 401, "unauthorized");
    assertError(await fh.api("/api/v1/secrets/github/hook/999", { method: "DELETE", token: makeSecret("wrong") }), 401, "unauthorized");
    // The refused PUT stored nothing: the global secret still applies to hook 999.
    assertAccepted(await fh.github(pushPayload(), { hookId: "999", secret: GLOBAL }));
  });

  test("malformed secret writes → 400 invalid_argument and store nothing", async () => {
    const cases = [
      ["github/hook/1200", "{not json"],
      ["github/hook/1200", { secrets: [] }],
      ["github/hook/1200", { secrets: [""] }],
      ["github/hook/1200", { nope: ["x"] }],
      ["github/organization/1200", { secrets: ["x-secret-value"] }],
      ["bitbucket/hook/1200", { secrets: ["x-secret-value"] }],
    ];
    for (const [path, body] of cases) {
      assertError(await fh.api(`/api/v1/secrets/${path}`, { method: "PUT", body }), 400, "invalid_argument", { what: `PUT ${path} ${JSON.stringify(body)}` });
    }
    const list = await fh.api("/api/v1/secrets");
    assert.ok(!list.json.secrets.some((s) => s.key === "1200"), "a refused write was stored");
    assertAccepted(await fh.github(pushPayload(), { hookId: "1200", secret: GLOBAL }));
  });

  test("stored secrets survive a restart", async () => {
    const hookSecret = makeSecret("persist");
    await put("github", "hook", "1300", [hookSecret]);
    await server.stop();
    server.assertNoSecretsLogged(stored);
    fh.close();
    first = server;
    server = await start(first.env, { dataDir: first.dataDir });
    fh = new Forge(server, { github: GLOBAL, gitlabToken: GL_GLOBAL, gitea: GITEA_GLOBAL, admin: ADMIN });
    assertAccepted(await fh.github(pushPayload(), { hookId: "1300", secret: hookSecret }), "stored hook secret after restart");
    assertError(await fh.github(pushPayload(), { hookId: "1300", secret: GLOBAL }), 401, "invalid_signature", { what: "global secret for hook 1300 after restart" });
    const list = await fh.api("/api/v1/secrets");
    assert.ok(list.json.secrets.some((s) => s.forge === "github" && s.scope === "hook" && s.key === "902" && s.count === 2), "rotated hook secret still listed");
  });

  test("the server output never contains a configured or stored secret", async () => {
    await server.stop();
    server.assertNoSecretsLogged(stored);
  });
});
