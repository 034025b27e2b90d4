// A small webhook receiver on 127.0.0.1 for tests of the fake forges: records every request with
// its raw body; answers `status` (default 200), or hangs when status is "hang".
import { once } from "node:events";
import http from "node:http";

export async function startReceiver({ status = 200 } = {}) {
  const received = [];
  const waiters = [];
  let answer = status;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const entry = { method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
      received.push(entry);
      for (const w of waiters.splice(0)) w();
      if (answer === "hang") return;
      res.writeHead(answer, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  const sockets = new Set();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  return {
    url,
    received,
    setStatus: (s) => (answer = s),
    // Resolves when `pred(received)` holds (default: at least n entries), or rejects after ms.
    waitFor: async (pred, ms = 5000) => {
      const test = typeof pred === "number" ? (r) => r.length >= pred : pred;
      const deadline = Date.now() + ms;
      while (!test(received)) {
        if (Date.now() > deadline) throw new Error(`receiver: condition not met within ${ms} ms (${received.length} received)`);
        await Promise.race([new Promise((r) => waiters.push(r)), new Promise((r) => setTimeout(r, 50))]);
      }
      return received;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
