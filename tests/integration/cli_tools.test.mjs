// The CLI's own tools: --version from CMake's project(VERSION), completion scripts generated from
// the command tree (bash checked with `bash -n` and by completing words), and config --check /
// --json agreeing with what serve refuses.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { ROOT, makeTempDir, removeDir, runCli } from "./lib/server.mjs";

const run = promisify(execFile);

describe("CLI tools", () => {
  let dir;
  before(async () => {
    dir = await makeTempDir("forgehook-tools-");
  });
  after(async () => {
    if (dir) await removeDir(dir);
  });

  test("--version prints the version of CMake's project()", async () => {
    const cmake = await readFile(path.join(ROOT, "CMakeLists.txt"), "utf8");
    const version = cmake.match(/project\(forgehook VERSION (\S+)/)[1];
    const out = await runCli(["--version"]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.trim(), `forgehook ${version}`);
  });

  async function bashCompletion() {
    const out = await runCli(["completion", "bash"]);
    assert.equal(out.code, 0, out.stderr);
    const file = path.join(dir, "forgehook.bash");
    await writeFile(file, out.stdout);
    return { file, text: out.stdout };
  }

  // What the bash completion offers after `words` (the last one being completed).
  async function complete(file, words) {
    const script = `source ${JSON.stringify(file)}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(" ")}); COMP_CWORD=${words.length - 1}; _forgehook; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const { stdout } = await run("bash", ["-c", script]);
    return stdout.split("\n").filter(Boolean);
  }

  test("completion bash is valid bash naming the commands and their options", async () => {
    const { file, text } = await bashCompletion();
    await run("bash", ["-n", file]); // throws on a syntax error
    assert.match(text, /\bpulls\b/);
    assert.match(text, /--repository\b/);
    assert.match(text, /complete .*-F _forgehook forgehook/);
    assert.deepEqual(await complete(file, ["forgehook", "pul"]), ["pulls"]);
    assert.deepEqual(await complete(file, ["forgehook", "pulls", "--rep"]), ["--repository"]);
    assert.deepEqual(await complete(file, ["forgehook", "items", "--data-dir", "x", ""]), ["list", "add", "update", "link", "remove"]);
    assert.deepEqual(await complete(file, ["forgehook", "metrics", "sprint", "--mil"]), ["--milestone"]);
    assert.deepEqual(await complete(file, ["forgehook", "items", "list", "--ow"]), ["--owner"]);
    assert.deepEqual(await complete(file, ["forgehook", "branches", "--st"]), [], "branches takes no --state");
    assert.deepEqual(await complete(file, ["forgehook", "pulls", "--state", "m"]), ["merged"], "--state values from the catalog");
    assert.deepEqual(await complete(file, ["forgehook", "items", "list", "--state", "in"]), ["in_progress"]);
  });

  test("completion zsh is a #compdef script with the commands, their descriptions and options", async () => {
    const out = await runCli(["completion", "zsh"]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^#compdef forgehook\n/);
    assert.match(out.stdout, /'pulls:Pull and merge requests/);
    assert.match(out.stdout, /'--repository:owner\/name'/);
    assert.match(out.stdout, /compdef _forgehook forgehook/);
    const zsh = await run("sh", ["-c", "command -v zsh || true"]);
    if (zsh.stdout.trim()) {
      const file = path.join(dir, "_forgehook");
      await writeFile(file, out.stdout);
      await run("zsh", ["-n", file]);
    }
  });

  test("completion of another shell is refused", async () => {
    const out = await runCli(["completion", "fish"]);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /bash,zsh/);
  });

  test("config --check refuses what serve refuses: FORGEHOOK_LOG_LEVEL=verbose", async () => {
    const env = { FORGEHOOK_LOG_LEVEL: "verbose" };
    const serve = await runCli(["serve", "--listen", "127.0.0.1:0", "--data-dir", path.join(dir, "var")], { env, timeoutMs: 10_000 });
    assert.notEqual(serve.code, 0, "serve refuses the level");
    assert.match(serve.stderr, /log\.level must be/);
    const check = await runCli(["config", "--check"], { env });
    assert.notEqual(check.code, 0);
    assert.match(check.stderr, /log\.level must be debug, info, warn or error, got "verbose"/);
    const plain = await runCli(["config"], { env });
    assert.notEqual(plain.code, 0, "printing the configuration does not approve it");
    assert.match(plain.stdout, /^log\.level = verbose/m);
    assert.match(plain.stderr, /serve would refuse/);
  });

  test("config --check: a bad listen address, a malformed GitLab signing key, a bad value; --json lists them", async () => {
    const bad = { FORGEHOOK_LISTEN: "127.0.0.1:99999", FORGEHOOK_GITLAB_SIGNING_KEY: "not-a-key" };
    const out = await runCli(["config", "--check", "--json"], { env: bad });
    assert.notEqual(out.code, 0);
    const { valid, problems } = JSON.parse(out.stdout);
    assert.equal(valid, false);
    assert.equal(problems.length, 2, problems.join("; "));
    assert.match(problems.join("\n"), /listen: port must be a number from 0 to 65535/);
    assert.match(problems.join("\n"), /gitlab\.signing_key must be whsec_/);
    assert.ok(!out.stdout.includes("not-a-key"), "the key is not printed");
    for (const [key, value] of [["FORGEHOOK_LISTEN", "example.com:80"], ["FORGEHOOK_LISTEN", "nocolon"], ["FORGEHOOK_INTAKE_MAX_BATCH", "0"]]) {
      const one = await runCli(["config", "--check"], { env: { [key]: value } });
      assert.notEqual(one.code, 0, `${key}=${value}`);
    }
  });

  test("config --check passes a configuration serve starts with; --json prints it typed and masked", async () => {
    const env = { FORGEHOOK_LISTEN: "[::1]:0", FORGEHOOK_ADMIN_TOKEN: "tok-123456789", FORGEHOOK_LOG_LEVEL: "debug" };
    const check = await runCli(["config", "--check"], { env });
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /configuration OK/);
    const asJson = await runCli(["config", "--check", "--json"], { env });
    assert.deepEqual(JSON.parse(asJson.stdout), { valid: true, problems: [] });
    const config = await runCli(["config", "--json"], { env });
    assert.equal(config.code, 0, config.stderr);
    const c = JSON.parse(config.stdout);
    assert.equal(c.listen, "[::1]:0");
    assert.equal(c.log.level, "debug");
    assert.equal(c.admin.token, "***");
    assert.equal(c.server.max_body_bytes, 25 * 1024 * 1024);
    assert.equal(c.pipeline.enabled, true);
    assert.ok(!config.stdout.includes("tok-123456789"));
  });
});
