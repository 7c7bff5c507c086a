// The property vocabulary of the catalog: what a STIX 2.1 property must look like (STIX 2.1 §2
// data types), checked by hand in the hot path and turned into zod schemas in ../schemas.ts.
import { isIdentifier, isIdentifierOf } from '../identifier';
import type { Problem } from '../reasons';
import { isTimestamp } from '../timestamp';

export type PropertyKind =
  | 'string'
  | 'timestamp'
  | 'boolean'
  | 'integer'
  | 'number'
  | 'identifier'
  | 'identifiers'
  | 'strings'
  | 'dictionary'
  | 'objects'
  | 'external-references'
  | 'kill-chain-phases'
  | 'enum';

export interface PropertySpec {
  readonly name: string;
  readonly kind: PropertyKind;
  readonly required: boolean;
  /** identifier(s): the object types the reference may point to (any when absent). */
  readonly refTypes?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Lists: at least one item. */
  readonly nonEmpty?: boolean;
  /** enum: the allowed values. */
  readonly values?: readonly string[];
}

type Options = Omit<PropertySpec, 'name' | 'kind' | 'required'>;

export function required(name: string, kind: PropertyKind, options: Options = {}): PropertySpec {
  return { ...options, name, kind, required: true };
}

export function optional(name: string, kind: PropertyKind, options: Options = {}): PropertySpec {
  return { ...options, name, kind, required: false };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isRefTo(v: unknown, refTypes: readonly string[] | undefined): boolean {
  return refTypes === undefined ? isIdentifier(v) : isIdentifierOf(v, refTypes);
}

function refText(spec: PropertySpec): string {
  return spec.refTypes === undefined ? 'a STIX identifier' : `an identifier of ${spec.refTypes.join(' or ')}`;
}

/** Checks one present (not undefined) value against its spec; undefined when it conforms. */
export function checkValue(type: string, spec: PropertySpec, v: unknown): Problem | undefined {
  const problem = findProblem(spec, v);
  if (problem === undefined) return undefined;
  return { reason: problem.reason, message: `${type}.${spec.name} must ${problem.message}` };
}

function invalid(what: string): Problem {
  return { reason: 'INVALID_PROPERTY', message: `be ${what}` };
}

/** The problem with a value, its message to be prefixed by the property's name and "must". */
function findProblem(spec: PropertySpec, v: unknown): Problem | undefined {
  switch (spec.kind) {
    case 'string':
      return typeof v === 'string' ? undefined : invalid('a string');
    case 'timestamp':
      return isTimestamp(v) ? undefined : { reason: 'INVALID_TIMESTAMP', message: 'be an RFC 3339 timestamp' };
    case 'boolean':
      return typeof v === 'boolean' ? undefined : invalid('a boolean');
    case 'integer':
    case 'number': {
      const ok = spec.kind === 'integer' ? Number.isInteger(v) : typeof v === 'number' && Number.isFinite(v);
      const n = v as number;
      if (ok && (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max)) return undefined;
      return invalid(`${spec.kind === 'integer' ? 'an integer' : 'a number'}${range(spec)}`);
    }
    case 'identifier':
      return isRefTo(v, spec.refTypes) ? undefined : { reason: 'INVALID_REFERENCE', message: `be ${refText(spec)}` };
    case 'identifiers': {
      if (!Array.isArray(v) || (spec.nonEmpty === true && v.length === 0)) return invalid(`a ${spec.nonEmpty ? 'non-empty ' : ''}list of identifiers`);
      for (const item of v) {
        if (!isRefTo(item, spec.refTypes)) return { reason: 'INVALID_REFERENCE', message: `only hold ${refText(spec)}` };
      }
      return undefined;
    }
    case 'strings': {
      if (!Array.isArray(v) || (spec.nonEmpty === true && v.length === 0)) return invalid(`a ${spec.nonEmpty ? 'non-empty ' : ''}list of strings`);
      for (const item of v) if (typeof item !== 'string') return invalid('a list of strings');
      return undefined;
    }
    case 'dictionary':
      return isPlainObject(v) ? undefined : invalid('an object');
    case 'objects': {
      if (!Array.isArray(v)) return invalid('a list of objects');
      for (const item of v) if (!isPlainObject(item)) return invalid('a list of objects');
      return undefined;
    }
    case 'external-references': {
      // STIX 2.1 §2.6: every external reference names its source.
      if (!Array.isArray(v)) return invalid('a list of external references');
      for (const item of v) {
        if (!isPlainObject(item) || typeof item.source_name !== 'string') return invalid('a list of external references with a source_name');
      }
      return undefined;
    }
    case 'kill-chain-phases': {
      // STIX 2.1 §2.11: kill_chain_name and phase_name are required.
      if (!Array.isArray(v)) return invalid('a list of kill chain phases');
      for (const item of v) {
        if (!isPlainObject(item) || typeof item.kill_chain_name !== 'string' || typeof item.phase_name !== 'string') {
          return invalid('a list of kill chain phases with kill_chain_name and phase_name');
        }
      }
      return undefined;
    }
    case 'enum':
      return typeof v === 'string' && (spec.values ?? []).includes(v) ? undefined : invalid(`one of ${(spec.values ?? []).join(', ')}`);
    default:
      return undefined;
  }
}

function range(spec: PropertySpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return ` from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return ` of at least ${spec.min}`;
  if (spec.max !== undefined) return ` of at most ${spec.max}`;
  return '';
}
