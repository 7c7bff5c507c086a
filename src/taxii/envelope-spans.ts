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
  /**
   * Where element i's own `id` and `modified` string values lie, quotes excluded, as written
   * (escapes and all); from = to = 0 when it has none (or not as a string). The last one when a
   * name comes twice, as JSON.parse reads it.
   */
  idFrom: Uint32Array;
  idTo: Uint32Array;
  modifiedFrom: Uint32Array;
  modifiedTo: Uint32Array;
  /** Byte offsets of the `objects` array's `[` and `]` (-1 when the envelope has no `objects` array). */
  arrayOpen: number;
  arrayClose: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/**
 * Between two elements of `objects`: right after `[` (FIRST), right after a comma (NEXT), inside a
 * bare value such as a number, true, false or null (BARE), after a value (AFTER).
 */
const [SLOT_FIRST, SLOT_NEXT, SLOT_BARE, SLOT_AFTER] = [0, 1, 2, 3];
/** Which value of an element's own is wanted next: none, its `id`, its `modified`. */
const [NONE, ID, MODIFIED] = [0, 1, 2];
const ascii = (name: string): number[] => Array.from(name, (c) => c.charCodeAt(0));
const OBJECTS = ascii('objects');
const ID_NAME = ascii('id');
const MODIFIED_NAME = ascii('modified');

function isName(b: Uint8Array, from: number, to: number, name: readonly number[]): boolean {
  if (to - from !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (b[from + k] !== name[k]) return false;
  return true;
}

function isObjectsName(b: Uint8Array, from: number, to: number): boolean {
  return isName(b, from, to, OBJECTS);
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
  let idFrom = new Uint32Array(1024);
  let idTo = new Uint32Array(1024);
  let modifiedFrom = new Uint32Array(1024);
  let modifiedTo = new Uint32Array(1024);
  /** After `"id":` (ID) or `"modified":` (MODIFIED) at an element's own level: the value comes next. */
  let wanted = NONE;
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
  /** Where `objects` is between its elements (depth 2): what may come next. */
  let slot = SLOT_FIRST;
  /** Index of the element being read in `objects`, -1 before the first; whether it is an object. */
  let element = -1;
  let elementIsObject = false;
  let arrayOpen = -1;
  let arrayClose = -1;
  for (; i < n; i++) {
    const c = b[i]!;
    const between = inObjects && depth === 2;
    if (between && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== COMMA && c !== CLOSE_ARRAY) {
      // A value of `objects` begins (or a bare value goes on): only where a value may come.
      if (c === CLOSE_OBJECT || c === COLON) return undefined;
      if (slot === SLOT_FIRST || slot === SLOT_NEXT) {
        element++;
        if (element === start.length) {
          start = grown(start);
          end = grown(end);
          members = grown(members);
          idFrom = grown(idFrom);
          idTo = grown(idTo);
          modifiedFrom = grown(modifiedFrom);
          modifiedTo = grown(modifiedTo);
        }
        wanted = NONE;
        elementIsObject = c === OPEN_OBJECT;
        slot = c === QUOTE || c === OPEN_OBJECT || c === OPEN_ARRAY ? SLOT_AFTER : SLOT_BARE;
      } else if (slot !== SLOT_BARE || c === QUOTE || c === OPEN_OBJECT || c === OPEN_ARRAY) {
        return undefined;
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
      if (wanted !== NONE && depth === 3 && inObjects) {
        if (wanted === ID) {
          idFrom[element] = strFrom;
          idTo[element] = strTo;
        } else {
          modifiedFrom[element] = strFrom;
          modifiedTo[element] = strTo;
        }
        wanted = NONE;
      }
    } else if (c === COLON) {
      if (depth === 1) {
        if (strEscaped) return undefined;
        if (isObjectsName(b, strFrom, strTo)) {
          if (objectsSeen) return undefined;
          objectsSeen = true;
          objectsNamed = true;
        }
      } else if (depth >= 3 && inObjects) {
        members[element]!++;
        if (depth === 3) wanted = isName(b, strFrom, strTo, ID_NAME) ? ID : isName(b, strFrom, strTo, MODIFIED_NAME) ? MODIFIED : NONE;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === 0) {
        if (topOpened || c !== OPEN_OBJECT) return undefined;
        topOpened = true;
      } else if (depth === 1 && objectsNamed) {
        if (c !== OPEN_ARRAY) return undefined;
        arrayOpen = i;
        inObjects = true;
        slot = SLOT_FIRST;
        objectsNamed = false;
      } else if (between && c === OPEN_OBJECT) start[element] = i;
      if (depth === 3) wanted = NONE;
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (between) {
        // The end of `objects`: after `[`, or after an element, not after a comma.
        if (slot === SLOT_NEXT) return undefined;
        arrayClose = i;
        inObjects = false;
      } else if (inObjects && depth === 3) {
        // The end of an element: closed as it was opened.
        if (elementIsObject !== (c === CLOSE_OBJECT)) return undefined;
        if (elementIsObject) end[element] = i + 1;
      }
      depth--;
      if (depth < 0) return undefined;
    } else if (c === COMMA) {
      if (between) {
        if (slot !== SLOT_AFTER && slot !== SLOT_BARE) return undefined;
        slot = SLOT_NEXT;
      } else if (depth === 1) objectsNamed = false;
      else if (depth === 3) wanted = NONE;
    } else if (between && slot === SLOT_BARE && (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) {
      slot = SLOT_AFTER;
    }
  }
  if (depth !== 0 || !topOpened || inObjects) return undefined;
  return { count: element + 1, start, end, members, idFrom, idTo, modifiedFrom, modifiedTo, arrayOpen, arrayClose };
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
