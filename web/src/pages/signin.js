// Sign-in: the admin token or a read-only API token, traded for a session cookie (HttpOnly: the
// page never stores the token).
import { api } from "../api.js";
import { h } from "../dom.js";

export function signInPage({ message, onSignedIn }) {
  const input = h("input", { id: "token", type: "password", name: "token", autocomplete: "off", required: true,
    placeholder: "fht_… or the admin token", spellcheck: false });
  const status = h("p", { class: message ? "muted" : "hidden", role: "status" }, message ?? "");
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h("form", { class: "card signin", on: { submit } },
    h("h1", {}, "forgehook"),
    h("p", { class: "muted" }, "Paste the admin token or a read-only API token. It is checked once and never stored in this browser: you get a session instead."),
    h("label", { for: "token" }, "Token"), input, button, status,
    h("details", {}, h("summary", {}, "Where do I find a token?"),
      h("p", {}, "The admin token is printed by ", h("code", {}, "forgehook serve"), " on first start (or set as ", h("code", {}, "admin.token"),
        "). Read-only tokens come from ", h("code", {}, "forgehook tokens create --name NAME"), ".")));
  async function submit(event) {
    event.preventDefault();
    button.disabled = true;
    status.className = "muted";
    status.textContent = "Signing in…";
    try {
      await api("session", { method: "POST", body: { token: input.value.trim() }, quiet401: true });
      input.value = "";
      location.hash = location.hash || "#/activity";
      onSignedIn();
    } catch (err) {
      status.className = "error";
      status.textContent = err.status === 401 ? "That token is not valid (or was revoked)." : `Sign-in failed: ${err.message}`;
      button.disabled = false;
    }
  }
  return h("div", { class: "signin-wrap" }, form);
}
