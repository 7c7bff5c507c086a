// Deterministic identifiers: UUIDv5 (RFC 4122 §4.3) with node:crypto, and the canonical JSON
// (RFC 8785) STIX 2.1 §2.9 hashes for id-contributing properties.
import { createHash } from 'node:crypto';

/** STIX 2.1 §2.9: the namespace of deterministic STIX identifiers. */
export const STIX_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`invalid namespace UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

const namespaceCache = new Map<string, Buffer>();

/** RFC 4122 §4.3 name-based UUID (SHA-1, version 5) of `name` (UTF-8) in `namespace`. */
export function uuidv5(name: string, namespace: string = STIX_NAMESPACE): string {
  let ns = namespaceCache.get(namespace);
  if (ns === undefined) {
    ns = uuidBytes(namespace);
    namespaceCache.set(namespace, ns);
  }
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = hash.toString('hex', 0, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * RFC 8785 canonical JSON: object keys sorted by UTF-16 code units, no whitespace, ECMAScript
 * number and string serialization (which JSON.stringify already follows).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const json = JSON.stringify(value);
    if (json === undefined) throw new Error(`cannot canonicalize a ${typeof value}`);
    return json;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}
