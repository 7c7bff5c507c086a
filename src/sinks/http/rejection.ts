// A Rejection for one object refused by an HTTP peer, its raw copy capped in size.
import type { Rejection, StixObject } from '../../stix/types';

const RAW_MAX_BYTES = 64 * 1024;

export function rejectionOf(object: StixObject, reason: string, message: string): Rejection {
  const bytes = Buffer.byteLength(JSON.stringify(object));
  const raw = bytes <= RAW_MAX_BYTES ? object : { id: object.id, type: object.type, truncated: true, bytes };
  return { id: object.id, type: object.type, reason, message, raw };
}
