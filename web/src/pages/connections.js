// Forge connections (GET /api/v1/connections): each repository or organization whose hook forgehook
// manages, its state as forgehook last saw it, and the failing ones flagged with the forge's error
// and what to do. Admins reconcile a hook with the forge's delivery log from here.
import { api } from "../api.js";
import { ago, badge, empty, errorBox, h, loading, replace, toast } from "../dom.js";

export function connectionsPage(container, { live, isAdmin }) {
  const body = h("div", {}, loading());
  replace(container, h("div", { class: "page-head" }, h("h2", {}, "Connections"),
    h("p", { class: "muted" }, "Repositories and organizations whose hooks forgehook manages through the forge API, reconciled with the forge's delivery log.")),
    body);

  async function reconcile(c) {
    try {
      const run = await api(`connections/${c.id}/reconcile`, { method: "POST" });
      if (run.error) toast(`Reconciliation failed: ${run.error}`, "error");
      else toast(`Reconciled: ${run.missing} missing, ${run.redelivery_requested} redeliveries asked for`);
      load();
    } catch (err) {
      toast(`Could not reconcile: ${err.message}`, "error");
    }
  }

  async function load() {
    try {
      const { connections } = await api("connections");
      if (!connections.length) {
        return replace(body, empty("No connections", h("p", {}, "Connect a repository with ", h("code", {}, "forgehook repos connect OWNER/NAME"),
          " (see docs/FORGES.md): forgehook creates its hook, reconciles it with the forge's delivery log and polls when the hook cannot work.")));
      }
      replace(body, h("table", { class: "table", id: "connections-table" },
        h("thead", {}, h("tr", {}, ["Repository", "Forge", "Mode", "Status", "Checked", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, connections.map((c) => h("tr", { dataset: { id: c.id }, class: c.failing ? "failing" : "" },
          h("td", { class: "target" }, c.repository ?? c.organization, c.kind === "organization" ? h("div", { class: "muted" }, "organization") : null),
          h("td", {}, c.forge),
          h("td", {}, c.mode, c.polling && c.mode !== "poll" ? h("div", { class: "muted" }, "polling while the hook is not working") : null),
          h("td", { class: "status" }, badge(c.status), c.failing ? h("span", { class: "badge badge-failure", title: "keeps failing" }, "failing") : null,
            c.error ? h("div", { class: "muted" }, c.error) : null, c.hint ? h("div", { class: "hint" }, c.hint) : null),
          h("td", { class: "nowrap" }, c.checked_at ? ago(c.checked_at) : "never"),
          h("td", {}, isAdmin && c.mode === "webhook" && c.hook_id ? h("button", { type: "button", on: { click: () => reconcile(c) } }, "Reconcile") : null))))));
    } catch (err) {
      replace(body, errorBox(err));
    }
  }
  return live.reloadOn((c) => c.resource === "deliveries", load, 5000);
}
