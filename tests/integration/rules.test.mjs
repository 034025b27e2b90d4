// [[rules]] → commands through the real binary and real processes (tests/fixtures/commands/record.mjs
// logs each run): a delivery matching three rules runs three commands once each, and a replay runs
// none again; a pull request title full of shell metacharacters stays one argv element and runs
// nothing else; a timeout kills the whole process group; a rule's concurrency limit holds; retries;
// kill -9 of forgehook during a run re-runs the command once (and says so), never a third time;
// `forgehook rules test --delivery` shows the exact argv and environment; runs reach the change feed.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Forge, makeSecret } from "./lib/forge.mjs";
import { example } from "./lib/scenario.mjs";
import { ROOT, makeTempDir, removeDir, runCli, start, waitFor } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };
const RECORD = path.join(ROOT, "tests/fixtures/commands/record.mjs");
const NODE = process.execPath;

const toml = (v) => JSON.stringify(v); // a TOML basic string or array of them is JSON's syntax
function rule({ name, event, action, command, extra = "", env = {} }) {
  let text = `[[rules]]\nname = ${toml(name)}\ncommand = ${toml(command)}\n`;
  if (event) text += `event = ${toml(event)}\n`;
  if (action) text += `action = ${toml(action)}\n`;
  text += extra;
  if (Object.keys(env).length) {
    text += "[rules.env]\n";
    for (const [k, v] of Object.entries(env)) text += `${k} = ${toml(v)}\n`;
  }
  return text + "\n";
}

function readLog(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Starts forgehook on `rulesText` in `dataDir`; `cleanup` gets what stops it and removes the dir.
async function startWith(rulesText, { dataDir, cleanup }) {
  const config = path.join(dataDir, "rules.toml");
  writeFileSync(config, rulesText);
  const server = await start(ENV, { dataDir, config });
  const fh = new Forge(server, { github: GH, admin: ADMIN });
  cleanup.push(async () => {
    fh.close();
    await server.stop();
    await removeDir(dataDir);
  });
  return { server, config, fh };
}

async function commandsOf(fh, filter = {}) {
  return fh.listAll(filter, { resource: "commands" });
}

async function waitForCommands(fh, predicate, message, timeoutMs = 15_000) {
  return waitFor(async () => {
    const runs = await commandsOf(fh);
    return predicate(runs) ? runs : null;
  }, { timeoutMs, message });
}

const settled = (runs) => runs.every((r) => !["queued", "running", "retrying"].includes(r.status));

describe("rules → commands", () => {
  const cleanup = [];
  after(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  test("a delivery matching three rules runs three commands once each; a replay runs none again", async () => {
    const dir = await makeTempDir("forgehook-rules-");
    const log = path.join(dir, "runs.log");
    const rec = (name) => [NODE, RECORD, log, name, "{{/pull_request/number}}", "{{delivery_id}}"];
    const text =
      rule({ name: "one", event: "pull_request", command: rec("one") }) +
      rule({ name: "two", event: "pull_request", action: "opened", command: rec("two"), extra: 'payload = "file"\n' }) +
      rule({ name: "three", event: ["pull_request", "push"], command: rec("three"), extra: 'payload = "none"\n' }) +
      rule({ name: "not-me", event: "push", command: rec("not-me") });
    const { server, fh } = await startWith(text, { dataDir: dir, cleanup });
    const payload = example("pull_request", "opened");
    const res = await fh.github(payload, { event: "pull_request" });
    assert.equal(res.status, 200, res.text);
    const deliveryId = res.json.id;
    const runs = await waitForCommands(fh, (r) => r.length === 3 && settled(r), "three commands settled");
    assert.deepEqual(runs.map((r) => r.rule).sort(), ["one", "three", "two"]);
    for (const r of runs) {
      assert.equal(r.status, "succeeded", JSON.stringify(r));
      assert.equal(r.delivery, deliveryId);
      assert.equal(r.delivery_guid, res.delivery);
      assert.equal(r.attempt, 1);
      assert.equal(r.exit_code, 0);
      assert.equal(r.rerun_after_crash, false);
    }
    const starts = readLog(log).filter((l) => l.phase === "start");
    assert.deepEqual(starts.map((l) => l.args[0]).sort(), ["one", "three", "two"]);
    const byRule = Object.fromEntries(starts.map((l) => [l.args[0], l]));
    for (const l of starts) {
      assert.deepEqual(l.args.slice(1), [String(payload.pull_request.number), res.delivery]);
      assert.equal(l.env.FORGEHOOK_DELIVERY_ID, res.delivery);
      assert.equal(l.env.FORGEHOOK_DELIVERY, String(deliveryId));
      assert.equal(l.env.FORGEHOOK_EVENT, "pull_request");
      assert.equal(l.env.FORGEHOOK_ACTION, "opened");
      assert.equal(l.env.FORGEHOOK_REPOSITORY, payload.repository.full_name);
      assert.equal(l.env.FORGEHOOK_ATTEMPT, "1");
      assert.equal(l.env.FORGEHOOK_RERUN_AFTER_CRASH, "0");
      assert.equal(l.env.FORGEHOOK_ADMIN_TOKEN, undefined, "forgehook's own secrets never reach a command");
      assert.equal(l.env.FORGEHOOK_GITHUB_SECRET, undefined);
    }
    assert.equal(JSON.parse(byRule.one.stdin).pull_request.number, payload.pull_request.number, "payload on stdin");
    assert.equal(byRule.two.stdin, "", "payload = file: stdin is empty");
    assert.equal(JSON.parse(byRule.two.payloadFile).action, "opened", "payload = file: the file holds it");
    assert.equal(byRule.three.stdin, "", "payload = none");
    assert.equal(existsSync(byRule.two.env.FORGEHOOK_PAYLOAD_FILE), false, "the payload file is removed after the run");

    // The change feed has each run, from queued to succeeded.
    const changes = await fh.api("/api/v1/changes?resource=commands&limit=100");
    assert.equal(changes.status, 200, changes.text);
    const statuses = changes.json.changes.map((c) => `${c.data.rule}:${c.data.status}`);
    for (const name of ["one", "two", "three"]) {
      assert.ok(statuses.includes(`${name}:queued`), statuses.join(" "));
      assert.ok(statuses.includes(`${name}:running`), statuses.join(" "));
      assert.ok(statuses.includes(`${name}:succeeded`), statuses.join(" "));
    }

    // Replaying (or rebuilding) processes the delivery again but never runs its commands again.
    assert.equal((await fh.api(`/api/v1/deliveries/${deliveryId}/replay`, { method: "POST" })).status, 202);
    assert.equal((await fh.api("/api/v1/rebuild", { method: "POST" })).status, 202);
    await fh.drained();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(readLog(log).filter((l) => l.phase === "start").length, 3, "no command ran again");
    assert.equal((await commandsOf(fh)).length, 3);

    // The dry run names the matching rules with their exact argv and environment.
    const cli = await runCli(["rules", "test", "--delivery", String(deliveryId), "--json", "--data-dir", dir], {
      env: { FORGEHOOK_ADMIN_TOKEN: ADMIN },
    });
    assert.equal(cli.code, 0, cli.stderr);
    const dry = JSON.parse(cli.stdout);
    const verdict = Object.fromEntries(dry.rules.map((r) => [r.rule, r]));
    assert.equal(verdict["not-me"].matched, false);
    assert.match(verdict["not-me"].reason, /push/);
    assert.deepEqual(verdict.one.command.argv, [NODE, RECORD, log, "one", String(payload.pull_request.number), res.delivery]);
    assert.equal(verdict.two.command.payload, "file");
    assert.equal(verdict.one.command.env.FORGEHOOK_DELIVERY_ID, res.delivery);
    const human = await runCli(["rules", "test", "--delivery", String(deliveryId), "--data-dir", dir], {
      env: { FORGEHOOK_ADMIN_TOKEN: ADMIN },
    });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /3 of 4 rules match/);
    assert.equal(readLog(log).filter((l) => l.phase === "start").length, 3, "the dry run ran nothing");
    const listed = await runCli(["rules", "list", "--data-dir", dir], { env: { FORGEHOOK_ADMIN_TOKEN: ADMIN } });
    assert.equal(listed.code, 0, listed.stderr);
    for (const name of ["one", "two", "three", "not-me"]) assert.match(listed.stdout, new RegExp(`^${name} `, "m"), listed.stdout);

    // One run in full, by the CLI.
    const show = await runCli(["commands", "show", String(runs[0].id), "--json", "--data-dir", dir], {
      env: { FORGEHOOK_ADMIN_TOKEN: ADMIN },
    });
    assert.equal(show.code, 0, show.stderr);
    assert.equal(JSON.parse(show.stdout).argv[0], NODE);
  });

  test("a title full of shell metacharacters is one argv element and runs nothing else", async () => {
    const dir = await makeTempDir("forgehook-rules-");
    const log = path.join(dir, "runs.log");
    const marker = path.join(dir, "pwned");
    const title = `$(touch ${marker}); \`touch ${marker}2\` && touch ${marker}3 | sh -c 'touch ${marker}4' > /dev/null "q" \\ * ?`;
    const text = rule({ name: "echo-title", event: "pull_request", command: [NODE, RECORD, log, "{{/pull_request/title}}"],
      env: { TITLE: "{{/pull_request/title}}" } });
    const { server, fh } = await startWith(text, { dataDir: dir, cleanup });
    const payload = example("pull_request", "opened");
    payload.pull_request = { ...payload.pull_request, title };
    assert.equal((await fh.github(payload, { event: "pull_request" })).status, 200);
    const [run] = await waitForCommands(fh, (r) => r.length === 1 && settled(r), "the command settled");
    assert.equal(run.status, "succeeded", JSON.stringify(run));
    const [started] = readLog(log).filter((l) => l.phase === "start");
    assert.deepEqual(started.args, [title], "the title is exactly one argument");
    assert.equal(started.env.TITLE, title);
    for (const suffix of ["", "2", "3", "4"]) assert.equal(existsSync(marker + suffix), false, `${marker}${suffix} was not created`);
  });

  test("a timeout kills the command's whole process group; retries follow the rule", async () => {
    const dir = await makeTempDir("forgehook-rules-");
    const pidFile = path.join(dir, "grandchild.pid");
    const text =
      rule({ name: "hang", event: "pull_request",
        command: ["/bin/sh", "-c", `sleep 300 & echo $! > ${pidFile}; wait`], extra: "timeout_s = 1\npayload = \"none\"\n" }) +
      rule({ name: "flaky", event: "pull_request", command: ["/bin/sh", "-c", "echo attempt $FORGEHOOK_ATTEMPT; exit 3"],
        extra: "max_attempts = 3\nretry_delay_s = 1\npayload = \"none\"\n" });
    const { server, fh } = await startWith(text + "[commands]\nkill_grace_ms = 500\n", { dataDir: dir, cleanup });
    assert.equal((await fh.github(example("pull_request", "opened"), { event: "pull_request" })).status, 200);
    const runs = await waitForCommands(fh, (r) => r.length === 2 && settled(r), "both commands settled", 20_000);
    const hang = runs.find((r) => r.rule === "hang");
    assert.equal(hang.status, "timed_out", JSON.stringify(hang));
    assert.match(hang.error, /timed out after 1 s/);
    assert.ok(hang.duration_seconds >= 1 && hang.duration_seconds < 5, JSON.stringify(hang));
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    assert.ok(grandchild > 0);
    await waitFor(() => !pidAlive(grandchild), { timeoutMs: 3000, message: `grandchild ${grandchild} gone` });

    const flaky = runs.find((r) => r.rule === "flaky");
    assert.equal(flaky.status, "failed");
    assert.equal(flaky.attempt, 3, "three attempts, then failed");
    assert.equal(flaky.exit_code, 3);
    const detail = await fh.api(`/api/v1/commands/${flaky.id}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.json.output, "attempt 3\n");
    assert.match(detail.json.error, /exited with status 3/);
    // A finished run can be run again on demand; a running one cannot.
    const again = await fh.api(`/api/v1/commands/${flaky.id}/rerun`, { method: "POST" });
    assert.equal(again.status, 202, again.text);
    assert.ok(["queued", "running"].includes(again.json.status), again.text); // the scheduler may have it already
    assert.equal(again.json.next_attempt_at, null, "a queued run has no retry time");
    assert.equal(again.json.max_attempts, 6, "three more attempts: the rule's budget");
    const missing = await fh.api("/api/v1/commands/999999");
    assert.equal(missing.status, 404);
  });

  test("a rule's concurrency limit holds under a burst", async () => {
    const dir = await makeTempDir("forgehook-rules-");
    const log = path.join(dir, "runs.log");
    const text = rule({ name: "two-at-a-time", event: "pull_request", command: [NODE, RECORD, log, "{{delivery}}"],
      extra: 'concurrency = 2\npayload = "none"\n', env: { RECORD_BEHAVIOUR: "sleep:400" } });
    const { server, fh } = await startWith(text, { dataDir: dir, cleanup });
    const payload = example("pull_request", "opened");
    for (let i = 0; i < 6; i++) assert.equal((await fh.github(payload, { event: "pull_request" })).status, 200);
    await waitForCommands(fh, (r) => r.length === 6 && settled(r), "six commands settled", 30_000);
    const ends = readLog(log).filter((l) => l.phase === "end");
    assert.equal(ends.length, 6);
    let most = 0;
    for (const a of ends) {
      const overlapping = ends.filter((b) => b.started < a.ended && a.started < b.ended).length;
      most = Math.max(most, overlapping);
    }
    assert.equal(most, 2, "never more than two at once, and two did run together");
  });

  test("kill -9 of forgehook during a run re-runs the command once, and says so; never a third time", async () => {
    const dir = await makeTempDir("forgehook-rules-");
    const log = path.join(dir, "runs.log");
    const text = rule({ name: "slow", event: "pull_request", command: [NODE, RECORD, log, "{{delivery}}"],
      extra: 'payload = "none"\n', env: { RECORD_BEHAVIOUR: "sleep-until-attempt:3:60000" } });
    let { server, fh, config } = await startWith(text, { dataDir: dir, cleanup });
    const orphans = [];
    cleanup.push(async () => {
      fh.close();
      for (const pid of orphans) if (pidAlive(pid)) process.kill(pid, "SIGKILL");
      if (server.alive) await server.stop();
      await removeDir(dir);
    });
    const starts = () => readLog(log).filter((l) => l.phase === "start");
    assert.equal((await fh.github(example("pull_request", "opened"), { event: "pull_request" })).status, 200);
    await waitFor(() => starts().length === 1, { message: "the first run started" });
    orphans.push(starts()[0].pid);
    await server.kill9();
    fh.close();

    server = await start(ENV, { dataDir: dir, config });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    await waitFor(() => starts().length === 2, { message: "the command ran once more after the restart" });
    const second = starts()[1];
    orphans.push(second.pid);
    assert.equal(second.env.FORGEHOOK_RERUN_AFTER_CRASH, "1");
    assert.equal(second.env.FORGEHOOK_ATTEMPT, "2");
    assert.equal(second.env.FORGEHOOK_DELIVERY_ID, starts()[0].env.FORGEHOOK_DELIVERY_ID, "the same delivery id: idempotence");
    const [running] = await commandsOf(fh);
    assert.equal(running.status, "running");
    assert.equal(running.rerun_after_crash, true);
    await server.kill9();
    fh.close();

    server = await start(ENV, { dataDir: dir, config });
    fh = new Forge(server, { github: GH, admin: ADMIN });
    const [interrupted] = await waitForCommands(fh, (r) => r.length === 1 && r[0].status === "interrupted", "interrupted");
    assert.match(interrupted.error, /not run again/);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(starts().length, 2, "a run cut off twice is not run a third time");
    // On demand it runs again (attempt 3 exits at once).
    assert.equal((await fh.api(`/api/v1/commands/${interrupted.id}/rerun`, { method: "POST" })).status, 202);
    const [done] = await waitForCommands(fh, (r) => r.length === 1 && r[0].status === "succeeded", "the rerun succeeded");
    assert.equal(done.attempt, 3);
    assert.equal(starts().length, 3);
  });

  test("a bad rule stops the start with a message naming it", async () => {
    const dir = await makeTempDir("forgehook-rules-");
    cleanup.push(() => removeDir(dir));
    const config = path.join(dir, "bad.toml");
    writeFileSync(config, rule({ name: "bad", event: "push", command: ["/bin/true"], extra: '[[rules.when]]\npointer = "/ref"\nmatches = "(unclosed"\n' }));
    await assert.rejects(start(ENV, { dataDir: dir, config }), /rules\[0\]/);
  });
});
