// Strict query parameters: for every endpoint in docs/API.md's parameter table, each parameter
// listed there is accepted and every other one (the union of all documented names, plus typos) is
// refused with 400 invalid_argument naming it. The table is the contract; this test keeps the
// server and the doc from drifting apart. Also: values outside their sets, repeats, and the
// refused webhook's reason in the server log.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Forge, assertError, makeSecret, pushPayload } from "./lib/forge.mjs";
import { ROOT, start, waitFor } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");

// endpoint path -> documented parameters, from the table between <!-- params --> markers.
function documentedParams() {
  const doc = readFileSync(path.join(ROOT, "docs", "API.md"), "utf8");
  const table = doc.match(/<!-- params -->\n([\s\S]*?)<!-- \/params -->/);
  assert.ok(table, "docs/API.md has a <!-- params --> table");
  const out = new Map();
  for (const line of table[1].split("\n")) {
    const m = line.match(/^\| `GET ([^`]+)` \| (.*) \|$/);
    if (m) out.set(m[1], [...m[2].matchAll(/`([a-z_]+)`/g)].map((x) => x[1]));
  }
  return out;
}

// A value each parameter accepts on its own (state: the first value that endpoint takes).
const STATE = { pulls: "merged", reviews: "approved", issues: "closed", items: "planned", runs: "success",
  incidents: "open", milestones: "open", commands: "failed" };
function sample(endpoint, name) {
  const resource = endpoint.split("/").pop();
  switch (name) {
    case "forge": return "gitlab";
    case "repository": return "Codertocat/Hello-World";
    case "event": return "push";
    case "status": return "dead";
    case "since": return "2026-01-01T00:00:00Z";
    case "until": return "2030-01-01T00:00:00Z";
    case "timeframe": return "7d";
    case "limit": return "3";
    case "cursor": return resource === "activity" ? "1790000000.5" : "5";
    case "state": return STATE[resource];
    case "number": return "7";
    case "kind": return "push,issues";
    case "milestone": return "v1.0";
    case "after": return "0";
    case "resource": return "pulls,items";
    case "stale_pull_days":
    case "stale_issue_days": return "10";
    default: return "someone"; // actor, owner, rule
  }
}

describe("strict query parameters", () => {
  let server, fh;
  const table = documentedParams();
  before(async () => {
    server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.stop();
  });

  test("the table covers every list resource and the metrics endpoints", () => {
    for (const r of ["deliveries", "pulls", "reviews", "issues", "items", "runs", "incidents", "releases", "branches",
      "milestones", "deployments", "repositories", "activity", "changes", "metrics/status", "metrics/pulls", "metrics/sprint",
      "metrics/health"])
      assert.ok(table.has(`/api/v1/${r}`), r);
  });

  test("every documented parameter is accepted, every other one refused", async () => {
    const universe = new Set(["repo", "bogus", "page", "per_page", "sort", ...[...table.values()].flat()]);
    for (const [endpoint, params] of table) {
      // The sprint needs its milestone; an unknown one is a 404, which still means "accepted".
      const base = endpoint.endsWith("/sprint") ? { milestone: "v1.0" } : {};
      for (const name of params) {
        const q = new URLSearchParams({ ...base, [name]: sample(endpoint, name) });
        const res = await fh.api(`${endpoint}?${q}`);
        assert.ok(res.status === 200 || (endpoint.endsWith("/sprint") && res.status === 404),
          `${endpoint}?${q} → ${res.status} ${res.text}`);
      }
      for (const name of universe) {
        if (params.includes(name)) continue;
        const q = new URLSearchParams({ ...base, [name]: sample(endpoint, name) });
        const res = await fh.api(`${endpoint}?${q}`);
        assertError(res, 400, "invalid_argument", { what: `${endpoint}?${q}` });
        assert.match(res.json.message, new RegExp(`unknown parameter "${name}"`), `${endpoint}?${q}`);
      }
    }
  });

  test("values outside their sets, repeats and malformed escapes are refused, naming the parameter", async () => {
    for (const [p, word] of [["pulls?state=mergd", "state"], ["deliveries?status=bogus", "status"],
      ["issues?forge=bitbucket", "forge"], ["activity?timeframe=2d", "timeframe"], ["runs?state=green", "state"],
      ["pulls?state=open&state=closed", "state"], ["pulls?repository=%zz", "percent"],
      ["pulls?timeframe=24h&since=2026-01-01T00:00:00Z", "timeframe"], ["activity?cursor=12", "cursor"],
      ["pulls?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "since"]]) {
      const res = await fh.api(`/api/v1/${p}`);
      assertError(res, 400, "invalid_argument", { what: p });
      assert.match(res.json.message, new RegExp(word), p);
    }
    assertError(await fh.api("/api/v1/deliveries/1?x=1"), 400, "invalid_argument");
    // The unauthenticated probes ignore a query (uptime checkers add cache-busters).
    assert.equal((await fh.request("GET", "/healthz?_=12345")).status, 200);
  });

  test("a refused webhook's log line says why, without the secret", async () => {
    const res = await fh.github(pushPayload(), { secret: "not-the-secret", event: "push" });
    assert.equal(res.status, 401);
    const noSig = await fh.github(pushPayload(), { event: "push", signatures: "none" });
    assert.equal(noSig.status, 401);
    await waitFor(() => /"reason":"missing_signature"/.test(server.stderr()), { timeoutMs: 5000, message: "log line" });
    const lines = server.stderr().split("\n").filter((l) => l.includes(`"delivery":"${res.delivery}"`));
    assert.equal(lines.length, 1, server.stderr().slice(-2000));
    assert.match(lines[0], /"status":401/);
    assert.match(lines[0], /"reason":"invalid_signature"/);
    assert.ok(!server.stderr().includes(GH), "the secret never reaches the log");
  });
});
