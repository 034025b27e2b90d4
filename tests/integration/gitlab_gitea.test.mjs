// GitLab (token, Standard Webhooks signing) and Gitea/Forgejo verification, and secret rotation
// (the second configured secret is still accepted) for every forge.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  Forge,
  assertAccepted,
  assertError,
  giteaPushPayload,
  giteaSignature,
  gitlabPushPayload,
  headerValue,
  makeSecret,
  makeSigningKey,
  pushPayload,
  standardWebhookSignature,
} from "./lib/forge.mjs";
import { makeTempDir, removeDir, start } from "./lib/server.mjs";

const ADMIN = makeSecret("admin");

describe("GitLab token", () => {
  const T1 = makeSecret("gltoken1");
  const T2 = makeSecret("gltoken2");
  let server;
  let fh;
  before(async () => {
    server = await start({ FORGEHOOK_GITLAB_TOKEN: `${T1},${T2}`, FORGEHOOK_ADMIN_TOKEN: ADMIN });
    fh = new Forge(server, { gitlabToken: T1, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("the right X-Gitlab-Token is accepted and stored with event, repository and redacted token", async () => {
    const payload = gitlabPushPayload("group/sub/project");
    const res = await fh.gitlab(payload);
    assertAccepted(res);
    const row = (await fh.listAll({ forge: "gitlab" })).find((r) => r.id === res.json.id);
    assert.ok(row, "listed");
    assert.equal(row.forge, "gitlab");
    assert.equal(row.event, "Push Hook");
    assert.equal(row.delivery_id, res.idempotencyKey);
    assert.equal(row.hook_id, res.webhookUUID);
    assert.equal(row.repository, "group/sub/project");
    const detail = await fh.api(`/api/v1/deliveries/${res.json.id}`);
    assert.deepEqual(detail.json.payload, payload);
    assert.equal(headerValue(detail.json.headers, "x-gitlab-token"), "[redacted]");
    assert.ok(!detail.text.includes(T1), "the token appears in the delivery");
    const filtered = await fh.listAll({ forge: "gitlab", event: "Push Hook", repository: "group/sub/project" });
    assert.ok(filtered.some((r) => r.id === res.json.id), "event filter with spaces");
  });

  test("the second configured token is accepted (rotation)", async () => {
    assertAccepted(await fh.gitlab(gitlabPushPayload(), { token: T2 }));
  });

  test("a wrong token → 401 invalid_signature", async () => {
    const wrong = makeSecret("nope");
    assertError(await fh.gitlab(gitlabPushPayload(), { token: wrong }), 401, "invalid_signature", { forbidden: [T1, T2, wrong] });
  });

  test("a token differing only in its last character → 401 invalid_signature", async () => {
    const near = T1.slice(0, -1) + (T1.endsWith("a") ? "b" : "a");
    assertError(await fh.gitlab(gitlabPushPayload(), { token: near }), 401, "invalid_signature");
  });

  test("no X-Gitlab-Token → 401 missing_signature", async () => {
    assertError(await fh.gitlab(gitlabPushPayload(), { token: null }), 401, "missing_signature");
  });

  test("missing X-Gitlab-Event → 400 missing_header", async () => {
    assertError(await fh.gitlab(gitlabPushPayload(), { omit: ["X-Gitlab-Event"] }), 400, "missing_header");
  });

  test("the server output never contains a token", async () => {
    await server.stop();
    server.assertNoSecretsLogged();
  });
});

describe("GitLab Standard Webhooks signing", () => {
  const TOKEN = makeSecret("gltoken");
  const K1 = makeSigningKey();
  const K2 = makeSigningKey();
  let server;
  let fh;
  before(async () => {
    server = await start({
      FORGEHOOK_GITLAB_TOKEN: TOKEN,
      FORGEHOOK_GITLAB_SIGNING_KEY: `${K1},${K2}`,
      FORGEHOOK_ADMIN_TOKEN: ADMIN,
    });
    fh = new Forge(server, { gitlabToken: TOKEN, gitlabSigningKey: K1, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("our signer reproduces the Standard Webhooks reference vector", () => {
    // The example in the Standard Webhooks specification (and Svix's documentation).
    const sig = standardWebhookSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", '{"test": 2432232314}');
    assert.equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  test("a valid signature is accepted and the signature header is redacted", async () => {
    const res = await fh.gitlab(gitlabPushPayload("group/signed"));
    assertAccepted(res);
    const detail = await fh.api(`/api/v1/deliveries/${res.json.id}`);
    assert.equal(detail.status, 200);
    assert.equal(headerValue(detail.json.headers, "webhook-signature"), "[redacted]");
    assert.ok(!detail.text.includes(res.sent.headers["webhook-signature"].slice(3)));
  });

  test("the second configured signing key is accepted (rotation)", async () => {
    assertAccepted(await fh.gitlab(gitlabPushPayload(), { signingKey: K2 }));
  });

  test("several signatures, one valid → accepted", async () => {
    const payload = gitlabPushPayload();
    const body = JSON.stringify(payload);
    const id = "msg_multi";
    const ts = String(Math.floor(Date.now() / 1000));
    const good = standardWebhookSignature(K1, id, ts, body);
    const other = standardWebhookSignature(makeSigningKey(), id, ts, body);
    assertAccepted(await fh.gitlab(payload, { webhookId: id, timestamp: ts, signature: `${other} ${good}` }));
  });

  test("a timestamp within the 300 s tolerance (200 s old, 200 s ahead) is accepted", async () => {
    const now = Math.floor(Date.now() / 1000);
    assertAccepted(await fh.gitlab(gitlabPushPayload(), { timestamp: now - 200 }), "200 s old");
    assertAccepted(await fh.gitlab(gitlabPushPayload(), { timestamp: now + 200 }), "200 s ahead");
  });

  test("a timestamp 1 hour old → 401 stale_timestamp", async () => {
    const ts = Math.floor(Date.now() / 1000) - 3600;
    assertError(await fh.gitlab(gitlabPushPayload(), { timestamp: ts }), 401, "stale_timestamp");
  });

  test("a timestamp 1 hour in the future → 401 stale_timestamp", async () => {
    const ts = Math.floor(Date.now() / 1000) + 3600;
    assertError(await fh.gitlab(gitlabPushPayload(), { timestamp: ts }), 401, "stale_timestamp");
  });

  test("a wrong signature → 401 invalid_signature", async () => {
    assertError(await fh.gitlab(gitlabPushPayload(), { signingKey: makeSigningKey() }), 401, "invalid_signature");
  });

  test("a signature over another body → 401 invalid_signature", async () => {
    const id = "msg_other";
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = standardWebhookSignature(K1, id, ts, JSON.stringify(gitlabPushPayload("group/other")));
    assertError(await fh.gitlab(gitlabPushPayload("group/this"), { webhookId: id, timestamp: ts, signature: sig }), 401, "invalid_signature");
  });

  test("a signature for another webhook-id → 401 invalid_signature", async () => {
    const payload = gitlabPushPayload();
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = standardWebhookSignature(K1, "msg_a", ts, JSON.stringify(payload));
    assertError(await fh.gitlab(payload, { webhookId: "msg_b", timestamp: ts, signature: sig }), 401, "invalid_signature");
  });

  test("the token alone, without signature headers, is refused when a signing key is set → 401 missing_signature", async () => {
    assertError(await fh.gitlab(gitlabPushPayload(), { signingKey: null }), 401, "missing_signature");
  });

  test("the server output never contains a key, token or signature", async () => {
    await server.stop();
    server.assertNoSecretsLogged();
  });
});

describe("Gitea and Forgejo", () => {
  const S1 = makeSecret("gitea1");
  const S2 = makeSecret("gitea2");
  let server;
  let fh;
  before(async () => {
    server = await start({ FORGEHOOK_GITEA_SECRET: `${S1},${S2}`, FORGEHOOK_ADMIN_TOKEN: ADMIN });
    fh = new Forge(server, { gitea: S1, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  const stored = async (res) => {
    const detail = await fh.api(`/api/v1/deliveries/${res.json.id}`);
    assert.equal(detail.status, 200, detail.text);
    return detail.json;
  };

  test("a JSON delivery signed with bare hex is accepted and stored", async () => {
    const payload = giteaPushPayload("gitea-org/json-repo");
    const res = await fh.gitea(payload);
    assertAccepted(res);
    const d = await stored(res);
    assert.equal(d.forge, "gitea");
    assert.equal(d.event, "push");
    assert.equal(d.delivery_id, res.delivery);
    assert.equal(d.repository, "gitea-org/json-repo");
    assert.deepEqual(d.payload, payload);
    assert.equal(headerValue(d.headers, "x-gitea-signature"), "[redacted]");
    assert.ok(!JSON.stringify(d).includes(res.sent.headers["X-Gitea-Signature"]), "the signature appears in the delivery");
  });

  test("a form delivery signed over the JSON (as Gitea does) is accepted and decoded", async () => {
    const payload = giteaPushPayload("gitea-org/form-repo", { note: "spaces & symbols = +%" });
    const res = await fh.gitea(payload, { form: true });
    assert.equal(res.sent.headers["X-Gitea-Signature"], giteaSignature(S1, JSON.stringify(payload)));
    assertAccepted(res);
    const d = await stored(res);
    assert.deepEqual(d.payload, payload);
    assert.equal(d.repository, "gitea-org/form-repo");
  });

  test("a form delivery signed over the encoded form body → 401 invalid_signature", async () => {
    const payload = giteaPushPayload();
    const formBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const res = await fh.gitea(payload, { form: true, signature: giteaSignature(S1, formBody) });
    assertError(res, 401, "invalid_signature");
  });

  test("Forgejo headers (X-Forgejo-*) alone are accepted", async () => {
    const payload = giteaPushPayload("forgejo-org/repo");
    const res = await fh.gitea(payload, { forgejo: true, hookId: "31" });
    assert.equal(res.sent.headers["X-Gitea-Signature"], undefined, "only Forgejo headers sent");
    assertAccepted(res);
    const d = await stored(res);
    assert.equal(d.forge, "gitea");
    assert.equal(d.delivery_id, res.delivery);
    assert.equal(d.hook_id, "31");
    assert.deepEqual(d.payload, payload);
    assert.equal(headerValue(d.headers, "x-forgejo-signature"), "[redacted]");
  });

  test("the second configured secret is accepted (rotation)", async () => {
    assertAccepted(await fh.gitea(giteaPushPayload(), { secret: S2 }));
    assertAccepted(await fh.gitea(giteaPushPayload(), { secret: S2, forgejo: true }));
  });

  test("a wrong signature → 401 invalid_signature", async () => {
    assertError(await fh.gitea(giteaPushPayload(), { secret: makeSecret("wrong") }), 401, "invalid_signature", { forbidden: [S1, S2] });
  });

  test("an empty signature header (Gitea without a secret) → 401 missing_signature", async () => {
    assertError(await fh.gitea(giteaPushPayload(), { signature: "", headers: { "X-Hub-Signature-256": "sha256=" } }), 401, "missing_signature");
  });

  test("no X-Gitea-Delivery → 400 missing_header", async () => {
    assertError(await fh.gitea(giteaPushPayload(), { omit: ["X-Gitea-Delivery", "X-GitHub-Delivery"] }), 400, "missing_header");
  });

  test("a Gitea redelivery is a duplicate", async () => {
    const payload = giteaPushPayload();
    const first = await fh.gitea(payload);
    assertAccepted(first);
    const again = await fh.gitea(payload, { delivery: first.delivery });
    assert.equal(again.status, 200);
    assert.equal(again.json.status, "duplicate");
    assert.equal(again.json.id, first.json.id);
  });

  test("the same Gitea delivery under another X-Gitea-Hook-ID is a new delivery", async () => {
    const payload = giteaPushPayload();
    const a = await fh.gitea(payload, { hookId: "11" });
    const b = await fh.gitea(payload, { hookId: "12", delivery: a.delivery });
    assertAccepted(a);
    assertAccepted(b);
    assert.notEqual(a.json.id, b.json.id);
    const again = await fh.gitea(payload, { hookId: "12", delivery: a.delivery });
    assert.deepEqual({ status: again.json?.status, id: again.json?.id }, { status: "duplicate", id: b.json.id });
  });

  test("the server output never contains a secret or signature", async () => {
    await server.stop();
    server.assertNoSecretsLogged();
  });
});

describe("GitHub rotation", () => {
  test("with FORGEHOOK_GITHUB_SECRET=s1,s2 both are accepted, a third is not", async () => {
    const S1 = makeSecret("gh1");
    const S2 = makeSecret("gh2");
    const server = await start({ FORGEHOOK_GITHUB_SECRET: `${S1},${S2}`, FORGEHOOK_ADMIN_TOKEN: ADMIN });
    const fh = new Forge(server, { github: S1, admin: ADMIN });
    try {
      assertAccepted(await fh.github(pushPayload(), { secret: S1 }));
      assertAccepted(await fh.github(pushPayload(), { secret: S2 }));
      assertAccepted(await fh.github(pushPayload(), { secret: S2, form: true }));
      assertError(await fh.github(pushPayload(), { secret: makeSecret("gh3") }), 401, "invalid_signature");
      await server.stop();
      server.assertNoSecretsLogged();
    } finally {
      fh.close();
      await server.cleanup();
    }
  });
});

describe("configuration file and precedence", () => {
  test("--config TOML secrets are used, and an environment variable overrides the file", async () => {
    const dir = await makeTempDir("forgehook-config-");
    const fileSecret = makeSecret("file-gh");
    const fileOld = makeSecret("file-gh-old");
    const fileToken = makeSecret("file-gl");
    const envGitea = makeSecret("env-gitea");
    const fileGitea = makeSecret("file-gitea");
    const config = path.join(dir, "forgehook.toml");
    await writeFile(
      config,
      [
        "[github]",
        `secret = ["${fileSecret}", "${fileOld}"]`,
        "[gitlab]",
        `token = ["${fileToken}"]`,
        "[gitea]",
        `secret = ["${fileGitea}"]`,
        "[admin]",
        `token = "${ADMIN}"`,
        "",
      ].join("\n"),
    );
    const server = await start({ FORGEHOOK_GITEA_SECRET: envGitea }, { config });
    [fileSecret, fileOld, fileToken, fileGitea, ADMIN].forEach((s) => server.secrets.add(s));
    const fh = new Forge(server, { admin: ADMIN });
    try {
      assertAccepted(await fh.github(pushPayload(), { secret: fileSecret }), "file github secret");
      assertAccepted(await fh.github(pushPayload(), { secret: fileOld }), "file github secret, second entry");
      assertAccepted(await fh.gitlab(gitlabPushPayload(), { token: fileToken, signingKey: null }), "file gitlab token");
      assertAccepted(await fh.gitea(giteaPushPayload(), { secret: envGitea }), "environment gitea secret");
      assertError(await fh.gitea(giteaPushPayload(), { secret: fileGitea }), 401, "invalid_signature", { what: "file gitea secret overridden by the environment" });
      assert.equal((await fh.api("/api/v1/deliveries?limit=1")).status, 200, "admin token from the file");
      await server.stop();
      server.assertNoSecretsLogged();
    } finally {
      fh.close();
      await server.cleanup();
      await removeDir(dir);
    }
  });
});

describe("allow_unsigned", () => {
  test("GitHub with allow_unsigned accepts an unsigned delivery but still refuses a wrong signature", async () => {
    const S = makeSecret("gh");
    const server = await start({ FORGEHOOK_GITHUB_SECRET: S, FORGEHOOK_GITHUB_ALLOW_UNSIGNED: "true", FORGEHOOK_ADMIN_TOKEN: ADMIN });
    const fh = new Forge(server, { github: S, admin: ADMIN });
    try {
      assertAccepted(await fh.github(pushPayload(), { signatures: "none" }), "unsigned");
      assertAccepted(await fh.github(pushPayload()), "signed");
      assertError(await fh.github(pushPayload(), { secret: makeSecret("wrong") }), 401, "invalid_signature");
      await server.stop();
      server.assertNoSecretsLogged();
    } finally {
      fh.close();
      await server.cleanup();
    }
  });

  test("Gitea with no secret: refused (no_secret_configured) unless allow_unsigned", async () => {
    const strict = await start({ FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_GITHUB_SECRET: makeSecret("gh") });
    let lax, a, b;
    try {
      lax = await start({ FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_GITHUB_SECRET: makeSecret("gh"), FORGEHOOK_GITEA_ALLOW_UNSIGNED: "true" });
      a = new Forge(strict, { admin: ADMIN });
      b = new Forge(lax, { admin: ADMIN });
      // No signature header at all (an empty one would be a different case).
      const unsigned = { signature: "", omit: ["X-Gitea-Signature"], githubCopies: false };
      assertError(await a.gitea(giteaPushPayload(), unsigned), 401, "no_secret_configured");
      assertAccepted(await b.gitea(giteaPushPayload(), unsigned), "allow_unsigned");
      assertError(await a.gitlab(gitlabPushPayload(), { token: null, signingKey: null }), 401, "no_secret_configured", { what: "gitlab, no token configured" });
    } finally {
      a?.close();
      b?.close();
      await strict.cleanup();
      await lax?.cleanup();
    }
  });
});

describe("GitHub legacy sha1", () => {
  test("with FORGEHOOK_GITHUB_LEGACY_SHA1=true a correct sha1 signature alone is accepted, a wrong one refused", async () => {
    const GH = makeSecret("gh");
    const server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_GITHUB_LEGACY_SHA1: "true" });
    const fh = new Forge(server, { github: GH, admin: ADMIN });
    try {
      const ok = await fh.github(pushPayload("octo/sha1"), { signatures: "sha1" });
      assertAccepted(ok);
      const row = (await fh.listAll({ repository: "octo/sha1" })).find((r) => r.delivery_id === ok.delivery);
      assert.equal(row?.verification, "sha1");
      assertError(await fh.github(pushPayload("octo/sha1"), { signatures: "sha1", secret: makeSecret("wrong") }), 401, "invalid_signature");
      await server.stop();
      server.assertNoSecretsLogged();
    } finally {
      fh.close();
      await server.cleanup();
    }
  });
});
