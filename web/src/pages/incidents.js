// CI incidents: a failed run opens one, the next success resolves it. Open ones first; the admin
// acknowledges them here.
import { api } from "../api.js";
import { ago, badge, empty, errorBox, h, loading, replace, toast, when } from "../dom.js";

const order = (a, b) => (a.state === "open") !== (b.state === "open") ? (a.state === "open" ? -1 : 1)
  : String(b.opened_at).localeCompare(String(a.opened_at));

export function incidentsPage(container, { live, isAdmin, session }) {
  let incidents = [];
  const body = h("div", {}, loading());
  replace(container, h("div", { class: "page-head" }, h("h2", {}, "Incidents"),
    h("p", { class: "muted" }, "A failed CI run opens an incident for its workflow and branch; the next success resolves it.")), body);

  async function ack(incident, button) {
    button.disabled = true;
    try {
      const updated = await api(`incidents/${incident.id}/ack`, { method: "POST", body: { by: session.name || "admin" } });
      upsert(updated);
      toast(`Incident #${incident.id} acknowledged`);
    } catch (err) {
      button.disabled = false;
      toast(`Could not acknowledge: ${err.message}`, "error");
    }
  }

  const card = (i) => {
    const ackButton = isAdmin && i.state === "open" && !i.acknowledged
      ? h("button", { type: "button", class: "primary ack", on: { click: (e) => ack(i, e.currentTarget) } }, "Acknowledge") : null;
    return h("li", { class: `incident incident-${i.state}`, dataset: { id: i.id, state: i.state } },
      h("div", { class: "incident-head" }, badge(i.state), h("strong", {}, i.workflow), h("span", { class: "muted" }, ` on ${i.branch}`),
        h("span", { class: "repo" }, i.repository)),
      h("div", { class: "incident-meta" },
        h("span", {}, "Opened ", h("time", { dateTime: i.opened_at, title: when(i.opened_at) }, ago(i.opened_at))),
        h("span", {}, `${i.failed_runs?.length ?? 0} failed run${i.failed_runs?.length === 1 ? "" : "s"}`),
        i.resolved_at ? h("span", {}, `Resolved ${ago(i.resolved_at)}`) : null,
        i.acknowledged ? h("span", { class: "acked" }, `Acknowledged by ${i.acknowledged.by}${i.acknowledged.note ? `: ${i.acknowledged.note}` : ""}`) : null),
      ackButton);
  };

  function draw() {
    if (!incidents.length) return replace(body, empty("No incidents", h("p", {}, "Nothing has failed, or no CI events arrive yet: subscribe the webhook to ", h("code", {}, "workflow_run"), " (GitHub) or pipeline events (GitLab).")));
    incidents.sort(order);
    const open = incidents.filter((i) => i.state === "open").length;
    replace(body, h("p", { class: "summary-line" }, `${open} open, ${incidents.length - open} resolved`),
      h("ul", { class: "incidents", id: "incidents-list" }, incidents.map(card)));
  }

  function upsert(incident) {
    const i = incidents.findIndex((x) => x.id === incident.id);
    if (i >= 0) incidents[i] = incident;
    else incidents.push(incident);
    draw();
  }

  async function load() {
    try {
      incidents = (await api("incidents?limit=500")).incidents;
      draw();
    } catch (err) {
      replace(body, errorBox(err));
    }
  }
  const offChange = live.onChange((c) => {
    if (c.resource !== "incidents") return;
    if (c.action === "deleted") {
      incidents = incidents.filter((x) => x.id !== c.data.id);
      draw();
    } else upsert(c.data);
  });
  const offResync = live.onResync(load);
  load();
  return () => {
    offChange();
    offResync();
  };
}
