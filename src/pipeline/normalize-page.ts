// One received page to delivery bundles, in two steps: its envelope read (paging facts and a digest
// of its content, wanted at once to request the next page), then its objects checked, normalized,
// bundled and serialized. Pure (no I/O, plain data in and out) so that it runs in a worker thread,
// off the event loop that keeps the page requests going (normalizer.ts).
import { isAscii, isUtf8 } from 'node:buffer';
import type { EnrichConfig, FilterConfig } from '../config/schema';
import { startNormalization, type NormalizeResult, type StandIn } from '../stix/normalize';
import { toBundleBytes, type BundleMemory, type OriginalJson } from '../stix/bundles';
import { reject } from '../stix/reasons';
import type { Rejection, StixObject } from '../stix/types';
import { readEnvelope, type EnvelopeRead } from '../taxii/envelope';
import { envelopeSpans, memberCount, type EnvelopeSpans } from '../taxii/envelope-spans';

export interface PageSettings {
  upgrade20: boolean;
  enrich?: EnrichConfig;
  filter?: FilterConfig;
  /** The clock for filters (expired indicators), in ms since the epoch. */
  nowMs: number;
  /** `stix.bundle_max_objects`. */
  maxObjects: number;
  /** `stix.bundle_max_bytes`. */
  maxBytes: number;
  /** Seed of the page's bundle ids: the same page gives the same ids on a retry. */
  idSeed: string;
}

/** What the paging needs of a page: TAXII 2.1 §3.7 `more` and `next`, and what it holds. */
export interface EnvelopeFacts {
  more: boolean;
  next?: string;
  objects: number;
  /** A hash of the objects' ids and `modified` (contentDigest), to spot a server sending the same page again. */
  digest: string;
}

export type EnvelopeOutcome = { ok: true; facts: EnvelopeFacts } | Exclude<EnvelopeRead, { ok: true }>;

/** A bundle ready to store and deliver. */
export interface PageBundle {
  id: string;
  objects: number;
  /** The bundle's JSON in UTF-8: bytes, so that it crosses threads without a copy and goes to Redis and sinks as is. */
  json: Uint8Array;
}

export interface NormalizedPage {
  /** Objects the envelope held. */
  fetched: number;
  accepted: number;
  rejected: Rejection[];
  filtered: number;
  upgraded: number;
  duplicates: number;
  bundles: PageBundle[];
}

const utf8In = new TextDecoder();

/** The text of UTF-8 bytes, byte order mark dropped; plain ASCII (most feeds) decoded the cheap way. */
function decodeUtf8(bytes: Uint8Array): string {
  if (!isAscii(bytes)) return utf8In.decode(bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/**
 * A 64-bit hash (two 32-bit FNV-1a lanes) of the objects' ids and `modified`, in order: equal for
 * the same page sent again, different otherwise but for a chance of 2^-64. Computed on the
 * strings as they are: no text of the page's ids is built (with SHA-1 it had to be, then flattened
 * and encoded), and a loop guard needs no cryptographic strength.
 */
export function contentDigest(objects: readonly unknown[]): string {
  const d = new ContentDigest();
  for (let i = 0; i < objects.length; i++) d.add(objects[i]);
  return d.value();
}

/** contentDigest taken one object at a time. */
class ContentDigest {
  private a = 0x811c9dc5;
  private b = 0x050c5d1f;

  add(object: unknown): void {
    const r = object as { id?: unknown; modified?: unknown } | null;
    this.mix(String(r?.id));
    this.mix('|');
    this.mix(String(r?.modified));
    this.mix('\n');
  }

  /** add() of the object whose `id` and `modified` are these bytes (to = 0: none), as written: for ASCII as the strings are. */
  addBytes(b: Uint8Array, idFrom: number, idTo: number, modifiedFrom: number, modifiedTo: number): void {
    if (idTo === 0) this.mix('undefined');
    else this.mixRange(b, idFrom, idTo);
    this.mix('|');
    if (modifiedTo === 0) this.mix('undefined');
    else this.mixRange(b, modifiedFrom, modifiedTo);
    this.mix('\n');
  }

  value(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }

  private mix(s: string): void {
    this.mixRange(s, 0, s.length);
  }

  /** Mixes the characters of a string, or the bytes of a byte array, from `from` to `to`. */
  private mixRange(text: string | Uint8Array, from: number, to: number): void {
    let a = this.a;
    let b = this.b;
    for (let i = from; i < to; i++) {
      const c = typeof text === 'string' ? text.charCodeAt(i) : text[i]!;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.a = a;
    this.b = b;
  }
}

/** Step 1: the envelope of a page given as its JSON (UTF-8; a byte order mark is ignored), and its objects for step 2. */
export function readPage(body: Uint8Array): { outcome: EnvelopeOutcome; objects: unknown[] } {
  const read = readEnvelope(decodeUtf8(body));
  if (!read.ok) return { outcome: read, objects: [] };
  const facts: EnvelopeFacts = { more: read.more, next: read.next, objects: read.objects.length, digest: contentDigest(read.objects) };
  return { outcome: { ok: true, facts }, objects: read.objects };
}

/** Objects checked between two turns of a thread's event loop (a few milliseconds of work). */
export const SLICE_OBJECTS = 250;

/** The element index of a stand-in, kept on it under a symbol: JSON.stringify never writes it. */
const ELEMENT = Symbol('element');

type StandInObject = StixObject & { [ELEMENT]?: number };

/**
 * The bytes a page's objects came as, standing in for the objects normalization leaves as they
 * came (neither upgraded nor enriched): each is kept as a `{type, id}` stand-in for its span of the
 * page (the StandIn hook), and its bundle gets those bytes instead of a new serialization.
 */
class SentBytes {
  constructor(
    private readonly body: Uint8Array,
    private readonly spans: EnvelopeSpans,
  ) {}

  /** The hook for `add`, whose input `k` is element `element(k)` of the page. */
  standIn(element: (k: number) => number): StandIn {
    return (checked, k) => {
      const i = element(k);
      // An object that had a name twice goes on as JSON.parse read it (a sink might read the first).
      if (memberCount(checked.obj) !== this.spans.members[i]) return undefined;
      return { type: checked.type, id: checked.id, [ELEMENT]: i } satisfies StandInObject;
    };
  }

  /** Where toBundleBytes finds the stand-ins' bytes. */
  original(): OriginalJson {
    const { body, spans } = this;
    return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength), start: spans.start, end: spans.end, find: (o: StandInObject) => o[ELEMENT] ?? -1 };
  }
}

/**
 * SentBytes for a page of `objects` elements found at `spans`; none when the page is not valid
 * UTF-8 (its text was decoded with replacement characters, the bytes were not) or its layout is not
 * plain (envelopeSpans found no spans, or not one per element).
 */
function sentBytes(body: Uint8Array, spans: EnvelopeSpans | undefined, objects: number): SentBytes | undefined {
  if (spans === undefined || spans.count !== objects || (!isAscii(body) && !isUtf8(body))) return undefined;
  return new SentBytes(body, spans);
}

function pageOf(fetched: number, result: NormalizeResult, s: PageSettings, original?: OriginalJson, memory?: BundleMemory): NormalizedPage {
  return {
    fetched,
    accepted: result.objects.length,
    rejected: result.rejected,
    filtered: result.filtered,
    upgraded: result.upgraded,
    duplicates: result.duplicates,
    bundles: toBundleBytes(result.objects, { maxObjects: s.maxObjects, maxBytes: s.maxBytes, idSeed: s.idSeed }, original, memory),
  };
}

/**
 * Step 2: the page's objects normalized and serialized into bundles. `body`, the page's bytes the
 * objects were parsed from, lets unchanged objects go into bundles as they came (SentBytes).
 */
export function normalizeObjects(objects: readonly unknown[], s: PageSettings, body?: Uint8Array): NormalizedPage {
  const sent = body === undefined ? undefined : sentBytes(body, envelopeSpans(body), objects.length);
  const n = startNormalization(normalizeOptions(s));
  n.add(objects, 0, objects.length, sent?.standIn((k) => k));
  return pageOf(objects.length, n.finish(), s, sent?.original());
}

/** Step 2 in slices of SLICE_OBJECTS, awaiting `turn()` between two; bundles written into `memory` (default: new). */
export async function normalizeInSlices(objects: readonly unknown[], s: PageSettings, turn: () => Promise<void>, body?: Uint8Array, memory?: BundleMemory): Promise<NormalizedPage> {
  const sent = body === undefined ? undefined : sentBytes(body, envelopeSpans(body), objects.length);
  const standIn = sent?.standIn((k) => k);
  const n = startNormalization(normalizeOptions(s));
  for (let from = 0; from < objects.length; from += SLICE_OBJECTS) {
    if (from > 0) await turn();
    n.add(objects, from, Math.min(objects.length, from + SLICE_OBJECTS), standIn);
  }
  return pageOf(objects.length, n.finish(), s, sent?.original(), memory);
}

/** A page whose objects are parsed one by one when they are normalized (readPageLazily). */
export interface LazyPage {
  body: Uint8Array;
  spans: EnvelopeSpans;
}

/** The text of element i of a page. */
function elementText(page: LazyPage, view: Buffer, ascii: boolean, i: number): string {
  const [from, to] = [page.spans.start[i]!, page.spans.end[i]!];
  return ascii ? view.toString('latin1', from, to) : utf8In.decode(page.body.subarray(from, to));
}

/** Element i of a page, parsed on its own. */
function parseElement(page: LazyPage, view: Buffer, ascii: boolean, i: number): unknown {
  return JSON.parse(elementText(page, view, ascii, i));
}

/**
 * Step 1 without parsing the objects: one pass over the page's bytes finds each object (and its
 * `id` and `modified`, for the digest), and the envelope's other members are parsed on their own.
 * Parsed whole, a large page's objects outlive the young generation and are copied into the old
 * one, then collected there: a quarter of a thread's time, and a heap the size of the pages under
 * way. Undefined when the page is not laid out plainly (envelopeSpans: a body cut short is not),
 * has an element that is not an object, or its other members are not a valid envelope: readPage
 * then reads it whole, and says what is wrong with it. An object that is not JSON inside a page
 * laid out plainly is found when the page is normalized, and only that object is rejected.
 * The digest is contentDigest's when each object's `id` and `modified` are strings written in
 * ASCII without escapes, or absent (all of them in practice); otherwise it is taken on the bytes as
 * written, which a page sent again repeats just as well.
 */
export function readPageLazily(body: Uint8Array): { outcome: EnvelopeOutcome; page: LazyPage } | undefined {
  const spans = envelopeSpans(body);
  if (spans === undefined || spans.arrayOpen < 0) return undefined;
  const digest = new ContentDigest();
  for (let i = 0; i < spans.count; i++) {
    if (spans.end[i]! <= spans.start[i]!) return undefined;
    digest.addBytes(body, spans.idFrom[i]!, spans.idTo[i]!, spans.modifiedFrom[i]!, spans.modifiedTo[i]!);
  }
  const read = readEnvelope(decodeUtf8(body.subarray(0, spans.arrayOpen + 1)) + decodeUtf8(body.subarray(spans.arrayClose)));
  if (!read.ok || read.objects.length !== 0) return undefined;
  return { outcome: { ok: true, facts: { more: read.more, next: read.next, objects: spans.count, digest: digest.value() } }, page: { body, spans } };
}

/**
 * Step 2 of a page read lazily, in slices of SLICE_OBJECTS: each slice's objects parsed, checked
 * and, when they go on as they came, kept only as a stand-in for their bytes, so that no parsed
 * object outlives its slice but those that changed. Bundles are written into `memory` (default: new).
 */
export async function normalizeLazily(page: LazyPage, s: PageSettings, turn: () => Promise<void>, memory?: BundleMemory): Promise<NormalizedPage> {
  const { body, spans } = page;
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const ascii = isAscii(body);
  const sent = sentBytes(body, spans, spans.count);
  const n = startNormalization(normalizeOptions(s));
  const notJson: Rejection[] = [];
  for (let from = 0; from < spans.count; from += SLICE_OBJECTS) {
    if (from > 0) await turn();
    const to = Math.min(spans.count, from + SLICE_OBJECTS);
    const items: unknown[] = [];
    /** Element index of items[k]. */
    const at: number[] = [];
    for (let i = from; i < to; i++) {
      try {
        items.push(parseElement(page, view, ascii, i));
        at.push(i);
      } catch (err) {
        notJson.push(reject(elementText(page, view, ascii, i), { reason: 'NOT_JSON', message: `the object is not JSON: ${err instanceof Error ? err.message : String(err)}` }));
      }
    }
    n.add(items, 0, items.length, sent?.standIn((k) => at[k]!));
  }
  const result = n.finish();
  if (notJson.length > 0) result.rejected.unshift(...notJson);
  return pageOf(spans.count, result, s, sent?.original(), memory);
}

function normalizeOptions(s: PageSettings) {
  return { upgrade20: s.upgrade20, enrich: s.enrich, filter: s.filter, now: new Date(s.nowMs) };
}
