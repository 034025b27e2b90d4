// DOM building without HTML: every string becomes a text node or a property, never markup, so
// anything a payload carries (titles, names, summaries) is shown as text.

// h("tag", {class, on: {click}, dataset, ...props}, ...children). Children: nodes, strings
// (text), numbers, arrays, null/false (skipped).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "on") for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "href") el.href = safeUrl(value);
    else if (key.startsWith("aria-") || key === "role" || key === "for") el.setAttribute(key, String(value));
    else el[key] = value;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.append(child);
    else el.append(document.createTextNode(String(child)));
  }
}

// Only http(s) links and the page's own #routes: a payload's "javascript:" URL is dropped.
export function safeUrl(url) {
  const text = String(url ?? "");
  if (text.startsWith("#")) return text;
  try {
    const parsed = new URL(text, location.href);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : "#";
  } catch {
    return "#";
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
}

export function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function day(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleDateString(undefined, { dateStyle: "medium" });
}

export function ago(iso) {
  if (!iso) return "—";
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (Number.isNaN(s)) return String(iso);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function num(v, digits = 1) {
  if (v == null || Number.isNaN(v)) return "—";
  return Number.isInteger(v) ? String(v) : Number(v).toFixed(digits);
}

export function pct(v) {
  return v == null ? "—" : `${Math.round(v * 100)}%`;
}

export const loading = (what = "Loading…") => h("p", { class: "muted loading", role: "status" }, what);

export function empty(title, ...detail) {
  return h("div", { class: "empty" }, h("h3", {}, title), ...detail);
}

export function errorBox(err) {
  return h("div", { class: "error", role: "alert" }, `Could not load: ${err?.message ?? err}`);
}

export function badge(text, kind = text) {
  return h("span", { class: `badge badge-${String(kind).replace(/[^a-z_]/gi, "")}` }, text);
}

export function tile(label, value, hint) {
  const long = String(value).length > 9;
  return h("div", { class: "tile" }, h("div", { class: long ? "tile-value small" : "tile-value" }, value), h("div", { class: "tile-label" }, label),
    hint ? h("div", { class: "tile-hint" }, hint) : null);
}

// Calls fn at most once per `ms` while calls keep coming: the first call arms a timer, later ones
// until it fires are folded into it. (A debounce would never fire under a steady stream of changes.)
export function throttle(fn, ms = 400) {
  let timer = null;
  const wrapped = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  };
  wrapped.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  return wrapped;
}

let toastTimer;
export function toast(message, kind = "info") {
  let box = document.getElementById("toast");
  if (!box) {
    box = h("div", { id: "toast", role: "status" });
    document.body.append(box);
  }
  box.className = `toast toast-${kind} show`;
  box.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove("show"), 3500);
}
