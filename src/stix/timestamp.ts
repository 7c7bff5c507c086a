// RFC 3339 timestamps (STIX 2.1 §2.15) parsed into instants that compare at full precision: whole
// seconds since the epoch plus the fractional digits as written, never rounded to milliseconds.
import { daysFromCivil, daysInMonth } from '../time/civil';

/** A point in time: `sec` whole seconds since 1970-01-01T00:00:00Z, `frac` the fraction's digits. */
export interface Instant {
  readonly sec: number;
  /** Fractional-second digits without trailing zeros ('' for a whole second). */
  readonly frac: string;
}


function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function twoDigits(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}


/**
 * Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (RFC 3339 §5.6; `t` and `z` may be lowercase,
 * any number of fractional digits, a leap second `:60` allowed). Returns undefined when invalid.
 */
export function parseTimestamp(s: unknown): Instant | undefined {
  if (typeof s !== 'string' || s.length < 20 || s.length > 64) return undefined;
  const century = twoDigits(s, 0);
  const yearOfCentury = twoDigits(s, 2);
  if (century < 0 || yearOfCentury < 0) return undefined;
  const year = century * 100 + yearOfCentury;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  if (month < 1 || month > 12 || day < 1) return undefined;
  const maxDay = daysInMonth(year, month);
  if (day > maxDay) return undefined;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 116) return undefined;
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  let i = 19;
  let fracEnd = i;
  if (s.charCodeAt(i) === 46) {
    i++;
    while (digit(s, i) >= 0) i++;
    if (i === 20) return undefined;
    fracEnd = i;
  }
  let offsetSec = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    i++;
  } else if (z === 43 || z === 45) {
    const oh = twoDigits(s, i + 1);
    const om = twoDigits(s, i + 4);
    if (s.charCodeAt(i + 3) !== 58 || oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offsetSec = (oh * 3600 + om * 60) * (z === 45 ? -1 : 1);
    i += 6;
  } else {
    return undefined;
  }
  if (i !== s.length) return undefined;
  let fracStop = fracEnd;
  while (fracStop > 20 && s.charCodeAt(fracStop - 1) === 48) fracStop--;
  const frac = fracStop > 20 ? s.slice(20, fracStop) : '';
  const sec = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSec;
  return { sec, frac };
}

export function isTimestamp(s: unknown): boolean {
  return parseTimestamp(s) !== undefined;
}

/** Negative when a is earlier than b, 0 when equal, positive when later — at full precision. */
export function compareInstants(a: Instant, b: Instant): number {
  if (a.sec !== b.sec) return a.sec < b.sec ? -1 : 1;
  if (a.frac === b.frac) return 0;
  // Both fractions have no trailing zeros, so comparing them digit by digit (the shorter one padded
  // with zeros) is the numeric comparison.
  const n = Math.max(a.frac.length, b.frac.length);
  for (let k = 0; k < n; k++) {
    const da = k < a.frac.length ? a.frac.charCodeAt(k) : 48;
    const db = k < b.frac.length ? b.frac.charCodeAt(k) : 48;
    if (da !== db) return da < db ? -1 : 1;
  }
  return 0;
}

/** The instant of a JavaScript Date (millisecond precision, as the clock gives it). */
export function instantFromDate(date: Date): Instant {
  const ms = date.getTime();
  const sec = Math.floor(ms / 1000);
  const frac = String(ms - sec * 1000).padStart(3, '0').replace(/0+$/, '');
  return { sec, frac };
}
