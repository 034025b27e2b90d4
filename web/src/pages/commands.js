// Runs of [[rules]] commands (GET /api/v1/commands), newest first, updated live as each goes from
// queued to running to its end. One click shows a run's argv, environment and output (untrusted:
// shown as text only); an admin runs a finished one again.
import { api, query } from "../api.js";
import { badge, empty, errorBox, h, loading, replace, throttle, toast, when } from "../dom.js";

const STATES = ["queued", "running", "retrying", "succeeded", "failed", "timed_out", "interrupted"];
const FINISHED = new Set(["succeeded", "failed", "timed_out", "interrupted"]);
const BAD = new Set(["failed", "timed_out", "interrupted"]);

function duration(seconds) {
  if (seconds == null) return "—";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function exitText(run) {
  if (run.exit_code != null) return String(run.exit_code);
  if (run.signal != null) return `signal ${run.signal}`;
  return "—";
}

const deliveryLink = (run) => h("a", { href: `#/deliveries/${run.delivery}`, class: "delivery-link",
  on: { click: (e) => e.stopPropagation() } }, `#${run.delivery}`);

// What to write when no rule is configured: the smallest rule, and where the rest is documented.
function noRulesHelp() {
  return [h("p", {}, "forgehook runs a command for every delivery that matches a ", h("code", {}, "[[rules]]"),
    " entry of its configuration file. Add one and restart forgehook; each run appears here as it happens."),
  h("pre", { class: "code" }, [
    "[[rules]]",
    'name = "deploy"',
    'event = "push"',
    'branch = "main"',
    'command = ["/usr/local/bin/deploy", "{{repository}}", "{{delivery_id}}"]',
  ].join("\n")),
  h("p", {}, "Matching, templates, environment, timeouts and retries: ", h("code", {}, "docs/CONFIG.md"), ", section “Rules → commands”.")];
}

export function commandsPage(container, { live, isAdmin }) {
  let runs = [];
  let rules = null; // names from GET /api/v1/rules, once loaded
  let cursor = null;
  let filters = { rule: "", state: "" };
  let openId = null;

  const ruleSelect = h("select", { name: "rule", "aria-label": "Rule", on: { change: apply } }, h("option", { value: "" }, "any rule"));
  const stateSelect = h("select", { name: "state", "aria-label": "Status", on: { change: apply } },
    ["", ...STATES].map((s) => h("option", { value: s }, s || "any status")));
  const form = h("form", { class: "filters", on: { submit: (e) => { e.preventDefault(); apply(); } } }, ruleSelect, stateSelect);
  const notice = h("div", {});
  const table = h("table", { class: "table", id: "commands-table" });
  const listBox = h("div", { class: "list-box" }, loading());
  const more = h("button", { type: "button", class: "hidden", on: { click: () => load(true) } }, "Load more");
  const detail = h("aside", { class: "detail hidden", id: "command-detail", "aria-label": "Command run" });
  replace(container, h("div", { class: "page-head" }, h("h2", {}, "Commands"),
    h("p", { class: "muted" }, "Commands run by rules for matching deliveries, newest first. Select one to see its argv, environment and output.")),
    notice, form, h("div", { class: "split" }, h("div", {}, listBox, more), detail));

  function apply() {
    filters = { rule: ruleSelect.value, state: stateSelect.value };
    load(false);
  }
  const matches = (r) => (!filters.rule || r.rule === filters.rule) && (!filters.state || r.status === filters.state);

  const row = (r) => h("tr", { dataset: { id: r.id, status: r.status, rule: r.rule }, tabIndex: 0,
    class: [r.id === openId ? "selected" : "", BAD.has(r.status) ? "run-bad" : "", r.status === "running" ? "run-running" : ""].filter(Boolean).join(" "),
    on: { click: () => show(r.id), keydown: (e) => e.key === "Enter" && show(r.id) } },
    h("td", { class: "status" }, badge(r.status), r.rerun_after_crash ? h("span", { class: "crash-flag", title: "re-run after forgehook stopped mid-run" }, " ⚠") : null),
    h("td", { class: "rule" }, r.rule), h("td", { class: "repo" }, r.repository),
    h("td", {}, r.event, r.action ? h("span", { class: "muted" }, `.${r.action}`) : null),
    h("td", {}, deliveryLink(r)), h("td", { class: "attempt" }, `${r.attempt}/${r.max_attempts}`),
    h("td", { class: "exit" }, exitText(r)), h("td", { class: "nowrap" }, r.status === "running" ? "running…" : duration(r.duration_seconds)),
    h("td", { class: "started" }, r.started_at ? when(r.started_at) : "—"));

  function draw() {
    form.classList.toggle("hidden", Boolean(rules && !rules.length && !runs.length));
    if (rules && !rules.length) {
      replace(notice, runs.length ? h("p", { class: "muted", id: "no-rules" }, "No rules are configured now: these runs are from an earlier configuration.") : null);
      if (!runs.length) {
        replace(listBox, h("div", { id: "no-rules" }, empty("No rules configured", ...noRulesHelp())));
        more.className = "hidden";
        return;
      }
    } else replace(notice);
    if (!runs.length) {
      const anyFilter = Object.values(filters).some(Boolean);
      replace(listBox, anyFilter ? empty("No run matches these filters", h("p", {}, "Clear a filter to see more."))
        : empty("No commands have run yet", h("p", {}, "A run appears here, live, as soon as a delivery matches one of the rules.")));
    } else {
      replace(table, h("thead", {}, h("tr", {}, ["Status", "Rule", "Repository", "Event", "Delivery", "Attempt", "Exit", "Duration", "Started"].map((t) => h("th", {}, t)))),
        h("tbody", {}, runs.map(row)));
      replace(listBox, table);
    }
    more.className = cursor ? "" : "hidden";
  }

  async function loadRules() {
    try {
      rules = (await api("rules")).rules.map((r) => r.name);
    } catch {
      rules = null; // the filter still works with the names the runs carry
    }
    const chosen = ruleSelect.value;
    replace(ruleSelect, h("option", { value: "" }, "any rule"), (rules ?? []).map((n) => h("option", { value: n }, n)));
    ruleSelect.value = chosen;
  }

  async function load(append) {
    if (!append) replace(listBox, loading());
    try {
      const page = await api(`commands${query({ ...filters, limit: 50, cursor: append ? cursor : null })}`);
      runs = append ? runs.concat(page.commands) : page.commands;
      cursor = page.next_cursor;
      draw();
    } catch (err) {
      replace(listBox, errorBox(err));
    }
  }

  async function rerun(id, button, message) {
    button.disabled = true;
    replace(message);
    try {
      const run = await api(`commands/${id}/rerun`, { method: "POST" });
      toast(`Run #${id} queued again`);
      upsert(run);
      show(id);
    } catch (err) {
      button.disabled = false;
      replace(message, h("div", { class: "error", role: "alert" }, err.message));
      toast(`Run again failed: ${err.message}`, "error");
    }
  }

  const facts = (pairs) => h("dl", { class: "facts" }, ...pairs.filter(([, v]) => v != null && v !== "")
    .flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));

  function renderDetail(run) {
    const message = h("div", { id: "rerun-message" });
    const again = isAdmin && FINISHED.has(run.status) ? h("button", { type: "button", class: "primary", id: "rerun",
      on: { click: (e) => rerun(run.id, e.currentTarget, message) } }, "Run again") : null;
    const env = Object.entries(run.env ?? {});
    replace(detail,
      h("div", { class: "detail-head" }, h("h3", {}, `Run #${run.id}`), again,
        h("button", { type: "button", class: "link", on: { click: close } }, "Close")),
      message,
      run.rerun_after_crash ? h("p", { class: "crash", id: "rerun-after-crash" }, "Re-run after forgehook stopped mid-run: ",
        "the first attempt may have done part of its work.") : null,
      run.error ? h("div", { class: "error", id: "run-error" }, run.error) : null,
      facts([["Status", badge(run.status)], ["Rule", run.rule], ["Repository", run.repository],
        ["Event", `${run.event}${run.action ? "." + run.action : ""}`], ["Delivery", h("span", {}, deliveryLink(run), ` ${run.delivery_guid}`)],
        ["Attempt", h("span", { class: "attempt-of" }, `${run.attempt} of ${run.max_attempts}`)], ["Exit code", run.exit_code], ["Signal", run.signal],
        ["Duration", duration(run.duration_seconds)], ["Queued", when(run.queued_at)], ["Started", run.started_at && when(run.started_at)],
        ["Ended", run.ended_at && when(run.ended_at)], ["Next attempt", run.next_attempt_at && when(run.next_attempt_at)],
        ["Workdir", run.workdir ? h("code", { id: "workdir" }, run.workdir) : h("span", { id: "workdir" }, "the data directory (default)")], ["Payload", run.payload]]),
      h("h4", {}, "Command ", h("span", { class: "muted" }, `(argv, ${run.argv.length} elements, run without a shell)`)),
      h("ol", { class: "argv", id: "argv", start: 0 }, run.argv.map((arg) => h("li", {}, h("code", {}, arg)))),
      h("h4", {}, "Environment from the rule ", h("span", { class: "muted" }, "(besides PATH, HOME, LANG and forgehook's FORGEHOOK_* variables)")),
      env.length ? h("dl", { class: "facts env", id: "env" }, env.flatMap(([k, v]) => [h("dt", {}, h("code", {}, k)), h("dd", {}, h("code", {}, v))]))
        : h("p", { class: "muted", id: "env" }, "None."),
      h("h4", {}, "Output ", h("span", { class: "muted" }, `(stdout and stderr, ${run.output_bytes} bytes${run.output_truncated ? ", truncated" : ""})`)),
      run.output ? h("pre", { class: "code", id: "output" }, run.output)
        : h("p", { class: "muted", id: "output" }, FINISHED.has(run.status) ? "No output." : "Not finished yet."));
  }

  function close() {
    openId = null;
    detail.className = "detail hidden";
    for (const tr of table.querySelectorAll("tr.selected")) tr.classList.remove("selected");
  }

  async function show(id) {
    const first = openId !== id;
    openId = id;
    for (const tr of table.querySelectorAll("tr[data-id]")) tr.classList.toggle("selected", Number(tr.dataset.id) === id);
    detail.className = "detail";
    if (first) replace(detail, loading());
    try {
      const run = await api(`commands/${id}`);
      if (openId === id) renderDetail(run);
    } catch (err) {
      if (openId === id) replace(detail, errorBox(err));
    }
  }
  // The open run changed (it started, ended, was retried): its output and times are new.
  const refreshOpen = throttle(() => openId != null && show(openId), 300);

  function upsert(run) {
    const i = runs.findIndex((r) => r.id === run.id);
    if (i >= 0) {
      if (matches(run)) runs[i] = run;
      else runs.splice(i, 1);
    } else if (matches(run)) {
      runs.unshift(run);
      runs.sort((a, b) => b.id - a.id);
    } else return;
    draw();
  }

  const offChange = live.onChange((c) => {
    if (c.resource !== "commands") return;
    if (c.action === "deleted") {
      runs = runs.filter((r) => r.id !== c.data.id);
      draw();
    } else upsert(c.data);
    if (c.data.id === openId) refreshOpen();
  });
  const reload = () => loadRules().then(() => load(false));
  const offResync = live.onResync(reload);
  reload();
  // #/commands/<id> opens that run.
  const linked = /^#\/commands\/(\d+)/.exec(location.hash);
  if (linked) show(Number(linked[1]));
  return () => {
    offChange();
    offResync();
    refreshOpen.cancel();
  };
}
