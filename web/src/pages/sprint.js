// Sprint burndown for one milestone (GET /api/v1/metrics/sprint): open and closed issues per day,
// the projection and whether it meets the due date.
import { api, query } from "../api.js";
import { lineChart, seconds } from "../chart.js";
import { badge, day, empty, errorBox, h, loading, num, replace, tile } from "../dom.js";

export function sprintPage(container, { live }) {
  let chart = null;
  let milestones = [];
  const select = h("select", { name: "milestone", on: { change: () => load() } });
  const body = h("div", {}, loading());
  replace(container, h("div", { class: "page-head" }, h("h2", {}, "Sprint"),
    h("p", { class: "muted" }, "A milestone's issues, open and closed, day by day.")), h("div", { class: "filters" }, select), body);

  async function loadMilestones() {
    try {
      milestones = (await api("milestones?limit=100")).milestones;
    } catch (err) {
      return replace(body, errorBox(err));
    }
    if (!milestones.length) {
      return replace(body, empty("No milestones yet", h("p", {}, "Milestones appear when issues with a milestone arrive (",
        h("code", {}, "issues"), " and ", h("code", {}, "milestone"), " events)."), h("p", {}, "Create one on the forge and assign issues to it.")));
    }
    const current = select.value;
    milestones.sort((a, b) => (a.state === "open") !== (b.state === "open") ? (a.state === "open" ? -1 : 1) : 0);
    replace(select, milestones.map((m, i) => h("option", { value: String(i) }, `${m.title} — ${m.repository}${m.state === "closed" ? " (closed)" : ""}`)));
    if (current && Number(current) < milestones.length) select.value = current;
    load();
  }

  async function load() {
    const m = milestones[Number(select.value) || 0];
    if (!m) return;
    try {
      const s = await api(`metrics/sprint${query({ milestone: m.title, repository: m.repository })}`);
      chart?.destroy();
      chart = null;
      const tiles = h("div", { class: "tiles" }, tile("issues", num(s.issues)), tile("open", num(s.open)), tile("closed", num(s.closed)),
        tile("closed per day", num(s.closed_per_day, 2)), tile("due", s.due_on ? day(s.due_on) : "no due date"),
        tile("projected completion", s.projected_completion ? day(s.projected_completion) : "—",
          s.on_track == null ? null : s.on_track ? "on track" : "behind"));
      const days = s.burndown ?? [];
      if (days.length) {
        chart = lineChart({ title: "Burndown", x: days.map((d) => seconds(d.day)), height: 280, series: [
          { label: "open", values: days.map((d) => d.open) }, { label: "closed", values: days.map((d) => d.closed) }] });
      }
      replace(body, h("p", {}, badge(s.state ?? "open", s.state === "closed" ? "closed" : "neutral"), " ", h("strong", {}, s.milestone)), tiles,
        chart ? chart.el : empty("No issues in this milestone yet", h("p", {}, "Assign issues to it on the forge.")));
    } catch (err) {
      replace(body, errorBox(err));
    }
  }
  const stop = live.reloadOn((c) => c.resource === "issues" || c.resource === "milestones", loadMilestones);
  return () => {
    stop();
    chart?.destroy();
  };
}
