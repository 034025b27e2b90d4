// Client commands find the local server by themselves: <data_dir>/forgehook.addr and
// <data_dir>/admin_token, the data dir found as serve finds it (--data-dir, FORGEHOOK_DATA_DIR,
// data_dir of --config); FORGEHOOK_SERVER or --server for another one. Nothing found: the error
// names every place looked at and how to point the CLI.
import assert from "node:assert/strict";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Forge, pushPayload } from "./lib/forge.mjs";
import { makeTempDir, removeDir, runCli, start } from "./lib/server.mjs";

describe("CLI server discovery", () => {
  let server, fh, elsewhere, token;
  before(async () => {
    // No configured secrets: serve generates admin_token and github_secret into its data dir.
    server = await start({});
    token = (await readFile(path.join(server.dataDir, "admin_token"), "utf8")).trim();
    fh = new Forge(server, { admin: token });
    elsewhere = await makeTempDir("forgehook-cwd-");
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
    if (elsewhere) await removeDir(elsewhere);
  });

  const deliveriesApi = async () => (await fh.api("/api/v1/deliveries?limit=50")).json;

  test("from another directory, FORGEHOOK_DATA_DIR finds the address and the generated token", async () => {
    const out = await runCli(["deliveries", "list", "--json"], { cwd: elsewhere, env: { FORGEHOOK_DATA_DIR: server.dataDir } });
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), await deliveriesApi());
  });

  test("from another directory, --data-dir finds the server", async () => {
    const out = await runCli(["pulls", "--data-dir", server.dataDir, "--json"], { cwd: elsewhere });
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), (await fh.api("/api/v1/pulls?limit=50")).json);
  });

  test("the data dir of --config is used, as serve uses it", async () => {
    const config = path.join(elsewhere, "forgehook.toml");
    await writeFile(config, `data_dir = "${server.dataDir}"\n`);
    const out = await runCli(["secrets", "--config", config, "--json"], { cwd: elsewhere });
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), { secrets: [] });
  });

  test("./var of the working directory is the default data dir", async () => {
    const cwd = await makeTempDir("forgehook-cwd-var-");
    try {
      await mkdir(path.join(cwd, "var"));
      const addr = await readFile(path.join(server.dataDir, "forgehook.addr"), "utf8");
      await writeFile(path.join(cwd, "var", "forgehook.addr"), addr);
      await writeFile(path.join(cwd, "var", "admin_token"), token + "\n");
      const out = await runCli(["repositories", "--json"], { cwd });
      assert.equal(out.code, 0, out.stderr);
      assert.ok(Array.isArray(JSON.parse(out.stdout).repositories));
    } finally {
      await removeDir(cwd);
    }
  });

  test("an address file naming the wildcard address is reached over loopback", async () => {
    const dir = await makeTempDir("forgehook-wildcard-");
    try {
      await writeFile(path.join(dir, "forgehook.addr"), `0.0.0.0:${server.port}\n`);
      await writeFile(path.join(dir, "admin_token"), token + "\n");
      const out = await runCli(["secrets", "--data-dir", dir, "--json"], { cwd: elsewhere });
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(JSON.parse(out.stdout), { secrets: [] });
    } finally {
      await removeDir(dir);
    }
  });

  test("FORGEHOOK_SERVER (with or without http://) and --server reach a server named explicitly", async () => {
    for (const value of [server.url, `127.0.0.1:${server.port}`, `${server.url}/`]) {
      const out = await runCli(["deliveries", "list", "--json", "--token", token], { cwd: elsewhere, env: { FORGEHOOK_SERVER: value } });
      assert.equal(out.code, 0, `FORGEHOOK_SERVER=${value}: ${out.stderr}`);
    }
    const out = await runCli(["deliveries", "list", "--json", "--server", `127.0.0.1:${server.port}`, "--token", token], { cwd: elsewhere });
    assert.equal(out.code, 0, out.stderr);
  });

  test("send posts to the discovered server, signed with the secret serve generated", async () => {
    const file = path.join(elsewhere, "push.json");
    await writeFile(file, JSON.stringify(pushPayload("octo/discovered")));
    const out = await runCli(["send", "--forge", "github", "--event", "push", "--file", file, "--json"], {
      cwd: elsewhere,
      env: { FORGEHOOK_DATA_DIR: server.dataDir },
    });
    assert.equal(out.code, 0, out.stderr);
    const answer = JSON.parse(out.stdout);
    assert.equal(answer.status, "accepted");
    const stored = (await fh.api(`/api/v1/deliveries/${answer.id}`)).json;
    assert.equal(stored.repository, "octo/discovered");
    assert.equal(stored.verification, "sha256");
    // Without --json the answer is one readable line.
    const human = await runCli(["send", "--forge", "github", "--event", "push", "--file", file], {
      cwd: elsewhere,
      env: { FORGEHOOK_DATA_DIR: server.dataDir },
    });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^accepted: stored as id \d+, delivery [0-9a-f-]{36}\n$/);
  });

  test("nothing found: exit non-zero, naming the paths tried and --data-dir, --server, FORGEHOOK_SERVER", async () => {
    for (const args of [["pulls"], ["deliveries", "list"], ["metrics", "status"], ["replay", "--all"]]) {
      const out = await runCli(args, { cwd: elsewhere });
      assert.notEqual(out.code, 0, args.join(" "));
      assert.equal(out.stdout, "", args.join(" "));
      assert.ok(out.stderr.includes(path.join(elsewhere, "var", "forgehook.addr")), `${args.join(" ")}: ${out.stderr}`);
      for (const hint of ["--data-dir", "--server", "FORGEHOOK_SERVER", "forgehook serve"])
        assert.ok(out.stderr.includes(hint), `${args.join(" ")}: the message names ${hint}: ${out.stderr}`);
    }
    const viaEnv = await runCli(["pulls"], { cwd: elsewhere, env: { FORGEHOOK_DATA_DIR: path.join(elsewhere, "nowhere") } });
    assert.notEqual(viaEnv.code, 0);
    assert.ok(viaEnv.stderr.includes(path.join(elsewhere, "nowhere", "forgehook.addr")), viaEnv.stderr);
    assert.match(viaEnv.stderr, /FORGEHOOK_DATA_DIR/);
  });

  test("a server named explicitly never gets the local token: it needs --token or FORGEHOOK_ADMIN_TOKEN", async () => {
    // A local data directory with a token sits in the working directory; it must not be sent.
    const local = await makeTempDir("forgehook-local-");
    try {
      await writeFile(path.join(local, "admin_token"), `${token}\n`);
      for (const env of [{ FORGEHOOK_SERVER: server.url }, { FORGEHOOK_SERVER: server.url, FORGEHOOK_DATA_DIR: local }]) {
        const out = await runCli(["pulls"], { cwd: elsewhere, env });
        assert.notEqual(out.code, 0, JSON.stringify(env));
        assert.match(out.stderr, /--token or set FORGEHOOK_TOKEN or FORGEHOOK_ADMIN_TOKEN/);
      }
      const withToken = await runCli(["pulls", "--json"], { cwd: elsewhere, env: { FORGEHOOK_SERVER: server.url, FORGEHOOK_ADMIN_TOKEN: token } });
      assert.equal(withToken.code, 0, withToken.stderr);
    } finally {
      await removeDir(local);
    }
  });

  test("a stale address file: the connection error says where the address came from", async () => {
    const dir = await makeTempDir("forgehook-stale-");
    try {
      await writeFile(path.join(dir, "forgehook.addr"), "127.0.0.1:1\n");
      await writeFile(path.join(dir, "admin_token"), "t\n");
      const out = await runCli(["pulls", "--data-dir", dir], { cwd: elsewhere });
      assert.notEqual(out.code, 0);
      assert.ok(out.stderr.includes(path.join(dir, "forgehook.addr")), out.stderr);
      assert.match(out.stderr, /cannot reach 127\.0\.0\.1:1/);
    } finally {
      await removeDir(dir);
    }
  });
});
