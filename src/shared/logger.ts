/** Structured JSON logging (pino). Every layer takes a `Logger` so tests can silence or capture it. */
import { pino } from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level?: string;
  /** Where log lines go; defaults to stdout. */
  destination?: pino.DestinationStream;
}

/** Field names whose values never reach a log line (passwords, tokens, keys). */
const REDACT = [
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
];

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.JOULE_LOG_LEVEL ?? 'info';
  const base = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'joule' } };
  return options.destination ? pino(base, options.destination) : pino(base);
}

/** A logger that drops everything: for tests and benchmarks that measure, not read, logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
