// Outbound callbacks in tests: a receiver on 127.0.0.1 that records every request, and the check
// of a Standard Webhooks signature with the official `standardwebhooks` package.
import http from "node:http";
import { Webhook } from "standardwebhooks";

// A callback receiver that records every request.
export async function callbackReceiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { got, url: `http://127.0.0.1:${server.address().port}/hook`, close: () => new Promise((r) => server.close(r)) };
}

export function verifies(secret, g) {
  try {
    new Webhook(secret).verify(g.body, {
      "webhook-id": g.headers["webhook-id"],
      "webhook-timestamp": g.headers["webhook-timestamp"],
      "webhook-signature": g.headers["webhook-signature"],
    });
    return true;
  } catch {
    return false;
  }
}
