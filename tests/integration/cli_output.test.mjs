// What the client commands print: tables sized to their content (every row's cells start where
// their header starts, long cells cut with "…"), readable key/value blocks instead of raw JSON,
// --json printing exactly the API's JSON on every command, flags built from the resource catalog,
// and refusals (the CLI's own and the server's) exiting non-zero with the message.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Forge, makeSecret } from "./lib/forge.mjs";
import { HOUR, T0, issue, pullRequest, workflowRun } from "./lib/scenario.mjs";
import { runCli, start } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const LONG_TITLE = "A very long pull request title that goes on and on well past any sensible column width";
const UNICODE_TITLE = "Ünïcode tïtle — café";

// Each column's cells start at the offset of its header, two spaces after the previous column.
function assertAligned(text, what) {
  const lines = text.split("\n").filter((l) => l.length > 0);
  assert.ok(lines.length >= 2, `${what}: a header and at least one row:\n${text}`);
  const starts = [...lines[0].matchAll(/\S+/g)].map((m) => m.index);
  assert.ok(starts.length >= 2, `${what}: several columns`);
  for (const line of lines.slice(1)) {
    for (const s of starts.slice(1)) {
      assert.equal(line.slice(s - 2, s), "  ", `${what}: two spaces before offset ${s} in\n${lines[0]}\n${line}`);
      assert.notEqual(line[s] ?? " ", " ", `${what}: a cell starts at offset ${s} in\n${lines[0]}\n${line}`);
    }
    assert.equal(line, line.trimEnd(), `${what}: no trailing blanks`);
  }
  return lines;
}

describe("CLI output", () => {
  let server, fh;
  const env = () => ({ FORGEHOOK_SERVER: server.url, FORGEHOOK_ADMIN_TOKEN: ADMIN });
  const cli = (args) => runCli(args, { env: env() });
  async function ok(args) {
    const out = await cli(args);
    assert.equal(out.code, 0, `${args.join(" ")}: exit ${out.code}: ${out.stderr}`);
    return out;
  }
  async function send(event, payload) {
    const res = await fh.github(payload, { event });
    assert.equal(res.status, 200, res.text);
  }

  before(async () => {
    server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    const long = pullRequest("opened", T0, { number: 8 });
    long.pull_request.title = LONG_TITLE;
    const unicode = pullRequest("opened", T0 + HOUR, { number: 9 });
    unicode.pull_request.title = UNICODE_TITLE;
    await send("pull_request", pullRequest("opened", T0));
    await send("pull_request", long);
    await send("pull_request", unicode);
    await send("issues", issue("opened", T0, "open", ["bug", "sprint"]));
    await send("workflow_run", workflowRun(501, "failure", T0));
    await send("workflow_run", workflowRun(502, "success", T0 + HOUR));
    await fh.drained();
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("pulls: columns stay aligned around long and non-ASCII cells, long ones cut with an ellipsis", async () => {
    const out = await ok(["pulls"]);
    const lines = assertAligned(out.stdout, "pulls");
    assert.match(lines[0], /^REPOSITORY {2,}NUMBER {2,}STATE {2,}AUTHOR {2,}TITLE {2,}CYCLE_TIME_HOURS {2,}REVIEW_TIME_HOURS$/);
    const long = lines.find((l) => l.includes("A very long"));
    const cut = long.match(/A very long.*?…/)[0];
    assert.equal(cut.length, 48, `the cell is cut to 48 characters: ${cut}`);
    assert.ok(LONG_TITLE.startsWith(cut.slice(0, -1)));
    assert.ok(lines.some((l) => l.includes(UNICODE_TITLE)), "a short non-ASCII title is shown whole");
  });

  test("every list command prints an aligned table with the catalog's columns", async () => {
    const headers = {
      issues: "REPOSITORY  NUMBER  STATE  STATE_REASON  TITLE  LABELS  COMMENTS",
      runs: "REPOSITORY  WORKFLOW  BRANCH  RUN_ID  ATTEMPT  STATUS  CONCLUSION  DURATION_SECONDS",
      incidents: "ID  REPOSITORY  WORKFLOW  BRANCH  STATE  OPENED_AT  RESOLVED_AT  FAILED_RUNS",
      activity: "AT  REPOSITORY  ACTOR  KIND  ACTION  SUMMARY",
      repositories: "FORGE  FULL_NAME  DEFAULT_BRANCH  PRIVATE  ARCHIVED",
    };
    for (const [command, header] of Object.entries(headers)) {
      const lines = assertAligned((await ok([command])).stdout, command);
      assert.equal(lines[0].split(/ {2,}/).join("  "), header, command);
    }
    const deliveries = assertAligned((await ok(["deliveries", "list"])).stdout, "deliveries list");
    assert.equal(deliveries[0].split(/ {2,}/).join("  "), "ID  STATUS  SOURCE  FORGE  EVENT  ACTION  REPOSITORY  ATTEMPTS  RECEIVED_AT  DELIVERY_ID");
  });

  test("deliveries list shows each delivery's status and GUID", async () => {
    const { deliveries } = (await fh.api("/api/v1/deliveries?limit=50")).json;
    const lines = (await ok(["deliveries", "list"])).stdout.trim().split("\n").slice(1);
    assert.equal(lines.length, deliveries.length);
    for (const [i, d] of deliveries.entries()) {
      const cells = lines[i].split(/ {2,}/);
      assert.equal(cells[0], String(d.id));
      assert.equal(cells[1], d.status);
      assert.equal(cells.at(-1), d.delivery_id);
    }
  });

  test("--json prints exactly the API's JSON, on every read command", async () => {
    const range = ["--since", "2026-09-01T00:00:00Z", "--until", "2026-10-01T00:00:00Z"];
    const cases = [
      [["deliveries", "list"], "/api/v1/deliveries?limit=50"],
      [["items", "list"], "/api/v1/items?limit=50"],
      [["secrets"], "/api/v1/secrets"],
      [["metrics", "status"], "/api/v1/metrics/status"],
      [["metrics", "pulls", ...range], `/api/v1/metrics/pulls?since=${range[1]}&until=${range[3]}`],
      [["metrics", "health", "--since", range[1]], `/api/v1/metrics/health?since=${range[1]}`],
      [["pulls", "--state", "open", "--number", "8"], "/api/v1/pulls?state=open&number=8&limit=50"],
      [["items", "list", "--owner", "nobody"], "/api/v1/items?owner=nobody&limit=50"],
      [["activity", "--kind", "pull_request"], "/api/v1/activity?kind=pull_request&limit=50"],
    ];
    for (const name of ["pulls", "reviews", "issues", "runs", "incidents", "releases", "branches", "milestones", "deployments", "repositories", "activity"])
      cases.push([[name], `/api/v1/${name}?limit=50`]);
    for (const [args, apiPath] of cases) {
      const out = await ok([...args, "--json"]);
      const api = await fh.api(apiPath);
      assert.equal(api.status, 200, `${apiPath}: ${api.text}`);
      assert.deepEqual(JSON.parse(out.stdout), api.json, args.join(" "));
    }
    const [first] = (await fh.api("/api/v1/deliveries?limit=1")).json.deliveries;
    const shown = await ok(["deliveries", "show", String(first.id), "--json"]);
    assert.deepEqual(JSON.parse(shown.stdout), (await fh.api(`/api/v1/deliveries/${first.id}`)).json);
  });

  test("--json on the commands that change things: items add/update/remove, incidents ack, replay, rebuild", async () => {
    const added = JSON.parse((await ok(["items", "add", "--title", "Via --json", "--due-on", "2026-12-01T00:00:00Z", "--json"])).stdout);
    assert.equal(added.title, "Via --json");
    assert.equal(added.due_on, "2026-12-01T00:00:00Z");
    const updated = JSON.parse((await ok(["items", "update", String(added.id), "--tag", "a", "--tag", "b", "--json"])).stdout);
    assert.deepEqual(updated.tags, ["a", "b"]);
    assert.deepEqual(JSON.parse((await ok(["items", "remove", String(added.id), "--json"])).stdout), { deleted: added.id });
    const [incident] = (await fh.api("/api/v1/incidents")).json.incidents;
    const acked = JSON.parse((await ok(["incidents", "ack", String(incident.id), "--by", "dana", "--json"])).stdout);
    assert.equal(acked.acknowledged.by, "dana");
    assert.deepEqual(JSON.parse((await ok(["replay", "--event", "issues", "--json"])).stdout), { requeued: 1 });
    const rebuilt = JSON.parse((await ok(["rebuild", "--json"])).stdout);
    assert.equal(rebuilt.requeued, 6);
    await fh.drained();
  });

  test("without --json: items remove, replay and rebuild print a sentence", async () => {
    const added = JSON.parse((await ok(["items", "add", "--title", "Short-lived", "--json"])).stdout);
    assert.equal((await ok(["items", "remove", String(added.id)])).stdout, `removed item ${added.id}\n`);
    assert.equal((await ok(["replay", "--event", "issues"])).stdout, "requeued 1 delivery\n");
    assert.equal((await ok(["rebuild"])).stdout, "requeued 6 deliveries\n");
    await fh.drained();
  });

  test("metrics, secrets and deliveries show print key/value blocks and tables, not JSON", async () => {
    const status = (await ok(["metrics", "status"])).stdout;
    assert.match(status, /^open_pulls {2,}3$/m);
    assert.match(status, /^webhooks\.processing_backlog {2,}0$/m);
    const pulls = (await ok(["metrics", "pulls", "--since", "2026-09-01T00:00:00Z", "--until", "2026-10-01T00:00:00Z"])).stdout;
    assert.match(pulls, /^opened {2,}3$/m);
    assert.match(pulls, /^weeks:\nWEEK {2,}OPENED/m);
    assertAligned(pulls.split("weeks:\n")[1], "metrics pulls weeks");
    const health = (await ok(["metrics", "health", "--stale-pull-days", "3", "--since", "2026-09-01T00:00:00Z"])).stdout;
    assert.match(health, /^stale_pull_days {2,}3$/m);
    assert.match(health, /^ci\.runs_failed {2,}1$/m);
    const secrets = (await ok(["secrets"])).stdout;
    assert.equal(secrets, "FORGE  SCOPE  KEY  COUNT\n");
    const [first] = (await fh.api("/api/v1/deliveries?limit=1")).json.deliveries;
    const shown = (await ok(["deliveries", "show", String(first.id)])).stdout;
    assert.match(shown, new RegExp(`^delivery_id {2,}${first.delivery_id}$`, "m"));
    assert.match(shown, /^headers:\n/m);
    assert.match(shown, /^payload:\n\{/m);
    for (const text of [status, pulls, health]) assert.doesNotMatch(text, /[{}]/, "no raw JSON");
  });

  test("metrics sprint requires --milestone; an unknown one exits non-zero with the server's message", async () => {
    const missing = await cli(["metrics", "sprint"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /--milestone is required/);
    const unknown = await cli(["metrics", "sprint", "--milestone", "no-such-milestone"]);
    assert.notEqual(unknown.code, 0);
    const api = await fh.api("/api/v1/metrics/sprint?milestone=no-such-milestone");
    assert.ok(api.status >= 400);
    assert.ok(unknown.stderr.includes(api.json.message), unknown.stderr);
  });

  test("a parameter the server refuses: exit non-zero with the server's message", async () => {
    for (const [args, apiPath] of [
      [["pulls", "--limit", "0"], "/api/v1/pulls?limit=0"],
      [["deliveries", "list", "--forge", "bogus"], "/api/v1/deliveries?forge=bogus"],
      [["runs", "--since", "yesterday"], "/api/v1/runs?since=yesterday"],
    ]) {
      const api = await fh.api(apiPath);
      assert.equal(api.status, 400, api.text);
      const out = await cli(args);
      assert.notEqual(out.code, 0, args.join(" "));
      assert.equal(out.stdout, "");
      assert.ok(out.stderr.includes(api.json.message), `${args.join(" ")}: ${out.stderr}`);
    }
  });

  test("flags come from the catalog: only what a resource accepts, --state with its real values", async () => {
    const help = async (args) => (await ok([...args, "--help"])).stdout;
    assert.match(await help(["pulls"]), /--state.*open, closed, merged/s);
    assert.match(await help(["runs"]), /--state.*timed_out/s);
    const items = await help(["items", "list"]);
    assert.match(items, /--owner/);
    assert.doesNotMatch(items, /--actor/);
    assert.match(await help(["activity"]), /--kind/);
    const branches = await help(["branches"]);
    for (const flag of ["--state", "--since", "--actor", "--number"]) assert.ok(!branches.includes(flag), `branches has no ${flag}`);
    for (const name of ["pulls", "reviews", "issues", "runs", "incidents", "releases", "branches", "milestones", "deployments", "repositories", "activity"]) {
      const text = await help([name]);
      for (const flag of ["--forge", "--repository", "--limit", "--cursor", "--json", "--server", "--data-dir"])
        assert.ok(text.includes(flag), `${name} has ${flag}`);
    }
    const deliveries = await help(["deliveries", "list"]);
    for (const s of ["queued", "retrying", "processed", "dead", "--timeframe"]) assert.ok(deliveries.includes(s), `deliveries list --help names ${s}`);

    const badState = await cli(["pulls", "--state", "bogus"]);
    assert.notEqual(badState.code, 0);
    assert.match(badState.stderr, /--state.*bogus.*open/s);
    const notAccepted = await cli(["branches", "--state", "open"]);
    assert.notEqual(notAccepted.code, 0);
    assert.match(notAccepted.stderr, /--state/);
  });

  test("replay names flags: nothing selected, a refused status, an id with filters", async () => {
    const none = await cli(["replay"]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /give a delivery id, a filter \(--forge, --event, --repository, --status, --since, --until\) or --all/);
    const status = await cli(["replay", "--status", "weird"]);
    assert.notEqual(status.code, 0);
    assert.match(status.stderr, /status must be queued, retrying, processed, duplicate or dead/);
    const both = await cli(["replay", "1", "--event", "push"]);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /id or filters, not both/);
    assert.doesNotMatch(none.stderr + status.stderr, /"all"/);
  });

  test("replay --wait and rebuild --wait report progress on stderr until the backlog is empty", async () => {
    const replay = await ok(["replay", "--all", "--wait", "--json"]);
    const { requeued } = JSON.parse(replay.stdout);
    assert.equal(requeued, 6);
    const progress = replay.stderr.trim().split("\n");
    assert.match(progress.at(-1), /^processed (\d+) \/ \1$/);
    assert.ok(Number(progress.at(-1).split(" ")[1]) >= requeued);
    for (const line of progress) assert.match(line, /^processed \d+ \/ \d+$/);
    assert.equal((await fh.api("/api/v1/metrics/status")).json.webhooks.processing_backlog, 0);
    const rebuild = await ok(["rebuild", "--wait"]);
    assert.equal(rebuild.stdout, "requeued 6 deliveries\n");
    assert.match(rebuild.stderr.trim().split("\n").at(-1), /^processed (\d+) \/ \1$/);
  });
});

describe("CLI replay --wait with a stopped pipeline", () => {
  let server, fh;
  before(async () => {
    server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_PIPELINE_ENABLED: "false" });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    const res = await fh.github(pullRequest("opened", T0), { event: "pull_request" });
    assert.equal(res.status, 200, res.text);
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("--timeout passes with the backlog not empty: exit non-zero, saying so", async () => {
    const out = await runCli(["replay", "--all", "--wait", "--timeout", "1"], { env: { FORGEHOOK_SERVER: server.url, FORGEHOOK_ADMIN_TOKEN: ADMIN } });
    assert.notEqual(out.code, 0);
    assert.equal(out.stdout, "requeued 1 delivery\n");
    assert.match(out.stderr, /^processed 0 \/ 1$/m);
    assert.match(out.stderr, /timed out after 1 s/);
  });
});
