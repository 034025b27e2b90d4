// `forgehook send --example NAME` posts one of GitHub's payload examples, signed with the secret
// serve generated, so a first delivery needs no file: from the repository's examples/payloads/github
// (found from the binary), else from node_modules/@octokit/webhooks-examples. An unknown name fails
// and lists the names there are. Also: the secret variable the CLI names is the one serve names.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Forge, giteaPushPayload, gitlabPushPayload } from "./lib/forge.mjs";
import { ROOT, makeTempDir, removeDir, runCli, start, waitFor } from "./lib/server.mjs";

const PAYLOAD_DIR = path.join(ROOT, "examples/payloads/github");
const PACKAGE = path.join(ROOT, "node_modules/@octokit/webhooks-examples/api.github.com/index.json");

describe("forgehook send --example", () => {
  let server, fh, elsewhere;
  before(async () => {
    // Nothing configured: serve generates github_secret and admin_token, as on a first `make run`.
    server = await start({});
    fh = new Forge(server, { admin: (await readFile(path.join(server.dataDir, "admin_token"), "utf8")).trim() });
    elsewhere = await makeTempDir("forgehook-cwd-");
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
    if (elsewhere) await removeDir(elsewhere);
  });

  const cli = (args, env = {}) => runCli(args, { cwd: elsewhere, env: { FORGEHOOK_DATA_DIR: server.dataDir, ...env } });

  test("pull_request.opened against a fresh server is accepted, stored and projected", async () => {
    const out = await cli(["send", "--example", "pull_request.opened", "--json"]);
    assert.equal(out.code, 0, out.stderr);
    const answer = JSON.parse(out.stdout);
    assert.equal(answer.status, "accepted", out.stdout);
    assert.equal(out.stderr, "", "signed with the generated secret, no warning");

    const stored = (await fh.api(`/api/v1/deliveries/${answer.id}`)).json;
    assert.equal(stored.event, "pull_request");
    assert.equal(stored.action, "opened");
    const shipped = JSON.parse(await readFile(path.join(PAYLOAD_DIR, "pull_request.opened.json"), "utf8"));
    assert.deepEqual(stored.payload, shipped);

    const pulls = await waitFor(async () => {
      const list = JSON.parse((await cli(["pulls", "--json"])).stdout).pulls;
      return list.length ? list : null;
    }, { message: "the pull request in `forgehook pulls`" });
    assert.equal(pulls[0].number, shipped.number);
    assert.equal(pulls[0].title, shipped.pull_request.title);
  });

  test("the repository's file wins over the package's example of the same name", async () => {
    // The shipped workflow_run.completed is the package's second completed run (concluded success);
    // the package's first has no conclusion.
    const out = await cli(["send", "--example", "workflow_run.completed", "--json"]);
    assert.equal(out.code, 0, out.stderr);
    const stored = (await fh.api(`/api/v1/deliveries/${JSON.parse(out.stdout).id}`)).json;
    assert.equal(stored.event, "workflow_run");
    assert.equal(stored.payload.workflow_run.conclusion, "success");
  });

  test("--examples-dir reads <event>.<action>.json from another directory", async () => {
    const dir = await makeTempDir("forgehook-examples-");
    try {
      const payload = JSON.parse(await readFile(path.join(PAYLOAD_DIR, "issues.opened.json"), "utf8"));
      payload.issue.title = "from --examples-dir";
      await writeFile(path.join(dir, "issues.custom.json"), JSON.stringify(payload));
      const out = await cli(["send", "--example", "issues.custom", "--examples-dir", dir, "--json"]);
      assert.equal(out.code, 0, out.stderr);
      const stored = (await fh.api(`/api/v1/deliveries/${JSON.parse(out.stdout).id}`)).json;
      assert.equal(stored.event, "issues");
      assert.equal(stored.payload.issue.title, "from --examples-dir");
    } finally {
      await removeDir(dir);
    }
  });

  test("an example only the npm package has is found there", { skip: !existsSync(PACKAGE) && "npm ci has not run" }, async () => {
    const out = await cli(["send", "--example", "star.created", "--json"]);
    assert.equal(out.code, 0, out.stderr);
    const stored = (await fh.api(`/api/v1/deliveries/${JSON.parse(out.stdout).id}`)).json;
    assert.equal(stored.event, "star");
    assert.equal(stored.action, "created");
  });

  test("an unknown example exits non-zero, lists the names there are, and sends nothing", async () => {
    const before = (await fh.api("/api/v1/deliveries?limit=500")).json.deliveries.length;
    const out = await cli(["send", "--example", "pull_request.no_such_action"]);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /no example payload named pull_request\.no_such_action/);
    for (const name of ["pull_request.opened", "issues.opened", "workflow_run.completed", "push"])
      assert.ok(out.stderr.includes(name), `${name} is listed: ${out.stderr.slice(0, 500)}`);
    assert.equal((await fh.api("/api/v1/deliveries?limit=500")).json.deliveries.length, before);
  });

  // The CLI keeps its own table of these names (it cannot link ingest/); the server names its own
  // when a forge has no secret. GitHub always has one (serve generates it), so only these two.
  for (const [forge, event, payload] of [
    ["gitlab", "Push Hook", gitlabPushPayload()],
    ["gitea", "push", giteaPushPayload()],
  ]) {
    test(`the ${forge} secret variable the CLI names is the one serve names`, async () => {
      const file = path.join(elsewhere, `${forge}.json`);
      await writeFile(file, JSON.stringify(payload));
      const out = await cli(["send", "--forge", forge, "--event", event, "--file", file]);
      assert.notEqual(out.code, 0);
      const cliName = out.stderr.match(new RegExp(`no ${forge} secret found \\(--secret, (FORGEHOOK_\\w+)`))?.[1];
      const serverName = out.stderr.match(/HTTP 401: no \w+ secret is configured; set (FORGEHOOK_\w+)/)?.[1];
      assert.ok(cliName && serverName, out.stderr);
      assert.equal(cliName, serverName);
    });
  }
});
