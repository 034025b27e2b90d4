// The dashboard's one door to the server: fetch with the session cookie (same origin; the token is
// never kept in the page), the CSRF token on every change, and a signed-out event on 401.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error;
  }
}

let csrfToken = null;
const signedOutListeners = new Set();

export function setCsrf(token) {
  csrfToken = token;
}
export function onSignedOut(fn) {
  signedOutListeners.add(fn);
}

export async function api(path, { method = "GET", body, quiet401 = false } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const res = await fetch(path.startsWith("/") ? path : `/api/v1/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
  });
  let json = null;
  const text = await res.text();
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.status === 401 && !quiet401) for (const fn of signedOutListeners) fn();
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
};
