// STIX type names and identifiers (STIX 2.1 §2.9 identifier, §3.2 type): `<type>--<uuid>`.
// Hand-written character checks: they run several times per object in the hot path.

/** `--` plus a 36-character UUID. */
const SUFFIX_LENGTH = 38;

/** 1 at the ASCII code of each hex digit. */
const HEX_DIGIT = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX_DIGIT[c.charCodeAt(0)] = 1;

/** Whether `s` has only hex digits from `from` to `to`. */
function isHexRun(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || HEX_DIGIT[c] !== 1) return false;
  }
  return true;
}

/**
 * Whether `s` holds an RFC 4122 textual UUID (8-4-4-4-12 hex digits) from `at` to its end. Version
 * and variant are not enforced: feeds in the wild use others. Hyphens first, then the five runs of
 * digits by table: a third of the time of one loop testing each position (several ids an object).
 */
function isUuidAt(s: string, at: number): boolean {
  return (
    s.length - at === 36 &&
    s.charCodeAt(at + 8) === 45 && s.charCodeAt(at + 13) === 45 && s.charCodeAt(at + 18) === 45 && s.charCodeAt(at + 23) === 45 &&
    isHexRun(s, at, at + 8) && isHexRun(s, at + 9, at + 13) && isHexRun(s, at + 14, at + 18) &&
    isHexRun(s, at + 19, at + 23) && isHexRun(s, at + 24, at + 36)
  );
}

/**
 * STIX 2.1 §3.2 (type): a type name has 3 to 250 characters among a-z, 0-9 and hyphen, and no hyphen right
 * after another one. Checks `s` from 0 to `end`.
 */
function isTypeNameTo(s: string, end: number): boolean {
  if (end < 3 || end > 250) return false;
  let prevHyphen = false;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 45) {
      if (prevHyphen) return false;
      prevHyphen = true;
    } else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      prevHyphen = false;
    } else {
      return false;
    }
  }
  return true;
}

export function isTypeName(value: unknown): value is string {
  return typeof value === 'string' && isTypeNameTo(value, value.length);
}

export function isUuid(value: string): boolean {
  return isUuidAt(value, 0);
}

function isIdentifierShape(value: string): boolean {
  const sep = value.length - SUFFIX_LENGTH;
  return (
    sep >= 3 && value.charCodeAt(sep) === 45 && value.charCodeAt(sep + 1) === 45 && isTypeNameTo(value, sep) && isUuidAt(value, sep + 2)
  );
}

/** The type part of a well-formed identifier, or undefined when `value` is not one. */
export function identifierType(value: unknown): string | undefined {
  if (typeof value !== 'string' || !isIdentifierShape(value)) return undefined;
  return value.slice(0, value.length - SUFFIX_LENGTH);
}

export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && isIdentifierShape(value);
}

/** Whether `value` is an identifier whose type is one of `types`. */
export function isIdentifierOf(value: unknown, types: readonly string[]): boolean {
  if (typeof value !== 'string' || !isIdentifierShape(value)) return false;
  const end = value.length - SUFFIX_LENGTH;
  for (const t of types) if (t.length === end && value.startsWith(t)) return true;
  return false;
}

/** Whether `id` is `<type>--<uuid>` for exactly this type. */
export function isIdentifierOfType(id: string, type: string): boolean {
  return (
    id.length === type.length + SUFFIX_LENGTH &&
    id.startsWith(type) &&
    id.charCodeAt(type.length) === 45 &&
    id.charCodeAt(type.length + 1) === 45 &&
    isUuidAt(id, type.length + 2)
  );
}
