// Seeds a fresh server with 500 pull requests, times GET /api/v1/pulls?limit=500 and saves the page
// for build_vs_splice.cc. Run from bench/list_json/: node seed.mjs pulls.json
import { Forge, makeSecret } from "../../tests/integration/lib/forge.mjs";
import { pullRequest } from "../../tests/integration/lib/scenario.mjs";
import { start } from "../../tests/integration/lib/server.mjs";
import { writeFileSync } from "node:fs";
const GH = makeSecret("gh"), ADMIN = makeSecret("admin");
const server = await start({ FORGEHOOK_GITHUB_SECRET: GH, FORGEHOOK_ADMIN_TOKEN: ADMIN });
const fh = new Forge(server, { github: GH, admin: ADMIN });
for (let n = 1; n <= 500; n++) await fh.github(pullRequest("opened", 1790000000 + n, { number: n }), { event: "pull_request" });
await fh.drained();
const times = [];
let body;
for (let i = 0; i < 50; i++) { const t = process.hrtime.bigint(); const r = await fh.api("/api/v1/pulls?limit=500"); times.push(Number(process.hrtime.bigint() - t) / 1e6); body = r.text; }
times.sort((a, b) => a - b);
console.log(`GET /api/v1/pulls?limit=500 (500 rows, ${body.length} bytes): median ${times[25].toFixed(2)} ms over 50`);
writeFileSync(process.argv[2] ?? "pulls.json", body);
fh.close(); await server.stop();
