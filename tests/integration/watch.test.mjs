// `forgehook watch` against the real binary: it prints the changes committed after it started, in
// seq order, as JSON lines or one human line each; it survives a kill -9 and restart of the server
// (finding the new port through the data directory) with no change missed or printed twice; it
// filters; it exits non-zero with the server's message on a bad filter, and 0 on SIGINT. And
// server.max_streams: a stream beyond it gets 503 (which watch rides out until a slot frees).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import { Forge, httpRequest, makeSecret } from "./lib/forge.mjs";
import { HOUR, T0, issue, pullRequest } from "./lib/scenario.mjs";
import { BIN, makeTempDir, removeDir, runCli, start, waitFor } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };
const CLI_ENV = { FORGEHOOK_ADMIN_TOKEN: ADMIN };

const running = new Set(); // watch processes, killed if a test fails before it stops them

// A long-running `forgehook watch`: its stdout lines as they arrive, its stderr, and stop().
function watch(args) {
  const proc = spawn(BIN, ["watch", ...args], {
    env: { PATH: process.env.PATH, LANG: "C.UTF-8", ...CLI_ENV },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(proc);
  const lines = [];
  let partial = "";
  let stderr = "";
  proc.stdout.setEncoding("utf8");
  proc.stdout.on("data", (chunk) => {
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop();
    lines.push(...parts);
  });
  proc.stderr.setEncoding("utf8");
  proc.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => proc.on("exit", (code, signal) => {
    running.delete(proc);
    resolve({ code, signal });
  }));
  return {
    lines,
    json: () => lines.map((l) => JSON.parse(l)),
    stderr: () => stderr,
    exited,
    // Sends `signal`; resolves the exit, SIGKILLing a process that does not exit within 5 s.
    async stop(signal = "SIGINT") {
      proc.kill(signal);
      let timer;
      const result = await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000, null)))]);
      clearTimeout(timer);
      if (result) return result;
      proc.kill("SIGKILL");
      await exited;
      throw new Error(`watch did not exit within 5 s of ${signal}; stderr:\n${stderr}`);
    },
  };
}

async function streamsOpen(server) {
  const res = await httpRequest({ port: server.port, path: "/metrics" });
  return Number(/^forgehook_streams_open (\d+)/m.exec(res.text)?.[1] ?? NaN);
}

async function newestSeq(fh) {
  const res = await fh.api("/api/v1/changes?limit=1");
  assert.equal(res.status, 200, res.text);
  return res.json.newest_seq;
}

async function send(fh, event, payload) {
  const res = await fh.github(payload, { event });
  assert.equal(res.status, 200, res.text);
  return res;
}

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("forgehook watch", () => {
  let server, fh, dataDir;
  before(async () => {
    dataDir = await makeTempDir("forgehook-watch-");
    server = await start(ENV, { dataDir });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });
  after(async () => {
    for (const proc of running) proc.kill("SIGKILL");
    fh?.close();
    await server?.stop().catch(() => {});
    if (dataDir) await removeDir(dataDir);
  });

  test("--json prints the changes after it started in seq order, across a kill -9 and restart", async () => {
    await send(fh, "pull_request", pullRequest("opened", T0));
    await fh.drained();
    const before = await newestSeq(fh);
    assert.ok(before > 0);

    const w = watch(["--json", "--data-dir", dataDir]);
    await waitFor(async () => (await streamsOpen(server)) === 1, { timeoutMs: 10_000, message: "watch's stream open" });
    const sentBefore = [];
    sentBefore.push((await send(fh, "issues", issue("opened", T0 + HOUR, "open", ["bug"]))).delivery);
    sentBefore.push((await send(fh, "pull_request", pullRequest("edited", T0 + 2 * HOUR))).delivery);
    await fh.drained();
    const beforeRestart = await newestSeq(fh);
    await waitFor(() => w.lines.length > 0 && w.json().at(-1).seq >= beforeRestart,
      { timeoutMs: 10_000, message: `watch prints up to seq ${beforeRestart}; got:\n${w.lines.join("\n")}\n${w.stderr()}` });
    assert.deepEqual(w.json().map((c) => c.seq), range(before + 1, beforeRestart), "the changes after it started, in order");

    // kill -9; a new process on the same data directory listens on another port.
    const oldPort = server.port;
    await server.kill9();
    server = await start(ENV, { dataDir });
    fh.close();
    fh = new Forge(server, { github: GH, admin: ADMIN });
    assert.notEqual(server.port, oldPort, "the restarted server has a new port (port 0)");
    const sentAfter = (await send(fh, "pull_request", pullRequest("closed", T0 + 3 * HOUR, { merged: true }))).delivery;
    await fh.drained();
    const newest = await newestSeq(fh);
    assert.ok(newest > beforeRestart);
    await waitFor(() => w.json().at(-1).seq >= newest,
      { timeoutMs: 20_000, message: `watch prints up to seq ${newest} after the restart; stderr:\n${w.stderr()}` });

    const changes = w.json();
    assert.deepEqual(changes.map((c) => c.seq), range(before + 1, newest), "consecutive seqs, none repeated");
    // The records as the API gives them: the same as GET /api/v1/changes.
    const feed = (await fh.api(`/api/v1/changes?after=${before}&limit=1000`)).json.changes;
    assert.deepEqual(changes, feed);
    const deliveryIds = new Set(changes.filter((c) => c.resource === "deliveries").map((c) => c.data.delivery_id));
    for (const id of [...sentBefore, sentAfter]) assert.ok(deliveryIds.has(id), `delivery ${id} is among the changes`);
    assert.equal(changes.find((c) => c.resource === "pulls" && c.seq > beforeRestart)?.data.state, "merged");
    assert.match(w.stderr(), /reconnected/);

    assert.deepEqual(await w.stop("SIGINT"), { code: 0, signal: null });
  });

  test("--resource pulls prints only pull changes (from --after 0: every one the feed keeps)", async () => {
    const w = watch(["--json", "--resource", "pulls", "--after", "0", "--data-dir", dataDir]);
    const pulls = (await fh.api("/api/v1/changes?after=0&limit=1000&resource=pulls")).json.changes;
    assert.ok(pulls.length >= 3);
    await waitFor(() => w.lines.length >= pulls.length, { timeoutMs: 10_000, message: `${pulls.length} pull changes; stderr:\n${w.stderr()}` });
    assert.deepEqual(w.json(), pulls);
    assert.deepEqual(await w.stop("SIGTERM"), { code: 0, signal: null });
  });

  test("human output: one line per change with time, seq, resource, action, id, repository and a summary", async () => {
    const w = watch(["--resource", "deliveries,pulls", "--after", "0", "--data-dir", dataDir]);
    const changes = (await fh.api("/api/v1/changes?after=0&limit=1000&resource=deliveries,pulls")).json.changes;
    await waitFor(() => w.lines.length >= changes.length, { timeoutMs: 10_000, message: `${changes.length} lines; stderr:\n${w.stderr()}` });
    await new Promise((r) => setTimeout(r, 200)); // nothing more is printed for those changes
    assert.equal(w.lines.length, changes.length, w.lines.join("\n"));
    w.lines.forEach((line, i) => {
      const c = changes[i];
      const m = /^(\S+Z)  (\d+)  (\S+) +(\S+) +(\S+)  (\S+)  (.*)$/.exec(line);
      assert.ok(m, `a change line: ${line}`);
      assert.deepEqual(m.slice(2, 7), [String(c.seq), c.resource, c.action, c.id, c.repository], line);
      if (c.resource === "pulls") assert.match(m[7], new RegExp(`^#${c.data.number} .* ${c.data.state}$`), line);
      else assert.equal(m[7], `${c.data.event} ${c.data.status}`, line);
    });
    assert.deepEqual(await w.stop("SIGINT"), { code: 0, signal: null });
  });

  test("a resume point the feed does not have prints a reset, then the watch goes on", async () => {
    const newest = await newestSeq(fh);
    const w = watch(["--json", "--after", "999999", "--data-dir", dataDir]);
    const human = watch(["--after", "999999", "--resource", "issues", "--data-dir", dataDir]);
    await waitFor(() => w.lines.length >= 1 && human.lines.length >= 1, { timeoutMs: 10_000, message: `reset lines; stderr:\n${w.stderr()}` });
    assert.deepEqual(JSON.parse(w.lines[0]), { type: "reset", oldest_seq: 1, newest_seq: newest, reason: "pruned" });
    assert.match(human.lines[0], new RegExp(`^changes were missed: .*refetch.*after seq ${newest}$`));
    await send(fh, "issues", issue("closed", T0 + 4 * HOUR, "closed", ["bug"], "completed"));
    await fh.drained();
    const now = await newestSeq(fh);
    await waitFor(() => w.lines.length >= 1 + (now - newest) && human.lines.length >= 2,
      { timeoutMs: 10_000, message: `changes after the reset; stderr:\n${w.stderr()}` });
    assert.deepEqual(w.lines.slice(1).map((l) => JSON.parse(l).seq), range(newest + 1, now));
    assert.match(human.lines[1], /  issues +updated  /);
    assert.deepEqual(await w.stop("SIGINT"), { code: 0, signal: null });
    assert.deepEqual(await human.stop("SIGINT"), { code: 0, signal: null });
  });

  test("a bad --resource or token exits non-zero with the server's message", async () => {
    const bad = await runCli(["watch", "--resource", "bogus", "--data-dir", dataDir], { env: CLI_ENV, timeoutMs: 10_000 });
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /HTTP 400: resource must be one of .*\(got "bogus"\)/);
    assert.equal(bad.stdout, "");
    const token = await runCli(["watch", "--data-dir", dataDir, "--token", "nope"], { env: {}, timeoutMs: 10_000 });
    assert.equal(token.code, 1, token.stderr);
    assert.match(token.stderr, /HTTP 401/);
  });
});

describe("server.max_streams", () => {
  let server;
  after(async () => {
    for (const proc of running) proc.kill("SIGKILL");
    await server?.cleanup();
  });

  // Opens GET /api/v1/events; resolves {status, body (for a refusal), close()}.
  function openStream(target) {
    return new Promise((resolve, reject) => {
      const req = http.get(`${target.url}/api/v1/events`, { headers: { Authorization: `Bearer ${ADMIN}` } });
      req.on("response", (res) => {
        let body = "";
        res.setEncoding("utf8");
        if (res.statusCode !== 200) res.on("data", (c) => (body += c));
        res.on("error", () => {});
        const done = () => resolve({ status: res.statusCode, json: body ? JSON.parse(body) : null, close: () => req.destroy() });
        if (res.statusCode === 200) done();
        else res.on("end", done);
      });
      req.on("error", reject);
      req.setTimeout(10_000, () => req.destroy(new Error("no answer within 10 s")));
    });
  }

  test("with server.max_streams=1 a second stream gets 503; watch waits for the slot", async () => {
    // A short heartbeat: the server notices the closed stream at its next write and frees the slot.
    server = await start({ ...ENV, FORGEHOOK_SERVER_MAX_STREAMS: "1", FORGEHOOK_SERVER_STREAM_HEARTBEAT_MS: "200" });
    const first = await openStream(server);
    assert.equal(first.status, 200);
    const second = await openStream(server);
    assert.equal(second.status, 503);
    assert.equal(second.json.error, "too_many_streams");

    const w = watch(["--json", "--data-dir", server.dataDir]);
    await waitFor(() => /HTTP 503: too many open streams/.test(w.stderr()), { timeoutMs: 10_000, message: "watch reports the 503" });
    first.close();
    await waitFor(() => /reconnected/.test(w.stderr()), { timeoutMs: 15_000, message: `watch gets the slot; stderr:\n${w.stderr()}` });
    assert.deepEqual(await w.stop("SIGINT"), { code: 0, signal: null });
  });
});
