/**
 * permessage-deflate (RFC 7692). OCPP 2.0.1 Part 4 §3.3: compression is optional for a station but REQUIRED for
 * the CSMS, so the gateway offers it by default; stations that do not ask for it work uncompressed.
 *
 * Memory decides the defaults. Measured on Node 20 (bundled zlib 1.3.1, x86-64), per connection, after traffic:
 * - our deflate stream costs ~80 KB whatever the settings: this zlib build fixes the hash table at 2^15 entries
 *   (64 KB) when SIMD is available, so memLevel only shrinks the rest (memLevel 9: ~160 KB, 4: ~90 KB, 1: ~80 KB);
 * - the inflate stream for what the station sends costs only a few KB with a 10-bit window.
 * Uplink (MeterValues, TransactionEvent, …) is where the bytes are; our answers are mostly tiny. So by default we
 * inflate what the station compresses but send our own messages uncompressed (`compressOutgoing: false`), which
 * RFC 7692 allows per message (RSV1 = 0): ~11 KB per compressed connection instead of ~96 KB. With
 * `compressOutgoing: true`, messages of at least `threshold` characters are compressed, and the deflate stream is
 * created (lazily, by `ws`) on the first of them and kept for the connection's lifetime.
 *
 * The station's window (`client_max_window_bits`) can only be limited when the station offers that parameter
 * (RFC 7692 §7.1.2.2). For stations that offer compression without it, `acceptUnboundedClientWindow` decides:
 * compress anyway (default; their inflate window is 32 KiB) or do not compress with them.
 */
import type { PerMessageDeflateOptions } from 'ws';

export interface CompressionOptions {
  /** Offer permessage-deflate (default true). */
  enabled?: boolean;
  /** Our deflate window, 9-15 (default 10). */
  serverMaxWindowBits?: number;
  /** Window requested of the station when it offers `client_max_window_bits`, 9-15 (default 10). */
  clientMaxWindowBits?: number;
  /** zlib memLevel of our deflate stream, 1-9 (default 4). */
  memLevel?: number;
  /** Reset our deflate context after every message (less compression, same memory; default false). */
  serverNoContextTakeover?: boolean;
  /** Ask the station to reset its context after every message (default false). */
  clientNoContextTakeover?: boolean;
  /** Compress our own messages too (default false: ~80 KB more per connection, see module comment). */
  compressOutgoing?: boolean;
  /** With compressOutgoing, messages shorter than this many characters are sent uncompressed (default 256). */
  threshold?: number;
  /** Concurrent zlib jobs. `ws` keeps ONE limiter per process, sized by the first server created (default 10). */
  concurrencyLimit?: number;
  /** Also compress with stations that cannot be asked for a small window (default true; see module comment). */
  acceptUnboundedClientWindow?: boolean;
}

export type ResolvedCompression = Required<CompressionOptions>;

export const COMPRESSION_DEFAULTS: ResolvedCompression = {
  enabled: true,
  serverMaxWindowBits: 10,
  clientMaxWindowBits: 10,
  memLevel: 4,
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  compressOutgoing: false,
  threshold: 256,
  concurrencyLimit: 10,
  acceptUnboundedClientWindow: true,
};

/** zlib output buffer per stream (Node's default is 16 KiB, kept for the connection's lifetime). */
const ZLIB_CHUNK_BYTES = 1024;

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`compression.${name} must be an integer in ${min}..${max}`);
}

/** Fills in the defaults and validates (raw deflate cannot use 8-bit windows, hence 9..15). */
export function resolveCompression(options: CompressionOptions = {}): ResolvedCompression {
  const resolved: ResolvedCompression = { ...COMPRESSION_DEFAULTS };
  for (const [key, value] of Object.entries(options) as [keyof CompressionOptions, never][]) {
    if (value !== undefined) resolved[key] = value;
  }
  checkRange('serverMaxWindowBits', resolved.serverMaxWindowBits, 9, 15);
  checkRange('clientMaxWindowBits', resolved.clientMaxWindowBits, 9, 15);
  checkRange('memLevel', resolved.memLevel, 1, 9);
  checkRange('concurrencyLimit', resolved.concurrencyLimit, 1, 1024);
  if (!(resolved.threshold >= 0)) throw new RangeError('compression.threshold must be >= 0');
  return resolved;
}

/**
 * The `ws` option for one WebSocketServer. `boundClientWindow` false builds the variant for stations that offer
 * permessage-deflate without `client_max_window_bits`: `ws` refuses such offers when a number is configured.
 */
export function perMessageDeflateOption(compression: ResolvedCompression, boundClientWindow: boolean): PerMessageDeflateOptions | false {
  if (!compression.enabled) return false;
  if (!boundClientWindow && !compression.acceptUnboundedClientWindow) return false;
  return {
    serverMaxWindowBits: compression.serverMaxWindowBits,
    ...(boundClientWindow ? { clientMaxWindowBits: compression.clientMaxWindowBits } : {}),
    serverNoContextTakeover: compression.serverNoContextTakeover,
    clientNoContextTakeover: compression.clientNoContextTakeover,
    threshold: compression.threshold,
    concurrencyLimit: compression.concurrencyLimit,
    zlibDeflateOptions: { memLevel: compression.memLevel, chunkSize: ZLIB_CHUNK_BYTES },
    zlibInflateOptions: { chunkSize: ZLIB_CHUNK_BYTES },
  };
}

/** Length from which our messages are compressed (Infinity: never). */
export function outgoingThreshold(compression: ResolvedCompression): number {
  return compression.enabled && compression.compressOutgoing ? compression.threshold : Number.POSITIVE_INFINITY;
}

/** True when some permessage-deflate offer in `Sec-WebSocket-Extensions` carries `client_max_window_bits`. */
export function offersClientWindowBits(header: string | undefined): boolean {
  return header !== undefined && /client_max_window_bits/i.test(header);
}

/** Send options for `ws.send`, shared so the hot path allocates nothing. `ws` applies its own threshold only
 * without context takeover; ours applies always. */
export const SEND_COMPRESSED = Object.freeze({ compress: true });
export const SEND_UNCOMPRESSED = Object.freeze({ compress: false });
