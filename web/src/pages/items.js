// Planned items as a board, one column per status. A card moves when its item changes on the
// stream (its linked issue closing completes it). The admin creates and edits items here.
import { api } from "../api.js";
import { badge, empty, errorBox, h, loading, replace, toast, when } from "../dom.js";

const STATUSES = [["planned", "Planned"], ["in_progress", "In progress"], ["blocked", "Blocked"], ["completed", "Completed"], ["not_planned", "Not planned"]];

export function itemsPage(container, { live, isAdmin }) {
  let items = new Map();
  const board = h("div", { class: "board", id: "board" });
  const body = h("div", {}, loading());
  const dialog = h("dialog", { class: "dialog", id: "item-dialog" });
  const add = isAdmin ? h("button", { type: "button", class: "primary", id: "new-item", on: { click: () => edit(null) } }, "New item") : null;
  replace(container, h("div", { class: "page-head" }, h("h2", {}, "Planned items"), add,
    h("p", { class: "muted" }, "Link an item to an issue and it follows the issue: closed as completed → Completed, closed as not planned → Not planned.")),
    body, dialog);

  const columns = new Map(STATUSES.map(([status, label]) => {
    const list = h("ul", { class: "cards" });
    const count = h("span", { class: "count" }, "0");
    const col = h("section", { class: "column", dataset: { status } }, h("h3", {}, label, " ", count), list);
    return [status, { col, list, count }];
  }));
  replace(board, [...columns.values()].map((c) => c.col));

  const card = (item) => h("li", { class: "card item", dataset: { id: item.id, status: item.status }, tabIndex: isAdmin ? 0 : -1,
    on: isAdmin ? { click: () => edit(item), keydown: (e) => e.key === "Enter" && edit(item) } : {} },
    h("div", { class: "item-title" }, item.title),
    item.description ? h("p", { class: "item-desc" }, item.description) : null,
    h("div", { class: "item-meta" },
      item.owner ? h("span", {}, `@${item.owner}`) : null,
      (item.tags ?? []).map((t) => badge(t, "tag")),
      item.due_on ? h("span", {}, `due ${when(item.due_on)}`) : null),
    item.issue ? h("div", { class: "item-issue" }, h("a", { href: item.issue.url || "#", target: "_blank", rel: "noopener noreferrer",
      on: { click: (e) => e.stopPropagation() } }, `${item.issue.repository}#${item.issue.number}`), " ", badge(item.issue.state ?? "unknown")) : null);

  function draw() {
    if (!items.size) {
      return replace(body, empty("No planned items", h("p", {}, isAdmin ? "Create one with “New item”, and link it to an issue so it completes itself."
        : "The admin creates items (here, or with forgehook items add).")));
    }
    for (const c of columns.values()) replace(c.list);
    const sorted = [...items.values()].sort((a, b) => String(b.updated_at).localeCompare(String(a.updated_at)));
    for (const item of sorted) (columns.get(item.status) ?? columns.get("planned")).list.append(card(item));
    for (const c of columns.values()) c.count.textContent = String(c.list.children.length);
    if (board.parentNode !== body) replace(body, board);
  }

  async function load() {
    try {
      const page = await api("items?limit=500");
      items = new Map(page.items.map((i) => [i.id, i]));
      draw();
    } catch (err) {
      replace(body, errorBox(err));
    }
  }

  function edit(item) {
    const field = (label, input) => h("label", {}, h("span", {}, label), input);
    const title = h("input", { name: "title", required: true, maxLength: 500, value: item?.title ?? "" });
    const description = h("textarea", { name: "description", rows: 3, value: item?.description ?? "" });
    const owner = h("input", { name: "owner", value: item?.owner ?? "" });
    const status = h("select", { name: "status" }, STATUSES.map(([s, l]) => h("option", { value: s, selected: (item?.manual_status ?? item?.status ?? "planned") === s }, l)));
    const tags = h("input", { name: "tags", placeholder: "comma, separated", value: (item?.tags ?? []).join(", ") });
    const due = h("input", { name: "due_on", type: "date", value: item?.due_on ? item.due_on.slice(0, 10) : "" });
    const repo = h("input", { name: "issue_repository", placeholder: "owner/name", value: item?.issue?.repository ?? "" });
    const number = h("input", { name: "issue_number", type: "number", min: 1, placeholder: "42", value: item?.issue?.number ?? "" });
    const error = h("p", { class: "error hidden", role: "alert" });
    const remove = item ? h("button", { type: "button", class: "danger", on: { click: async () => {
      try {
        await api(`items/${item.id}`, { method: "DELETE" });
        items.delete(item.id);
        draw();
        dialog.close();
      } catch (err) {
        error.className = "error";
        error.textContent = err.message;
      }
    } } }, "Delete") : null;
    const form = h("form", { method: "dialog", class: "form", on: { submit: async (e) => {
      e.preventDefault();
      const body = { title: title.value.trim(), description: description.value, owner: owner.value.trim(), status: status.value,
        tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean), due_on: due.value ? `${due.value}T00:00:00Z` : null };
      if (repo.value.trim() && number.value) body.issue = { repository: repo.value.trim(), number: Number(number.value) };
      else if (item?.issue) body.issue = null;
      try {
        const saved = await api(item ? `items/${item.id}` : "items", { method: item ? "PATCH" : "POST", body });
        items.set(saved.id, saved);
        draw();
        dialog.close();
        toast(item ? "Item saved" : "Item created");
      } catch (err) {
        error.className = "error";
        error.textContent = err.message;
      }
    } } },
    h("h3", {}, item ? `Edit item #${item.id}` : "New item"),
    field("Title", title), field("Description", description), field("Owner", owner), field("Status", status),
    field("Tags", tags), field("Due", due),
    h("fieldset", {}, h("legend", {}, "Linked issue (optional)"), field("Repository", repo), field("Issue number", number)),
    error,
    h("div", { class: "actions" }, remove, h("span", { class: "spacer" }),
      h("button", { type: "button", on: { click: () => dialog.close() } }, "Cancel"),
      h("button", { type: "submit", class: "primary" }, item ? "Save" : "Create")));
    replace(dialog, form);
    dialog.showModal();
    title.focus();
  }

  const offChange = live.onChange((c) => {
    if (c.resource !== "items") return;
    if (c.action === "deleted") items.delete(c.data.id);
    else items.set(c.data.id, c.data);
    draw();
  });
  const offResync = live.onResync(load);
  load();
  return () => {
    offChange();
    offResync();
    if (dialog.open) dialog.close();
  };
}
