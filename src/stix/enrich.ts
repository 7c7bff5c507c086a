// Enrichment from configuration: author identity, TLP 2.0 markings, labels, default confidence and
// OpenCTI hints on indicators. Copy-on-write: an object is copied only when something is added.
import type { EnrichConfig } from '../config/schema';
import type { StixRecord } from './catalog';
import type { CheckedObject } from './check-object';
import { TLP_MARKING_IDS, tlpMarkingDefinition, type TlpName } from './tlp';
import type { StixObject } from './types';
import { canonicalJson, uuidv5 } from './uuid';

/**
 * `created`/`modified` of the author identity: fixed, so every page carries the very same version
 * of it and sinks that upsert by (id, modified) see one object.
 */
export const AUTHOR_TIMESTAMP = '2020-01-01T00:00:00.000Z';

export interface EnrichmentPlan {
  author?: StixObject;
  overrideAuthor: boolean;
  markings: TlpName[];
  markingIds: string[];
  labels: string[];
  confidence?: number;
  score?: number;
  mainObservableType?: string;
  createObservables?: boolean;
}

/** STIX 2.1 §2.9: identity id as UUIDv5 over the canonical JSON of {name, identity_class}. */
export function authorIdentity(name: string, identityClass = 'organization'): StixObject {
  const id = `identity--${uuidv5(canonicalJson({ name, identity_class: identityClass }))}`;
  return {
    type: 'identity',
    spec_version: '2.1',
    id,
    created: AUTHOR_TIMESTAMP,
    modified: AUTHOR_TIMESTAMP,
    name,
    identity_class: identityClass,
  };
}

/** The enrichment to apply, or undefined when the configuration asks for none. */
export function planEnrichment(config: EnrichConfig | undefined): EnrichmentPlan | undefined {
  if (config === undefined || config === null) return undefined;
  const markings = [...new Set(config.markings ?? [])].filter((m): m is TlpName => Object.hasOwn(TLP_MARKING_IDS, m));
  const plan: EnrichmentPlan = {
    author: config.author ? authorIdentity(config.author.name, config.author.identity_class ?? 'organization') : undefined,
    overrideAuthor: config.override_author === true,
    markings,
    markingIds: markings.map((m) => TLP_MARKING_IDS[m]),
    labels: [...new Set(config.labels ?? [])],
    confidence: config.confidence,
    score: config.opencti?.score,
    mainObservableType: config.opencti?.main_observable_type,
    createObservables: config.opencti?.create_observables,
  };
  const active =
    plan.author !== undefined || plan.markingIds.length > 0 || plan.labels.length > 0 || plan.confidence !== undefined ||
    plan.score !== undefined || plan.mainObservableType !== undefined || plan.createObservables !== undefined;
  return active ? plan : undefined;
}

function missingFrom(existing: unknown, wanted: readonly string[]): string[] {
  const have = Array.isArray(existing) ? existing : [];
  return wanted.filter((w) => !have.includes(w));
}

/**
 * The enriched object (the same reference when nothing applies). Marking definitions are never
 * touched; `created_by_ref`, `labels` and `confidence` only go where STIX 2.1 defines them
 * (§3.2 SDO/SRO common properties; custom objects that carry `created` count as SDOs).
 */
export function enrichObject(checked: CheckedObject, plan: EnrichmentPlan): StixRecord {
  const { obj, type, spec } = checked;
  if (type === 'marking-definition') return obj;
  const sdoLike = spec.category === 'sdo' || (spec.category === 'custom' && obj.created !== undefined);
  const versioned = sdoLike || spec.category === 'sro' || type === 'language-content';
  let out: StixRecord | undefined;
  const set = (key: string, value: unknown): void => {
    out ??= { ...obj };
    out[key] = value;
  };

  if (plan.author !== undefined && versioned) {
    const current = obj.created_by_ref;
    if (current === undefined || (plan.overrideAuthor && current !== plan.author.id)) set('created_by_ref', plan.author.id);
  }
  if (plan.markingIds.length > 0) {
    const add = missingFrom(obj.object_marking_refs, plan.markingIds);
    if (add.length > 0) set('object_marking_refs', [...((obj.object_marking_refs as string[] | undefined) ?? []), ...add]);
  }
  if (plan.labels.length > 0 && sdoLike) {
    const add = missingFrom(obj.labels, plan.labels);
    if (add.length > 0) set('labels', [...((obj.labels as string[] | undefined) ?? []), ...add]);
  }
  if (plan.confidence !== undefined && versioned && obj.confidence === undefined) set('confidence', plan.confidence);
  if (type === 'indicator') {
    if (plan.score !== undefined && obj.x_opencti_score === undefined) set('x_opencti_score', plan.score);
    if (plan.mainObservableType !== undefined && obj.x_opencti_main_observable_type === undefined) {
      set('x_opencti_main_observable_type', plan.mainObservableType);
    }
    if (plan.createObservables !== undefined && obj.x_opencti_create_observables === undefined) {
      set('x_opencti_create_observables', plan.createObservables);
    }
  }
  return out ?? obj;
}

/**
 * The objects enrichment refers to and the output lacks: the TLP marking definitions in use and the
 * author identity, each once.
 */
export function enrichmentExtras(plan: EnrichmentPlan, output: readonly StixRecord[], presentIds: ReadonlySet<string>): StixObject[] {
  const extras: StixObject[] = [];
  const usedMarkings = new Set<string>();
  let authorUsed = false;
  for (const o of output) {
    if (plan.author !== undefined && o.created_by_ref === plan.author.id) authorUsed = true;
    const refs = o.object_marking_refs;
    if (plan.markingIds.length > 0 && Array.isArray(refs)) for (const r of refs) if (plan.markingIds.includes(r)) usedMarkings.add(r);
  }
  for (const name of plan.markings) {
    const id = TLP_MARKING_IDS[name];
    if (usedMarkings.has(id) && !presentIds.has(id)) extras.push(tlpMarkingDefinition(name));
  }
  if (plan.author !== undefined && authorUsed && !presentIds.has(plan.author.id)) extras.push({ ...plan.author });
  return extras;
}
