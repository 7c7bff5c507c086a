// Full-precision RFC 3339 handling for cursors: a canonical UTC form that sorts as text (so Redis
// scripts can compare cursors), and shifting by whole seconds without touching the fraction.
// TAXII 2.1 §3.4.2: date_added may carry more than millisecond precision; never round it.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

interface Parts {
  epochSeconds: number;
  fraction: string;
}

function parts(ts: string): Parts | undefined {
  const m = RFC3339.exec(ts.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Math.min(Number(s), 59));
  if (Number.isNaN(ms)) return undefined;
  return { epochSeconds: ms / 1000 - offsetMin * 60 + (Number(s) === 60 ? 1 : 0), fraction: frac };
}

function format(p: Parts, digits: number): string {
  const iso = new Date(p.epochSeconds * 1000).toISOString().slice(0, 19);
  const frac = p.fraction.padEnd(digits, '0').slice(0, Math.max(digits, p.fraction.length));
  return `${iso}${frac ? `.${frac}` : ''}Z`;
}

/** `YYYY-MM-DDTHH:MM:SS.fffffffffZ` in UTC, 9+ fraction digits: text order equals time order. */
export function canonicalTimestamp(ts: string): string | undefined {
  const p = parts(ts);
  return p ? format(p, 9) : undefined;
}

/** The timestamp moved by whole seconds (negative: earlier), fraction kept, in UTC. */
export function shiftTimestamp(ts: string, seconds: number): string | undefined {
  const p = parts(ts);
  if (!p) return undefined;
  const whole = Math.trunc(seconds);
  return format({ epochSeconds: p.epochSeconds + whole, fraction: p.fraction }, p.fraction.length);
}

/** An RFC 3339 UTC timestamp for an instant of the (injected) clock. */
export function timestampOf(ms: number): string {
  return new Date(ms).toISOString();
}
