// The pipeline and activity model through the real binary: deliveries sent as GitHub sends them
// become pull requests, reviews, issues, planned items, runs and incidents in the query API; replay
// and rebuild reproduce the same state; kill -9 during processing loses and doubles nothing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Forge, assertError, makeSecret, pool } from "./lib/forge.mjs";
import { HOUR, REPO, T0, comment, example, iso, issue, onRepo, pullRequest, review, workflowRun } from "./lib/scenario.mjs";
import { makeTempDir, removeDir, runCli, start } from "./lib/server.mjs";

const cli = (args) => runCli(args, { timeoutMs: 10_000 });

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };
const api = (fh, method, p, body) => fh.api(p, { method, body });
const processed = (fh) => fh.drained();
async function send(fh, event, payload) {
  const res = await fh.github(payload, { event });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

describe("activity model over HTTP", () => {
  let server, fh, dataDir;
  before(async () => {
    dataDir = await makeTempDir("forgehook-pipeline-");
    server = await start(ENV, { dataDir });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.stop();
    if (dataDir) await removeDir(dataDir);
  });

  test("a pull request's life gives exact cycle and review times", async () => {
    await send(fh, "pull_request", pullRequest("opened", T0));
    await send(fh, "pull_request_review", review(T0 + 2 * HOUR));
    await send(fh, "pull_request", pullRequest("synchronize", T0 + 3 * HOUR));
    await send(fh, "pull_request", pullRequest("closed", T0 + 5 * HOUR, { merged: true }));
    await processed(fh);
    const res = await api(fh, "GET", `/api/v1/pulls?repository=${encodeURIComponent(REPO.full_name)}&number=7`);
    assert.equal(res.status, 200);
    const [pr] = res.json.pulls;
    assert.equal(pr.state, "merged");
    assert.equal(pr.cycle_time_hours, 5);
    assert.equal(pr.review_time_hours, 2);
    assert.equal(pr.first_review_at, iso(T0 + 2 * HOUR));
    const reviews = await api(fh, "GET", "/api/v1/reviews?actor=octo-reviewer");
    assert.equal(reviews.json.reviews.length, 1);
    const metrics = await api(fh, "GET", `/api/v1/metrics/pulls?since=${iso(T0 - HOUR)}&until=${iso(T0 + 24 * HOUR)}`);
    assert.equal(metrics.status, 200);
    assert.equal(metrics.json.merged, 1);
    assert.equal(metrics.json.cycle_time_hours.median, 5);
    const activity = await api(fh, "GET", "/api/v1/activity?kind=pull_request,pull_request_review&limit=10");
    assert.equal(activity.json.activity.length, 4);
  });

  test("planned items: create, link, follow the issue, keep hand edits, delete", async () => {
    assertError(await api(fh, "POST", "/api/v1/items", { owner: "x" }), 400, "invalid_argument");
    assertError(await api(fh, "POST", "/api/v1/items", "{nope"), 400, "malformed_json");
    assertError(await api(fh, "POST", "/api/v1/items", { title: "t", status: "done-ish" }), 400, "invalid_argument");
    assertError(await fh.request("GET", "/api/v1/items"), 401, "unauthorized");
    const created = await api(fh, "POST", "/api/v1/items", { title: "Sprint board", owner: "alice", tags: ["q4"] });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.status, "planned");
    const id = created.json.id;
    const linked = await api(fh, "PATCH", `/api/v1/items/${id}`, { issue: { repository: REPO.full_name, number: 42 } });
    assert.equal(linked.status, 200, linked.text);
    await send(fh, "issues", issue("opened", T0, "open", []));
    await send(fh, "issues", issue("closed", T0 + 2 * HOUR, "closed", ["bug"], "completed"));
    await processed(fh);
    let item = (await api(fh, "GET", `/api/v1/items/${id}`)).json;
    assert.equal(item.status, "completed");
    assert.equal(item.completed_at, iso(T0 + 2 * HOUR));
    assert.deepEqual(item.labels, ["bug"]); // the linked issue's labels
    assert.deepEqual(item.tags, ["q4"]); // hand tags are kept apart, never replaced by labels
    assert.equal((await api(fh, "PATCH", `/api/v1/items/${id}`, { title: "Sprint board v2" })).status, 200);
    await send(fh, "issues", issue("reopened", T0 + 3 * HOUR, "open", ["bug", "roadmap"]));
    await processed(fh);
    item = (await api(fh, "GET", `/api/v1/items/${id}`)).json;
    assert.equal(item.status, "in_progress");
    assert.equal(item.completed_at, null);
    assert.deepEqual(item.labels, ["bug", "roadmap"]);
    assert.deepEqual(item.tags, ["q4"]);
    assert.equal(item.title, "Sprint board v2");
    assert.equal(item.owner, "alice");
    const list = await api(fh, "GET", "/api/v1/items?state=in_progress");
    assert.equal(list.json.items.length, 1);
    assert.equal((await api(fh, "DELETE", `/api/v1/items/${id}`)).status, 200);
    assertError(await api(fh, "GET", `/api/v1/items/${id}`), 404, "not_found");
  });

  test("a failed run opens an incident, acknowledging it sticks, a success resolves it", async () => {
    await send(fh, "workflow_run", workflowRun(100, "failure", T0));
    await processed(fh);
    const open = (await api(fh, "GET", "/api/v1/incidents?state=open")).json.incidents;
    assert.equal(open.length, 1);
    assert.deepEqual(open[0].failed_runs, ["100/1"]);
    const ack = await api(fh, "POST", `/api/v1/incidents/${open[0].id}/ack`, { by: "bob", note: "on it" });
    assert.equal(ack.status, 200, ack.text);
    assert.equal(ack.json.acknowledged.by, "bob");
    assertError(await api(fh, "POST", "/api/v1/incidents/999999/ack", {}), 404, "not_found");
    await send(fh, "workflow_run", workflowRun(101, "success", T0 + HOUR));
    await processed(fh);
    const [resolved] = (await api(fh, "GET", "/api/v1/incidents")).json.incidents;
    assert.equal(resolved.state, "resolved");
    assert.equal(resolved.acknowledged.note, "on it");
    const health = await api(fh, "GET", `/api/v1/metrics/health?since=${iso(T0 - HOUR)}`);
    assert.equal(health.json.ci.runs_failed, 1);
    assert.equal(health.json.ci.runs_completed, 2);
  });

  test("replay re-applies without doubling; rebuild reproduces the live state", async () => {
    const snapshot = async () => {
      const out = {};
      for (const r of ["pulls", "reviews", "issues", "runs", "incidents", "activity"]) {
        const rows = (await api(fh, "GET", `/api/v1/${r}?limit=500`)).json[r].map((x) => { delete x.id; return JSON.stringify(x); });
        out[r] = rows.sort();
      }
      return out;
    };
    const live = await snapshot();
    const [first] = (await fh.listAll({ event: "pull_request" })).slice(-1);
    const one = await api(fh, "POST", `/api/v1/deliveries/${first.id}/replay`);
    assert.equal(one.status, 202);
    assert.equal(one.json.requeued, 1);
    assertError(await api(fh, "POST", "/api/v1/deliveries/987654/replay"), 404, "not_found");
    assertError(await api(fh, "POST", "/api/v1/replay", {}), 400, "invalid_argument");
    assertError(await api(fh, "POST", "/api/v1/replay", { status: "weird" }), 400, "invalid_argument");
    const byEvent = await api(fh, "POST", "/api/v1/replay", { event: "issues" });
    assert.equal(byEvent.json.requeued, 3);
    await processed(fh);
    assert.deepEqual(await snapshot(), live);
    const rebuilt = await api(fh, "POST", "/api/v1/rebuild");
    assert.equal(rebuilt.status, 202);
    assert.equal(rebuilt.json.requeued, 9); // 4 pull request, 3 issue and 2 workflow run deliveries
    await processed(fh);
    assert.deepEqual(await snapshot(), live);
  });

  test("the CLI mirrors the read endpoints and manages planned items", async () => {
    const target = ["--server", `http://${server.host}:${server.port}`, "--token", ADMIN];
    const added = await cli(["items", "add", ...target, "--title", "From the CLI", "--issue", `${REPO.full_name}#42`, "--json"]);
    assert.equal(added.code, 0, added.stderr);
    const item = JSON.parse(added.stdout);
    assert.equal(item.status, "in_progress"); // issue 42 was reopened above
    const pulls = await cli(["pulls", ...target, "--json"]);
    assert.equal(pulls.code, 0, pulls.stderr);
    assert.equal(JSON.parse(pulls.stdout).pulls[0].number, 7);
    const table = await cli(["incidents", ...target]);
    assert.match(table.stdout, /CI\s+main\s+resolved/);
    const [incident] = (await api(fh, "GET", "/api/v1/incidents")).json.incidents;
    const acked = await cli(["incidents", "ack", ...target, String(incident.id), "--by", "carol", "--note", "postmortem"]);
    assert.equal(acked.code, 0, acked.stderr);
    assert.match(acked.stdout, /acknowledged by carol at \S+: postmortem/);
    assert.doesNotMatch(acked.stdout, /^id\s+repository.*\n.*\n^id\s+repository/m); // the list did not run too
    assert.deepEqual((await api(fh, "GET", "/api/v1/incidents")).json.incidents[0].acknowledged.by, "carol");
    const missing = await cli(["incidents", "ack", ...target, "999999"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no incident/);
    const linked = await cli(["items", "link", ...target, String(item.id), "-", "--json"]);
    assert.equal(JSON.parse(linked.stdout).issue, null);
    const bad = await cli(["items", "add", ...target, "--title", "x", "--status", "someday"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /status must be/);
    for (const ref of ["o/r#12x", "o/r#abc", "o/r#0", "o/r"]) {
      const badRef = await cli(["items", "add", ...target, "--title", "x", "--issue", ref]);
      assert.notEqual(badRef.code, 0, ref);
      assert.match(badRef.stderr, /expected owner\/name#NUMBER/, ref);
    }
  });

  test("a milestone older than the burndown chart still counts every issue", async () => {
    const DAY = 24 * HOUR;
    const milestone = { id: 9009, title: "Long haul", number: 9, created_at: iso(T0 - 500 * DAY), due_on: null, state: "open" };
    const created = onRepo(example("milestone", "created"));
    Object.assign(created.milestone, milestone, { updated_at: iso(T0 - 500 * DAY) });
    await send(fh, "milestone", created);
    const old = issue("closed", T0, "closed", [], "completed");
    Object.assign(old.issue, { number: 501, created_at: iso(T0 - 500 * DAY), milestone: { ...old.issue.milestone, ...milestone } });
    const recent = issue("opened", T0, "open", []);
    Object.assign(recent.issue, { number: 502, created_at: iso(T0), milestone: { ...recent.issue.milestone, ...milestone } });
    await send(fh, "issues", old);
    await send(fh, "issues", recent);
    await processed(fh);
    const sprint = await api(fh, "GET", "/api/v1/metrics/sprint?milestone=Long%20haul");
    assert.equal(sprint.status, 200, sprint.text);
    assert.equal(sprint.json.issues, 2);
    assert.equal(sprint.json.closed, 1);
    assert.equal(sprint.json.open, 1);
    assert.equal(sprint.json.burndown.length, 400); // the chart's cap: the milestone spans over 500 days
    assert.deepEqual(sprint.json.burndown.at(-1), { ...sprint.json.burndown.at(-1), open: 1, closed: 1 });
  });

  test("bad query parameters get precise errors", async () => {
    assertError(await api(fh, "GET", "/api/v1/pulls?timeframe=2w"), 400, "invalid_argument");
    assertError(await api(fh, "GET", "/api/v1/pulls?limit=0"), 400, "invalid_argument");
    assertError(await api(fh, "GET", "/api/v1/runs?actor=x"), 400, "invalid_argument");
    assertError(await api(fh, "GET", "/api/v1/metrics/sprint"), 400, "invalid_argument");
    assertError(await api(fh, "GET", "/api/v1/metrics/sprint?milestone=nope"), 404, "not_found");
    assertError(await api(fh, "GET", `/api/v1/metrics/pulls?since=${iso(T0)}&until=${iso(T0)}`), 400, "invalid_argument");
    assertError(await api(fh, "POST", "/api/v1/replay", { forge: "bitbucket" }), 400, "invalid_argument");
    for (const forge of [5, null, "bitbucket"]) {
      const res = await api(fh, "POST", "/api/v1/items", { title: "t", issue: { repository: REPO.full_name, number: 1, forge } });
      if (forge === null) assert.equal(res.status, 201, res.text); // null: the default forge
      else assertError(res, 400, "invalid_argument");
    }
    const ok = await api(fh, "GET", "/api/v1/activity?timeframe=24h");
    assert.equal(ok.status, 200);
  });
});

describe("kill -9 during processing", () => {
  const servers = [];
  let dataDir;
  after(async () => {
    for (const s of servers) await s.kill9();
    if (dataDir) await removeDir(dataDir);
  });

  test("every acknowledged delivery is processed exactly once after restart", async () => {
    dataDir = await makeTempDir("forgehook-pipeline-crash-");
    // Small processing batches so the kill lands between many processing commits.
    const env = { ...ENV, FORGEHOOK_PIPELINE_BATCH_SIZE: "4" };
    const acked = new Map(); // delivery GUID → comment id, for every 200
    let nextComment = 1;
    for (let cycle = 0; cycle < 2; cycle++) {
      const server = await start(env, { dataDir });
      servers.push(server);
      const fh = new Forge(server, { github: GH, admin: ADMIN });
      if (cycle === 0) {
        const opened = issue("opened", T0, "open", []);
        opened.issue.number = 77;
        await send(fh, "issues", opened);
      }
      let stop = false;
      const senders = Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 400 && !stop; i++) {
          const id = nextComment++;
          try {
            const res = await fh.github(comment(id), { event: "issue_comment" });
            if (res.status === 200) acked.set(res.delivery, id);
          } catch {
            return;
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
    await processed(fh);
    const rows = await fh.listAll({ event: "issue_comment" });
    // Every acknowledged delivery stored exactly once (none lost by a crash) ...
    const stored = new Map();
    for (const r of rows) stored.set(r.delivery_id, (stored.get(r.delivery_id) ?? 0) + 1);
    const missing = [...acked.keys()].filter((d) => !stored.has(d));
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${acked.size} acknowledged deliveries missing`);
    assert.deepEqual([...stored].filter(([, n]) => n !== 1).slice(0, 10), [], "deliveries stored twice");
    // ... and every stored one processed exactly once: one activity line each, each comment counted once.
    assert.deepEqual([...new Set(rows.map((r) => r.status))], ["processed"]);
    const lines = new Map();
    for (const a of await fh.listAll({ kind: "issue_comment" }, { resource: "activity" }))
      lines.set(a.delivery_id, (lines.get(a.delivery_id) ?? 0) + 1);
    const rowIds = rows.map((r) => r.id).sort((x, y) => x - y);
    assert.deepEqual([...lines.keys()].sort((x, y) => x - y), rowIds, "one activity line per stored delivery");
    assert.deepEqual([...lines.values()].filter((n) => n !== 1), [], "a delivery applied twice");
    const [iss] = (await api(fh, "GET", `/api/v1/issues?repository=${encodeURIComponent(REPO.full_name)}&number=77`)).json.issues;
    assert.equal(iss.comments, rows.length, "comments counted once each");
    fh.close();
  });
});
