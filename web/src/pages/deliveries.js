// Deliveries as stored: filters, one click for the payload, one for a replay (admin); #/deliveries/<id>
// opens one.
import { api, query } from "../api.js";
import { badge, empty, errorBox, h, loading, replace, toast, when } from "../dom.js";
import { webhookHelp } from "./activity.js";

export function deliveriesPage(container, { live, isAdmin }) {
  let rows = [];
  let cursor = null;
  let filters = {};
  let openId = null;

  const forge = h("select", { name: "forge" }, ["", "github", "gitlab", "gitea"].map((f) => h("option", { value: f }, f || "any forge")));
  const status = h("select", { name: "status" }, ["", "queued", "retrying", "processed", "duplicate", "dead"].map((s) => h("option", { value: s }, s || "any status")));
  const event = h("input", { name: "event", placeholder: "event (e.g. issues)", type: "search" });
  const repository = h("input", { name: "repository", placeholder: "owner/name", type: "search" });
  const form = h("form", { class: "filters", on: { submit: (e) => { e.preventDefault(); apply(); } } },
    forge, event, repository, status, h("button", { type: "submit" }, "Filter"));
  const table = h("table", { class: "table", id: "deliveries-table" });
  const listBox = h("div", { class: "list-box" }, loading());
  const more = h("button", { type: "button", class: "hidden", on: { click: () => load(true) } }, "Load more");
  const detail = h("aside", { class: "detail hidden", id: "delivery-detail", "aria-label": "Delivery" });
  replace(container, h("div", { class: "page-head" }, h("h2", {}, "Deliveries"),
    h("p", { class: "muted" }, "Every webhook received, newest first. Select one to see its payload.")),
    form, h("div", { class: "split" }, h("div", {}, listBox, more), detail));

  function apply() {
    filters = { forge: forge.value, event: event.value.trim(), repository: repository.value.trim(), status: status.value };
    load(false);
  }
  const matches = (d) => (!filters.forge || d.forge === filters.forge) && (!filters.event || d.event === filters.event) &&
    (!filters.repository || d.repository.toLowerCase() === filters.repository.toLowerCase()) && (!filters.status || d.status === filters.status);

  const row = (d) => h("tr", { dataset: { id: d.id }, class: d.id === openId ? "selected" : "", tabIndex: 0,
    on: { click: () => show(d.id), keydown: (e) => e.key === "Enter" && show(d.id) } },
    h("td", {}, `#${d.id}`), h("td", { class: "nowrap" }, when(d.received_at)), h("td", {}, d.forge),
    h("td", {}, d.event, d.action ? h("span", { class: "muted" }, ` ${d.action}`) : null),
    h("td", { class: "repo" }, d.repository), h("td", {}, badge(d.status)));

  function draw() {
    const anyFilter = Object.values(filters).some(Boolean);
    if (!rows.length) {
      replace(listBox, anyFilter ? empty("No delivery matches these filters", h("p", {}, "Clear a filter to see more.")) : empty("No deliveries yet", ...webhookHelp()));
    } else {
      replace(table, h("thead", {}, h("tr", {}, ["Id", "Received", "Forge", "Event", "Repository", "Status"].map((t) => h("th", {}, t)))),
        h("tbody", {}, rows.map(row)));
      replace(listBox, table);
    }
    more.className = cursor ? "" : "hidden";
  }

  async function load(append) {
    if (!append) replace(listBox, loading());
    try {
      const page = await api(`deliveries${query({ ...filters, limit: 50, cursor: append ? cursor : null })}`);
      rows = append ? rows.concat(page.deliveries) : page.deliveries;
      cursor = page.next_cursor;
      draw();
    } catch (err) {
      replace(listBox, errorBox(err));
    }
  }

  async function show(id) {
    openId = id;
    for (const tr of table.querySelectorAll("tr[data-id]")) tr.classList.toggle("selected", Number(tr.dataset.id) === id);
    detail.className = "detail";
    replace(detail, loading());
    try {
      const d = await api(`deliveries/${id}`);
      if (openId !== id) return;
      // Retention pruned the body: nothing to show or process again.
      const pruned = d.body_pruned_at != null;
      const replay = isAdmin && !pruned ? h("button", { type: "button", class: "primary", id: "replay", on: { click: async () => {
        try {
          await api(`deliveries/${id}/replay`, { method: "POST" });
          toast(`Delivery #${id} queued for processing again`);
        } catch (err) {
          toast(`Replay failed: ${err.message}`, "error");
        }
      } } }, "Replay") : null;
      replace(detail,
        h("div", { class: "detail-head" }, h("h3", {}, `Delivery #${d.id}`), replay,
          h("button", { type: "button", class: "link", on: { click: () => { openId = null; detail.className = "detail hidden"; } } }, "Close")),
        h("dl", { class: "facts" },
          ...[["Forge", d.forge], ["Event", `${d.event}${d.action ? " " + d.action : ""}`], ["Repository", d.repository],
            ["Sender", d.sender], ["Delivery id", d.delivery_id], ["Source", d.source], ["Status", d.status], ["Attempts", d.attempts],
            ["Verification", d.verification], ["Received", when(d.received_at)]].flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")])),
        h("h4", {}, "Headers"), h("pre", { class: "code" }, JSON.stringify(d.headers, null, 2)),
        h("h4", {}, "Payload"),
        pruned
          ? h("p", { class: "muted", id: "payload-pruned" }, `Pruned by retention ${when(d.body_pruned_at)}: headers and what it changed are kept.`)
          : h("pre", { class: "code", id: "payload" }, JSON.stringify(d.payload, null, 2)));
    } catch (err) {
      replace(detail, errorBox(err));
    }
  }

  const offChange = live.onChange((c) => {
    if (c.resource !== "deliveries") return;
    const i = rows.findIndex((d) => d.id === c.data.id);
    if (i >= 0) {
      if (matches(c.data)) rows[i] = c.data;
      else rows.splice(i, 1);
    } else if (c.action === "created" && matches(c.data)) {
      rows.unshift(c.data);
    } else return;
    draw();
  });
  const offResync = live.onResync(() => load(false));
  load(false);
  // #/deliveries/<id> (a command run links here) opens that delivery.
  const linked = /^#\/deliveries\/(\d+)/.exec(location.hash);
  if (linked) show(Number(linked[1]));
  return () => {
    offChange();
    offResync();
  };
}
