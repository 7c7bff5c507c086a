// zod schemas of STIX 2.1 objects, built from the same catalog as the hot-path checks so the two
// cannot drift: common properties, one loose schema per type (unknown and custom properties kept).
import { z } from 'zod';
import { CUSTOM_SPEC, SCO_COMMON, SDO_SRO_COMMON, TYPE_SPECS, type PropertySpec, type Rule, type StixRecord, type TypeSpec } from './catalog';
import { identifierType, isIdentifierOfType, isTypeName } from './identifier';
import { compareInstants, isTimestamp, parseTimestamp } from './timestamp';

export const TimestampSchema = z.string().refine(isTimestamp, 'must be an RFC 3339 timestamp');

export function identifierSchema(refTypes?: readonly string[]) {
  return z.string().refine((v) => {
    const t = identifierType(v);
    return t !== undefined && (refTypes === undefined || refTypes.includes(t));
  }, refTypes === undefined ? 'must be a STIX identifier' : `must be an identifier of ${refTypes.join(' or ')}`);
}

const PlainObject = z.record(z.string(), z.unknown());

function propertySchema(p: PropertySpec): z.ZodType {
  switch (p.kind) {
    case 'string': return z.string();
    case 'timestamp': return TimestampSchema;
    case 'boolean': return z.boolean();
    case 'integer':
    case 'number': {
      let n = p.kind === 'integer' ? z.number().int() : z.number();
      if (p.min !== undefined) n = n.min(p.min);
      if (p.max !== undefined) n = n.max(p.max);
      return n;
    }
    case 'identifier': return identifierSchema(p.refTypes);
    case 'identifiers': return p.nonEmpty ? z.array(identifierSchema(p.refTypes)).min(1) : z.array(identifierSchema(p.refTypes));
    case 'strings': return p.nonEmpty ? z.array(z.string()).min(1) : z.array(z.string());
    case 'dictionary': return PlainObject;
    case 'objects': return z.array(PlainObject);
    case 'external-references': return z.array(z.looseObject({ source_name: z.string() }));
    case 'kill-chain-phases': return z.array(z.looseObject({ kill_chain_name: z.string(), phase_name: z.string() }));
    case 'enum': return z.enum((p.values ?? []) as [string, ...string[]]);
    default: return z.unknown();
  }
}

function shapeOf(properties: readonly PropertySpec[]): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const p of properties) shape[p.name] = p.required ? propertySchema(p) : propertySchema(p).optional();
  return shape;
}

function withRules(schema: z.ZodType<StixRecord>, rules: readonly Rule[]) {
  return schema.superRefine((obj, ctx) => {
    const created = parseTimestamp(obj.created);
    const modified = parseTimestamp(obj.modified);
    if (created !== undefined && modified !== undefined && compareInstants(modified, created) < 0) {
      ctx.addIssue({ code: 'custom', path: ['modified'], message: 'modified is earlier than created' });
    }
    for (const rule of rules) {
      const problem = rule(obj);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem.message, params: { reason: problem.reason } });
    }
  });
}

function typeSchema(spec: TypeSpec) {
  const type = spec.type;
  const base = z.looseObject({
    type: z.literal(type),
    id: z.string().refine((v) => isIdentifierOfType(v, type), `must be ${type}--<uuid>`),
    spec_version: spec.versioned ? z.literal('2.1') : z.literal('2.1').optional(),
    ...shapeOf(spec.properties),
  });
  return withRules(base as unknown as z.ZodType<StixRecord>, spec.rules);
}

const TypeNameSchema = z.string().refine(isTypeName, 'must be a STIX type name');

/** STIX 2.1 §3.2 common properties of SDOs and SROs, as a loose schema. */
export const SdoSroCommonSchema = z.looseObject({
  type: TypeNameSchema,
  id: identifierSchema(),
  spec_version: z.literal('2.1'),
  ...shapeOf(SDO_SRO_COMMON),
});

/** STIX 2.1 §3.2 common properties of SCOs, as a loose schema. */
export const ScoCommonSchema = z.looseObject({
  type: TypeNameSchema,
  id: identifierSchema(),
  spec_version: z.literal('2.1').optional(),
  ...shapeOf(SCO_COMMON),
});

/** Custom objects (STIX 2.1 §11.2): the common properties they carry must be well-formed. */
export const CustomObjectSchema = withRules(
  z.looseObject({
    type: TypeNameSchema.refine((t) => t !== 'bundle', 'a bundle is not a STIX object'),
    id: z.string(),
    spec_version: z.literal('2.1').optional(),
    ...shapeOf(CUSTOM_SPEC.properties),
  }) as unknown as z.ZodType<StixRecord>,
  [],
).superRefine((obj, ctx) => {
  if (!isIdentifierOfType(String(obj.id), String(obj.type))) ctx.addIssue({ code: 'custom', path: ['id'], message: 'must be <type>--<uuid>' });
});

/** One schema per STIX 2.1 type, keyed by `type`. */
export const STIX_SCHEMAS: ReadonlyMap<string, z.ZodType<StixRecord>> = new Map(
  [...TYPE_SPECS.values()].map((spec) => [spec.type, typeSchema(spec)]),
);

/** The schema for an object's type (custom types get CustomObjectSchema). */
export function schemaFor(type: string): z.ZodType<StixRecord> {
  return STIX_SCHEMAS.get(type) ?? CustomObjectSchema;
}

/** A STIX 2.1 object of any type, dispatched by `type` (bundles are not objects). */
export const StixObjectSchema = z.looseObject({ type: z.string() }).superRefine((obj, ctx) => {
  const result = schemaFor(obj.type).safeParse(obj);
  if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});
