// RFC 3339 timestamps at full precision: TAXII `date_added` may carry microseconds (or more), so
// timestamps stay strings as the server sent them and are compared without `Date` (which keeps
// milliseconds only). TAXII 2.1 §3.3 (timestamp), §3.4.1 (added_after is exclusive).
import { ConnectorError } from '../errors';
import { daysFromCivil, daysInMonth } from '../time/civil';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** A timestamp as whole seconds since the epoch (UTC) plus its exact fraction digits. */
export interface ParsedTimestamp {
  /** Whole seconds since 1970-01-01T00:00:00Z, offset applied. */
  epochSeconds: number;
  /** Fraction of a second as written, trailing zeros removed ('' for none): '000123' → '000123'. */
  fraction: string;
}


/** Parses an RFC 3339 timestamp; undefined when the text is not one. */
export function parseTimestamp(text: string): ParsedTimestamp | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const epochSeconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offsetMinutes * 60;
  return { epochSeconds, fraction: (m[7] ?? '').replace(/0+$/, '') };
}

/** True when the text is an RFC 3339 timestamp. */
export function isTimestamp(text: string): boolean {
  return parseTimestamp(text) !== undefined;
}

function mustParse(text: string): ParsedTimestamp {
  const p = parseTimestamp(text);
  if (p === undefined) {
    throw new ConnectorError(`not an RFC 3339 timestamp: ${JSON.stringify(text.slice(0, 64))}`, { code: 'TAXII_BAD_TIMESTAMP', retryable: false });
  }
  return p;
}

/**
 * Compares two RFC 3339 timestamps at full precision (any number of fraction digits, any offset,
 * lowercase `t`/`z`): negative when a is earlier, 0 when the same instant, positive when later.
 * Throws TAXII_BAD_TIMESTAMP for a text that is not a timestamp.
 */
export function compareTimestamps(a: string, b: string): number {
  const pa = mustParse(a);
  const pb = mustParse(b);
  if (pa.epochSeconds !== pb.epochSeconds) return pa.epochSeconds < pb.epochSeconds ? -1 : 1;
  const width = Math.max(pa.fraction.length, pb.fraction.length);
  const fa = pa.fraction.padEnd(width, '0');
  const fb = pb.fraction.padEnd(width, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/** The later of two timestamps (the first one when equal); undefined inputs are ignored. */
export function laterTimestamp(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareTimestamps(b, a) > 0 ? b : a;
}

function format(p: ParsedTimestamp, fractionDigits: number): string {
  const whole = new Date(p.epochSeconds * 1000).toISOString().slice(0, 19);
  const fraction = p.fraction.padEnd(fractionDigits, '0');
  return `${whole}${fraction ? `.${fraction}` : ''}Z`;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.fffffffffZ` in UTC with at least 9 fraction digits, so that text order is
 * time order (Redis scripts compare cursors as text). Undefined for a text that is not a timestamp.
 */
export function canonicalTimestamp(text: string): string | undefined {
  const p = parseTimestamp(text);
  return p && format(p, Math.max(9, p.fraction.length));
}

/** The timestamp moved by whole seconds (negative: earlier), in UTC, its fraction kept exactly. */
export function shiftTimestamp(text: string, seconds: number): string | undefined {
  const p = parseTimestamp(text);
  return p && format({ epochSeconds: p.epochSeconds + Math.trunc(seconds), fraction: p.fraction }, 0);
}
