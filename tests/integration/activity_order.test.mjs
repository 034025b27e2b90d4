// The activity feed reads as a feed, and names match as the forge matches them: deliveries that
// arrive out of order are listed by their own event time (arrival breaks ties), pages follow that
// order without gaps or repeats, and owner/name matches whatever its case.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Forge, makeSecret } from "./lib/forge.mjs";
import { HOUR, REPO, T0, issue, pullRequest } from "./lib/scenario.mjs";
import { start } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");

describe("activity order and repository case", () => {
  let server, fh;
  before(async () => {
    server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    // Arrival order: 15:00, 07:00, 11:00, 09:00 (hours after T0), as in the report that found it.
    for (const [event, payload] of [
      ["issues", issue("closed", T0 + 15 * HOUR, "closed", [], "completed")],
      ["pull_request", pullRequest("opened", T0 + 7 * HOUR)],
      ["issues", issue("reopened", T0 + 11 * HOUR, "open", [])],
      ["pull_request", pullRequest("synchronize", T0 + 9 * HOUR)],
    ]) {
      const res = await fh.github(payload, { event });
      assert.equal(res.status, 200, res.text);
    }
    await fh.drained();
  });
  after(async () => {
    fh?.close();
    await server?.stop();
  });

  test("the feed is ordered by event time, newest first, and pages keep that order", async () => {
    const all = (await fh.api("/api/v1/activity?limit=500")).json.activity.map((a) => a.at);
    const sorted = [...all].sort().reverse();
    assert.deepEqual(all, sorted);
    assert.equal(all.length, 4);
    const paged = await fh.listAll({}, { resource: "activity", pageLimit: 1 });
    assert.deepEqual(paged.map((a) => a.at), all);
    assert.equal(new Set(paged.map((a) => a.delivery_id)).size, 4, "no row twice");
  });

  test("repository matches case-insensitively on lists, metrics and deliveries", async () => {
    const lower = encodeURIComponent(REPO.full_name.toLowerCase());
    assert.notEqual(REPO.full_name, REPO.full_name.toLowerCase(), "the example repository has capitals");
    assert.equal((await fh.api(`/api/v1/pulls?repository=${lower}`)).json.pulls.length, 1);
    assert.equal((await fh.api(`/api/v1/issues?repository=${lower}`)).json.issues.length, 1);
    assert.equal((await fh.api(`/api/v1/activity?repository=${lower}`)).json.activity.length, 4);
    assert.equal((await fh.api(`/api/v1/deliveries?repository=${lower}`)).json.deliveries.length, 4);
    assert.equal((await fh.api(`/api/v1/metrics/status?repository=${lower}`)).json.open_pulls, 1);
  });
});
