// The public API (/api/v1/) with the tokens a native app uses: the access token on every
// call, one refresh (with rotation) when it is refused, the API's own error message shown.
import { acceptLanguage, t } from "./i18n.js";

const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || t("network_error"));
    this.status = status;
    this.code = error.code || "network";
    this.fields = error.fields || {};
  }
}

export const session = {
  get access() { return localStorage.getItem("access"); },
  get refresh() { return localStorage.getItem("refresh"); },
  save(tokens) {
    localStorage.setItem("access", tokens.access);
    localStorage.setItem("refresh", tokens.refresh);
  },
  clear() {
    for (const key of Object.keys(localStorage)) {
      if (key !== "lang") localStorage.removeItem(key);
    }
  },
};

function key() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

async function send(method, path, body, { auth = true, idempotencyKey } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": acceptLanguage() };
  if (auth && session.access) headers.Authorization = `Bearer ${session.access}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method === "POST" && idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  return fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

let refreshing = null;

// One refresh at a time: the refresh token rotates, so two at once would spend it twice.
function refreshTokens() {
  refreshing ??= (async () => {
    try {
      const response = await send("POST", "/auth/token/refresh", { refresh: session.refresh }, { auth: false });
      if (!response.ok) return false;
      session.save(await response.json());
      return true;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export const onLoggedOut = { handler: () => {} };

export async function api(method, path, body) {
  if (method !== "GET" && !navigator.onLine) throw new ApiError(0, { error: { message: t("offline_action") } });
  const idempotencyKey = method === "POST" ? key() : undefined; // the same key on a retry
  let response;
  try {
    response = await send(method, path, body, { idempotencyKey });
    if (response.status === 401 && session.refresh && (await refreshTokens())) {
      response = await send(method, path, body, { idempotencyKey });
    }
  } catch (error) {
    if (method === "GET") {
      const cached = localStorage.getItem(`cache:${path}`);
      if (cached !== null) return { ...JSON.parse(cached), offline: true };
    }
    throw new ApiError(0, { error: { message: navigator.onLine ? t("network_error") : t("offline_action") } });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && path !== "/auth/token") {
    session.clear();
    onLoggedOut.handler();
  }
  if (!response.ok) throw new ApiError(response.status, data);
  // The last data of each list and object, for when the phone is offline.
  if (method === "GET" && !path.startsWith("/events")) localStorage.setItem(`cache:${path}`, JSON.stringify(data));
  return data;
}

export async function login(username, password) {
  session.save(await api("POST", "/auth/token", { username, password }));
}

export async function logout() {
  try {
    if (session.refresh) await api("POST", "/auth/logout", { refresh: session.refresh });
  } finally {
    session.clear();
  }
}

// Every page of a paginated list (a bare list is returned as it is).
export async function all(path) {
  const first = await api("GET", path);
  if (Array.isArray(first)) return first;
  const results = [...(first.results || [])];
  let next = first.next;
  while (next) {
    const url = new URL(next, location.origin);
    const page = await api("GET", url.pathname.replace(BASE, "") + url.search);
    results.push(...page.results);
    next = page.next;
  }
  results.offline = first.offline;
  return results;
}

// A photo in three steps (API.md "Photos"): the upload form, the file posted with it straight
// to storage, then the upload key confirmed. Returns the photo.
export async function uploadPhoto(jobId, assignmentId, kind, file) {
  const form = await api("POST", `/jobs/${jobId}/photos/uploads`, { kind, assignment: assignmentId });
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields || {})) body.append(name, value);
  body.append(form.file_field || "file", file);
  let stored;
  try {
    stored = await fetch(form.url, { method: "POST", body });
  } catch {
    throw new ApiError(0, { error: { message: t("network_error") } });
  }
  if (!stored.ok) throw new ApiError(stored.status, await stored.json().catch(() => null));
  return api("POST", `/jobs/${jobId}/photos`, { upload_key: form.upload_key });
}
