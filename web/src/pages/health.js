// Repository health (GET /api/v1/metrics/health and /metrics/status): stale work, CI failure rate,
// time to resolve incidents, and the webhook pipeline's own state.
import { api, query } from "../api.js";
import { ago, errorBox, h, loading, num, pct, replace, tile } from "../dom.js";

// The forge connections that keep failing, each with the forge's error and what to do.
function failingConnections(connections) {
  if (!connections?.failing?.length) return null;
  return h("section", { id: "failing-connections", class: "alert" },
    h("h3", {}, `Failing connections (${connections.failing.length})`),
    h("ul", {}, connections.failing.map((c) => h("li", {}, h("strong", {}, c.target), ` (${c.forge}) — ${c.error ?? c.status}`,
      c.hint ? h("div", { class: "hint" }, c.hint) : null, h("div", { class: "muted" }, `since ${ago(c.failing_since)}`)))),
    h("p", {}, h("a", { href: "#/connections" }, "See every connection")));
}

export function healthPage(container, { live }) {
  const repo = h("input", { type: "search", placeholder: "owner/name (all)", name: "repository", on: { change: () => load() } });
  const body = h("div", {}, loading());
  replace(container, h("div", { class: "page-head" }, h("h2", {}, "Repository health"),
    h("p", { class: "muted" }, "Stale pull requests (14 days without an update) and issues (30 days), CI over the last 30 days.")),
    h("div", { class: "filters" }, repo), body);

  async function load() {
    const repository = repo.value.trim();
    const since = new Date(Date.now() - 30 * 86400_000).toISOString().replace(/\.\d+Z$/, "Z");
    try {
      const [health, status] = await Promise.all([api(`metrics/health${query({ repository, since })}`), api(`metrics/status${query({ repository })}`)]);
      const w = status.webhooks ?? {};
      replace(body,
        h("h3", {}, "Work"),
        h("div", { class: "tiles" }, tile("open pull requests", num(status.open_pulls)), tile("stale pull requests", num(health.stale_pulls)),
          tile("open issues", num(status.open_issues)), tile("stale issues", num(health.stale_issues))),
        h("h3", {}, "CI"),
        h("div", { class: "tiles" }, tile("runs completed", num(health.ci?.runs_completed)), tile("runs failed", num(health.ci?.runs_failed)),
          tile("failure rate", pct(health.ci?.failure_rate)), tile("open incidents", num(status.incidents_open)),
          tile("incidents resolved", num(health.incidents?.resolved)),
          tile("mean time to resolve", health.incidents?.mean_hours_to_resolve == null ? "—" : `${num(health.incidents.mean_hours_to_resolve)} h`)),
        h("h3", {}, "Webhooks"),
        h("div", { class: "tiles" }, tile("last delivery", w.last_delivery_at ? ago(w.last_delivery_at) : "never"),
          tile("deliveries, 24 h", num(w.deliveries_24h)), tile("failures, 24 h", num(w.failures_24h)),
          tile("processing backlog", num(w.processing_backlog)), tile("dead letter", num(w.dead_letter), w.dead_letter ? "replay them from Deliveries" : null)),
        failingConnections(status.connections));
    } catch (err) {
      replace(body, errorBox(err));
    }
  }
  return live.reloadOn((c) => c.resource !== "activity", load, 800);
}
