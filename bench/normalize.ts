// Throughput of a page's normalization as the normalizer thread does it (normalize, then bundles
// cut, serialized and encoded: normalizeObjects) on a realistic 10,000-object TAXII page
// (indicators with STIX patterns, SDOs, relationships; about 450 bytes each), the page already
// parsed. Prints the median objects/second.
import { normalizeObjects } from '../src/pipeline/normalize-page';
import type { StixObject } from '../src/stix';
import { prng } from '../test/support/prng';

const PAGE_SIZE = 10_000;
const WARMUP_RUNS = 5;
const RUNS = 15;


const random = prng(42);
const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const ip = (): string => Array.from({ length: 4 }, () => Math.floor(random() * 256)).join('.');
/** A timestamp on day `i` of 2025 (cycling), `hours` after midnight, with microseconds as feeds send. */
const when = (i: number, hours = 0): string =>
  `2025-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')}T${String(hours).padStart(2, '0')}:15:42.123456Z`;

const AUTHOR = `identity--${uuid()}`;
const TLP_AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421';

function indicator(i: number): StixObject {
  const kind = i % 3;
  const pattern =
    kind === 0 ? `[ipv4-addr:value = '${ip()}']`
    : kind === 1 ? `[file:hashes.'SHA-256' = '${hex(64)}']`
    : `[domain-name:value = 'c2-${hex(6)}.example.net' OR url:value = 'http://c2-${hex(6)}.example.net/gate.php']`;
  return {
    type: 'indicator', spec_version: '2.1', id: `indicator--${uuid()}`, created: when(i), modified: when(i, 1),
    created_by_ref: AUTHOR, indicator_types: ['malicious-activity'], pattern, pattern_type: 'stix', valid_from: when(i),
  };
}

function sdo(i: number): StixObject {
  const type = ['malware', 'threat-actor', 'intrusion-set', 'attack-pattern'][i % 4];
  const o: StixObject = {
    type, spec_version: '2.1', id: `${type}--${uuid()}`, created: when(i), modified: when(i, 2), created_by_ref: AUTHOR,
    name: `Object ${hex(6)}`, description: `Family ${hex(8)}.`,
    external_references: [{ source_name: 'vendor', url: `https://intel.example.com/r/${hex(12)}` }], object_marking_refs: [TLP_AMBER],
  };
  if (type === 'malware') o.is_family = true;
  return o;
}

function relationship(i: number, from: string, to: string): StixObject {
  return {
    type: 'relationship', spec_version: '2.1', id: `relationship--${uuid()}`, created: when(i), modified: when(i),
    created_by_ref: AUTHOR, relationship_type: 'indicates', source_ref: from, target_ref: to,
  };
}

function buildPage(): StixObject[] {
  const page: StixObject[] = [];
  const sdos: StixObject[] = [];
  while (page.length < PAGE_SIZE) {
    const i = page.length;
    const r = i % 20;
    if (r < 10) page.push(indicator(i));
    else if (r < 13) {
      const s = sdo(i);
      sdos.push(s);
      page.push(s);
    } else {
      const from = page[Math.floor(random() * page.length)].id;
      const to = sdos.length > 0 ? sdos[Math.floor(random() * sdos.length)].id : from;
      page.push(relationship(i, from, to));
    }
  }
  return page;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  // As fetched: parsed from JSON text (flat strings, as JSON.parse makes them).
  const page = JSON.parse(JSON.stringify(buildPage())) as StixObject[];
  const bytes = Buffer.byteLength(JSON.stringify(page));
  const settings = { upgrade20: true, nowMs: Date.parse('2026-01-01T00:00:00Z'), maxObjects: 5000, maxBytes: 5 * 1024 * 1024, idSeed: 'bench/collection/1/0' };
  const run = (): { ms: number; accepted: number; bundles: number } => {
    const start = process.hrtime.bigint();
    const result = normalizeObjects(page, settings);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return { ms, accepted: result.accepted, bundles: result.bundles.length };
  };
  for (let i = 0; i < WARMUP_RUNS; i++) run();
  const times: number[] = [];
  let last = run();
  for (let i = 0; i < RUNS; i++) {
    last = run();
    times.push(last.ms);
  }
  const ms = median(times);
  console.log(`page: ${PAGE_SIZE} objects, ${(bytes / PAGE_SIZE).toFixed(0)} bytes/object on average`);
  console.log(`accepted ${last.accepted}, ${last.bundles} bundles`);
  console.log(`normalize + bundles serialized: median ${ms.toFixed(1)} ms over ${RUNS} runs → ${Math.round((PAGE_SIZE / ms) * 1000).toLocaleString('en-US')} objects/s`);
}

main();
