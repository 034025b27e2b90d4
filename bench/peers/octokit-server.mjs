// Benchmark peer: @octokit/webhooks' createNodeMiddleware on Node's http server.
// Verifies X-Hub-Signature-256 and dispatches to a no-op handler, then answers 200.
// Usage: OCTOKIT_SECRET=... node octokit-server.mjs ADDR_FILE
// Listens on 127.0.0.1, port 0, and writes "127.0.0.1:PORT" to ADDR_FILE once listening.
import { createServer } from "node:http";
import { writeFileSync, renameSync } from "node:fs";
import { Webhooks, createNodeMiddleware } from "@octokit/webhooks";

const secret = process.env.OCTOKIT_SECRET;
const addrFile = process.argv[2];
if (!secret || !addrFile) {
  console.error("usage: OCTOKIT_SECRET=... node octokit-server.mjs ADDR_FILE");
  process.exit(2);
}

const webhooks = new Webhooks({ secret });
webhooks.onAny(() => {});

// Errors only, one line each: the default logger prints the whole rejected event.
const log = { debug() {}, info() {}, warn() {}, error: (e) => console.error(`octokit: ${e?.message ?? e}`) };
const middleware = createNodeMiddleware(webhooks, { path: "/webhooks/github", log });

const server = createServer(async (req, res) => {
  // The middleware answers its own path and returns false for any other one.
  if (!(await middleware(req, res))) {
    res.writeHead(404).end();
  }
});

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  writeFileSync(`${addrFile}.tmp`, `127.0.0.1:${port}\n`);
  renameSync(`${addrFile}.tmp`, addrFile);
});

for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
