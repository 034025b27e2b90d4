// The dashboard's Commands page in real Chromium (playwright-core, Debian's /usr/bin/chromium) against
// the real binary with two [[rules]] whose command is the recorder (tests/fixtures/commands/record.mjs):
// runs listed and updated live, the detail (argv elements, environment, output as text), a failing
// rule, the filters, Run again for an admin and not for a read-only session, the page without rules.
// Screenshots go to build/screenshots/commands-*.png.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { Forge, makeSecret } from "../integration/lib/forge.mjs";
import { example } from "../integration/lib/scenario.mjs";
import { ROOT, makeTempDir, removeDir, start, waitFor } from "../integration/lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = path.join(ROOT, "build", "screenshots");
const RECORD = path.join(ROOT, "tests/fixtures/commands/record.mjs");
const NODE = process.execPath;
// The build's output holds markup: the page must show it as text.
const OUTPUT = `<img src=x onerror="window.__xss=1">built pull request {{/pull_request/number}}\nline two\n`;
const TITLE = `Fix "quoted" title; $(touch /tmp/pwned) && echo <b>bold</b> | sh`;

const toml = (v) => JSON.stringify(v); // a TOML basic string or array of them is JSON's syntax
function rulesConfig(log) {
  return `[[rules]]\nname = "build"\nevent = "pull_request"\npayload = "none"\n` +
    `command = ${toml([NODE, RECORD, log, "{{/pull_request/title}}", "{{delivery_id}}"])}\n` +
    `[rules.env]\nRECORD_BEHAVIOUR = "sleep:1500"\nRECORD_STDOUT = ${toml(OUTPUT)}\n\n` +
    `[[rules]]\nname = "check"\nevent = "issues"\npayload = "none"\ncommand = ${toml([NODE, RECORD, log, "check"])}\n` +
    `[rules.env]\nRECORD_BEHAVIOUR = "exit:7"\n\n` +
    `[[rules]]\nname = "deploy"\nevent = "push"\npayload = "none"\ncommand = ${toml([NODE, RECORD, log, "deploy"])}\n` +
    `[rules.env]\nRECORD_BEHAVIOUR = "sleep-until-attempt:2:60000"\n`;
}

const starts = (log, name) => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [])
  .filter((l) => l.phase === "start" && l.args[0] === name);

describe("Commands page in Chromium", () => {
  let server, fh, dataDir, config, log, browser, context, page;
  const orphans = []; // commands left running by a forgehook killed with -9
  // Uncaught exceptions from every page, and console errors once signed in (before, the page's
  // probe of its session is answered 401, which Chromium logs).
  const errors = [];

  function watch(p) {
    p.on("console", (m) => p.__signedIn && m.type() === "error" && errors.push(`${p.url()}: ${m.text()}`));
    p.on("pageerror", (e) => errors.push(`${p.url()}: ${e.message}`));
  }

  async function signIn(p, url, token) {
    await p.goto(`${url}/#/activity`);
    await p.fill("#token", token);
    await p.click("button[type=submit]");
    await p.waitForSelector("#live-indicator[data-state=live]", { timeout: 10_000 });
    p.__signedIn = true;
  }

  const runRow = (p, id) => p.locator(`#commands-table tr[data-id="${id}"]`);

  before(async () => {
    dataDir = await makeTempDir("forgehook-browser-commands-");
    log = path.join(dataDir, "runs.log");
    config = path.join(dataDir, "rules.toml");
    writeFileSync(config, rulesConfig(log));
    server = await start(ENV, { dataDir, config });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    const root = process.getuid?.() === 0; // Chromium's sandbox cannot start as root
    browser = await chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: !root });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    watch(page);
    await signIn(page, server.url, ADMIN);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    fh?.close();
    await server?.stop().catch(() => {});
    for (const pid of orphans) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    if (dataDir) await removeDir(dataDir);
  });

  test("the rule filter lists the configured rules, and the page says when nothing has run yet", async () => {
    await page.goto(`${server.url}/#/commands`);
    await page.waitForSelector("#page .empty");
    assert.match(await page.textContent("#page .empty"), /No commands have run yet/);
    await page.waitForFunction(() => document.querySelectorAll("select[name=rule] option").length > 1);
    assert.deepEqual(await page.locator("select[name=rule] option").allTextContents(), ["any rule", "build", "check", "deploy"]);
    assert.equal(await page.locator("nav a[data-route=commands].active").count(), 1);
  });

  test("a new delivery's run appears live and goes from running to succeeded without a reload", async () => {
    await page.evaluate(() => (window.__sameDocument = true));
    const payload = example("pull_request", "opened");
    payload.pull_request = { ...payload.pull_request, title: TITLE };
    const sent = await fh.github(payload, { event: "pull_request" });
    assert.equal(sent.status, 200, sent.text);
    const running = page.locator("#commands-table tr[data-rule=build][data-status=running]");
    await running.waitFor({ timeout: 5000 });
    const id = Number(await running.getAttribute("data-id"));
    assert.match(await running.getAttribute("class"), /run-running/);
    await page.waitForSelector(`#commands-table tr[data-id="${id}"][data-status=succeeded]`, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
    const cells = await runRow(page, id).locator("td").allTextContents();
    assert.equal(cells[0].trim(), "succeeded");
    assert.equal(cells[1], "build");
    assert.equal(cells[2], payload.repository.full_name);
    assert.equal(cells[3], "pull_request.opened");
    assert.equal(cells[4], `#${sent.json.id}`);
    assert.equal(cells[5], "1/1");
    assert.equal(cells[6], "0");
    assert.match(cells[7], /^\d+\.\d+ s$/);
    assert.equal(await page.locator("#commands-table tbody tr").count(), 1, "the run is listed once");
  });

  test("the detail shows each argv element apart, the environment and the output as text", async () => {
    const [run] = (await fh.api("/api/v1/commands?rule=build")).json.commands;
    const full = (await fh.api(`/api/v1/commands/${run.id}`)).json;
    await runRow(page, run.id).click();
    await page.waitForSelector("#argv li");
    const argv = await page.locator("#argv > li").allTextContents();
    assert.equal(argv.length, 5, JSON.stringify(argv));
    assert.deepEqual(argv, full.argv);
    assert.equal(argv[3], TITLE, "the title with spaces and metacharacters is one element");
    assert.equal(argv[4], run.delivery_guid);
    const env = await page.textContent("#env");
    for (const [name, value] of Object.entries(full.env)) {
      assert.ok(env.includes(name), `env ${name} shown`);
      assert.ok(env.includes(value), `env ${name}'s value shown`);
    }
    assert.equal(full.workdir, "", "no workdir in the rule");
    assert.equal(await page.textContent("#workdir"), "the data directory (default)");
    const expected = OUTPUT.replace("{{/pull_request/number}}", String(example("pull_request", "opened").pull_request.number));
    assert.equal(await page.textContent("#output"), expected);
    assert.equal(await page.evaluate(() => document.querySelector("#output").tagName), "PRE");
    assert.equal(await page.locator("#command-detail img").count(), 0, "no element was made from the output");
    assert.equal(await page.evaluate(() => window.__xss), undefined, "no script ran");
    assert.equal(await page.locator("#rerun-after-crash").count(), 0, "a run not cut off is not flagged");
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, "commands-desktop.png"), fullPage: true });
  });

  test("the delivery column links to the delivery's page with its payload open", async () => {
    const [run] = (await fh.api("/api/v1/commands?rule=build")).json.commands;
    await page.goto(`${server.url}/#/commands`);
    await runRow(page, run.id).locator("a.delivery-link").click();
    await page.waitForSelector("#payload");
    assert.equal(new URL(page.url()).hash, `#/deliveries/${run.delivery}`);
    assert.equal(await page.textContent("#delivery-detail h3"), `Delivery #${run.delivery}`);
    assert.equal(await page.locator("#command-detail").count(), 0);
  });

  test("a failing rule shows failed with its exit code and error; the filters narrow the list", async () => {
    await page.goto(`${server.url}/#/commands`);
    await page.waitForSelector("#commands-table");
    assert.equal((await fh.github(example("issues", "opened"), { event: "issues" })).status, 200);
    const failed = page.locator("#commands-table tr[data-rule=check][data-status=failed]");
    await failed.waitFor({ timeout: 10_000 });
    assert.match(await failed.getAttribute("class"), /run-bad/);
    assert.equal(await failed.locator("td.exit").textContent(), "7");
    await failed.click();
    await page.waitForSelector("#run-error");
    assert.match(await page.textContent("#run-error"), /exited with status 7/);

    await page.selectOption("select[name=rule]", "check");
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll("#commands-table tbody tr")];
      return rows.length > 0 && rows.every((r) => r.dataset.rule === "check");
    });
    await page.selectOption("select[name=rule]", "");
    await page.selectOption("select[name=state]", "succeeded");
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll("#commands-table tbody tr")];
      return rows.length === 1 && rows[0].dataset.rule === "build";
    });
    await page.selectOption("select[name=state]", "timed_out");
    await page.waitForSelector("#page .empty");
    assert.match(await page.textContent("#page .empty"), /No run matches these filters/);
    await page.selectOption("select[name=state]", "");
    await page.waitForSelector("#commands-table tr[data-rule=check]");
  });

  test("Run again runs a finished command once more, live; a 409 from the server is shown", async () => {
    const [run] = (await fh.api("/api/v1/commands?rule=check")).json.commands;
    assert.equal(starts(log, "check").length, 1);
    await page.goto(`${server.url}/#/commands/${run.id}`);
    await page.waitForSelector("#rerun");
    await page.click("#rerun");
    await waitFor(() => starts(log, "check").length === 2, { message: "the command ran again" });
    await waitFor(async () => (await fh.api(`/api/v1/commands/${run.id}`)).json.status === "failed", { message: "failed again" });
    await page.waitForSelector(`#commands-table tr[data-id="${run.id}"][data-status=failed]`);
    assert.equal(await page.locator("#rerun-message .error").count(), 0);

    // The button shows for finished runs only, so a 409 comes from a race with another rerun: the
    // answer of a real one (a run still queued or running) is replayed to the page's click.
    const [build] = (await fh.api("/api/v1/commands?rule=build")).json.commands;
    await page.goto(`${server.url}/#/commands/${build.id}`);
    await page.waitForSelector("#rerun");
    assert.equal((await fh.api(`/api/v1/commands/${build.id}/rerun`, { method: "POST" })).status, 202);
    const conflict = await fh.api(`/api/v1/commands/${build.id}/rerun`, { method: "POST" });
    assert.equal(conflict.status, 409, conflict.text);
    assert.equal(conflict.json.error, "command_not_finished");
    await waitFor(async () => (await fh.api(`/api/v1/commands/${build.id}`)).json.status === "succeeded",
      { timeoutMs: 15_000, message: "the build ran again" });
    await page.waitForSelector(`#commands-table tr[data-id="${build.id}"][data-status=succeeded]`);
    await page.route("**/api/v1/commands/*/rerun", (route) =>
      route.fulfill({ status: 409, contentType: "application/json", body: conflict.text }));
    await page.waitForSelector("#rerun:not([disabled])");
    await page.click("#rerun");
    await page.waitForSelector("#rerun-message .error");
    assert.equal(await page.textContent("#rerun-message .error"), conflict.json.message);
    await page.unroute("**/api/v1/commands/*/rerun");
    // Chromium reports the refused request itself on the console: that one is expected.
    const expected = errors.findIndex((e) => /status of 409/.test(e));
    assert.ok(expected >= 0, errors.join("\n"));
    errors.splice(expected, 1);
  });

  test("a read-only session sees runs and their detail but no Run again", async () => {
    const token = (await fh.api("/api/v1/tokens", { method: "POST", body: { name: "viewer" } })).json.token;
    const viewerContext = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const viewer = await viewerContext.newPage();
    watch(viewer);
    await signIn(viewer, server.url, token);
    assert.equal(await viewer.textContent(".who .badge"), "read-only");
    const [run] = (await fh.api("/api/v1/commands?rule=check")).json.commands;
    await viewer.goto(`${server.url}/#/commands`);
    await runRow(viewer, run.id).click();
    await viewer.waitForSelector("#argv li");
    assert.equal(await viewer.locator("#rerun").count(), 0, "no Run again for a read-only session");
    await viewer.screenshot({ path: path.join(SHOTS, "commands-phone.png"), fullPage: true });
    await viewerContext.close();
  });

  test("with no rules configured the page says so and where to read how to add one", async () => {
    const dir = await makeTempDir("forgehook-browser-norules-");
    const bare = await start(ENV, { dataDir: dir });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const p = await ctx.newPage();
      watch(p);
      await signIn(p, bare.url, ADMIN);
      await p.goto(`${bare.url}/#/commands`);
      await p.waitForSelector("#no-rules");
      const text = await p.textContent("#no-rules");
      assert.match(text, /No rules configured/);
      assert.match(text, /\[\[rules\]\]/);
      assert.match(text, /docs\/CONFIG\.md/);
      assert.match(text, /Rules → commands/);
      await p.screenshot({ path: path.join(SHOTS, "commands-no-rules-desktop.png"), fullPage: true });
    } finally {
      await ctx.close();
      await bare.stop();
      await removeDir(dir);
    }
  });

  test("a run cut off by kill -9 of forgehook is re-run after the restart and flagged so", async () => {
    await page.goto(`${server.url}/#/commands`);
    await page.waitForSelector("#commands-table");
    assert.equal((await fh.github(example("push"), { event: "push" })).status, 200);
    await waitFor(() => starts(log, "deploy").length === 1, { message: "the deploy started" });
    orphans.push(starts(log, "deploy")[0].pid);
    const before = errors.length;
    await server.kill9();
    await page.waitForSelector("#live-indicator[data-state=reconnecting]", { timeout: 5000 });
    server = await start(ENV, { dataDir, config, listen: `127.0.0.1:${server.port}` });
    fh.close();
    fh = new Forge(server, { github: GH, admin: ADMIN });
    await page.waitForSelector("#live-indicator[data-state=live]", { timeout: 10_000 });
    const row = page.locator("#commands-table tr[data-rule=deploy][data-status=succeeded]");
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await row.locator(".crash-flag").count(), 1, "the row flags the re-run");
    await row.click();
    await page.waitForSelector("#rerun-after-crash");
    assert.match(await page.textContent("#rerun-after-crash"), /^Re-run after forgehook stopped mid-run/);
    assert.match(await page.textContent("#command-detail .attempt-of"), /^2 of \d+$/, "the second attempt");
    // The stream's failed reconnections while the server was down are the browser's own reports.
    const meanwhile = errors.splice(before);
    assert.ok(meanwhile.every((e) => /net::ERR_|status of 503/.test(e)), meanwhile.join("\n"));
  });

  test("no console errors on any page of this file", () => {
    assert.deepEqual(errors, []);
  });
});
