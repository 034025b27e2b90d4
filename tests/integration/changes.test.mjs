// The change feed through the real binary: deliveries become changes of the deliveries and of the
// rows they wrote, in seq order; paging with next_after sees every record once; the filters; and
// kill -9 during a burst leaves one "created" per acknowledged delivery and seqs without a gap.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Forge, assertError, makeSecret, pushPayload } from "./lib/forge.mjs";
import { REPO, T0, issue, pullRequest } from "./lib/scenario.mjs";
import { assertConsecutive, changesPage, everyChange } from "./lib/changes.mjs";
import { makeTempDir, removeDir, start } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };

async function send(fh, event, payload) {
  const res = await fh.github(payload, { event });
  assert.equal(res.status, 200, res.text);
  return res;
}

describe("change feed over HTTP", () => {
  let server, fh, dataDir;
  before(async () => {
    dataDir = await makeTempDir("forgehook-changes-");
    server = await start(ENV, { dataDir });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.stop();
    if (dataDir) await removeDir(dataDir);
  });

  test("a processed delivery shows as its delivery, then its rows, then its new status, in seq order", async () => {
    const pr = await send(fh, "pull_request", pullRequest("opened", T0));
    await send(fh, "issues", issue("opened", T0, "open", ["bug"]));
    await fh.drained();
    const changes = await everyChange(fh);
    assertConsecutive(changes);
    const ofPr = (c) => c.resource === "deliveries" && c.data.delivery_id === pr.delivery;
    const created = changes.find((c) => ofPr(c) && c.action === "created");
    const done = changes.find((c) => ofPr(c) && c.action === "updated");
    assert.ok(created && done, "the pull request's delivery was recorded twice");
    assert.equal(created.data.status, "queued");
    assert.equal(done.data.status, "processed");
    assert.equal(created.id, String(pr.json.id));
    const pull = changes.find((c) => c.resource === "pulls");
    assert.equal(pull.action, "created");
    assert.equal(pull.data.number, 7);
    assert.equal(pull.repository, REPO.full_name);
    assert.ok(created.seq < pull.seq && pull.seq < done.seq, `seqs ${created.seq}, ${pull.seq}, ${done.seq}`);
    const [listed] = (await fh.api(`/api/v1/pulls?number=7`)).json.pulls;
    assert.deepEqual(pull.data, listed);
    for (const resource of ["repositories", "activity", "issues"])
      assert.ok(changes.some((c) => c.resource === resource && c.action === "created"), `no ${resource} created`);
  });

  test("paging with next_after sees every record exactly once", async () => {
    for (let i = 0; i < 5; i++) await send(fh, "push", pushPayload(i % 2 ? "octo/left" : "octo/right"));
    await fh.drained();
    const whole = await everyChange(fh);
    const paged = await everyChange(fh, {}, 3);
    assert.deepEqual(paged.map((c) => c.seq), whole.map((c) => c.seq));
    assertConsecutive(paged);
    const last = await changesPage(fh, { after: String(whole.at(-1).seq) });
    assert.deepEqual(last.changes, []);
    assert.equal(last.newest_seq, whole.at(-1).seq);
    assert.equal(last.next_after, last.newest_seq);
  });

  test("resource= and repository= keep only what they name", async () => {
    const whole = await everyChange(fh);
    const pulls = await everyChange(fh, { resource: "pulls" });
    assert.deepEqual(pulls, whole.filter((c) => c.resource === "pulls"));
    const two = await everyChange(fh, { resource: "deliveries,activity" }, 2);
    assert.deepEqual(two, whole.filter((c) => c.resource === "deliveries" || c.resource === "activity"));
    const left = await everyChange(fh, { repository: "OCTO/Left" }, 2);
    assert.ok(left.length > 0);
    assert.deepEqual(left, whole.filter((c) => c.repository === "octo/left"));
    assert.deepEqual(await everyChange(fh, { repository: "octo/left", resource: "pulls" }), []);
    assertError(await fh.api("/api/v1/changes?resource=pulls,nonsense"), 400, "invalid_argument");
  });
});

describe("change feed after kill -9 during a burst", () => {
  const servers = [];
  let dataDir;
  after(async () => {
    for (const s of servers) await s.kill9();
    if (dataDir) await removeDir(dataDir);
  });

  test("every acknowledged delivery has exactly one created change and seqs have no gap", async () => {
    dataDir = await makeTempDir("forgehook-changes-crash-");
    // Small processing batches so the kill lands between many processing commits.
    const env = { ...ENV, FORGEHOOK_PIPELINE_BATCH_SIZE: "4" };
    const acked = new Set(); // delivery GUIDs answered 200 accepted
    for (let cycle = 0; cycle < 2; cycle++) {
      const server = await start(env, { dataDir });
      servers.push(server);
      const fh = new Forge(server, { github: GH, admin: ADMIN });
      let stop = false;
      const senders = Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 400 && !stop; i++) {
          try {
            const res = await fh.github(pushPayload("octo/burst", { cycle, i }), { event: "push" });
            if (res.status === 200 && res.json?.status === "accepted") acked.add(res.delivery);
          } catch {
            return; // the server is gone; nothing acknowledged here
          }
        }
      });
      await sleep(1200); // load runs this long before the crash (a schedule, not a wait for work)
      await server.kill9();
      stop = true;
      await Promise.all(senders);
      fh.close();
    }
    assert.ok(acked.size >= 50, `only ${acked.size} deliveries acknowledged`);

    const server = await start(env, { dataDir });
    servers.push(server);
    const fh = new Forge(server, { github: GH, admin: ADMIN });
    await fh.drained();
    const changes = await everyChange(fh);
    assertConsecutive(changes);
    const count = (action) => {
      const n = new Map();
      for (const c of changes)
        if (c.resource === "deliveries" && c.action === action) n.set(c.data.delivery_id, (n.get(c.data.delivery_id) ?? 0) + 1);
      return n;
    };
    const created = count("created");
    const missing = [...acked].filter((d) => !created.has(d));
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${acked.size} acknowledged deliveries without a created change`);
    assert.deepEqual([...created].filter(([, n]) => n !== 1).slice(0, 10), [], "a delivery created twice");
    // Each one was processed exactly once: one status change (queued → processed), committed with its rows.
    const updated = count("updated");
    assert.deepEqual([...created.keys()].filter((d) => updated.get(d) !== 1).slice(0, 10), [], "not processed exactly once");
    const processed = changes.filter((c) => c.resource === "deliveries" && c.action === "updated");
    assert.deepEqual([...new Set(processed.map((c) => c.data.status))], ["processed"]);
    fh.close();
  });
});
