// The dashboard in real Chromium (playwright-core driving Debian's /usr/bin/chromium) against the
// real binary: sign-in, the live board, incidents, XSS, reconnecting across kill -9, CSRF, a
// read-only session, the CSP on every page. Screenshots of every page (desktop and phone) go to
// build/screenshots/ for people to look at.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { Forge, makeSecret } from "../integration/lib/forge.mjs";
import { HOUR, REPO, T0, issue, iso, pullRequest, review, workflowRun } from "../integration/lib/scenario.mjs";
import { ROOT, makeTempDir, removeDir, start, waitFor } from "../integration/lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
// Subscriptions here call a receiver on 127.0.0.1, which the address guard refuses by default.
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_SUBSCRIPTIONS_ALLOW_PRIVATE_NETWORKS: "true" };
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = path.join(ROOT, "build", "screenshots");
const XSS = `<img src=x onerror="window.__xss=1;alert(1)">`;
const ROUTES = ["activity", "deliveries", "incidents", "pulls", "items", "sprint", "health", "subscriptions", "connections"];
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

async function send(fh, event, payload) {
  const res = await fh.github(payload, { event });
  assert.equal(res.status, 200, res.text);
  return res;
}

// An issue with a milestone, so the sprint page has a burndown.
function milestoneIssue(number, action, updated, state) {
  const p = issue(action, updated, state, ["sprint"], state === "closed" ? "completed" : null);
  p.issue.number = number;
  p.issue.title = `Sprint task ${number}`;
  p.issue.html_url = `${REPO.html_url}/issues/${number}`;
  p.issue.milestone = { id: 5001, number: 12, title: "Sprint 12", state: "open", open_issues: 1, closed_issues: 1,
    created_at: iso(T0 - 86400), updated_at: iso(updated), due_on: iso(T0 + 7 * 86400), closed_at: null,
    html_url: `${REPO.html_url}/milestone/12`, description: "", creator: p.sender };
  return p;
}

describe("dashboard in Chromium", () => {
  let server, fh, dataDir, browser, context, page, port;
  const violations = []; // console messages about the Content-Security-Policy, from any page

  // Installs the listeners every page gets: CSP violation reports and console errors, dialogs.
  async function watch(p) {
    p.on("console", (m) => {
      if (/Content[- ]Security[- ]Policy|Refused to/i.test(m.text())) violations.push(`${p.url()}: ${m.text()}`);
    });
    p.on("dialog", (d) => {
      p.__dialogs = (p.__dialogs ?? 0) + 1;
      d.dismiss().catch(() => {});
    });
    await p.addInitScript(() => {
      window.__csp = [];
      document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
  }

  async function signIn(p, token) {
    await p.goto(`${server.url}/#/activity`);
    await p.fill("#token", token);
    await p.click("button[type=submit]");
    await p.waitForSelector("#live-indicator[data-state=live]", { timeout: 10_000 });
  }

  const indicator = (p) => p.textContent("#live-indicator");

  before(async () => {
    dataDir = await makeTempDir("forgehook-browser-");
    server = await start(ENV, { dataDir });
    port = server.port;
    fh = new Forge(server, { github: GH, admin: ADMIN });
    // Chromium's sandbox cannot start as root (containers often run tests as root): off only then.
    // (playwright-core would pass --no-sandbox by default; asking for the sandbox keeps it elsewhere.)
    const root = process.getuid?.() === 0;
    browser = await chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: !root });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    await watch(page);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    fh?.close();
    await server?.stop().catch(() => {});
    if (dataDir) await removeDir(dataDir);
  });

  test("sign in with the admin token: an HttpOnly SameSite=Strict session cookie, the token kept nowhere in the page", async () => {
    const res = await fh.get("/");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-security-policy"], CSP);
    await page.goto(`${server.url}/`);
    await page.waitForSelector("#token");
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, "signin-desktop.png") });
    await signIn(page, ADMIN);
    assert.equal(await indicator(page), "Live");
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "fh_session");
    assert.ok(session, "a session cookie was set");
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    assert.equal(session.path, "/");
    assert.notEqual(session.value, ADMIN);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.ok(!stored.includes(ADMIN), "the token is not in localStorage, sessionStorage or a script-readable cookie");
    assert.ok(!stored.includes(session.value), "the session cookie is not readable by scripts");
    // The empty activity page says where to point a forge.
    await page.waitForSelector(".empty");
    assert.match(await page.textContent(".empty"), new RegExp(`${server.url}/webhooks/github`));
  });

  test("an issues.closed delivery moves the linked planned item's card to Completed within 1 s, without a reload", async () => {
    await send(fh, "issues", issue("opened", T0, "open", []));
    await fh.drained();
    const created = await fh.api("items", { method: "POST", body: { title: "Sprint board", owner: "alice", issue: { repository: REPO.full_name, number: 42 } } });
    assert.equal(created.status, 201, created.text);
    const id = created.json.id;
    await page.goto(`${server.url}/#/items`);
    await page.waitForSelector(`.column[data-status=planned] .card[data-id="${id}"]`);
    await page.evaluate(() => (window.__sameDocument = true));
    const started = Date.now();
    await send(fh, "issues", issue("closed", T0 + HOUR, "closed", [], "completed"));
    await page.waitForSelector(`.column[data-status=completed] .card[data-id="${id}"]`, { timeout: 1000 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed <= 1000, `moved after ${elapsed} ms`);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
    assert.equal(await page.locator(`.card[data-id="${id}"]`).count(), 1);
  });

  test("the admin creates an item with the form and edits it into another column", async () => {
    await page.goto(`${server.url}/#/items`);
    await page.click("#new-item");
    await page.fill("#item-dialog input[name=title]", "Written in the form");
    await page.fill("#item-dialog input[name=owner]", "bob");
    await page.fill("#item-dialog input[name=tags]", "q4, web");
    await page.click("#item-dialog button[type=submit]");
    const card = page.locator(".column[data-status=planned] .card", { hasText: "Written in the form" });
    await card.waitFor({ timeout: 5000 });
    const id = Number(await card.getAttribute("data-id"));
    const stored = (await fh.api(`items/${id}`)).json;
    assert.equal(stored.owner, "bob");
    assert.deepEqual(stored.tags, ["q4", "web"]);
    await card.click();
    await page.selectOption("#item-dialog select[name=status]", "blocked");
    await page.click("#item-dialog button[type=submit]");
    await page.waitForSelector(`.column[data-status=blocked] .card[data-id="${id}"]`);
    assert.equal((await fh.api(`items/${id}`)).json.status, "blocked");
  });

  test("a failed workflow_run appears as an open incident, and acknowledging it in the page updates the API", async () => {
    await page.goto(`${server.url}/#/incidents`);
    await page.waitForSelector(".empty, #incidents-list");
    await send(fh, "workflow_run", workflowRun(100, "failure", T0 + 2 * HOUR));
    const card = page.locator(".incident[data-state=open]").first();
    await card.waitFor({ timeout: 5000 });
    const id = Number(await card.getAttribute("data-id"));
    await card.locator("button.ack").click();
    await page.waitForSelector(`.incident[data-id="${id}"] .acked`);
    const incidents = (await fh.api(`incidents?state=open`)).json.incidents;
    const acked = incidents.find((i) => i.id === id);
    assert.ok(acked?.acknowledged, `incident ${id} is acknowledged in the API: ${JSON.stringify(acked)}`);
    assert.equal(acked.acknowledged.by, "admin");
    assert.equal(await page.locator(`.incident[data-id="${id}"] button.ack`).count(), 0);
  });

  test("an issue titled with HTML renders as text and runs no script", async () => {
    await page.goto(`${server.url}/#/activity`);
    await page.waitForSelector("#activity-feed");
    const p = issue("opened", T0 + 3 * HOUR, "open", []);
    p.issue.number = 43;
    p.issue.title = XSS;
    p.issue.html_url = "javascript:window.__xss=2";
    await send(fh, "issues", p);
    const line = page.locator(".line", { hasText: XSS }).first();
    await line.waitFor({ timeout: 5000 });
    const item = await fh.api("items", { method: "POST", body: { title: XSS, description: XSS, owner: XSS, tags: [XSS] } });
    assert.equal(item.status, 201);
    await page.goto(`${server.url}/#/items`);
    await page.waitForSelector(`.card[data-id="${item.json.id}"]`);
    assert.equal(await page.textContent(`.card[data-id="${item.json.id}"] .item-title`), XSS);
    await page.goto(`${server.url}/#/deliveries`);
    await page.click("#deliveries-table tbody tr:first-child");
    await page.waitForSelector("#payload");
    assert.ok((await page.textContent("#payload")).includes(XSS.replace(/"/g, '\\"')));
    await page.goto(`${server.url}/#/activity`);
    await page.locator(".line", { hasText: XSS }).first().waitFor();
    assert.equal(await page.locator("img[src=x]").count(), 0, "no <img> element was made from the title");
    assert.equal(await page.evaluate(() => window.__xss), undefined, "no script ran");
    assert.equal(page.__dialogs ?? 0, 0, "no dialog opened");
    const href = await page.locator(".line", { hasText: XSS }).first().locator("a").getAttribute("href");
    assert.equal(href, "#", "the javascript: URL became an inert link");
  });

  test("the live indicator shows Reconnecting after kill -9 and Live after a restart, with every change made meanwhile shown", async () => {
    await page.goto(`${server.url}/#/activity`);
    await page.waitForSelector("#activity-feed");
    await page.waitForSelector("#live-indicator[data-state=live]");
    await page.evaluate(() => (window.__sameDocument = true));
    await server.kill9();
    await page.waitForSelector("#live-indicator[data-state=reconnecting]", { timeout: 5000 });
    assert.equal(await indicator(page), "Reconnecting…");
    server = await start(ENV, { dataDir, listen: `127.0.0.1:${port}` });
    fh.close();
    fh = new Forge(server, { github: GH, admin: ADMIN });
    // Changes made before the page is back: it must catch up on them from where it left off.
    const sent = [];
    for (let n = 0; n < 3; n++) {
      const p = issue("opened", T0 + (4 + n) * HOUR, "open", []);
      p.issue.number = 60 + n;
      p.issue.title = `Made while the page was away ${n}`;
      sent.push(await send(fh, "issues", p));
    }
    await page.waitForSelector("#live-indicator[data-state=live]", { timeout: 10_000 });
    assert.equal(await indicator(page), "Live");
    for (let n = 0; n < 3; n++) {
      await page.locator(".line", { hasText: `Made while the page was away ${n}` }).waitFor({ timeout: 5000 });
      assert.equal(await page.locator(".line", { hasText: `Made while the page was away ${n}` }).count(), 1, `line ${n} shown once`);
    }
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
  });

  test("CSRF: a POST authenticated by the cookie without X-CSRF-Token gets 403", async () => {
    const result = await page.evaluate(async () => {
      const post = (headers) => fetch("/api/v1/items", { method: "POST", headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ title: "forged" }) }).then(async (r) => ({ status: r.status, body: await r.json() }));
      const without = await post({});
      const wrong = await post({ "X-CSRF-Token": "0".repeat(64) });
      const csrf = (await (await fetch("/api/v1/session")).json()).csrf_token;
      const right = await post({ "X-CSRF-Token": csrf });
      return { without, wrong, right };
    });
    assert.equal(result.without.status, 403);
    assert.equal(result.without.body.error, "csrf_token_invalid");
    assert.equal(result.wrong.status, 403);
    assert.equal(result.right.status, 201, "the same request with the session's token goes through");
    const forged = (await fh.api("items?limit=500")).json.items.filter((i) => i.title === "forged");
    assert.equal(forged.length, 1, "only the request with the token created an item");
  });

  test("a read-only session cannot acknowledge an incident", async () => {
    const p = workflowRun(300, "failure", T0 + 8 * HOUR);
    p.workflow_run.head_branch = "release";
    await send(fh, "workflow_run", p);
    await fh.drained();
    const open = (await fh.api("incidents?state=open")).json.incidents.find((i) => i.branch === "release");
    assert.ok(open && !open.acknowledged);
    const token = (await fh.api("tokens", { method: "POST", body: { name: "viewer" } })).json.token;
    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const viewer = await viewerContext.newPage();
    await watch(viewer);
    await signIn(viewer, token);
    assert.equal(await viewer.textContent(".who .badge"), "read-only");
    await viewer.goto(`${server.url}/#/incidents`);
    await viewer.waitForSelector(`.incident[data-id="${open.id}"]`);
    assert.equal(await viewer.locator("button.ack").count(), 0, "no acknowledge button for a read-only session");
    const status = await viewer.evaluate(async (id) => {
      const csrf = (await (await fetch("/api/v1/session")).json()).csrf_token;
      const r = await fetch(`/api/v1/incidents/${id}/ack`, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: "{}" });
      return r.status;
    }, open.id);
    assert.equal(status, 403);
    const after = (await fh.api("incidents?state=open")).json.incidents.find((i) => i.id === open.id);
    assert.equal(after.acknowledged, null);
    await viewer.goto(`${server.url}/#/items`);
    await viewer.waitForSelector("#board");
    assert.equal(await viewer.locator("#new-item").count(), 0, "no New item button for a read-only session");
    // Revoking the token ends the session: the page returns to sign-in.
    const tokens = (await fh.api("tokens")).json.tokens;
    await fh.api(`tokens/${tokens.find((t) => t.name === "viewer").id}`, { method: "DELETE" });
    await viewer.reload();
    await viewer.waitForSelector("#token");
    await viewerContext.close();
  });

  test("subscriptions: the list and its attempt log, pause and resume from the page (checked in the API)", async () => {
    const received = [];
    const receiver = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => { received.push(req.headers["webhook-id"]); res.end("thanks"); });
    });
    await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${receiver.address().port}/hooks/forgehook`;
    const created = await fh.api("/api/v1/subscriptions", { method: "POST", body: { url, resources: ["issues"], description: "board sync" } });
    assert.equal(created.status, 201, created.text);
    const id = created.json.id;
    await page.goto(`${server.url}/#/subscriptions`);
    const row = page.locator(`#subscriptions-table tr[data-id="${id}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /board sync/);

    await send(fh, "issues", issue("labeled", T0 + 40 * HOUR, "open", ["subscribed"]));
    await waitFor(() => received.length > 0, { timeoutMs: 10_000, message: "the receiver called" });
    await row.click();
    await page.waitForSelector("#attempts td >> text=200", { timeout: 10_000 });

    await row.locator("button", { hasText: "Pause" }).click();
    await waitFor(async () => (await fh.api(`/api/v1/subscriptions/${id}`)).json.status === "paused",
      { timeoutMs: 5000, message: "paused in the API" });
    await row.locator("button", { hasText: "Resume" }).click();
    await waitFor(async () => (await fh.api(`/api/v1/subscriptions/${id}`)).json.status === "active",
      { timeoutMs: 5000, message: "active again in the API" });
    receiver.close();
  });

  test("a forge connection that keeps failing is flagged on the Connections and Health pages, with its hint", async () => {
    // No credential is stored for GitHub: the hook cannot be made, and the connection is kept as failed.
    const created = await fh.api("/api/v1/connections", { method: "POST", body: { repository: "octo-org/flagged", url: "https://hooks.example.com" } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.status, "failed");
    await page.goto(`${server.url}/#/connections`);
    const row = page.locator(`#connections-table tr[data-id="${created.json.id}"]`);
    await row.waitFor();
    const text = await row.textContent();
    assert.match(text, /octo-org\/flagged/);
    assert.match(text, /failing/);
    assert.match(text, /forgehook credentials set github/);
    assert.equal(await row.getAttribute("class"), "failing");
    await page.goto(`${server.url}/#/health`);
    const flagged = page.locator("#failing-connections");
    await flagged.waitFor();
    assert.match(await flagged.textContent(), /octo-org\/flagged/);
  });

  test("every page has the CSP header and no CSP violation, on a desktop and a phone (screenshots in build/screenshots)", async () => {
    // Data for the charts: a pull request reviewed and merged, a sprint with issues.
    await send(fh, "pull_request", pullRequest("opened", T0));
    await send(fh, "pull_request_review", review(T0 + 2 * HOUR));
    await send(fh, "pull_request", pullRequest("closed", T0 + 5 * HOUR, { merged: true }));
    await send(fh, "issues", milestoneIssue(70, "opened", T0, "open"));
    await send(fh, "issues", milestoneIssue(71, "opened", T0, "open"));
    await send(fh, "issues", milestoneIssue(71, "closed", T0 + 26 * HOUR, "closed"));
    await fh.drained();
    await mkdir(SHOTS, { recursive: true });
    const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const phone = await phoneContext.newPage();
    await watch(phone);
    await phone.goto(`${server.url}/`);
    await phone.waitForSelector("#token");
    await phone.screenshot({ path: path.join(SHOTS, "signin-phone.png") });
    await signIn(phone, ADMIN);
    for (const [p, kind] of [[page, "desktop"], [phone, "phone"]]) {
      for (const route of ROUTES) {
        // A full load per page (a hash change alone is no request): its CSP header, and no leftover toast.
        await p.goto("about:blank");
        const response = await p.goto(`${server.url}/#/${route}`);
        assert.ok(response, `${kind} ${route}: a document response`);
        assert.equal(response.headers()["content-security-policy"], CSP, route);
        await p.waitForSelector("#page > *");
        await p.waitForFunction(() => !document.querySelector("#page .loading"), null, { timeout: 5000 });
        if (route === "pulls") await p.waitForSelector(".chart canvas");
        if (route === "sprint") await p.waitForSelector(".chart canvas, .empty, .error");
        assert.equal(await p.locator("#page .error").count(), 0, `${kind} ${route}: ${await p.textContent("#page")}`);
        if (route === "subscriptions") await p.waitForSelector("#subscriptions-table");
        if (route === "deliveries") {
          await p.click("#deliveries-table tbody tr:first-child");
          await p.waitForSelector("#payload");
        }
        await p.waitForTimeout(150);
        await p.screenshot({ path: path.join(SHOTS, `${route}-${kind}.png`), fullPage: true });
        assert.deepEqual(await p.evaluate(() => window.__csp), [], `${kind} ${route}: CSP violations`);
      }
    }
    await phoneContext.close();
    assert.deepEqual(violations, [], "no console CSP messages");
    const cookie = (await context.cookies()).find((c) => c.name === "fh_session").value;
    server.assertNoSecretsLogged([cookie]);
  });

  // Last: it prunes the bodies of every settled delivery of this server.
  test("a delivery whose body retention pruned says so, with no payload and no replay", async () => {
    const sent = await send(fh, "issues", issue("opened", T0 + 5 * HOUR, "open", []));
    await waitFor(async () => (await fh.api(`/api/v1/deliveries/${sent.json.id}`)).json.status === "processed",
      { message: "the delivery processed" });
    const pruned = await fh.api("/api/v1/deliveries/prune", { method: "POST", body: { older_than_days: 0 } });
    assert.equal(pruned.status, 200, pruned.text);
    assert.equal((await fh.api(`/api/v1/deliveries/${sent.json.id}`)).json.body_pruned, true);
    await page.goto("about:blank");
    await page.goto(`${server.url}/#/deliveries`);
    await page.click(`#deliveries-table tbody tr[data-id="${sent.json.id}"]`);
    await page.waitForSelector("#payload-pruned");
    assert.match(await page.textContent("#payload-pruned"), /^Pruned by retention .+: headers and what it changed are kept\.$/);
    assert.equal(await page.locator("#payload").count(), 0, "no payload block");
    assert.equal(await page.locator("#replay").count(), 0, "no replay button for a body that is gone");
  });
});
