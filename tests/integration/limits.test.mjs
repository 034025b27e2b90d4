// Limits at their defaults and at the connection level: the 25 MiB body limit, the idle
// keep-alive timeout, server.max_connections and server.max_connections_per_ip.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { Forge, assertAccepted, assertError, assertRetryAfter, makeSecret, pushPayload, rawExchange, uid } from "./lib/forge.mjs";
import { start, waitFor } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");

// A request head for rawExchange.
function head(lines) {
  return lines.join("\r\n") + "\r\n\r\n";
}

describe("default body limit (server.max_body_bytes = 25 MiB)", () => {
  let server;
  let fh;
  before(async () => {
    server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("a 20 MiB JSON body is accepted", async () => {
    const payload = { repository: { full_name: "octo/twenty" }, blob: "" };
    payload.blob = "x".repeat(20 * 1024 * 1024 - JSON.stringify(payload).length);
    assertAccepted(await fh.github(payload));
  });

  test("a 2 MiB form body is accepted", async () => {
    const payload = { repository: { full_name: "octo/two" }, blob: "y".repeat(2 * 1024 * 1024) };
    assertAccepted(await fh.github(payload, { form: true }));
  });

  test("Content-Length of 25 MiB + 1 → 413 payload_too_large, connection closed", async () => {
    const r = await rawExchange({
      port: server.port,
      parts: [
        head([
          "POST /webhooks/github HTTP/1.1",
          `Host: 127.0.0.1:${server.port}`,
          "Content-Type: application/json",
          "X-GitHub-Event: push",
          `X-GitHub-Delivery: ${uid()}`,
          `X-Hub-Signature-256: sha256=${"0".repeat(64)}`,
          `Content-Length: ${25 * 1024 * 1024 + 1}`,
        ]),
      ],
      deadlineMs: 5000,
    });
    assert.ok(r.response, `no response (closed=${r.closed}, error=${r.error?.code})`);
    assertError(r.response, 413, "payload_too_large");
    assert.ok(r.closed, "the connection was not closed");
  });

  test("the server output never contains the secret, the admin token or a signature", async () => {
    await server.stop();
    server.assertNoSecretsLogged();
  });
});

describe("connection limits", () => {
  test("an idle keep-alive connection is closed after server.idle_timeout_ms, not before", async () => {
    const server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_SERVER_IDLE_TIMEOUT_MS: 1500 });
    try {
      let answeredAt = 0;
      const r = await rawExchange({
        port: server.port,
        parts: [
          head(["GET /healthz HTTP/1.1", `Host: 127.0.0.1:${server.port}`]),
          async (socket) => {
            await new Promise((resolve) => socket.once("data", resolve));
            answeredAt = Date.now();
          },
        ],
        deadlineMs: 6000,
      });
      assert.equal(r.response?.status, 200, "the request on the connection was answered");
      assert.ok(r.closed, "the idle connection was still open after 6 s");
      const idleMs = Date.now() - answeredAt;
      assert.ok(idleMs >= 1000, `closed ${idleMs} ms after the response, before the 1500 ms idle timeout`);
      assert.ok(idleMs < 4500, `closed only ${idleMs} ms after the response`);
      await server.stop();
    } finally {
      await server.cleanup();
    }
  });

  test("connections beyond server.max_connections are closed at accept; the server serves again once they go", async () => {
    const server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_SERVER_MAX_CONNECTIONS: 4 });
    const held = [];
    try {
      for (let i = 0; i < 4; i++) {
        const socket = net.connect({ host: "127.0.0.1", port: server.port });
        socket.on("error", () => {});
        await new Promise((resolve) => socket.once("connect", resolve));
        // One keep-alive request answered proves the server has accepted this connection.
        socket.write(head(["GET /healthz HTTP/1.1", "Host: x"]));
        await new Promise((resolve) => socket.once("data", resolve));
        held.push(socket);
      }
      const fh = new Forge(server, { keepAlive: false });
      const extra = await rawExchange({ port: server.port, parts: [head(["GET /healthz HTTP/1.1", "Host: x", "Connection: close"])], deadlineMs: 3000 });
      assert.ok(extra.closed, "a fifth connection was kept open");
      assert.notEqual(extra.response?.status, 200, "a fifth connection was served");
      for (const s of held) s.destroy();
      const res = await waitFor(async () => {
        const h = await fh.get("/healthz", { timeoutMs: 1000 }).catch(() => null);
        return h?.status === 200 ? h : null;
      }, { timeoutMs: 5000, message: "/healthz after the held connections closed" });
      assert.equal(res.status, 200);
      fh.close();
      await server.stop();
    } finally {
      for (const s of held) s.destroy();
      await server.cleanup();
    }
  });
});

describe("server.max_connections_per_ip", () => {
  // Opens a connection from `localAddress` and has one request answered on it (so it is accepted).
  async function holdConnection(port, localAddress) {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    socket.on("error", () => {});
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(head(["GET /healthz HTTP/1.1", "Host: x"]));
    await new Promise((resolve) => socket.once("data", resolve));
    return socket;
  }

  test("one address past its cap is closed at accept and counted, another address is served, and the address is served again once one closes", async () => {
    const server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN, FORGEHOOK_SERVER_MAX_CONNECTIONS_PER_IP: 3 });
    const held = [];
    const healthz = [head(["GET /healthz HTTP/1.1", "Host: x", "Connection: close"])];
    try {
      // 127.0.0.2 is another client address on the loopback interface.
      for (let i = 0; i < 3; i++) held.push(await holdConnection(server.port, "127.0.0.2"));
      const extra = await rawExchange({ port: server.port, localAddress: "127.0.0.2", parts: healthz, deadlineMs: 3000 });
      assert.ok(extra.closed, "a fourth connection from 127.0.0.2 was kept open");
      assert.notEqual(extra.response?.status, 200, "a fourth connection from 127.0.0.2 was served");
      const other = await rawExchange({ port: server.port, localAddress: "127.0.0.1", parts: healthz, deadlineMs: 3000 });
      assert.equal(other.response?.status, 200, "127.0.0.1 was refused for 127.0.0.2's connections");

      const metrics = await rawExchange({ port: server.port, parts: [head(["GET /metrics HTTP/1.1", "Host: x", "Connection: close"])], deadlineMs: 3000 });
      const refused = /^forgehook_connections_refused_total\{reason="max_connections_per_ip"\} (\d+)$/m.exec(metrics.response?.text ?? "");
      assert.ok(refused && Number(refused[1]) >= 1, `refusal not counted: ${metrics.response?.text?.slice(0, 2000)}`);
      assert.match(server.stderr(), /"msg":"connection refused","reason":"max_connections_per_ip","remote":"127.0.0.2"/);

      held.pop().destroy();
      const again = await waitFor(async () => {
        const r = await rawExchange({ port: server.port, localAddress: "127.0.0.2", parts: healthz, deadlineMs: 1000 });
        return r.response?.status === 200 ? r : null;
      }, { timeoutMs: 5000, message: "127.0.0.2 served again after one of its connections closed" });
      assert.equal(again.response.status, 200);
      await server.stop();
    } finally {
      for (const s of held) s.destroy();
      await server.cleanup();
    }
  });
});

describe("failed signature checks throttled per source address (limits.signature_failures_*)", () => {
  let server;
  let fh;
  before(async () => {
    // A refill of one per 10 minutes: nothing comes back while the test runs.
    server = await start({
      FORGEHOOK_GITHUB_SECRET: GH,
      FORGEHOOK_ADMIN_TOKEN: ADMIN,
      FORGEHOOK_LIMITS_SIGNATURE_FAILURES_BURST: "3",
      FORGEHOOK_LIMITS_SIGNATURE_FAILURES_PER_MINUTE: "0.1",
    });
    fh = new Forge(server, { github: GH, admin: ADMIN });
  });
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("after the burst, invalid deliveries get 429 with Retry-After while valid ones from the same address get 2xx", async () => {
    const wrong = makeSecret("wrong");
    for (let i = 0; i < 3; i++)
      assertError(await fh.github(pushPayload("octo/throttled"), { secret: wrong }), 401, "invalid_signature", { what: `failure ${i + 1}` });
    const refused = [];
    for (let i = 0; i < 5; i++) {
      const bad = await fh.github(pushPayload("octo/throttled"), { secret: wrong });
      assertError(bad, 429, "rate_limited", { what: `throttled failure ${i + 1}` });
      assertRetryAfter(bad.headers, "429");
      refused.push(bad.delivery);
      const good = await fh.github(pushPayload("octo/throttled"));
      assertAccepted(good, `valid delivery ${i + 1} between throttled ones`);
    }
    const unsigned = await fh.github(pushPayload("octo/throttled"), { signatures: "none" });
    assertError(unsigned, 429, "rate_limited", { what: "an unsigned delivery from the throttled address" });

    const stored = (await fh.listAll({ repository: "octo/throttled" })).map((r) => r.delivery_id);
    assert.equal(stored.length, 5, "the five valid deliveries are stored");
    assert.deepEqual(refused.filter((d) => stored.includes(d)), [], "a throttled delivery was stored");

    const other = new Forge(server, { github: GH, admin: ADMIN, localAddress: "127.0.0.2" });
    try {
      assertError(await other.github(pushPayload("octo/throttled"), { secret: wrong }), 401, "invalid_signature", { what: "another address" });
    } finally {
      other.close();
    }
    const metrics = await fh.get("/metrics");
    const line = metrics.text.split("\n").find((l) => l.startsWith('forgehook_verification_throttled_total{forge="github"}'));
    assert.equal(Number(line?.trim().split(/\s+/).at(-1)), 6, `throttled count: ${line}`);
  });
});
