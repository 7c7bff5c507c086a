// The catalog of STIX 2.1 object types: one TypeSpec per type, looked up by `type`.
import { CUSTOM_SPEC, type TypeSpec } from './common';
import { SCO_SPECS } from './sco';
import { SDO_SPECS } from './sdo';
import { META_SPECS, SRO_SPECS } from './sro-meta';

export { CUSTOM_SPEC, SCO_COMMON, SDO_SRO_COMMON } from './common';
export type { Category, Rule, StixRecord, TypeSpec } from './common';
export type { PropertyKind, PropertySpec } from './property';
export { checkValue } from './property';

export const TYPE_SPECS: ReadonlyMap<string, TypeSpec> = new Map(
  [...SDO_SPECS, ...SRO_SPECS, ...SCO_SPECS, ...META_SPECS].map((s) => [s.type, s]),
);

export const SDO_TYPES: readonly string[] = SDO_SPECS.map((s) => s.type);
export const SRO_TYPES: readonly string[] = SRO_SPECS.map((s) => s.type);
export const SCO_TYPES: readonly string[] = SCO_SPECS.map((s) => s.type);
export const META_TYPES: readonly string[] = META_SPECS.map((s) => s.type);

/** The spec of a standard type, or undefined for a custom one. */
export function specOf(type: string): TypeSpec | undefined {
  return TYPE_SPECS.get(type);
}

/** The spec of any well-formed type: the standard one, or the permissive custom one. */
export function specOrCustom(type: string): TypeSpec {
  return TYPE_SPECS.get(type) ?? CUSTOM_SPEC;
}
