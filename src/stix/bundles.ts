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

/** A bundle as delivered: its id, how many objects it holds, and its JSON text. */
export interface BundleText {
  id: string;
  objects: number;
  text: string;
}

/**
 * toBundles() with each bundle serialized: the same bundles, ids and order, as JSON text. Bundles are
 * first cut by count and each serialized once; only when one comes out larger than `maxBytes` does
 * the split fall back to measuring every object (toBundles), so the common case serializes once
 * and measures nothing.
 */
export function toBundleTexts(objects: readonly StixObject[], limits: BundleLimits): BundleText[] {
  const maxObjects = positiveInt(limits.maxObjects, 5000);
  const maxBytes = positiveInt(limits.maxBytes, 5 * 1024 * 1024);
  const ordered = orderForDelivery(objects);
  const out: BundleText[] = [];
  for (let start = 0; start < ordered.length; start += maxObjects) {
    const bundle: StixBundle = { type: 'bundle', id: bundleId(limits.idSeed, out.length), objects: ordered.slice(start, start + maxObjects) };
    const text = JSON.stringify(bundle);
    // A UTF-16 unit is at most 3 UTF-8 bytes: most bundles pass without counting.
    if (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes) {
      return toBundles(ordered, limits).map((b) => ({ id: b.id, objects: b.objects.length, text: JSON.stringify(b) }));
    }
    out.push({ id: bundle.id, objects: bundle.objects.length, text });
  }
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
