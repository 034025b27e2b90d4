// Retention of delivery bodies through the real binary: `forgehook prune --dry-run` counts what
// `prune` then drops; a pruned delivery keeps its summary, headers, projections and activity, says
// body_pruned, cannot be replayed (409 body_pruned), and a rebuild over it keeps the projections.
// Deliveries are received "now", so --older-than 0 names them all.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Forge, assertError, makeSecret } from "./lib/forge.mjs";
import { HOUR, REPO, T0, issue, pullRequest, review } from "./lib/scenario.mjs";
import { makeTempDir, removeDir, runCli, start } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };

describe("retention of delivery bodies", () => {
  let server, fh, dataDir;
  const cli = (args) => runCli([...args, "--data-dir", dataDir], { env: { FORGEHOOK_ADMIN_TOKEN: ADMIN } });
  const send = async (event, payload) => {
    const res = await fh.github(payload, { event });
    assert.equal(res.status, 200, res.text);
    return res.json.id;
  };
  const pull = async () => {
    const res = await fh.api(`/api/v1/pulls?repository=${encodeURIComponent(REPO.full_name)}&number=7`);
    assert.equal(res.status, 200, res.text);
    return res.json.pulls[0];
  };

  before(async () => {
    dataDir = await makeTempDir("forgehook-retention-");
    server = await start(ENV, { dataDir });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.stop();
    if (dataDir) await removeDir(dataDir);
  });

  test("prune --dry-run counts, prune drops the bodies and keeps everything derived from them", async () => {
    const ids = [
      await send("pull_request", pullRequest("opened", T0)),
      await send("pull_request_review", review(T0 + 2 * HOUR)),
      await send("pull_request", pullRequest("closed", T0 + 5 * HOUR, { merged: true })),
    ];
    await fh.drained();
    const before = await pull();
    assert.equal(before.state, "merged");

    // With store.retention_days 0 (the default) the age must be named.
    assertError(await fh.api("/api/v1/deliveries/prune", { method: "POST", body: {} }), 400, "invalid_argument");
    const noAge = await cli(["prune", "--dry-run"]);
    assert.equal(noAge.code, 1);
    assert.match(noAge.stderr, /give older_than_days \(forgehook prune --older-than DAYS\): store\.retention_days is 0/);

    const dry = await cli(["prune", "--dry-run", "--older-than", "0", "--json"]);
    assert.equal(dry.code, 0, dry.stderr);
    const counted = JSON.parse(dry.stdout);
    assert.equal(counted.dry_run, true);
    assert.equal(counted.deliveries, 3);
    assert.ok(counted.bytes > 0, dry.stdout);
    const untouched = await fh.api(`/api/v1/deliveries/${ids[0]}`);
    assert.equal(untouched.json.body_pruned, false);
    assert.equal(untouched.json.payload.action, "opened");

    const pruned = await cli(["prune", "--older-than", "0"]);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /^pruned 3 delivery bodies \(\d/);
    const again = await cli(["prune", "--dry-run", "--older-than", "0", "--json"]);
    assert.equal(JSON.parse(again.stdout).deliveries, 0);

    const list = await fh.api("/api/v1/deliveries");
    assert.deepEqual(list.json.deliveries.map((d) => [d.id, d.body_pruned]), ids.toReversed().map((id) => [id, true]));
    const one = await fh.api(`/api/v1/deliveries/${ids[0]}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.payload, null);
    assert.equal(one.json.body_pruned, true);
    assert.match(one.json.body_pruned_at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(one.json.event, "pull_request");
    assert.ok(one.json.headers && Object.keys(one.json.headers).length > 0, "headers stay");
    const shown = await cli(["deliveries", "show", String(ids[0])]);
    assert.match(shown.stdout, /payload: pruned at \d{4}-/);

    assertError(await fh.api(`/api/v1/deliveries/${ids[0]}/replay`, { method: "POST" }), 409, "body_pruned");
    const resend = await cli(["send", "--from-delivery", String(ids[0]), "--url", "http://127.0.0.1:9/webhooks/github"]);
    assert.notEqual(resend.code, 0);
    assert.match(resend.stderr, /pruned its body/);

    assert.deepEqual(await pull(), before);
    const activity = await fh.api("/api/v1/activity?limit=10");
    assert.equal(activity.json.activity.length, 3);
  });

  test("rebuild over pruned bodies re-applies the others and keeps the projections", async () => {
    const fresh = await send("issues", issue("opened", T0 + 6 * HOUR, "open", ["bug"]));
    await fh.drained();
    const before = await pull();

    const res = await fh.api("/api/v1/rebuild", { method: "POST" });
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.json, { requeued: 1, pruned: 3, projections_kept: true });
    await fh.drained();
    assert.deepEqual(await pull(), before);
    const issues = await fh.api(`/api/v1/issues?repository=${encodeURIComponent(REPO.full_name)}`);
    assert.equal(issues.json.issues.length, 1);
    const d = await fh.api(`/api/v1/deliveries/${fresh}`);
    assert.equal(d.json.status, "processed");
    assert.equal(d.json.body_pruned, false);
  });
});
