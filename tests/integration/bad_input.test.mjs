// The error matrix of docs/API.md, request by request, while valid deliveries keep flowing from
// another address: every bad input gets its exact status and error code, and none of it disturbs
// the valid traffic (all 2xx, all stored) or /healthz.
//
// Source addresses keep the per-address rate limit apart: valid stream 127.0.0.1, flood 127.0.0.2,
// /healthz poller 127.0.0.3, the bad inputs 127.0.0.4.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  Forge,
  assertAccepted,
  assertError,
  assertRetryAfter,
  githubSha1,
  githubSha256,
  giteaPushPayload,
  headerValue,
  makeSecret,
  parseHttpResponses,
  pool,
  pushPayload,
  rawExchange,
  uid,
} from "./lib/forge.mjs";
import { start } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const MAX_BODY = 65536;
const RATE = 50; // per second per source address
const STREAM_EVERY_MS = 40; // the valid stream stays at ~25/s, half the rate limit

// A request head for rawExchange.
function head(lines) {
  return lines.join("\r\n") + "\r\n\r\n";
}

// Valid GitHub deliveries sent one after another from 127.0.0.1 until stop(); bounded in count and time.
function startStream(server, { maxCount = 3000, maxMs = 150_000 } = {}) {
  const client = new Forge(server, { github: GH, admin: ADMIN, localAddress: "127.0.0.1" });
  const results = [];
  let stopping = false;
  const done = (async () => {
    const t0 = Date.now();
    while (!stopping && results.length < maxCount && Date.now() - t0 < maxMs) {
      const began = Date.now();
      try {
        results.push(await client.github(pushPayload("octo/stream")));
      } catch (error) {
        results.push({ error });
      }
      // Pacing keeps this source under the rate limit; it is load shaping, not waiting for work.
      const rest = STREAM_EVERY_MS - (Date.now() - began);
      if (rest > 0) await sleep(rest);
    }
  })();
  return {
    results,
    async stop() {
      stopping = true;
      await done;
      client.close();
    },
  };
}

// GET /healthz from 127.0.0.3 every 100 ms until stop(); bounded.
function startHealthPoller(server, { maxCount = 2000 } = {}) {
  const client = new Forge(server, { localAddress: "127.0.0.3", keepAlive: false });
  const statuses = [];
  let stopping = false;
  const done = (async () => {
    while (!stopping && statuses.length < maxCount) {
      try {
        const res = await client.get("/healthz", { timeoutMs: 5000 });
        statuses.push(res.status === 200 && res.json?.status === "ok" ? 200 : `${res.status} ${res.text}`);
      } catch (err) {
        statuses.push(`error ${err.code ?? err.message}`);
      }
      await sleep(100); // sampling interval
    }
  })();
  return {
    statuses,
    async stop() {
      stopping = true;
      await done;
      client.close();
    },
  };
}

describe("bad input matrix under concurrent valid traffic", () => {
  let server;
  let bad; // client for the bad inputs, 127.0.0.4, a fresh connection per request
  let stream;
  let health;
  const flood = [];
  const acceptedHere = []; // delivery ids of octo/bad-input requests answered 2xx
  const ok = (res, what) => {
    assertAccepted(res, what);
    acceptedHere.push(res.json.delivery);
    return res;
  };

  before(async () => {
    server = await start({
      FORGEHOOK_GITHUB_SECRET: GH,
      FORGEHOOK_ADMIN_TOKEN: ADMIN,
      FORGEHOOK_SERVER_HEADER_TIMEOUT_MS: 500,
      FORGEHOOK_SERVER_BODY_TIMEOUT_MS: 1000,
      FORGEHOOK_SERVER_MAX_BODY_BYTES: MAX_BODY,
      FORGEHOOK_LIMITS_RATE_PER_SECOND: RATE,
      FORGEHOOK_LOG_LEVEL: "debug", // the most verbose logs for the leak check
    });
    bad = new Forge(server, { github: GH, admin: ADMIN, localAddress: "127.0.0.4", keepAlive: false });
    stream = startStream(server);
    health = startHealthPoller(server);
  });
  after(async () => {
    await stream?.stop();
    await health?.stop();
    bad?.close();
    await server?.cleanup();
  });

  // A crash would also close every socket: each test must leave the server running.
  afterEach(() => {
    if (!server.stopRequested) assert.ok(server.alive, `forgehook died: ${JSON.stringify(server.exit)}`);
  });

  const p = () => pushPayload("octo/bad-input");

  test("missing X-GitHub-Event → 400 missing_header", async () => {
    assertError(await bad.github(p(), { omit: ["X-GitHub-Event"] }), 400, "missing_header");
  });

  test("empty X-GitHub-Event → 400 missing_header", async () => {
    assertError(await bad.github(p(), { headers: { "X-GitHub-Event": "" } }), 400, "missing_header");
  });

  test("missing X-GitHub-Delivery → 400 missing_header", async () => {
    assertError(await bad.github(p(), { omit: ["X-GitHub-Delivery"] }), 400, "missing_header");
  });

  test("malformed JSON (correctly signed) → 400 malformed_json", async () => {
    assertError(await bad.github(null, { body: '{"action": "opened", "repository": {' }), 400, "malformed_json");
  });

  test("a JSON array body (correctly signed) → 400 malformed_json", async () => {
    assertError(await bad.github(null, { body: '[{"action":"opened"}]' }), 400, "malformed_json");
  });

  test("a JSON string body (correctly signed) → 400 malformed_json", async () => {
    assertError(await bad.github(null, { body: '"hello"' }), 400, "malformed_json");
  });

  test("form body without a payload field → 400 malformed_form", async () => {
    assertError(await bad.github(null, { form: true, body: "foo=bar&baz=1" }), 400, "malformed_form");
  });

  test("form body with bad percent-encoding → 400 malformed_form", async () => {
    assertError(await bad.github(null, { form: true, body: "payload=%7B%zz%7D" }), 400, "malformed_form");
  });

  test("form payload that is not JSON → 400 malformed_json", async () => {
    assertError(await bad.github(null, { form: true, body: "payload=not%20json" }), 400, "malformed_json");
  });

  test("wrong signature → 401 invalid_signature, nothing secret in the answer", async () => {
    const forged = `sha256=${"ab".repeat(32)}`;
    const res = await bad.github(p(), { signatures: "sha256", signature256: forged });
    assertError(res, 401, "invalid_signature", { forbidden: [GH, forged.slice(7)] });
  });

  test("malformed signature header (no sha256= prefix) → 401 invalid_signature", async () => {
    const payload = p();
    const sig = githubSha256(GH, JSON.stringify(payload)).slice("sha256=".length);
    assertError(await bad.github(payload, { signatures: "sha256", signature256: sig }), 401, "invalid_signature");
  });

  test("missing signature → 401 missing_signature", async () => {
    assertError(await bad.github(p(), { signatures: "none" }), 401, "missing_signature");
  });

  test("signed with the wrong secret → 401 invalid_signature", async () => {
    const res = await bad.github(p(), { secret: makeSecret("wrong") });
    assertError(res, 401, "invalid_signature", { forbidden: [GH, res.sent.headers["X-Hub-Signature-256"].slice(7)] });
  });

  test("a correct sha1 signature alone is refused by default (legacy_sha1 off) → 401 missing_signature", async () => {
    // verify/github.h: with sha1 not allowed and no sha256 header there is no usable signature.
    const payload = p();
    const res = await bad.github(payload, { signatures: "sha1" });
    assert.equal(res.sent.headers["X-Hub-Signature"], githubSha1(GH, JSON.stringify(payload)));
    assertError(res, 401, "missing_signature");
  });

  test("unknown paths → 404 not_found", async () => {
    assertError(await bad.github(p(), { path: "/webhooks/bitbucket" }), 404, "not_found", { what: "POST /webhooks/bitbucket" });
    assertError(await bad.get("/no/such/path"), 404, "not_found", { what: "GET /no/such/path" });
    assertError(await bad.api("/api/v1/deliveries/987654321"), 404, "not_found", { what: "unknown delivery id" });
  });

  test("GET /webhooks/github → 405 method_not_allowed with Allow: POST", async () => {
    for (const [method, path] of [
      ["GET", "/webhooks/github"],
      ["PUT", "/webhooks/gitlab"],
      ["DELETE", "/webhooks/gitea"],
    ]) {
      const res = await bad.request(method, path);
      assertError(res, 405, "method_not_allowed", { what: `${method} ${path}` });
      assert.ok(res.headers.allow, `${method} ${path}: Allow header missing`);
      assert.ok(res.headers.allow.split(",").map((s) => s.trim()).includes("POST"), `Allow: ${res.headers.allow}`);
    }
  });

  test("POST /healthz → 405 method_not_allowed with Allow: GET", async () => {
    const res = await bad.request("POST", "/healthz", { body: "{}", headers: { "Content-Type": "application/json" } });
    assertError(res, 405, "method_not_allowed");
    assert.ok((res.headers.allow ?? "").split(",").map((s) => s.trim()).includes("GET"), `Allow: ${res.headers.allow}`);
  });

  test("Connection: close on a request answered 404 or 405 from its head: the answer says close and the connection ends", async () => {
    for (const [line, status] of [["GET /no/such/endpoint HTTP/1.1", 404], ["DELETE /webhooks/github HTTP/1.1", 405]]) {
      const r = await rawExchange({
        port: server.port,
        localAddress: "127.0.0.4",
        parts: [head([line, `Host: 127.0.0.1:${server.port}`, "Connection: close"])],
        deadlineMs: 3000,
      });
      assert.ok(r.response, `${line}: no response`);
      assert.equal(r.response.status, status, line);
      assert.match(r.raw.toString("latin1"), /\r\nConnection: close\r\n/i, `${line}: answered with Connection: close`);
      assert.ok(r.closed, `${line}: the server closed the connection (not the client's deadline)`);
    }
  });

  test("a body of exactly max_body_bytes is accepted", async () => {
    const payload = { ...p(), pad: "" };
    payload.pad = "x".repeat(MAX_BODY - JSON.stringify(payload).length);
    assert.equal(Buffer.byteLength(JSON.stringify(payload)), MAX_BODY);
    ok(await bad.github(payload));
  });

  test("Content-Length over max_body_bytes → 413 payload_too_large before the body is sent, connection closed", async () => {
    const r = await rawExchange({
      port: server.port,
      localAddress: "127.0.0.4",
      parts: [
        head([
          "POST /webhooks/github HTTP/1.1",
          `Host: 127.0.0.1:${server.port}`,
          "Content-Type: application/json",
          "X-GitHub-Event: push",
          `X-GitHub-Delivery: ${uid()}`,
          `X-Hub-Signature-256: sha256=${"0".repeat(64)}`,
          `Content-Length: ${MAX_BODY + 1}`,
        ]),
      ],
      deadlineMs: 5000,
    });
    assert.ok(r.response, `no response (closed=${r.closed}, error=${r.error?.code})`);
    assertError(r.response, 413, "payload_too_large");
    assert.ok(r.closed, "the connection was not closed");
  });

  test("a chunked body streamed past max_body_bytes → 413 payload_too_large, connection closed", async () => {
    const chunk = Buffer.alloc(4096, "a");
    const r = await rawExchange({
      port: server.port,
      localAddress: "127.0.0.4",
      parts: [
        head([
          "POST /webhooks/github HTTP/1.1",
          `Host: 127.0.0.1:${server.port}`,
          "Content-Type: application/json",
          "Transfer-Encoding: chunked",
          "X-GitHub-Event: push",
          `X-GitHub-Delivery: ${uid()}`,
          `X-Hub-Signature-256: sha256=${"0".repeat(64)}`,
        ]),
        async (socket) => {
          // 16 × 4 KiB reaches the limit exactly; one more small chunk goes past it. No final
          // chunk: a server that waited for the end of the body instead of counting would hang.
          for (let i = 0; i < MAX_BODY / chunk.length && !socket.destroyed; i++) {
            await new Promise((r) => socket.write(Buffer.concat([Buffer.from("1000\r\n"), chunk, Buffer.from("\r\n")]), () => r()));
          }
          if (!socket.destroyed) socket.write(`65\r\n${"b".repeat(0x65)}\r\n`);
        },
      ],
      deadlineMs: 5000,
    });
    assert.ok(r.response, `no response (closed=${r.closed}, error=${r.error?.code})`);
    assertError(r.response, 413, "payload_too_large");
    assert.ok(r.closed, "the connection was not closed");
  });

  test("text/plain body → 415 unsupported_media_type", async () => {
    assertError(await bad.github(p(), { contentType: "text/plain" }), 415, "unsupported_media_type");
  });

  test("no Content-Type, or multipart/form-data → 415 unsupported_media_type", async () => {
    assertError(await bad.github(p(), { omit: ["Content-Type"] }), 415, "unsupported_media_type", { what: "no Content-Type" });
    assertError(await bad.github(p(), { contentType: "multipart/form-data; boundary=x" }), 415, "unsupported_media_type", { what: "multipart" });
  });

  test("an empty body (correctly signed) → 400 malformed_json", async () => {
    assertError(await bad.github(null, { body: "" }), 400, "malformed_json");
  });

  test("a form body whose payload field is not the first field is accepted", async () => {
    const payload = p();
    ok(await bad.github(null, { form: true, body: `ref=x&payload=${encodeURIComponent(JSON.stringify(payload))}&z=1` }), "payload second");
  });

  test("~100 KB of request headers → 431 headers_too_large, connection closed", async () => {
    const pad = Array.from({ length: 50 }, (_, i) => `X-Pad-${i}: ${"p".repeat(2000)}`);
    const body = "{}";
    const r = await rawExchange({
      port: server.port,
      localAddress: "127.0.0.4",
      parts: [
        head([
          "POST /webhooks/github HTTP/1.1",
          `Host: 127.0.0.1:${server.port}`,
          "Content-Type: application/json",
          "X-GitHub-Event: push",
          `X-GitHub-Delivery: ${uid()}`,
          ...pad,
          `Content-Length: ${body.length}`,
        ]) + body,
      ],
      deadlineMs: 5000,
    });
    assert.ok(r.response, `no response (closed=${r.closed}, error=${r.error?.code})`);
    assertError(r.response, 431, "headers_too_large");
    assert.ok(r.closed, "the connection was not closed");
  });

  test("a client that sends half a request line is disconnected within a few seconds (header timeout 500 ms)", async () => {
    const r = await rawExchange({ port: server.port, localAddress: "127.0.0.4", parts: ["POST /webhooks/gi"], deadlineMs: 4000 });
    assert.ok(r.closed, "the server kept the connection open for 4 s");
    assert.ok(r.closedAfterMs >= 400, `closed after ${r.closedAfterMs} ms, before the 500 ms header timeout`);
    assert.ok(r.closedAfterMs < 3000, `closed only after ${r.closedAfterMs} ms`);
    if (r.response) assert.equal(r.response.status, 408);
  });

  test("trickling header bytes does not extend the header deadline", async () => {
    const text = `POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nX-GitHub-Event: push\r\nX-Slow: ${"s".repeat(60)}`;
    const r = await rawExchange({
      port: server.port,
      localAddress: "127.0.0.4",
      parts: [
        async (socket) => {
          for (const ch of text) {
            if (socket.destroyed) return;
            socket.write(ch);
            await sleep(50); // the slow client's pace
          }
        },
      ],
      deadlineMs: 5000,
    });
    assert.ok(r.closed, "a byte every 50 ms kept the connection open for 5 s");
    assert.ok(r.closedAfterMs >= 400, `closed after ${r.closedAfterMs} ms, before the 500 ms header timeout`);
    assert.ok(r.closedAfterMs < 2500, `closed only after ${r.closedAfterMs} ms`);
  });

  test("a client that stops sending its body is disconnected (body timeout 1000 ms)", async () => {
    const r = await rawExchange({
      port: server.port,
      localAddress: "127.0.0.4",
      parts: [
        head([
          "POST /webhooks/github HTTP/1.1",
          `Host: 127.0.0.1:${server.port}`,
          "Content-Type: application/json",
          "X-GitHub-Event: push",
          `X-GitHub-Delivery: ${uid()}`,
          `X-Hub-Signature-256: sha256=${"0".repeat(64)}`,
          "Content-Length: 100",
        ]) + '{"ref":',
      ],
      deadlineMs: 5000,
    });
    assert.ok(r.closed, "the server kept the connection open for 5 s");
    assert.ok(r.closedAfterMs >= 800, `closed after ${r.closedAfterMs} ms, before the 1000 ms body timeout`);
    assert.ok(r.closedAfterMs < 4000, `closed only after ${r.closedAfterMs} ms`);
  });

  test("valid variants are accepted: a charset parameter, lower-case header names, a query string, a chunked body", async () => {
    ok(await bad.github(p(), { contentType: "application/json; charset=utf-8" }), "json; charset=utf-8");
    const payload = p();
    const body = JSON.stringify(payload);
    const lower = await bad.request("POST", "/webhooks/github", {
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": uid(),
        "x-hub-signature-256": githubSha256(GH, body),
      },
      body,
    });
    ok(lower, "lower-case header names");
    ok(await bad.github(p(), { path: "/webhooks/github?source=it-test" }), "query string on the webhook URL");
    const chunkedPayload = p();
    const chunkedBody = JSON.stringify(chunkedPayload);
    const delivery = uid();
    const half = Math.floor(chunkedBody.length / 2);
    const r = await rawExchange({
      port: server.port,
      localAddress: "127.0.0.4",
      parts: [
        head([
          "POST /webhooks/github HTTP/1.1",
          `Host: 127.0.0.1:${server.port}`,
          "Content-Type: application/json",
          "Transfer-Encoding: chunked",
          "Connection: close",
          "X-GitHub-Event: push",
          `X-GitHub-Delivery: ${delivery}`,
          `X-Hub-Signature-256: ${githubSha256(GH, chunkedBody)}`,
        ]),
        `${half.toString(16)}\r\n${chunkedBody.slice(0, half)}\r\n`,
        `${(chunkedBody.length - half).toString(16)}\r\n${chunkedBody.slice(half)}\r\n0\r\n\r\n`,
      ],
      deadlineMs: 5000,
    });
    assert.ok(r.response, `chunked: no response (${r.error?.code})`);
    ok(r.response, "chunked body");
    const detail = await bad.api(`/api/v1/deliveries/${r.response.json.id}`);
    assert.deepEqual(detail.json?.payload, chunkedPayload, "chunked body stored intact");
  });

  test("a header value with non-UTF-8 bytes is stored and the delivery stays readable as JSON", async () => {
    const res = ok(await bad.github(p(), { headers: { "X-Forwarded-For-Note": "caf\u00e9 \u00ff" } }), "latin1 header");
    const detail = await bad.api(`/api/v1/deliveries/${res.json.id}`);
    assert.equal(detail.status, 200, detail.text.slice(0, 200));
    assert.ok(detail.json, "the delivery is not valid JSON");
    assert.equal(detail.json.delivery_id, res.delivery);
    // Stored: the bytes that are not UTF-8 come back as U+FFFD, the rest as sent.
    assert.equal(headerValue(detail.json.headers, "X-Forwarded-For-Note"), "caf\ufffd \ufffd");
    const list = await bad.api(`/api/v1/deliveries?repository=octo%2Fbad-input&limit=5`);
    assert.equal(list.status, 200, list.text.slice(0, 200));
  });

  test("deeply nested JSON (32000 levels) is refused as malformed_json or accepted, and the server survives", async () => {
    const depth = 32_000; // fits in max_body_bytes (64 KiB)
    const body = `{"repository":{"full_name":"octo/bad-input"},"deep":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const res = await bad.github(null, { body });
    if (res.status === 400) {
      assertError(res, 400, "malformed_json");
    } else {
      ok(res, "deep JSON");
      const detail = await bad.api(`/api/v1/deliveries/${res.json.id}`);
      assert.equal(detail.status, 200, `GET of the deep delivery: ${detail.status} ${detail.text.slice(0, 200)}`);
    }
    assert.equal((await bad.get("/healthz")).status, 200);
  });

  test("invalid UTF-8 inside a JSON string is refused as malformed_json or accepted and readable", async () => {
    const body = Buffer.concat([Buffer.from('{"repository":{"full_name":"octo/bad-input"},"title":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const res = await bad.github(null, { body });
    if (res.status === 400) {
      assertError(res, 400, "malformed_json");
    } else {
      ok(res, "invalid UTF-8");
      const detail = await bad.api(`/api/v1/deliveries/${res.json.id}`);
      assert.equal(detail.status, 200, `GET of the delivery: ${detail.status} ${detail.text.slice(0, 200)}`);
    }
  });

  test("the signature is checked before the body is decoded: wrong signature on a malformed body → 401", async () => {
    const wrong = makeSecret("wrong");
    assertError(await bad.github(null, { body: "{not json", secret: wrong }), 401, "invalid_signature", { what: "malformed JSON" });
    assertError(await bad.github(null, { body: "foo=bar", form: true, secret: wrong }), 401, "invalid_signature", { what: "form without payload" });
    assertError(await bad.github(null, { body: "[1,2]", signatures: "none" }), 401, "missing_signature", { what: "unsigned array" });
  });

  test("two pipelined deliveries on one connection are both answered, in order", async () => {
    const reqs = [pushPayload("octo/pipelined"), pushPayload("octo/pipelined")].map((payload, i) => {
      const body = JSON.stringify(payload);
      const delivery = uid();
      return {
        delivery,
        text:
          head([
            "POST /webhooks/github HTTP/1.1",
            `Host: 127.0.0.1:${server.port}`,
            "Content-Type: application/json",
            "X-GitHub-Event: push",
            `X-GitHub-Delivery: ${delivery}`,
            `X-Hub-Signature-256: ${githubSha256(GH, body)}`,
            `Content-Length: ${Buffer.byteLength(body)}`,
            ...(i === 1 ? ["Connection: close"] : []),
          ]) + body,
      };
    });
    const r = await rawExchange({ port: server.port, localAddress: "127.0.0.4", parts: [reqs[0].text + reqs[1].text], deadlineMs: 5000 });
    const responses = parseHttpResponses(r.raw);
    assert.equal(responses.length, 2, `got ${responses.length} responses: ${r.raw.toString().slice(0, 300)}`);
    responses.forEach((res, i) => {
      assert.equal(res.status, 200, res.text);
      assert.deepEqual({ status: res.json?.status, delivery: res.json?.delivery }, { status: "accepted", delivery: reqs[i].delivery });
    });
    assert.ok(r.closed, "Connection: close was not honoured");
  });

  test("a forge with no secret configured → 401 no_secret_configured", async () => {
    const res = await bad.gitea(giteaPushPayload(), { secret: makeSecret("gitea") });
    assertError(res, 401, "no_secret_configured");
  });

  test("/api without the admin token → 401 unauthorized", async () => {
    assertError(await bad.api("/api/v1/deliveries", { token: null }), 401, "unauthorized", { what: "no Authorization" });
    assertError(await bad.api("/api/v1/deliveries", { token: makeSecret("nope") }), 401, "unauthorized", { what: "wrong token" });
    assertError(await bad.api("/api/v1/secrets", { token: null }), 401, "unauthorized", { what: "secrets, no token" });
    const basic = await bad.request("GET", "/api/v1/deliveries", { headers: { Authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString("base64")}` } });
    assertError(basic, 401, "unauthorized", { what: "Basic auth", forbidden: [ADMIN] });
  });

  test("bad list parameters → 400 invalid_argument", async () => {
    for (const q of ["limit=0", "limit=501", "limit=abc", "forge=bitbucket", "since=yesterday", "cursor=not-a-cursor"]) {
      assertError(await bad.api(`/api/v1/deliveries?${q}`), 400, "invalid_argument", { what: q });
    }
  });

  test("a flood from 127.0.0.2 over the rate limit → 429 rate_limited with Retry-After; the 200s are stored", async () => {
    const floodClient = new Forge(server, { github: GH, admin: ADMIN, localAddress: "127.0.0.2" });
    try {
      const t0 = Date.now();
      let limited = 0;
      const jobs = Array.from({ length: 1500 }, (_, i) => i);
      await pool(jobs, 24, async () => {
        // Bounded: stop once the limit has clearly engaged, or after 20 s.
        if ((limited >= 20 && flood.length >= 2 * RATE) || Date.now() - t0 > 20_000) return;
        const res = await floodClient.github(pushPayload("octo/flood"));
        flood.push(res);
        if (res.status === 429) limited++;
      });
    } finally {
      floodClient.close();
    }
    const other = flood.filter((r) => r.status !== 429 && !(r.status === 200 && r.json?.status === "accepted"));
    assert.deepEqual(other.map((r) => `${r.status} ${r.text}`).slice(0, 5), [], "every flood answer is 200 accepted or 429");
    const limitedRes = flood.filter((r) => r.status === 429);
    assert.ok(limitedRes.length > 0, `no 429 among ${flood.length} requests`);
    for (const r of limitedRes.slice(0, 50)) {
      assertError(r, 429, "rate_limited");
      assertRetryAfter(r.headers, "429");
    }
    const stored = new Set((await bad.listAll({ repository: "octo/flood" })).map((r) => r.delivery_id));
    const acked = flood.filter((r) => r.status === 200).map((r) => r.delivery);
    assert.deepEqual(acked.filter((d) => !stored.has(d)), [], "acknowledged flood deliveries missing from the store");
    assert.deepEqual(limitedRes.map((r) => r.delivery).filter((d) => stored.has(d)), [], "rate-limited deliveries were stored");
  });

  test("meanwhile every valid delivery from 127.0.0.1 got 2xx and is stored exactly once; /healthz stayed 200", async () => {
    await stream.stop();
    await health.stop();
    const results = stream.results;
    assert.ok(results.length >= 20, `the valid stream only sent ${results.length} deliveries`);
    const failed = results.filter((r) => r.error || !(r.status >= 200 && r.status < 300 && r.json?.status === "accepted"));
    assert.deepEqual(
      failed.map((r) => (r.error ? `error ${r.error.code ?? r.error.message}` : `${r.status} ${r.text}`)).slice(0, 10),
      [],
      `${failed.length} of ${results.length} valid deliveries were not accepted`,
    );
    const rows = await bad.listAll({ repository: "octo/stream" });
    const count = new Map();
    for (const r of rows) count.set(r.delivery_id, (count.get(r.delivery_id) ?? 0) + 1);
    const wrong = results.filter((r) => count.get(r.delivery) !== 1).map((r) => `${r.delivery}: ${count.get(r.delivery) ?? 0}`);
    assert.deepEqual(wrong.slice(0, 10), [], "valid deliveries not stored exactly once");
    assert.equal(rows.length, results.length);
    const badRows = await bad.listAll({ repository: "octo/bad-input" });
    assert.deepEqual(badRows.map((r) => r.delivery_id).sort(), [...acceptedHere].sort(), "a refused bad input was stored (or an accepted one was not)");
    assert.ok(health.statuses.length >= 5, `only ${health.statuses.length} health samples`);
    assert.deepEqual(health.statuses.filter((s) => s !== 200).slice(0, 10), [], "/healthz answered other than 200");
  });

  test("/metrics counts the verification failures by forge and reason", async () => {
    const res = await bad.get("/metrics");
    assert.equal(res.status, 200);
    const lines = res.text.split("\n").filter((l) => l.startsWith("forgehook_verification_failures_total{") && l.includes('forge="github"'));
    const total = lines.reduce((n, l) => n + Number(l.trim().split(/\s+/).at(-1)), 0);
    assert.ok(total >= 8, `forgehook_verification_failures_total{forge="github"} sums to ${total}: ${lines.join(" | ")}`);
    assert.ok(new Set(lines.map((l) => /reason="([^"]*)"/.exec(l)?.[1])).size >= 2, "failures are split by reason");
  });

  test("the server output never contains the secret, the admin token or a signature", async () => {
    await server.stop();
    server.assertNoSecretsLogged();
  });
});
