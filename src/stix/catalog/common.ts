// Common properties (STIX 2.1 §3.2, for SDOs/SROs and for SCOs), the TypeSpec shape of the catalog,
// and the cross-property rules several object types share.
import type { Problem } from '../reasons';
import { compareInstants, parseTimestamp } from '../timestamp';
import { optional, required, type PropertySpec } from './property';

export type Category = 'sdo' | 'sro' | 'sco' | 'meta' | 'custom';
export type StixRecord = Record<string, unknown>;
/** A check across properties; runs after every declared property passed. */
export type Rule = (obj: StixRecord) => Problem | undefined;

export interface TypeSpec {
  readonly type: string;
  readonly category: Category;
  /** STIX 2.1 requires spec_version on this type: an object without one is STIX 2.0. */
  readonly versioned: boolean;
  /** Declared properties (common ones included): the required ones and those checked. */
  readonly properties: readonly PropertySpec[];
  readonly rules: readonly Rule[];
}

/** STIX 2.1 §3.2 common properties of SDOs and SROs. */
export const SDO_SRO_COMMON: readonly PropertySpec[] = [
  required('created', 'timestamp'),
  required('modified', 'timestamp'),
  optional('created_by_ref', 'identifier', { refTypes: ['identity'] }),
  optional('revoked', 'boolean'),
  optional('labels', 'strings'),
  optional('confidence', 'integer', { min: 0, max: 100 }),
  optional('lang', 'string'),
  optional('external_references', 'external-references'),
  optional('object_marking_refs', 'identifiers', { refTypes: ['marking-definition'] }),
  optional('granular_markings', 'objects'),
  optional('extensions', 'dictionary'),
];

/** STIX 2.1 §3.2 common properties of SCOs (spec_version is optional on SCOs). */
export const SCO_COMMON: readonly PropertySpec[] = [
  optional('object_marking_refs', 'identifiers', { refTypes: ['marking-definition'] }),
  optional('granular_markings', 'objects'),
  optional('defanged', 'boolean'),
  optional('extensions', 'dictionary'),
];

/**
 * Custom objects (STIX 2.1 §11.2): checked only on the common properties they carry, which keep
 * their standard meaning; everything else passes through.
 */
export const CUSTOM_COMMON: readonly PropertySpec[] = SDO_SRO_COMMON.map((p) =>
  p.required ? optional(p.name, p.kind, p) : p,
);

export function sdo(type: string, properties: PropertySpec[], rules: Rule[] = []): TypeSpec {
  return { type, category: 'sdo', versioned: true, properties: [...SDO_SRO_COMMON, ...properties], rules };
}

export function sro(type: string, properties: PropertySpec[], rules: Rule[] = []): TypeSpec {
  return { type, category: 'sro', versioned: true, properties: [...SDO_SRO_COMMON, ...properties], rules };
}

export function sco(type: string, properties: PropertySpec[], rules: Rule[] = []): TypeSpec {
  return { type, category: 'sco', versioned: false, properties: [...SCO_COMMON, ...properties], rules };
}

/** The one spec of every custom type (its `type` is a placeholder: messages use the object's). */
export const CUSTOM_SPEC: TypeSpec = { type: 'custom', category: 'custom', versioned: false, properties: CUSTOM_COMMON, rules: [] };

/** `later` must not be before `earlier` (or, when `strict`, must be after it). */
export function timeOrder(earlier: string, later: string, strict = false): Rule {
  return (obj) => {
    const a = obj[earlier];
    const b = obj[later];
    if (a === undefined || b === undefined) return undefined;
    const ia = parseTimestamp(a);
    const ib = parseTimestamp(b);
    if (ia === undefined || ib === undefined) return undefined;
    const cmp = compareInstants(ib, ia);
    if (cmp > 0 || (cmp === 0 && !strict)) return undefined;
    return {
      reason: 'INVALID_TIME_RANGE',
      message: `${String(obj.type)}.${later} must be ${strict ? 'later than' : 'the same as or later than'} ${earlier}`,
    };
  };
}

/** At least one of `names` must be present. */
export function anyOf(...names: string[]): Rule {
  return (obj) => {
    for (const n of names) if (obj[n] !== undefined) return undefined;
    return { reason: 'MISSING_PROPERTY', message: `${String(obj.type)} must have at least one of ${names.join(', ')}` };
  };
}

/** `a` and `b` must not both be present. */
export function notBoth(a: string, b: string): Rule {
  return (obj) =>
    obj[a] !== undefined && obj[b] !== undefined
      ? { reason: 'INVALID_PROPERTY', message: `${String(obj.type)} must not have both ${a} and ${b}` }
      : undefined;
}

/** When `present` is there, `needed` must be too. */
export function requires(present: string, needed: string): Rule {
  return (obj) =>
    obj[present] !== undefined && obj[needed] === undefined
      ? { reason: 'MISSING_PROPERTY', message: `${String(obj.type)}.${needed} is required when ${present} is present` }
      : undefined;
}
