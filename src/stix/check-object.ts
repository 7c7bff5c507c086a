// The per-object check of the hot path: type, id, spec_version (with the 2.0 upgrade), common and
// type-specific properties, modified >= created, then the type's rules (STIX 2.1 §3, §4–§7).
import { specOf, checkValue, CUSTOM_SPEC, type StixRecord, type TypeSpec } from './catalog';
import { identifierType, isIdentifierOfType, isTypeName } from './identifier';
import type { Problem } from './reasons';
import { compareInstants, parseTimestamp, type Instant } from './timestamp';
import { isStix20, upgradeTo21 } from './upgrade';

/** An object that passed every check, with what later stages need. */
export interface CheckedObject {
  /** The object as it goes on: the input itself, or its 2.1 copy when upgraded. */
  obj: StixRecord;
  type: string;
  id: string;
  spec: TypeSpec;
  /** `modified` at full precision, when the object has one (for duplicate resolution). */
  modified?: Instant;
  upgraded: boolean;
}

export type CheckOutcome = { ok: true; checked: CheckedObject } | { ok: false; problem: Problem };

const fail = (reason: Problem['reason'], message: string): CheckOutcome => ({ ok: false, problem: { reason, message } });

/** Checks one input; `upgrade20` upgrades STIX 2.0 objects instead of refusing them. Throws only if the input's getters do. */
export function checkObject(input: unknown, upgrade20: boolean): CheckOutcome {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return fail('NOT_AN_OBJECT', `expected a JSON object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
  }
  let obj = input as StixRecord;
  const type = obj.type;
  if (type === undefined) return fail('MISSING_TYPE', 'the object has no type');
  if (typeof type !== 'string') return fail('INVALID_TYPE', 'type must be a string');
  let spec = specOf(type);
  if (spec === undefined) {
    if (type === 'bundle') return fail('INVALID_TYPE', 'a bundle is not a STIX object (STIX 2.1 §8): send its objects');
    if (!isTypeName(type)) return fail('INVALID_TYPE', 'type must be 3-250 characters of a-z, 0-9 and single hyphens (STIX 2.1 §3.2)');
    spec = CUSTOM_SPEC;
  }

  const id = obj.id;
  if (id === undefined) return fail('MISSING_ID', `${type} has no id`);
  if (typeof id !== 'string' || !isIdentifierOfType(id, type)) {
    if (typeof id === 'string' && identifierType(id) !== undefined) return fail('ID_TYPE_MISMATCH', `id ${id} does not match type ${type}`);
    return fail('INVALID_ID', `id must be ${type}--<uuid> (STIX 2.1 §2.9)`);
  }

  let upgraded = false;
  if (isStix20(obj, spec.versioned)) {
    if (!upgrade20) return fail('SPEC_VERSION_2_0', `${type} is STIX 2.0 (no spec_version) and upgrading is off`);
    obj = upgradeTo21(obj);
    upgraded = true;
  } else if (obj.spec_version !== undefined && obj.spec_version !== '2.1') {
    const got = typeof obj.spec_version === 'string' ? JSON.stringify(obj.spec_version.slice(0, 20)) : `a ${typeof obj.spec_version}`;
    return fail('SPEC_VERSION', `spec_version must be "2.1", got ${got}`);
  }

  let created: Instant | undefined;
  let modified: Instant | undefined;
  for (const p of spec.properties) {
    const v = obj[p.name];
    if (v === undefined) {
      if (p.required) return fail('MISSING_PROPERTY', `${type}.${p.name} is required`);
      continue;
    }
    if (p.kind === 'timestamp') {
      const instant = parseTimestamp(v);
      if (instant === undefined) return fail('INVALID_TIMESTAMP', `${type}.${p.name} must be an RFC 3339 timestamp`);
      if (p.name === 'modified') modified = instant;
      else if (p.name === 'created') created = instant;
      continue;
    }
    const problem = checkValue(type, p, v);
    if (problem !== undefined) return { ok: false, problem };
  }
  if (created !== undefined && modified !== undefined && compareInstants(modified, created) < 0) {
    return fail('MODIFIED_BEFORE_CREATED', `${type}.modified is earlier than created (STIX 2.1 §3.2)`);
  }
  for (const rule of spec.rules) {
    const problem = rule(obj);
    if (problem !== undefined) return { ok: false, problem };
  }
  return { ok: true, checked: { obj, type, id, spec, modified, upgraded } };
}
