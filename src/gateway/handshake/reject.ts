/**
 * Refuses an upgrade request with a plain HTTP response on the raw socket (RFC 6455 §4.2.1: the server answers
 * with an HTTP error and does not upgrade), then closes the TCP connection.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** The realm of our Basic-auth challenges. */
export const BASIC_REALM = 'Joule';

export function rejectHandshake(socket: Duplex, status: number, extraHeaders: Readonly<Record<string, string>> = {}): void {
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = STATUS_CODES[status] ?? 'Error';
  const lines = [
    `HTTP/1.1 ${status} ${body}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  for (const [name, value] of Object.entries(extraHeaders)) lines.push(`${name}: ${value}`);
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** The challenge header for a 401 to a Basic-auth station. */
export function basicChallenge(): Record<string, string> {
  return { 'WWW-Authenticate': `Basic realm="${BASIC_REALM}"` };
}
