// uPlot line charts sized to their box, redrawn on resize. uPlot styles its elements through
// the CSSOM (element.style), which the page's Content-Security-Policy allows.
import uPlot from "uplot";
import { h } from "./dom.js";

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed"];

// series: [{label, values, dash?, bars?}], x: Unix seconds. Returns {el, destroy}.
export function lineChart({ title, x, series, yLabel, height = 220, yRange, xRange }) {
  const box = h("div", { class: "chart-box" });
  const el = h("figure", { class: "chart" }, h("figcaption", {}, title), box);
  const opts = {
    width: 600,
    height,
    scales: {
      x: xRange ? { time: true, range: xRange } : { time: true },
      // From zero, with room above the highest value (and a 0..1 axis when everything is zero).
      y: { range: yRange ?? ((u, min, max) => [0, max > 0 ? max * 1.15 : 1]) },
    },
    axes: [{ stroke: "#6b7280", grid: { stroke: "#e5e7eb" } }, { label: yLabel, stroke: "#6b7280", grid: { stroke: "#e5e7eb" } }],
    series: [{}, ...series.map((s, i) => ({
      label: s.label,
      stroke: PALETTE[i % PALETTE.length],
      width: 2,
      dash: s.dash,
      points: { show: x.length <= 40, size: 5 },
      spanGaps: true,
      paths: s.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined,
      fill: s.bars ? PALETTE[i % PALETTE.length] + "55" : undefined,
    }))],
    legend: { show: true },
  };
  const plot = new uPlot(opts, [x, ...series.map((s) => s.values)], box);
  const fit = () => {
    const w = Math.max(240, Math.floor(box.getBoundingClientRect().width));
    if (w && w !== plot.width) plot.setSize({ width: w, height });
  };
  const observer = new ResizeObserver(fit);
  observer.observe(box);
  requestAnimationFrame(fit);
  return { el, destroy: () => { observer.disconnect(); plot.destroy(); } };
}

export const seconds = (iso) => Math.floor(new Date(iso).getTime() / 1000);
