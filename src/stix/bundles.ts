// toBundles(): accepted objects into delivery bundles (STIX 2.1 §8), referenced objects first,
// split by object count and serialized size, with ids that a retried job reproduces.
import { SCO_TYPES } from './catalog';
import { jsonByteSize } from './json-size';
import type { StixBundle, StixObject } from './types';
import { uuidv5 } from './uuid';

export interface BundleLimits {
  /** Most objects in one bundle (`stix.bundle_max_objects`). */
  maxObjects: number;
  /** Largest serialized bundle (JSON, UTF-8, wrapper included), in bytes (`stix.bundle_max_bytes`). */
  maxBytes: number;
  /** Seed of the deterministic bundle ids, e.g. the job id of the page. */
  idSeed: string;
}

/**
 * Delivery order, so that what an object references comes before it: markings, identities,
 * extension definitions, SCOs, SDOs (and custom objects), then objects made of references
 * (containers, language contents), then relationships and sightings.
 */
const RANK_OF_TYPE: ReadonlyMap<string, number> = new Map<string, number>([
  ['marking-definition', 0],
  ['identity', 1],
  ['extension-definition', 2],
  ...SCO_TYPES.map((t): [string, number] => [t, 3]),
  ['report', 5],
  ['note', 5],
  ['opinion', 5],
  ['grouping', 5],
  ['observed-data', 5],
  ['language-content', 5],
  ['relationship', 6],
  ['sighting', 6],
]);
const DEFAULT_RANK = 4;
const RANKS = 7;

/** `{"type":"bundle","id":"bundle--<36>","objects":[` + `]}`: the same length for every bundle. */
const WRAPPER_BYTES = Buffer.byteLength(JSON.stringify({ type: 'bundle', id: `bundle--${'0'.repeat(36)}`, objects: [] }));

export function bundleId(idSeed: string, index: number): string {
  return `bundle--${uuidv5(`${idSeed}:${index}`)}`;
}

/** Stable bucket sort by rank: input order is kept within a rank. */
export function orderForDelivery(objects: readonly StixObject[]): StixObject[] {
  const buckets: StixObject[][] = Array.from({ length: RANKS }, () => []);
  for (const o of objects) buckets[RANK_OF_TYPE.get(o.type) ?? DEFAULT_RANK].push(o);
  return buckets.flat();
}

function positiveInt(n: number, fallback: number): number {
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : fallback;
}

/** A bundle as delivered: its id, how many objects it holds, and its JSON (UTF-8). */
export interface BundleBytes {
  id: string;
  objects: number;
  /** The bytes of `JSON.stringify(bundle)` in UTF-8 (objects given by `original` as they came), over memory of its own (BundleMemory). */
  json: Buffer;
}

/** Where bundles are written before each is copied out at its exact size; grows, kept between calls. */
let scratch = Buffer.allocUnsafeSlow(1 << 20);

function room(at: number, bytes: number): void {
  if (at + bytes <= scratch.length) return;
  const grown = Buffer.allocUnsafeSlow(Math.max(scratch.length * 2, at + bytes));
  scratch.copy(grown, 0, 0, at);
  scratch = grown;
}

/** Where a bundle's JSON is written: `bytes` long, over memory of its own (an ArrayBuffer no other bundle uses, so that it can be moved to another thread). */
export type BundleMemory = (bytes: number) => Buffer;

const ownMemory: BundleMemory = (bytes) => Buffer.allocUnsafeSlow(bytes);

/** Where objects' JSON lies as it was received: object `o` is `bytes[start[k], end[k])` for `k = find(o)`, when k >= 0. */
export interface OriginalJson {
  bytes: Buffer;
  start: Uint32Array;
  end: Uint32Array;
  find(o: StixObject): number;
}

/**
 * toBundles() with each bundle serialized: the same bundles, ids and order, as UTF-8 JSON. Each
 * object is serialized on its own, which gives its exact size for the cut (what toBundles
 * measures), and written at once into a buffer kept between calls; a bundle is copied out of it
 * when it is closed. No text of a whole bundle is built, flattened or encoded, and an object's text
 * is garbage as soon as it is written (for a 10,000-object page: 5 MB that the collector does not
 * have to keep and copy, and three fresh 5 MB allocations fewer).
 *
 * `original` finds, for an object, the JSON it came as (UTF-8, one complete object), when that is
 * what it is still: those bytes are written as they are, and the cut measures them, instead of
 * the object being serialized again.
 */
export function toBundleBytes(objects: readonly StixObject[], limits: BundleLimits, original?: OriginalJson, memory: BundleMemory = ownMemory): BundleBytes[] {
  const maxObjects = positiveInt(limits.maxObjects, 5000);
  const maxBytes = positiveInt(limits.maxBytes, 5 * 1024 * 1024);
  const out: BundleBytes[] = [];
  let id = '';
  let count = 0;
  let at = 0;
  const open = (): void => {
    id = bundleId(limits.idSeed, out.length);
    const head = `{"type":"bundle","id":"${id}","objects":[`;
    room(0, head.length);
    at = scratch.write(head, 0, 'latin1');
    count = 0;
  };
  const close = (): void => {
    if (count === 0) return;
    room(at, 2);
    at += scratch.write(']}', at, 'latin1');
    const json = memory(at);
    scratch.copy(json, 0, 0, at);
    out.push({ id, objects: count, json });
  };
  open();
  // The cut of toBundles, object for object: `at` is the bundle's size so far, `]}` not counted.
  for (const o of orderForDelivery(objects)) {
    const k = original === undefined ? -1 : original.find(o);
    const text = k < 0 ? JSON.stringify(o) : '';
    const size = k < 0 ? Buffer.byteLength(text) : original!.end[k]! - original!.start[k]!;
    if (count > 0 && (count >= maxObjects || at + 2 + 1 + size > maxBytes)) {
      close();
      open();
    }
    room(at, size + 1);
    if (count > 0) scratch[at++] = 0x2c; // ,
    at += k < 0 ? scratch.write(text, at, 'utf8') : original!.bytes.copy(scratch, at, original!.start[k], original!.end[k]);
    count++;
  }
  close();
  return out;
}

/**
 * Splits objects into bundles of at most `maxObjects` objects and `maxBytes` bytes. An object that
 * alone exceeds `maxBytes` travels alone in its own bundle rather than being lost. Objects must be
 * JSON-serializable (as anything parsed from JSON is).
 */
export function toBundles(objects: readonly StixObject[], limits: BundleLimits): StixBundle[] {
  const maxObjects = positiveInt(limits.maxObjects, 5000);
  const maxBytes = positiveInt(limits.maxBytes, 5 * 1024 * 1024);
  const ordered = orderForDelivery(objects);
  const bundles: StixBundle[] = [];
  let current: StixObject[] = [];
  let bytes = WRAPPER_BYTES;
  const close = (): void => {
    if (current.length === 0) return;
    bundles.push({ type: 'bundle', id: bundleId(limits.idSeed, bundles.length), objects: current });
    current = [];
    bytes = WRAPPER_BYTES;
  };
  for (const o of ordered) {
    const size = jsonByteSize(o);
    const added = size + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && (current.length >= maxObjects || bytes + added > maxBytes)) close();
    bytes += size + (current.length > 0 ? 1 : 0);
    current.push(o);
  }
  close();
  return bundles;
}
