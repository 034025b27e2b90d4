// Pull requests: weekly cycle time and review time (median, p90), merge rate, reverts and hotfixes
// (GET /api/v1/metrics/pulls), and the latest pull requests. Refreshed when pulls or reviews change.
import { api, query } from "../api.js";
import { lineChart, seconds } from "../chart.js";
import { ago, badge, empty, errorBox, h, loading, num, pct, replace, tile } from "../dom.js";

const RANGES = [["12 weeks", 84], ["26 weeks", 182], ["1 year", 365], ["4 weeks", 28]];

// Hours with their unit, or the dash alone when there is no figure (not "— h").
const hours = (v) => (v == null ? num(v) : `${num(v)} h`);

export function pullsPage(container, { live }) {
  let charts = [];
  const range = h("select", { name: "range", on: { change: () => load() } }, RANGES.map(([label, days]) => h("option", { value: days }, label)));
  const repo = h("input", { type: "search", placeholder: "owner/name (all)", name: "repository", on: { change: () => load() } });
  const body = h("div", {}, loading());
  replace(container, h("div", { class: "page-head" }, h("h2", {}, "Pull requests"),
    h("p", { class: "muted" }, "Cycle time: opened to merged. Review time: opened to first review. Weeks start on Monday (UTC).")),
    h("div", { class: "filters" }, range, repo), body);

  const destroyCharts = () => {
    for (const c of charts) c.destroy();
    charts = [];
  };

  async function load() {
    const since = new Date(Date.now() - Number(range.value) * 86400_000).toISOString().replace(/\.\d+Z$/, "Z");
    try {
      const [m, pulls] = await Promise.all([
        api(`metrics/pulls${query({ since, repository: repo.value.trim() })}`),
        api(`pulls${query({ limit: 15, repository: repo.value.trim() })}`),
      ]);
      destroyCharts();
      const tiles = h("div", { class: "tiles" },
        tile("opened", num(m.opened)), tile("merged", num(m.merged)), tile("merge rate", pct(m.merge_rate)),
        tile("cycle time, median", hours(m.cycle_time_hours?.median), `p90 ${hours(m.cycle_time_hours?.p90)}`),
        tile("review time, median", hours(m.review_time_hours?.median), `p90 ${hours(m.review_time_hours?.p90)}`),
        tile("reverts", num(m.reverts)), tile("hotfixes", num(m.hotfixes)));
      const weeks = m.weeks ?? [];
      let chartBox;
      if (!weeks.length) {
        chartBox = empty("No pull requests in this range", h("p", {}, "Subscribe the webhook to ", h("code", {}, "pull_request"), " and ",
          h("code", {}, "pull_request_review"), " events, or pick a longer range."));
      } else {
        const x = weeks.map((w) => seconds(w.week));
        // The whole range on the x axis, half a week of margin: one week of data is a point, not a span of years.
        const xRange = [Math.min(seconds(since), x[0]) - 302400, Math.max(Date.now() / 1000, x[x.length - 1]) + 302400];
        const col = (f) => weeks.map((w) => f(w) ?? null);
        charts = [
          lineChart({ title: "Cycle time (hours)", x, xRange, series: [
            { label: "median", values: col((w) => w.cycle_time_hours?.median) },
            { label: "p90", values: col((w) => w.cycle_time_hours?.p90), dash: [6, 4] }] }),
          lineChart({ title: "Review time (hours)", x, xRange, series: [
            { label: "median", values: col((w) => w.review_time_hours?.median) },
            { label: "p90", values: col((w) => w.review_time_hours?.p90), dash: [6, 4] }] }),
          lineChart({ title: "Merge rate", x, xRange, yRange: [0, 1], series: [{ label: "merged / closed", values: col((w) => w.merge_rate) }] }),
          lineChart({ title: "Reverts and hotfixes", x, xRange, series: [
            { label: "reverts", values: col((w) => w.reverts), bars: true },
            { label: "hotfixes", values: col((w) => w.hotfixes), bars: true }] }),
        ];
        chartBox = h("div", { class: "charts" }, charts.map((c) => c.el));
      }
      const list = pulls.pulls.length ? h("table", { class: "table" },
        h("thead", {}, h("tr", {}, ["#", "Title", "Repository", "Author", "State", "Updated"].map((t) => h("th", {}, t)))),
        h("tbody", {}, pulls.pulls.map((p) => h("tr", {},
          h("td", {}, String(p.number)),
          h("td", {}, p.url ? h("a", { href: p.url, target: "_blank", rel: "noopener noreferrer" }, p.title ?? "") : p.title ?? ""),
          h("td", { class: "repo" }, p.repository), h("td", {}, p.author ?? ""), h("td", {}, badge(p.state ?? "unknown")),
          h("td", { class: "nowrap" }, ago(p.updated_at)))))) : null;
      replace(body, tiles, chartBox, list ? h("h3", {}, "Latest pull requests") : null, list);
    } catch (err) {
      destroyCharts();
      replace(body, errorBox(err));
    }
  }
  const stop = live.reloadOn((c) => c.resource === "pulls" || c.resource === "reviews", load);
  return () => {
    stop();
    destroyCharts();
  };
}
