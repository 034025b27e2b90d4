// Secrets sealed at rest, through the real binary: plain-text secrets an earlier version left in the
// database are sealed at the next start and still verify webhooks and sign callbacks; rotate-key
// (CLI and API) changes the key id, keeps master.key at 0600 and keeps everything verifying, across
// a restart too; a malformed FORGEHOOK_MASTER_KEY and a wrong master key stop the start with a clear
// error (naming the key id), not a crash; an environment key is rotated by restart, not the API.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { callbackReceiver as receiver, verifies } from "./lib/callbacks.mjs";
import { Forge, assertAccepted, assertError, makeSecret, pushPayload } from "./lib/forge.mjs";
import { makeTempDir, removeDir, runCli, start, waitFor } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };
const SEALED = /^fh1:([0-9a-f]{8}):[A-Za-z0-9+/]+=*$/;

// Runs SQL on a stopped (or idle) server's database with the sqlite3 CLI; resolves its stdout lines.
function sqlite(dataDir, sql) {
  return new Promise((resolve, reject) => {
    execFile("/usr/bin/sqlite3", [path.join(dataDir, "forgehook.db"), sql], (err, stdout, stderr) =>
      err ? reject(new Error(`sqlite3: ${stderr || err.message}`)) : resolve(stdout.split("\n").filter(Boolean)));
  });
}

const keyIdOf = (hex) => createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex").slice(0, 8);
const newHexKey = () => randomBytes(32).toString("hex");

// Every secret column's values, for checking none is plain.
async function storedSecrets(dataDir) {
  const out = [];
  for (const sql of ["SELECT secrets FROM scoped_secrets", "SELECT secret FROM subscriptions"])
    out.push(...(await sqlite(dataDir, sql)));
  return out;
}

async function keyIdsInUse(dataDir) {
  return new Set((await storedSecrets(dataDir)).map((v) => v.match(SEALED)?.[1] ?? "plain"));
}

describe("secrets at rest (key file)", () => {
  let dir, dataDir, config, server, fh, rx;
  const hookSecret = makeSecret("earlier-version-hook");
  const subSecret = `whsec_${randomBytes(32).toString("base64")}`;
  let subId;

  before(async () => {
    dir = await makeTempDir("forgehook-rest-");
    dataDir = path.join(dir, "data");
    config = path.join(dir, "forgehook.toml");
    await writeFile(config, "[subscriptions]\nallow_private_networks = true\nretry_initial_ms = 100\n");
    rx = await receiver();
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
    await rx?.close();
    await removeDir(dir);
  });

  async function restart() {
    fh?.close();
    if (server?.alive) await server.stop();
    server = await start(ENV, { dataDir, config });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  }

  // A webhook signed with the stored hook secret is accepted, one signed with another is not, and
  // the change it makes reaches the subscription signed with its secret.
  async function assertEverythingVerifies(what) {
    assertAccepted(await fh.github(pushPayload("octo/rest"), { hookId: "4242", secret: hookSecret }), `${what}: stored hook secret`);
    assertError(await fh.github(pushPayload("octo/rest"), { hookId: "4242", secret: GH }), 401, "invalid_signature", { what });
    const before = rx.got.length;
    assertAccepted(await fh.github(pushPayload("octo/rest"), { hookId: "4243" }), `${what}: global secret`);
    await waitFor(() => rx.got.length > before, { timeoutMs: 15_000, message: `${what}: a callback` });
    const last = rx.got.at(-1);
    assert.ok(verifies(subSecret, last), `${what}: the callback is signed with the subscription secret`);
  }

  test("plain-text secrets left by an earlier version are sealed at start and still verify", async () => {
    await restart();
    assert.equal((await stat(path.join(dataDir, "master.key"))).mode & 0o777, 0o600);
    const put = await fh.api("/api/v1/secrets/github/hook/4242", { method: "PUT", body: { secrets: [makeSecret("sealed")] } });
    assert.equal(put.status, 200, put.text);
    const created = await fh.api("/api/v1/subscriptions", { method: "POST", body: { url: rx.url, resources: ["deliveries"] } });
    assert.equal(created.status, 201, created.text);
    subId = created.json.id;
    for (const v of await storedSecrets(dataDir)) assert.match(v, SEALED);
    fh.close();
    await server.stop();

    // The earlier version: the same columns, plain.
    await sqlite(dataDir, `UPDATE scoped_secrets SET secrets = '${JSON.stringify([hookSecret])}';` +
      `UPDATE subscriptions SET secret = '${subSecret}' WHERE id = ${subId};`);
    assert.deepEqual(await keyIdsInUse(dataDir), new Set(["plain"]));

    await restart();
    const stored = await storedSecrets(dataDir);
    for (const v of stored) {
      assert.match(v, SEALED);
      assert.ok(!v.includes(hookSecret) && !v.includes(subSecret.slice(6)));
    }
    for (const file of ["forgehook.db", "forgehook.db-wal"]) {
      const raw = await readFile(path.join(dataDir, file)).catch(() => Buffer.alloc(0));
      assert.ok(!raw.includes(hookSecret), `${file} still holds the plain hook secret`);
      assert.ok(!raw.includes(subSecret), `${file} still holds the plain subscription secret`);
    }
    await assertEverythingVerifies("after migration");
    server.assertNoSecretsLogged([hookSecret, subSecret]);
  });

  test("rotate-key by the CLI and by the API: new key id, master.key 0600, everything still verifies", async () => {
    const [firstId] = await keyIdsInUse(dataDir);
    const cli = await runCli(["secrets", "rotate-key", "--json", "--data-dir", dataDir], { env: { FORGEHOOK_ADMIN_TOKEN: ADMIN } });
    assert.equal(cli.code, 0, cli.stderr);
    const byCli = JSON.parse(cli.stdout);
    assert.match(byCli.key_id, /^[0-9a-f]{8}$/);
    assert.notEqual(byCli.key_id, firstId);
    assert.equal(byCli.resealed, 2);
    assert.deepEqual(await keyIdsInUse(dataDir), new Set([byCli.key_id]));
    assert.equal((await stat(path.join(dataDir, "master.key"))).mode & 0o777, 0o600);
    assert.ok(!existsSync(path.join(dataDir, "master.key.new")));
    assert.equal(keyIdOf((await readFile(path.join(dataDir, "master.key"), "utf8")).trim()), byCli.key_id);
    await assertEverythingVerifies("after CLI rotation");

    assertError(await fh.api("/api/v1/secrets/rotate-key", { method: "POST", body: {}, token: "wrong" }), 401, "unauthorized");
    const byApi = await fh.api("/api/v1/secrets/rotate-key", { method: "POST", body: {} });
    assert.equal(byApi.status, 200, byApi.text);
    assert.deepEqual(Object.keys(byApi.json).sort(), ["key_id", "resealed"]);
    assert.notEqual(byApi.json.key_id, byCli.key_id);
    assert.deepEqual(await keyIdsInUse(dataDir), new Set([byApi.json.key_id]));
    assert.equal((await stat(path.join(dataDir, "master.key"))).mode & 0o777, 0o600);
    await assertEverythingVerifies("after API rotation");

    // The rotated key file opens everything after a restart.
    await restart();
    await assertEverythingVerifies("after rotation and restart");
    server.assertNoSecretsLogged([hookSecret, subSecret]);
  });

  test("a master.key group or others may read, or the wrong key file, stops the start with a clear error", async () => {
    fh.close();
    await server.stop();
    const keyFile = path.join(dataDir, "master.key");
    const original = await readFile(keyFile, "utf8");
    const [sealedUnder] = await keyIdsInUse(dataDir);
    await chmod(keyFile, 0o644);
    let res = await runCli(["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir], { env: ENV });
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, new RegExp(`chmod 600 ${keyFile}`));

    await chmod(keyFile, 0o600);
    await writeFile(keyFile, newHexKey() + "\n");
    res = await runCli(["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir], { env: ENV });
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, new RegExp(`sealed under key ${sealedUnder}`));
    assert.ok(!/terminate|Aborted|core dumped/.test(res.stderr), res.stderr);

    await writeFile(keyFile, original);
    await restart();
    await assertEverythingVerifies("with the right key again");
  });
});

describe("secrets at rest (FORGEHOOK_MASTER_KEY)", () => {
  let dir;
  before(async () => (dir = await makeTempDir("forgehook-envkey-")));
  after(async () => removeDir(dir));

  const serve = (dataDir, env) => runCli(["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir], { env: { ...ENV, ...env } });

  test("a malformed FORGEHOOK_MASTER_KEY stops the start with an error naming the variable, not the value", async () => {
    for (const bad of ["not-a-key", "abcd", "zz".repeat(32), Buffer.alloc(16).toString("base64")]) {
      const res = await serve(path.join(dir, "malformed"), { FORGEHOOK_MASTER_KEY: bad });
      assert.equal(res.code, 1, res.stderr);
      assert.match(res.stderr, /FORGEHOOK_MASTER_KEY is not a valid master key: a master key is 64 hex characters or the base64 of 32 bytes/);
      assert.ok(!res.stderr.includes(bad), "the error echoes the malformed key");
    }
  });

  test("an environment key: rotate-key answers 409; rotation by restart with PREVIOUS; the wrong key names its id", async () => {
    const dataDir = path.join(dir, "env");
    const keyA = newHexKey();
    const keyB = newHexKey();
    const hookSecret = makeSecret("envhook");
    let server = await start({ ...ENV, FORGEHOOK_MASTER_KEY: keyA }, { dataDir });
    let fh = new Forge(server, { github: GH, admin: ADMIN });
    try {
      assert.ok(!existsSync(path.join(dataDir, "master.key")), "no key file with an environment key");
      assert.equal((await fh.api("/api/v1/secrets/github/hook/77", { method: "PUT", body: { secrets: [hookSecret] } })).status, 200);
      assert.deepEqual(await keyIdsInUse(dataDir), new Set([keyIdOf(keyA)]));
      const res = await fh.api("/api/v1/secrets/rotate-key", { method: "POST", body: {} });
      assertError(res, 409, "master_key_from_environment");
      assert.match(res.json.message, /FORGEHOOK_PREVIOUS_MASTER_KEY/);
      const cli = await runCli(["secrets", "rotate-key", "--data-dir", dataDir], { env: { FORGEHOOK_ADMIN_TOKEN: ADMIN } });
      assert.notEqual(cli.code, 0);
      assert.match(cli.stderr, /409.*restart/);
      fh.close();
      await server.stop();

      // The wrong key: a clear start-up error naming the key id the values were sealed under.
      const wrong = await serve(dataDir, { FORGEHOOK_MASTER_KEY: keyB });
      assert.equal(wrong.code, 1, wrong.stderr);
      assert.match(wrong.stderr, new RegExp(`sealed under key ${keyIdOf(keyA)}`));
      assert.match(wrong.stderr, new RegExp(keyIdOf(keyB)));
      assert.ok(!wrong.stderr.includes(keyA) && !wrong.stderr.includes(keyB) && !wrong.stderr.includes(hookSecret));

      // Rotation by restart: old key in PREVIOUS, new in MASTER.
      server = await start({ ...ENV, FORGEHOOK_MASTER_KEY: keyB, FORGEHOOK_PREVIOUS_MASTER_KEY: keyA }, { dataDir });
      fh = new Forge(server, { github: GH, admin: ADMIN });
      assert.deepEqual(await keyIdsInUse(dataDir), new Set([keyIdOf(keyB)]));
      assertAccepted(await fh.github(pushPayload(), { hookId: "77", secret: hookSecret }));
      fh.close();
      await server.stop();

      // PREVIOUS can go now.
      server = await start({ ...ENV, FORGEHOOK_MASTER_KEY: keyB }, { dataDir });
      fh = new Forge(server, { github: GH, admin: ADMIN });
      assertAccepted(await fh.github(pushPayload(), { hookId: "77", secret: hookSecret }));
      assertError(await fh.github(pushPayload(), { hookId: "77", secret: GH }), 401, "invalid_signature");
      server.assertNoSecretsLogged([hookSecret, keyA, keyB]);
    } finally {
      fh.close();
      await server.cleanup();
    }
  });
});
