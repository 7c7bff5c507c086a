// Realistic, valid STIX 2.1 objects for test servers: indicators (IPv4, domain, file hash patterns),
// malware, attack patterns and relationships between them, each with a microsecond `date_added`.
// Deterministic for a given seed, about 500 bytes per object once serialized.
import { prng } from './prng';

/** One object stored in a test TAXII collection, with the `date_added` the server reports for it. */
export interface TaxiiSeed {
  object: Record<string, unknown>;
  /** RFC 3339 timestamp, any precision; served exactly as written. */
  date_added: string;
}

export interface GenerateOptions {
  /** `date_added` of the first object (default 2024-01-01T00:00:00.000000Z). */
  startDate?: string;
  /** Microseconds between consecutive `date_added` values (default 1001: every digit moves). */
  stepMicros?: number;
  /** Objects per `date_added` value: 3 gives groups of three objects sharing one timestamp (default 1). */
  sameDateGroups?: number;
  /** PRNG seed: the same seed gives the same objects (default 1). */
  seed?: number;
}

export const IDENTITY_ID = 'identity--b3d1f1a6-3f59-4b3c-8a52-2f4b8e6c1d07';
export const TLP_GREEN = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da';


/** `n` hex digits, eight at a time. */
function hex(rand: () => number, n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(rand() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, n);
}

/** A version 4 UUID (random bits from the PRNG, version and variant set). */
function uuid4(rand: () => number): string {
  const h = hex(rand, 32);
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
}

/** Microseconds since the epoch of an RFC 3339 UTC timestamp (test data only). */
export function toMicros(ts: string): number {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/i.exec(ts);
  if (!m) throw new Error(`startDate must be a UTC RFC 3339 timestamp: ${ts}`);
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return Date.parse(`${m[1]!.toUpperCase()}Z`) * 1000 + Number(frac);
}

/** `YYYY-MM-DDTHH:MM:SS.ffffffZ` for microseconds since the epoch. */
export function fromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(us % 1000).padStart(3, '0')}Z`;
}

const FAMILIES = ['Emotet', 'QakBot', 'IcedID', 'AgentTesla', 'Remcos', 'LockBit', 'PlugX', 'AsyncRAT'];
const TECHNIQUES: [string, string][] = [
  ['T1566', 'Phishing'],
  ['T1059', 'Command and Scripting Interpreter'],
  ['T1071', 'Application Layer Protocol'],
  ['T1105', 'Ingress Tool Transfer'],
  ['T1486', 'Data Encrypted for Impact'],
];

/**
 * Generates `n` objects in `date_added` order. The first is the identity every other object names
 * as `created_by_ref`; relationships only point at objects generated before them.
 */
export function generateObjects(n: number, options: GenerateOptions = {}): TaxiiSeed[] {
  const rand = prng(options.seed ?? 1);
  const start = toMicros(options.startDate ?? '2024-01-01T00:00:00.000000Z');
  const step = options.stepMicros ?? 1001;
  const group = Math.max(1, options.sameDateGroups ?? 1);
  const indicators: string[] = [];
  const malware: string[] = [];
  const patterns: string[] = [];
  const out: TaxiiSeed[] = [];
  for (let i = 0; i < n; i++) {
    const added = start + Math.floor(i / group) * step;
    const stamp = new Date(Math.floor(added / 1000) - 60_000).toISOString();
    const common = { spec_version: '2.1', created: stamp, modified: stamp };
    const refs = { created_by_ref: IDENTITY_ID, object_marking_refs: [TLP_GREEN] };
    const slot = i % 10;
    let object: Record<string, unknown>;
    if (i === 0) {
      object = { type: 'identity', ...common, id: IDENTITY_ID, name: 'Example Threat Research', identity_class: 'organization', sectors: ['technology'] };
    } else if (slot === 6) {
      const name = `${FAMILIES[Math.floor(rand() * FAMILIES.length)]}-${i}`;
      object = { type: 'malware', ...common, id: `malware--${uuid4(rand)}`, name, description: `${name} loader family.`, malware_types: ['trojan'], is_family: true, ...refs };
      malware.push(object.id as string);
    } else if (slot === 7) {
      const [tid, tname] = TECHNIQUES[Math.floor(rand() * TECHNIQUES.length)]!;
      object = { type: 'attack-pattern', ...common, id: `attack-pattern--${uuid4(rand)}`, name: tname, external_references: [{ source_name: 'mitre-attack', external_id: tid, url: `https://attack.mitre.org/techniques/${tid}/` }], ...refs };
      patterns.push(object.id as string);
    } else if ((slot === 8 && indicators.length > 0 && malware.length > 0) || (slot === 9 && malware.length > 0 && patterns.length > 0)) {
      const indicates = slot === 8;
      const source = indicates ? indicators[Math.floor(rand() * indicators.length)]! : malware[Math.floor(rand() * malware.length)]!;
      const target = indicates ? malware[Math.floor(rand() * malware.length)]! : patterns[Math.floor(rand() * patterns.length)]!;
      object = { type: 'relationship', ...common, id: `relationship--${uuid4(rand)}`, relationship_type: indicates ? 'indicates' : 'uses', source_ref: source, target_ref: target, ...refs };
    } else {
      const kind = i % 3;
      const ip = `${45 + Math.floor(rand() * 150)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`;
      const domain = `update-${hex(rand, 6)}.example-cdn${i % 7}.com`;
      const sha = hex(rand, 64);
      const [pattern, name] =
        kind === 0 ? [`[ipv4-addr:value = '${ip}']`, `C2 server ${ip}`] : kind === 1 ? [`[domain-name:value = '${domain}']`, `Phishing domain ${domain}`] : [`[file:hashes.'SHA-256' = '${sha}']`, `Malicious file ${sha.slice(0, 12)}`];
      object = {
        type: 'indicator', ...common, id: `indicator--${uuid4(rand)}`, name, indicator_types: ['malicious-activity'],
        pattern, pattern_type: 'stix', valid_from: stamp, confidence: 70 + Math.floor(rand() * 30), ...refs,
      };
      indicators.push(object.id as string);
    }
    out.push({ object, date_added: fromMicros(added) });
  }
  return out;
}
