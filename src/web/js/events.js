/* global fetch, TextDecoder, AbortController, EventTarget, CustomEvent */
/**
 * The live event stream (GET /api/v1/events, Server-Sent Events). EventSource cannot send an Authorization
 * header, so this reads the stream with fetch and parses it here. Each event is re-dispatched as a DOM event
 * named after its type (`station.connected`, `connector.status`, ...) with the JSON as `detail`; `state` events
 * tell the header whether the stream is live. A dropped stream is reopened after the server's `retry:` delay
 * (doubling up to 30 s while it keeps failing); a 401 stops it.
 */
import { API, authHeaders } from './api.js';

const MAX_RETRY_MS = 30_000;

export class LiveEvents extends EventTarget {
  state = 'offline';
  #controller = null;
  #retryMs = 3000;
  #failures = 0;
  #timer = null;

  start() {
    this.stop();
    this.#controller = new AbortController();
    void this.#run(this.#controller.signal);
  }

  stop() {
    this.#controller?.abort();
    this.#controller = null;
    globalThis.clearTimeout(this.#timer);
    this.#setState('offline');
  }

  /** Listens to `types` (an array) until `signal` aborts. */
  listen(types, handler, signal) {
    const wrapped = (event) => handler(event.detail, event.type);
    for (const type of types) this.addEventListener(type, wrapped, { signal });
  }

  async #run(signal) {
    this.#setState('connecting');
    let unauthorized = false;
    try {
      const response = await fetch(`${API}/events`, { headers: { accept: 'text/event-stream', ...authHeaders() }, signal, cache: 'no-store' });
      if (response.status === 401) unauthorized = true;
      else if (!response.ok || !response.body) throw new Error(`event stream answered HTTP ${response.status}`);
      else {
        this.#failures = 0;
        this.#setState('live');
        await this.#read(response.body, signal);
      }
    } catch {
      // Dropped or refused: reconnect below unless stopped.
    }
    if (signal.aborted) return;
    if (unauthorized) {
      this.#setState('offline');
      this.dispatchEvent(new CustomEvent('unauthorized'));
      return;
    }
    this.#failures += 1;
    this.#setState('reconnecting');
    const delay = Math.min(MAX_RETRY_MS, this.#retryMs * 2 ** Math.max(0, this.#failures - 1));
    this.#timer = globalThis.setTimeout(() => void this.#run(signal), delay);
  }

  async #read(body, signal) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        this.#dispatchBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  /** One SSE block: `event:`, `data:` (joined with newlines), `retry:`; comment lines are keep-alives. */
  #dispatchBlock(block) {
    let type = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'event') type = value;
      else if (name === 'data') data.push(value);
      else if (name === 'retry' && /^\d+$/.test(value)) this.#retryMs = Number(value);
    }
    if (data.length === 0) return;
    try {
      this.dispatchEvent(new CustomEvent(type, { detail: JSON.parse(data.join('\n')) }));
    } catch {
      // Not JSON: not an event this dashboard knows.
    }
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }
}
