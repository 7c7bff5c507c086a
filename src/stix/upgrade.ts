// STIX 2.0 → 2.1 upgrade of one object: spec_version, the `labels` that 2.1 moved to `*_types`
// vocabularies (e.g. STIX 2.1 §4.11 malware_types), malware `is_family`, indicator `pattern_type` (§4.7).
import type { StixRecord } from './catalog';

/** Types whose 2.0 `labels` carried the type vocabulary that 2.1 names `<type>_types`. */
const LABELS_MOVED_TO: Readonly<Record<string, string>> = {
  indicator: 'indicator_types',
  infrastructure: 'infrastructure_types',
  malware: 'malware_types',
  report: 'report_types',
  'threat-actor': 'threat_actor_types',
  tool: 'tool_types',
};

/** Whether an object is STIX 2.0: no spec_version on a type 2.1 versions, or an explicit "2.0". */
export function isStix20(obj: StixRecord, versioned: boolean): boolean {
  const v = obj.spec_version;
  return v === '2.0' || (v === undefined && versioned);
}

/** A 2.1 copy of a 2.0 object; the input is not modified. */
export function upgradeTo21(obj: StixRecord): StixRecord {
  const out: StixRecord = { type: obj.type, spec_version: '2.1', ...obj };
  out.spec_version = '2.1';
  const type = obj.type as string;
  const moved = LABELS_MOVED_TO[type];
  if (moved !== undefined && out[moved] === undefined && Array.isArray(out.labels)) {
    out[moved] = out.labels;
    delete out.labels;
  }
  if (type === 'malware' && out.is_family === undefined) out.is_family = true;
  if (type === 'indicator' && out.pattern_type === undefined) out.pattern_type = 'stix';
  return out;
}
