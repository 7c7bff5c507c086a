// Keeps each stixBundlePush body under the size limit. The bundle travels as an escaped JSON string
// inside the GraphQL body, so an object costs its escaped size there; escaping is per character, so
// a body's size is the sum of its parts and parts can be packed without re-serializing.
import { createHash } from 'node:crypto';
import type { Rejection, StixBundle, StixObject } from '../../stix/types';

/** Bytes an object adds to the GraphQL body: its JSON, escaped as a JSON string (quotes excluded). */
export function escapedBytes(object: StixObject): number {
  return Buffer.byteLength(JSON.stringify(JSON.stringify(object))) - 2;
}

export interface Packing {
  /** Consecutive runs of objects whose push body fits. */
  parts: StixObject[][];
  /** Objects too large to travel even alone. */
  tooLarge: StixObject[];
}

/**
 * Packs objects, in order, into parts whose body stays within `maxBytes`. `emptyBodyBytes` is the
 * size of the body carrying a bundle with no objects; each object after the first adds a comma.
 */
export function packBySize(objects: StixObject[], emptyBodyBytes: number, maxBytes: number): Packing {
  const parts: StixObject[][] = [];
  const tooLarge: StixObject[] = [];
  let current: StixObject[] = [];
  let size = emptyBodyBytes;
  for (const object of objects) {
    const cost = escapedBytes(object);
    if (emptyBodyBytes + cost > maxBytes) {
      tooLarge.push(object);
      continue;
    }
    const added = current.length === 0 ? cost : cost + 1;
    if (size + added > maxBytes) {
      parts.push(current);
      current = [object];
      size = emptyBodyBytes + cost;
    } else {
      current.push(object);
      size += added;
    }
  }
  if (current.length > 0) parts.push(current);
  return { parts, tooLarge };
}

/** A stable bundle id for a part of a bundle (same parent and path, same id: retries stay idempotent). */
export function partBundleId(parentId: string, path: string): string {
  const h = createHash('sha1').update(`${parentId}/${path}`).digest('hex');
  return `bundle--${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function bundleOf(id: string, objects: StixObject[]): StixBundle {
  return { type: 'bundle', id, objects };
}

const RAW_MAX_BYTES = 64 * 1024;

/** A rejection for one object, its raw copy capped at 64 KB. */
export function rejectionOf(object: StixObject, reason: string, message: string): Rejection {
  const bytes = Buffer.byteLength(JSON.stringify(object));
  const raw = bytes <= RAW_MAX_BYTES ? object : { id: object.id, type: object.type, truncated: true, bytes };
  return { id: object.id, type: object.type, reason, message, raw };
}
