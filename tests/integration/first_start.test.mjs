// Zero-setup first start: with no GitHub secret and no admin token configured, both are generated
// into the data dir (mode 0600) and printed once; a restart reuses them and prints neither.
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { after, describe, test } from "node:test";
import { Forge, assertAccepted, assertError, pushPayload } from "./lib/forge.mjs";
import { makeTempDir, removeDir, start, waitFor } from "./lib/server.mjs";

describe("first start", () => {
  let dataDir;
  const servers = [];
  let secret;
  let token;

  after(async () => {
    for (const s of servers) await s.kill9();
    if (dataDir) await removeDir(dataDir);
  });

  test("generates github_secret and admin_token (mode 0600) and prints the webhook URL", async () => {
    dataDir = await makeTempDir("forgehook-first-");
    const server = await start({}, { dataDir });
    servers.push(server);
    for (const name of ["github_secret", "admin_token"]) {
      const st = await stat(path.join(dataDir, name));
      assert.ok(st.isFile(), `${name} is a file`);
      assert.equal(st.mode & 0o777, 0o600, `${name} has mode ${(st.mode & 0o777).toString(8)}`);
    }
    secret = (await readFile(path.join(dataDir, "github_secret"), "utf8")).trim();
    token = (await readFile(path.join(dataDir, "admin_token"), "utf8")).trim();
    assert.ok(secret.length >= 16, "the generated secret is long enough");
    assert.ok(token.length >= 16, "the generated token is long enough");
    assert.notEqual(secret, token);
    server.secrets.add(secret);
    server.secrets.add(token);
    const url = `127.0.0.1:${server.port}/webhooks/github`;
    await waitFor(() => server.stdout().includes(url), { timeoutMs: 5000, message: `stdout to mention ${url}` }).catch((err) => {
      assert.fail(`${err.message}; stdout was: ${server.stdout().slice(0, 500)}`);
    });
  });

  test("the generated secret signs an accepted delivery and the generated token opens the API", async () => {
    const server = servers[0];
    const fh = new Forge(server, { github: secret, admin: token });
    try {
      const res = await fh.github(pushPayload("octo/first-start"));
      assertAccepted(res);
      const detail = await fh.api(`/api/v1/deliveries/${res.json.id}`);
      assert.equal(detail.status, 200, detail.text);
      assert.equal(detail.json.repository, "octo/first-start");
      assertError(await fh.api("/api/v1/deliveries", { token: null }), 401, "unauthorized");
    } finally {
      fh.close();
    }
  });

  test("the first start prints the generated values on stdout only, never in the logs", async () => {
    const server = servers[0];
    await server.stop();
    server.assertNoSecretsLogged([], { stdoutAllowed: [secret, token] });
    assert.ok(server.stdout().includes(secret), "the generated GitHub secret was not printed on its first start");
  });

  test("a second start on the same dir keeps both values and prints neither", async () => {
    assert.ok(secret && token, "the first start ran");
    const server = await start({}, { dataDir });
    servers.push(server);
    server.secrets.add(secret);
    server.secrets.add(token);
    assert.equal((await readFile(path.join(dataDir, "github_secret"), "utf8")).trim(), secret);
    assert.equal((await readFile(path.join(dataDir, "admin_token"), "utf8")).trim(), token);
    const fh = new Forge(server, { github: secret, admin: token });
    try {
      assertAccepted(await fh.github(pushPayload("octo/second-start")));
      const list = await fh.listAll({ repository: "octo/first-start" });
      assert.equal(list.length, 1, "the first start's delivery is still there");
    } finally {
      fh.close();
    }
    await server.stop();
    assert.ok(!server.stdout().includes(secret), "the secret was printed again on the second start");
    assert.ok(!server.stdout().includes(token), "the admin token was printed again on the second start");
    server.assertNoSecretsLogged();
  });

  test("serve --show-secrets prints the generated values again, on stdout only", async () => {
    assert.ok(secret && token, "the first start ran");
    const server = await start({}, { dataDir, args: ["--show-secrets"] });
    servers.push(server);
    await waitFor(() => server.stdout().includes(secret) && server.stdout().includes(token),
      { timeoutMs: 5000, message: "the secret and the admin token on stdout" }).catch(() => {
      assert.fail(`--show-secrets did not print the GitHub secret and the admin token; stdout: ${server.stdout().slice(0, 400)}`);
    });
    await server.stop();
    server.assertNoSecretsLogged([secret, token], { stdoutAllowed: [secret, token] });
  });
});
