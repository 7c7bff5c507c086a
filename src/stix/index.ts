// The STIX 2.1 normalization module (pure, no I/O): checks, 2.0 upgrade, deduplication, filters,
// enrichment, pattern parsing, bundling, and the zod schemas of every STIX 2.1 type.
export { normalize } from './normalize';
export type { NormalizeOptions, NormalizeResult } from './normalize';
export { toBundles, toBundleBytes, orderForDelivery, bundleId } from './bundles';
export type { BundleLimits, BundleBytes } from './bundles';
export { uuidv5, canonicalJson, STIX_NAMESPACE } from './uuid';
export { readStixInput } from './input';
export { REJECTION_REASONS, RAW_MAX_BYTES } from './reasons';
export type { RejectionReason } from './reasons';
export { parseTimestamp, compareInstants, isTimestamp } from './timestamp';
export type { Instant } from './timestamp';
export { isIdentifier, identifierType, isTypeName } from './identifier';
export { parsePattern, findPatternError, PatternSyntaxError } from './pattern';
export type { ObservationExpression, ComparisonExpression, Qualifier, ObjectPath, Literal } from './pattern';
export { TLP_MARKING_IDS, tlpMarkingDefinition } from './tlp';
export type { TlpName } from './tlp';
export { authorIdentity, AUTHOR_TIMESTAMP } from './enrich';
export { SDO_TYPES, SRO_TYPES, SCO_TYPES, META_TYPES } from './catalog';
export {
  STIX_SCHEMAS, StixObjectSchema, SdoSroCommonSchema, ScoCommonSchema, CustomObjectSchema, schemaFor, TimestampSchema,
} from './schemas';
export type { StixObject, StixBundle, Rejection } from './types';
