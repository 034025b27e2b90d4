// Outbound subscriptions (GET /api/v1/subscriptions) and each one's attempt log, refreshed as
// changes arrive (each may have been sent); admins pause and resume them here.
import { api } from "../api.js";
import { ago, badge, empty, errorBox, h, loading, replace, toast, when } from "../dom.js";

export function subscriptionsPage(container, { live, isAdmin }) {
  let subscriptions = [];
  let openId = null;
  const body = h("div", {}, loading());
  const detail = h("aside", { class: "detail hidden", id: "attempts", "aria-label": "Attempts" });
  replace(container, h("div", { class: "page-head" }, h("h2", {}, "Subscriptions"),
    h("p", { class: "muted" }, "Where forgehook sends its changes, and how each delivery attempt went.")),
    h("div", { class: "split" }, body, detail));

  async function setPaused(s, pause) {
    try {
      await api(`subscriptions/${s.id}/${pause ? "pause" : "resume"}`, { method: "POST" });
      toast(`Subscription ${pause ? "paused" : "resumed"}`);
      load();
    } catch (err) {
      toast(`Could not ${pause ? "pause" : "resume"}: ${err.message}`, "error");
    }
  }

  function draw() {
    if (!subscriptions.length) return replace(body, empty("No subscriptions", h("p", {}, "Create one with the API (POST /api/v1/subscriptions) to send changes to another service.")));
    replace(body, h("table", { class: "table", id: "subscriptions-table" },
      h("thead", {}, h("tr", {}, ["URL", "Status", "Pending", "Failed", "Last success", ""].map((t) => h("th", {}, t)))),
      h("tbody", {}, subscriptions.map((s) => h("tr", { dataset: { id: s.id }, class: s.id === openId ? "selected" : "", on: { click: () => attempts(s) } },
        h("td", { class: "repo" }, s.url, s.description ? h("div", { class: "muted" }, s.description) : null),
        h("td", {}, badge(s.status), s.disabled_reason ? h("div", { class: "muted" }, s.disabled_reason) : null,
          s.consecutive_failures ? h("div", { class: "muted" }, `${s.consecutive_failures} failures in a row`) : null),
        h("td", {}, String(s.pending ?? 0)), h("td", {}, String(s.failed ?? 0)),
        h("td", { class: "nowrap" }, s.last_success_at ? ago(s.last_success_at) : "never"),
        h("td", {}, isAdmin && s.status !== "disabled" ? h("button", { type: "button", on: { click: (e) => { e.stopPropagation(); setPaused(s, s.status === "active"); } } },
          s.status === "active" ? "Pause" : "Resume") : isAdmin && s.status === "disabled" ? h("button", { type: "button",
          on: { click: (e) => { e.stopPropagation(); setPaused(s, false); } } }, "Resume") : null))))));
  }

  async function attempts(s) {
    openId = s.id;
    detail.className = "detail";
    replace(detail, loading());
    try {
      const log = (await api(`subscriptions/${s.id}/attempts?limit=50`)).attempts;
      replace(detail, h("div", { class: "detail-head" }, h("h3", {}, "Attempts"),
        h("button", { type: "button", class: "link", on: { click: () => { openId = null; detail.className = "detail hidden"; } } }, "Close")),
        h("p", { class: "muted repo" }, s.url),
        log.length ? h("table", { class: "table" }, h("thead", {}, h("tr", {}, ["When", "Seq", "Try", "Status", "Time", "Answer"].map((t) => h("th", {}, t)))),
          h("tbody", {}, log.map((a) => h("tr", {}, h("td", { class: "nowrap" }, when(a.at)), h("td", {}, String(a.seq)), h("td", {}, String(a.attempt)),
            h("td", {}, a.status_code ? badge(String(a.status_code), a.status_code < 300 ? "processed" : "dead") : badge("error", "dead")),
            h("td", {}, a.duration_ms == null ? "—" : `${a.duration_ms} ms`),
            h("td", {}, a.error ?? a.response_excerpt ?? "")))))
          : empty("No attempts yet", h("p", {}, "Attempts appear when a change matching this subscription is sent.")));
    } catch (err) {
      replace(detail, errorBox(err));
    }
  }

  async function load() {
    try {
      subscriptions = (await api("subscriptions")).subscriptions;
      draw();
    } catch (err) {
      replace(body, errorBox(err));
    }
  }
  // Any change may have been sent to a subscription: look again, at most about once a second.
  return live.reloadOn(() => true, async () => {
    await load();
    const open = subscriptions.find((x) => x.id === openId);
    if (open) attempts(open);
  }, 1000);
}
