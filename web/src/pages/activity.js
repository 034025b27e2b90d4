// The activity feed: one line per delivery, newest first; new lines arrive over the stream.
import { api } from "../api.js";
import { ago, badge, empty, errorBox, h, loading, replace, when } from "../dom.js";

const LIMIT = 100;

export function webhookHelp() {
  const base = location.origin;
  return [
    h("p", {}, "Point a forge's webhook at this server and deliveries will appear here as they arrive:"),
    h("ul", { class: "urls" },
      h("li", {}, h("strong", {}, "GitHub: "), h("code", {}, `${base}/webhooks/github`),
        " — Settings → Webhooks → Add webhook, content type application/json, with the secret from ", h("code", {}, "github.secret"), "."),
      h("li", {}, h("strong", {}, "GitLab: "), h("code", {}, `${base}/webhooks/gitlab`), " — Settings → Webhooks, secret token from ", h("code", {}, "gitlab.token"), "."),
      h("li", {}, h("strong", {}, "Gitea / Forgejo: "), h("code", {}, `${base}/webhooks/gitea`), " — Settings → Webhooks, secret from ", h("code", {}, "gitea.secret"), ".")),
    h("p", { class: "muted" }, "To try it without a forge: ", h("code", {}, "forgehook send --example pull_request.opened"), "."),
  ];
}

export function activityPage(container, { live }) {
  let lines = [];
  const list = h("ol", { class: "feed", id: "activity-feed" });
  const body = h("div", {}, loading());
  replace(container, h("div", { class: "page-head" }, h("h2", {}, "Activity"),
    h("p", { class: "muted" }, "Every delivery as one line, newest first. New lines appear as they arrive.")), body);

  const line = (a, fresh) =>
    h("li", { class: fresh ? "line fresh" : "line", dataset: { deliveryId: a.delivery_id } },
      h("time", { dateTime: a.at, title: when(a.at) }, ago(a.at)),
      badge(a.kind, "kind"),
      h("span", { class: "repo" }, a.repository),
      a.url ? h("a", { class: "summary", href: a.url, target: "_blank", rel: "noopener noreferrer" }, a.summary)
        : h("span", { class: "summary" }, a.summary));

  function draw() {
    if (!lines.length) return replace(body, empty("No deliveries yet", ...webhookHelp()));
    replace(list, lines.map((a) => line(a)));
    replace(body, list);
  }

  async function load() {
    try {
      lines = (await api(`activity?limit=${LIMIT}`)).activity;
      draw();
    } catch (err) {
      replace(body, errorBox(err));
    }
  }

  const offChange = live.onChange((c) => {
    if (c.resource !== "activity" || c.action === "deleted") return;
    const i = lines.findIndex((a) => a.delivery_id === c.data.delivery_id);
    if (i >= 0) {
      lines[i] = c.data;
      return draw();
    }
    // The feed is ordered by the event's own time, as the API lists it: a late delivery of an old
    // event goes where a reload would show it, not on top.
    const time = Date.parse(c.data.at);
    let at = lines.findIndex((a) => !(Date.parse(a.at) > time));
    if (at < 0) at = lines.length;
    if (at >= LIMIT) return;
    lines.splice(at, 0, c.data);
    lines.length = Math.min(lines.length, LIMIT);
    if (lines.length === 1) return draw();
    list.insertBefore(line(c.data, true), list.children[at] ?? null);
    while (list.children.length > LIMIT) list.lastChild.remove();
  });
  const offResync = live.onResync(load);
  load();
  return () => {
    offChange();
    offResync();
  };
}
