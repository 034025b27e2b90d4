// The dashboard's shell: sign-in, navigation by #route, the live indicator, and one page at a time.
import "uplot/dist/uPlot.min.css";
import "./style.css";

import { api, onSignedOut, setCsrf } from "./api.js";
import { h, replace } from "./dom.js";
import { LiveStream } from "./live.js";
import { activityPage } from "./pages/activity.js";
import { commandsPage } from "./pages/commands.js";
import { connectionsPage } from "./pages/connections.js";
import { deliveriesPage } from "./pages/deliveries.js";
import { healthPage } from "./pages/health.js";
import { incidentsPage } from "./pages/incidents.js";
import { itemsPage } from "./pages/items.js";
import { pullsPage } from "./pages/pulls.js";
import { signInPage } from "./pages/signin.js";
import { sprintPage } from "./pages/sprint.js";
import { subscriptionsPage } from "./pages/subscriptions.js";

const PAGES = [
  { route: "activity", label: "Activity", page: activityPage },
  { route: "deliveries", label: "Deliveries", page: deliveriesPage },
  { route: "commands", label: "Commands", page: commandsPage },
  { route: "incidents", label: "Incidents", page: incidentsPage },
  { route: "pulls", label: "Pull requests", page: pullsPage },
  { route: "items", label: "Planned items", page: itemsPage },
  { route: "sprint", label: "Sprint", page: sprintPage },
  { route: "health", label: "Health", page: healthPage },
  { route: "subscriptions", label: "Subscriptions", page: subscriptionsPage },
  { route: "connections", label: "Connections", page: connectionsPage },
];

const root = document.getElementById("app");
let session = null; // {role, name, csrf_token, expires_at}
let live = null;
let unmount = null;
let shell = null;

function currentRoute() {
  const m = /^#\/([a-z_-]+)/.exec(location.hash);
  return m ? m[1] : "activity";
}

function showSignIn(message) {
  unmount?.();
  unmount = null;
  live?.stop();
  live = null;
  session = null;
  shell = null;
  setCsrf(null);
  document.body.classList.remove("signed-in");
  replace(root, signInPage({ message, onSignedIn: start }));
}

async function signOut() {
  try {
    await api("session", { method: "DELETE" });
  } catch {}
  showSignIn("Signed out.");
}

function buildShell() {
  const indicator = h("span", { id: "live-indicator", class: "live live-connecting", role: "status" }, "Connecting…");
  const nav = h("nav", { class: "nav", "aria-label": "Pages" },
    PAGES.map((p) => h("a", { href: `#/${p.route}`, dataset: { route: p.route } }, p.label)));
  const main = h("main", { id: "page", class: "page" });
  const header = h("header", { class: "top" },
    h("a", { class: "brand", href: "#/activity" }, "forgehook"),
    indicator,
    h("span", { class: "who" }, h("span", { class: `badge badge-${session.role}` }, session.role === "admin" ? "admin" : "read-only"),
      " ", h("span", { class: "name" }, session.name)),
    h("button", { class: "link", type: "button", on: { click: signOut } }, "Sign out"));
  replace(root, header, nav, main);
  return { indicator, nav, main };
}

function render() {
  if (!session) return;
  unmount?.();
  unmount = null;
  const route = currentRoute();
  const entry = PAGES.find((p) => p.route === route) ?? PAGES[0];
  for (const a of shell.nav.querySelectorAll("a")) a.classList.toggle("active", a.dataset.route === entry.route);
  document.title = `${entry.label} · forgehook`;
  replace(shell.main);
  unmount = entry.page(shell.main, { session, live, isAdmin: session.role === "admin" }) ?? null;
}

async function start() {
  try {
    session = await api("session", { quiet401: true });
  } catch (err) {
    return showSignIn(err.status === 401 ? null : `The server did not answer: ${err.message}`);
  }
  setCsrf(session.csrf_token);
  document.body.classList.add("signed-in");
  live = new LiveStream();
  shell = buildShell();
  const labels = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };
  let failures = 0;
  live.onState((state) => {
    shell.indicator.textContent = labels[state];
    shell.indicator.className = `live live-${state}`;
    shell.indicator.dataset.state = state;
    // A stream refused for good (the session ended) looks like a dropped one: ask once in a while.
    if (state === "reconnecting" && ++failures % 5 === 0) api("session").catch(() => {});
    if (state === "live") failures = 0;
  });
  live.start();
  render();
}

onSignedOut(() => {
  if (session) showSignIn("Your session ended: sign in again.");
});
window.addEventListener("hashchange", render);
start();
