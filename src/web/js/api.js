/* global fetch, sessionStorage */
/**
 * The REST API client: every call carries the operator's API key as a bearer token. The key lives in
 * sessionStorage (gone when the tab closes, never in a cookie or the URL). A 401 anywhere forgets the key and
 * sends the operator back to the login form with the reason.
 */

export const API = '/api/v1';
const STORAGE_KEY = 'joule.apiKey';

export class ApiError extends Error {
  /** @param {number} status @param {{error?: string, message?: string, fields?: Array<{in: string, field: string, message: string}>, rpc?: {code: string, description: string}}} body */
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.error ?? 'http_error';
    this.body = body ?? {};
  }
}

export function getKey() {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function setKey(key) {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function clearKey() {
  sessionStorage.removeItem(STORAGE_KEY);
}

let unauthorized = () => undefined;

/** What to do when the server refuses the key (the app shows the login form). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

export function authHeaders(key = getKey()) {
  return key ? { authorization: `Bearer ${key}` } : {};
}

/**
 * Calls the API. `query` values that are '' / undefined / null are left out. Resolves with the parsed JSON (undefined
 * for 204); rejects with ApiError for any non-2xx answer.
 */
export async function api(method, path, { body, query, signal, key } = {}) {
  const url = new URL(`${API}${path}`, globalThis.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  const headers = { accept: 'application/json', ...authHeaders(key) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { error: 'bad_response', message: `The server sent something that is not JSON (HTTP ${response.status}).` };
  }
  if (response.status === 401 && key === undefined) {
    clearKey();
    unauthorized('The server no longer accepts this API key (401 unauthorized). Paste a valid key to continue.');
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

/** Checks a key before keeping it: resolves when the API accepts it, rejects with ApiError otherwise. */
export async function verifyKey(key) {
  await api('GET', '/stations', { query: { limit: 1 }, key });
}

/** One readable sentence for an error (field errors and the station's CALLERROR included). */
export function describeError(error) {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const parts = [`${error.message} (${error.status} ${error.code})`];
  for (const f of error.body.fields ?? []) parts.push(`${f.field || f.in}: ${f.message}`);
  if (error.body.rpc) parts.push(`Station answered ${error.body.rpc.code}: ${error.body.rpc.description || 'no description'}`);
  return parts.join(' — ');
}
