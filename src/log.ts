// Structured logging (winston): static messages with fields, JSON by default, and every secret the
// process knows redacted from every line, whatever field or message it hides in.
import winston from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const secrets = new Set<string>();
const SECRET_KEYS = /^(authorization|token|password|secret|api[_-]?key|cookie)$/i;

/** Registers a value (token, password) that must never appear in logs or error messages. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
  if (value && value.length >= 4) secrets.add(Buffer.from(value).toString('base64'));
}

/** Replaces every registered secret, and bearer/basic credentials, in a text. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  return out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [REDACTED]');
}

/** Deep copy of a value with secrets redacted and secret-named keys blanked. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message) };
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[REDACTED]' : redactValue(v, depth + 1);
  return out;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    (info as Record<string, unknown>)[key] = SECRET_KEYS.test(key) ? '[REDACTED]' : redactValue(info[key]);
  }
  return info;
});

function wrap(w: winston.Logger): Logger {
  return {
    error: (m, f) => void w.error(m, f),
    warn: (m, f) => void w.warn(m, f),
    info: (m, f) => void w.info(m, f),
    debug: (m, f) => void w.debug(m, f),
    child: (f) => wrap(w.child(f)),
  };
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'json' | 'pretty';
  /** Where lines go; stderr by default so that command output on stdout stays clean. */
  stream?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const format =
    options.format === 'pretty'
      ? winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.colorize(), winston.format.simple())
      : winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json());
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] });
  return wrap(winston.createLogger({ level: options.level ?? 'info', format, transports: [transport] }));
}

/** A logger that drops everything (tests, library use without logging). */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLogger,
};
