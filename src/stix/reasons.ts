// Rejection reason codes and the Rejection builder: the stable vocabulary of dead-letter entries
// for objects, and the size cap on the raw object they carry.
import type { Rejection } from './types';

/** Every reason an object can be refused for. Codes are stable: alerts and dashboards key on them. */
export const REJECTION_REASONS = [
  'NOT_JSON',
  'NOT_AN_OBJECT',
  'MISSING_TYPE',
  'INVALID_TYPE',
  'MISSING_ID',
  'INVALID_ID',
  'ID_TYPE_MISMATCH',
  'SPEC_VERSION',
  'SPEC_VERSION_2_0',
  'INVALID_TIMESTAMP',
  'MODIFIED_BEFORE_CREATED',
  'INVALID_TIME_RANGE',
  'MISSING_PROPERTY',
  'INVALID_PROPERTY',
  'INVALID_REFERENCE',
  'PATTERN_SYNTAX',
  'UNEXPECTED_ERROR',
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** A failed check: the reason code and a message naming the property at fault. */
export interface Problem {
  reason: RejectionReason;
  message: string;
}

/** Raw objects whose JSON is larger than this are kept as a truncated string preview. */
export const RAW_MAX_BYTES = 64 * 1024;
/** Characters of JSON kept in the preview of an oversized raw object. */
export const RAW_PREVIEW_CHARS = 4096;
const ID_MAX_CHARS = 300;

/** Builds a Rejection for `raw`, naming its id and type when it has usable ones. */
export function reject(raw: unknown, problem: Problem): Rejection {
  const rejection: Rejection = { reason: problem.reason, message: problem.message, raw: capRaw(raw) };
  if (raw !== null && typeof raw === 'object') {
    const { id, type } = safeIdAndType(raw as Record<string, unknown>);
    if (id !== undefined) rejection.id = id;
    if (type !== undefined) rejection.type = type;
  }
  return rejection;
}

function safeIdAndType(obj: Record<string, unknown>): { id?: string; type?: string } {
  try {
    const id = obj.id;
    const type = obj.type;
    return {
      id: typeof id === 'string' && id.length <= ID_MAX_CHARS ? id : undefined,
      type: typeof type === 'string' && type.length <= ID_MAX_CHARS ? type : undefined,
    };
  } catch {
    return {};
  }
}

/** The object as received when its JSON fits in RAW_MAX_BYTES, else a truncated JSON preview. */
export function capRaw(raw: unknown): unknown {
  if (raw === null || typeof raw === 'boolean' || typeof raw === 'number' || raw === undefined) return raw;
  let json: string | undefined;
  try {
    json = JSON.stringify(raw);
  } catch {
    json = undefined;
  }
  if (json === undefined) return `[unserializable ${typeof raw}]`;
  // A UTF-16 code unit takes at most 3 bytes in UTF-8: short JSON is under the cap without counting.
  if (json.length <= RAW_MAX_BYTES / 3 || Buffer.byteLength(json) <= RAW_MAX_BYTES) return raw;
  return `${json.slice(0, RAW_PREVIEW_CHARS)}… (truncated, ${Buffer.byteLength(json)} bytes of JSON)`;
}
