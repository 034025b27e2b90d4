// Deliveries for the processing benchmarks: every example in @octokit/webhooks-examples (329
// bodies, 58 events), cycled; copy k of an example has the ids and numbers of its pull request,
// issue, review, comment, run, release, deployment... shifted by k * 1,000,000, so the load spreads
// over many resources instead of rewriting one row. Each delivery is signed with `sign` and has a
// fresh X-GitHub-Delivery.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { shiftingTemplate } from "./forgehook_server.mjs";

const require = createRequire(import.meta.url);

// The objects whose `id`/`number` name the resource a delivery touches in forgehook's model.
const RESOURCE_KEYS = ["pull_request", "issue", "review", "comment", "workflow_run", "workflow_job", "check_suite",
  "check_run", "release", "deployment", "deployment_status", "milestone", "discussion"];

export function exampleDeliveries(sign) {
  const templates = [];
  for (const e of require("@octokit/webhooks-examples"))
    for (const payload of e.examples)
      templates.push({ event: e.name, render: shiftingTemplate(payload, RESOURCE_KEYS.flatMap((key) => [[key, "id"], [key, "number"]]), 1_000_000) });
  const delivery = (i) => {
    const t = templates[i % templates.length];
    const body = t.render(Math.floor(i / templates.length));
    return { event: t.event, body, signature: sign(body), id: randomUUID() };
  };
  return { delivery, examples: templates.length, events: new Set(templates.map((t) => t.event)).size,
    source: `@octokit/webhooks-examples ${require("@octokit/webhooks-examples/package.json").version}` };
}
