// The dashboard over plain HTTP against the real binary: the embedded page and assets with their
// security and caching headers, and sign-in sessions (cookie flags, restart, sign-out, the stream
// with a cookie, nothing logged). The page itself is tested in Chromium (tests/browser/).
import assert from "node:assert/strict";
import http from "node:http";
import { after, describe, test } from "node:test";
import { Forge, makeSecret } from "./lib/forge.mjs";
import { start } from "./lib/server.mjs";

const GH = makeSecret("gh");
const ADMIN = makeSecret("admin");
const ENV = { FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN };
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function assertSecurityHeaders(res, what) {
  assert.equal(res.headers["content-security-policy"], CSP, what);
  assert.equal(res.headers["x-content-type-options"], "nosniff", what);
  assert.equal(res.headers["referrer-policy"], "no-referrer", what);
}

async function signIn(fh, token, headers = {}) {
  const res = await fh.request("POST", "/api/v1/session", { headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify({ token }) });
  const setCookie = res.headers["set-cookie"]?.[0] ?? "";
  return { res, setCookie, cookie: setCookie.split(";")[0], csrf: res.json?.csrf_token };
}

describe("dashboard over HTTP", () => {
  let server, fh;
  after(async () => {
    fh?.close();
    await server?.cleanup();
  });

  test("/ serves the embedded page (no-cache) naming hashed assets (immutable), every answer with the CSP", async () => {
    server = await start(ENV);
    fh = new Forge(server, { github: GH, admin: ADMIN });
    const page = await fh.get("/");
    assert.equal(page.status, 200);
    assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(page.headers["cache-control"], "no-cache");
    assertSecurityHeaders(page, "/");
    const js = /src="(\/assets\/main-[A-Z0-9]+\.js)"/.exec(page.text)?.[1];
    const css = /href="(\/assets\/main-[A-Z0-9]+\.css)"/.exec(page.text)?.[1];
    assert.ok(js && css, page.text);
    for (const [p, type] of [[js, "text/javascript; charset=utf-8"], [css, "text/css; charset=utf-8"]]) {
      const res = await fh.get(p);
      assert.equal(res.status, 200, p);
      assert.equal(res.headers["content-type"], type);
      assert.match(res.headers["cache-control"], /immutable/);
      assertSecurityHeaders(res, p);
    }
    const missing = await fh.get("/assets/main-NOPE.js");
    assert.equal(missing.status, 404);
    assertSecurityHeaders(missing, "404");
  });

  test("sign-in sets an HttpOnly SameSite=Strict cookie that authenticates the API and survives a restart", async () => {
    const { res, setCookie, cookie, csrf } = await signIn(fh, ADMIN);
    assert.equal(res.status, 201, res.text);
    assert.match(setCookie, /^fh_session=[0-9a-f]{64}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    assert.equal((await signIn(fh, ADMIN, { "X-Forwarded-Proto": "https" })).setCookie.endsWith("; Secure"), true);
    assert.equal((await signIn(fh, "wrong")).res.status, 401);

    const items = await fh.request("GET", "/api/v1/items", { headers: { Cookie: cookie } });
    assert.equal(items.status, 200);
    await server.stop();
    server = await start(ENV, { dataDir: server.dataDir });
    fh.close();
    fh = new Forge(server, { github: GH, admin: ADMIN });
    const who = await fh.request("GET", "/api/v1/session", { headers: { Cookie: cookie } });
    assert.equal(who.status, 200, "the session outlives the restart");
    assert.equal(who.json.csrf_token, csrf);

    // The stream takes the cookie: no ticket, no token in the URL.
    const status = await new Promise((resolve, reject) => {
      const req = http.get(`${server.url}/api/v1/events`, { headers: { Cookie: cookie } }, (r) => {
        resolve(r.statusCode);
        req.destroy();
      });
      req.on("error", (e) => (e.code === "ECONNRESET" ? null : reject(e)));
    });
    assert.equal(status, 200);

    const forged = await fh.request("DELETE", "/api/v1/session", { headers: { Cookie: cookie } });
    assert.equal(forged.status, 403);
    assert.equal(forged.json.error, "csrf_token_invalid");
    const out = await fh.request("DELETE", "/api/v1/session", { headers: { Cookie: cookie, "X-CSRF-Token": csrf } });
    assert.equal(out.status, 200);
    assert.match(out.headers["set-cookie"][0], /^fh_session=; Path=\/; Max-Age=0/);
    assert.equal((await fh.request("GET", "/api/v1/items", { headers: { Cookie: cookie } })).status, 401);
    server.assertNoSecretsLogged([cookie.split("=")[1], csrf]);
  });
});
