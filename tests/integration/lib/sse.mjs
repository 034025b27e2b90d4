import http from "node:http";

// An SSE client of GET /api/v1/events: parses events as they arrive (events[], each {event, id,
// data parsed from JSON}); close() ends it.
export function eventStream(server, token, query = "", headers = {}) {
  const events = [];
  let status = 0;
  const req = http.get(`${server.url}/api/v1/events${query}`, { headers: { Authorization: `Bearer ${token}`, ...headers } });
  const opened = new Promise((resolve, reject) => {
    req.on("response", (res) => {
      status = res.statusCode;
      res.setEncoding("utf8");
      let buffer = "";
      res.on("data", (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = {};
          for (const line of block.split("\n")) {
            const colon = line.indexOf(":");
            if (colon <= 0) continue; // comments (": ping") and blank lines
            event[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
          if (event.event) events.push({ ...event, data: event.data ? JSON.parse(event.data) : undefined });
        }
      });
      res.on("error", () => {});
      resolve(res);
    });
    req.on("error", reject);
  });
  return { events, opened, status: () => status, close: () => req.destroy() };
}
