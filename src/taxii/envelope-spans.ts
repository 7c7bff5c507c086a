// Where each object of a TAXII envelope (§3.7) lies in the page's bytes, found by one pass over
// them: so that an object the normalizer leaves as it came can go into its bundle as the bytes the
// server sent, instead of being serialized again (for a 10,000-object page, 5 MB of JSON.stringify
// and the garbage it leaves). The pass is no JSON parser: it trusts that JSON.parse accepted the
// same bytes, and only finds boundaries. Whatever it is unsure of gives no spans, and the caller
// serializes as before.

/** The elements of the envelope's top-level `objects` array, by index. */
export interface EnvelopeSpans {
  /** Elements in the array; the caller's parsed `objects` must hold as many. */
  count: number;
  /** Byte offset of element i's `{`; only objects have a span (a non-object element has start = end = 0). */
  start: Uint32Array;
  /** Byte offset just past element i's closing `}`. */
  end: Uint32Array;
  /** Name–value pairs in element i at any depth (its own and its nested objects'), to compare with what JSON.parse kept: fewer there means a name came twice. */
  members: Uint32Array;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** `objects` in ASCII. */
const OBJECTS = [0x6f, 0x62, 0x6a, 0x65, 0x63, 0x74, 0x73];

function isObjectsName(b: Uint8Array, from: number, to: number): boolean {
  if (to - from !== OBJECTS.length) return false;
  for (let k = 0; k < OBJECTS.length; k++) if (b[from + k] !== OBJECTS[k]) return false;
  return true;
}

/**
 * The spans of the envelope's objects, or undefined when the bytes are not laid out as expected:
 * the top level is not an object, `objects` comes twice or not as an array, or a top-level name
 * is written with escapes (JSON.parse would read `"\u006fbjects"` as `objects`; this pass would not).
 * `bytes` must be text JSON.parse accepted (a byte order mark before it is skipped).
 */
export function envelopeSpans(bytes: Uint8Array): EnvelopeSpans | undefined {
  const b = bytes;
  const n = b.length;
  let i = n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  let start = new Uint32Array(1024);
  let end = new Uint32Array(1024);
  let members = new Uint32Array(1024);
  let depth = 0;
  /** The last string's bounds (quotes excluded) and whether it held an escape: a name when a colon follows. */
  let strFrom = 0;
  let strTo = 0;
  let strEscaped = false;
  let topOpened = false;
  /** `"objects":` just read at the top level: its value comes next. */
  let objectsNamed = false;
  let objectsSeen = false;
  let inObjects = false;
  /** After `[` or a comma in `objects`: the next value is a new element. */
  let awaitingElement = false;
  /** Index of the element being read in `objects`, -1 before the first. */
  let element = -1;
  for (; i < n; i++) {
    const c = b[i]!;
    if (awaitingElement && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== CLOSE_ARRAY) {
      // A value of `objects` begins: an object, or anything else (which gets no span).
      awaitingElement = false;
      element++;
      if (element === start.length) {
        start = grown(start);
        end = grown(end);
        members = grown(members);
      }
    }
    if (c === QUOTE) {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        if (j >= n) return undefined;
        const d = b[j]!;
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          j += 2;
        } else j++;
      }
      strFrom = i + 1;
      strTo = j;
      strEscaped = escaped;
      i = j;
    } else if (c === COLON) {
      if (depth === 1) {
        if (strEscaped) return undefined;
        if (isObjectsName(b, strFrom, strTo)) {
          if (objectsSeen) return undefined;
          objectsSeen = true;
          objectsNamed = true;
        }
      } else if (depth >= 3 && inObjects) members[element]!++;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === 0) {
        if (topOpened || c !== OPEN_OBJECT) return undefined;
        topOpened = true;
      } else if (depth === 1 && objectsNamed) {
        if (c !== OPEN_ARRAY) return undefined;
        inObjects = true;
        awaitingElement = true;
        objectsNamed = false;
      } else if (depth === 2 && inObjects && c === OPEN_OBJECT) start[element] = i;
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth === 2 && inObjects && c === CLOSE_OBJECT) end[element] = i + 1;
      else if (depth === 1 && inObjects) {
        inObjects = false;
        awaitingElement = false;
      }
    } else if (c === COMMA) {
      if (depth === 2 && inObjects) awaitingElement = true;
      else if (depth === 1) objectsNamed = false;
    }
  }
  if (depth !== 0 || !topOpened) return undefined;
  return { count: element + 1, start, end, members };
}

/** The same numbers in an array twice as long. */
function grown(a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Name–value pairs in a parsed JSON value at any depth: what `members` counts in the bytes. A name
 * inherited from a prototype counts too (JSON.parse makes none), which can only make the counts
 * differ, never agree falsely.
 */
export function memberCount(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null) n += memberCount(v);
    }
    return n;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    n++;
    const v = record[key];
    if (typeof v === 'object' && v !== null) n += memberCount(v);
  }
  return n;
}
