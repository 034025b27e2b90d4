// `forgehook send` signs like each forge and posts; `forgehook deliveries list/show --json` print
// what the admin API returns.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Forge, assertError, gitlabPushPayload, giteaPushPayload, headerValue, makeSecret, pushPayload, uid } from "./lib/forge.mjs";
import { runCli, start } from "./lib/server.mjs";

const GH = makeSecret("gh");
const GL = makeSecret("gltoken");
const GITEA = makeSecret("gitea");
const ADMIN = makeSecret("admin");

const cli = (args, opts) => runCli(args, opts);

function parseJson(out, what) {
  try {
    return JSON.parse(out.stdout);
  } catch {
    assert.fail(`${what}: stdout is not JSON (exit ${out.code}): ${out.stdout.slice(0, 300)} / stderr: ${out.stderr.slice(0, 300)}`);
  }
}

describe("forgehook CLI", () => {
  let server;
  let fh;
  const cliOutputs = [];
  before(async () => {
    server = await start({
      FORGEHOOK_GITHUB_SECRET: GH,
      FORGEHOOK_GITLAB_TOKEN: GL,
      FORGEHOOK_GITEA_SECRET: GITEA,
      FORGEHOOK_ADMIN_TOKEN: ADMIN,
    });
    fh = new Forge(server, { github: GH, gitlabToken: GL, gitea: GITEA, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  async function payloadFile(name, payload) {
    const file = path.join(server.dataDir, `cli-${name}-${uid()}.json`);
    await writeFile(file, JSON.stringify(payload, null, 2));
    return file;
  }

  async function send(forge, event, payload, extra = []) {
    const file = await payloadFile(forge, payload);
    const out = await cli(["send", "--url", `${server.url}/webhooks/${forge}`, "--forge", forge, "--event", event, "--file", file, "--json", ...extra]);
    cliOutputs.push(out);
    return out;
  }

  async function storedOk(out, what, { forge, event, repository, payload, delivery, hookId, contentType }) {
    assert.equal(out.code, 0, `${what}: exit ${out.code}; stderr: ${out.stderr.slice(0, 300)}`);
    const body = parseJson(out, what);
    assert.equal(body.status, "accepted", `${what}: ${out.stdout}`);
    const detail = await fh.api(`/api/v1/deliveries/${body.id}`);
    assert.equal(detail.status, 200, detail.text);
    const d = detail.json;
    assert.equal(d.forge, forge);
    assert.equal(d.event, event);
    assert.equal(d.repository, repository);
    assert.deepEqual(d.payload, payload);
    if (delivery) assert.equal(d.delivery_id, delivery);
    if (hookId) assert.equal(d.hook_id, hookId);
    if (contentType) assert.ok(String(d.content_type).startsWith(contentType), `content_type ${d.content_type}`);
    return d;
  }

  test("send --forge github (JSON) is accepted and stored, with --delivery and --hook-id", async () => {
    const payload = pushPayload("octo/cli-json");
    const delivery = uid();
    const out = await send("github", "push", payload, ["--secret", GH, "--delivery", delivery, "--hook-id", "3131"]);
    const d = await storedOk(out, "github json", { forge: "github", event: "push", repository: "octo/cli-json", payload, delivery, hookId: "3131", contentType: "application/json" });
    assert.equal(d.verification, "sha256");
    assert.equal(headerValue(d.headers, "x-hub-signature-256"), "[redacted]");
  });

  test("send --forge github --form is accepted and stored as a form delivery", async () => {
    const payload = pushPayload("octo/cli-form", { note: "spaces & = + %" });
    const out = await send("github", "push", payload, ["--secret", GH, "--form"]);
    await storedOk(out, "github form", { forge: "github", event: "push", repository: "octo/cli-form", payload, contentType: "application/x-www-form-urlencoded" });
  });

  test("send --forge gitlab is accepted and stored", async () => {
    const payload = gitlabPushPayload("group/cli-project");
    const out = await send("gitlab", "Push Hook", payload, ["--secret", GL]);
    await storedOk(out, "gitlab", { forge: "gitlab", event: "Push Hook", repository: "group/cli-project", payload });
  });

  test("send --forge gitea (JSON and --form) is accepted and stored", async () => {
    const payload = giteaPushPayload("gitea-org/cli-repo");
    await storedOk(await send("gitea", "push", payload, ["--secret", GITEA]), "gitea json", { forge: "gitea", event: "push", repository: "gitea-org/cli-repo", payload });
    const p2 = giteaPushPayload("gitea-org/cli-repo", { note: "form & = +" });
    await storedOk(await send("gitea", "push", p2, ["--secret", GITEA, "--form"]), "gitea form", { forge: "gitea", event: "push", repository: "gitea-org/cli-repo", payload: p2 });
  });

  test("send with the same --delivery and --hook-id twice prints a duplicate", async () => {
    const payload = pushPayload("octo/cli-dup");
    const delivery = uid();
    const first = parseJson(await send("github", "push", payload, ["--secret", GH, "--delivery", delivery, "--hook-id", "77"]), "first");
    const again = await send("github", "push", payload, ["--secret", GH, "--delivery", delivery, "--hook-id", "77"]);
    assert.equal(again.code, 0);
    assert.deepEqual(parseJson(again, "again"), { status: "duplicate", id: first.id, delivery });
  });

  test("send with a wrong secret exits non-zero and prints the 401 body", async () => {
    const out = await send("github", "push", pushPayload(), ["--secret", makeSecret("wrong")]);
    assert.notEqual(out.code, 0, "exit code 0 for a 401");
    // The response body is printed; on failure it may go to stderr instead of stdout.
    const text = out.stdout.trim() ? out.stdout : out.stderr;
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {}
    assertError({ status: 401, json, text }, 401, "invalid_signature", { what: `printed: ${text.slice(0, 200)}` });
  });

  test("deliveries list --json prints the API's page", async () => {
    const base = ["deliveries", "list", "--server", server.url, "--token", ADMIN, "--json"];
    const cases = [
      [[], ""],
      [["--forge", "github"], "forge=github"],
      [["--forge", "gitea", "--event", "push"], "forge=gitea&event=push"],
      [["--repository", "octo/cli-json"], "repository=octo%2Fcli-json"],
      [["--forge", "gitlab", "--event", "Push Hook"], "forge=gitlab&event=Push+Hook"],
      [["--limit", "2"], "limit=2"],
    ];
    for (const [args, query] of cases) {
      const out = await cli([...base, ...args]);
      cliOutputs.push(out);
      assert.equal(out.code, 0, `list ${args.join(" ")}: exit ${out.code} ${out.stderr.slice(0, 300)}`);
      const api = await fh.api(`/api/v1/deliveries${query ? "?" + query : ""}`);
      assert.equal(api.status, 200, api.text);
      assert.deepEqual(parseJson(out, `list ${args.join(" ")}`), api.json, `list ${args.join(" ")}`);
      assert.ok(api.json.deliveries.length > 0, `the case ${args.join(" ")} lists something`);
    }
  });

  test("deliveries show ID --json prints the API's delivery", async () => {
    const { deliveries } = (await fh.api("/api/v1/deliveries?limit=500")).json;
    assert.ok(deliveries.length >= 5);
    for (const { id } of deliveries.slice(0, 5)) {
      const out = await cli(["deliveries", "show", String(id), "--server", server.url, "--token", ADMIN, "--json"]);
      cliOutputs.push(out);
      assert.equal(out.code, 0, `show ${id}: exit ${out.code} ${out.stderr.slice(0, 300)}`);
      const api = await fh.api(`/api/v1/deliveries/${id}`);
      assert.deepEqual(parseJson(out, `show ${id}`), api.json);
    }
  });

  test("deliveries list with a wrong token exits non-zero", async () => {
    const out = await cli(["deliveries", "list", "--server", server.url, "--token", makeSecret("wrong"), "--json"]);
    assert.notEqual(out.code, 0);
  });

  test("forgehook config prints the effective configuration with every secret masked", async () => {
    const key = `whsec_${Buffer.from("config-key-material-123456").toString("base64")}`;
    const secrets = { FORGEHOOK_GITHUB_SECRET: `${GH},${makeSecret("old")}`, FORGEHOOK_GITLAB_TOKEN: GL, FORGEHOOK_GITLAB_SIGNING_KEY: key, FORGEHOOK_GITEA_SECRET: GITEA, FORGEHOOK_ADMIN_TOKEN: ADMIN };
    const out = await cli(["config"], { env: { ...secrets, FORGEHOOK_LIMITS_RATE_PER_SECOND: "123" } });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^limits\.rate_per_second = 123(\.0+)?\s/m, "the configuration is printed");
    for (const key of ["github.secret", "gitlab.token", "gitlab.signing_key", "gitea.secret", "admin.token"])
      assert.match(out.stdout, new RegExp(`^${key.replace(".", "\\.")} = \\*\\*\\*\\s`, "m"), `${key} is shown masked`);
    const values = Object.values(secrets).flatMap((v) => v.split(",")).concat([key.slice(6)]);
    for (const v of values) {
      assert.ok(!out.stdout.includes(v) && !out.stderr.includes(v), `a secret (${v.slice(0, 4)}…) is printed by forgehook config`);
    }
  });

  test("the server output never contains a secret, token or signature", async () => {
    await server.stop();
    server.assertNoSecretsLogged();
  });
});
