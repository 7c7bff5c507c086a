// STIX type names and identifiers (STIX 2.1 §2.9 identifier, §3.2 type): `<type>--<uuid>`.
// Hand-written character checks: they run several times per object in the hot path.

/** `--` plus a 36-character UUID. */
const SUFFIX_LENGTH = 38;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * Whether `s` holds an RFC 4122 textual UUID (8-4-4-4-12 hex digits) from `at` to its end. Version
 * and variant are not enforced: feeds in the wild use others.
 */
function isUuidAt(s: string, at: number): boolean {
  if (s.length - at !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(at + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!isHex(c)) {
      return false;
    }
  }
  return true;
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
