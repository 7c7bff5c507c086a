// Real data: the MITRE ATT&CK STIX 2.1 releases in the shared data folder beside the repository (custom
// object types, custom properties, revoked and deprecated objects, many relationships).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { authorIdentity, normalize, StixObjectSchema, TLP_MARKING_IDS, toBundles, type StixObject } from '../../src/stix';
import { ATTACK_FILES, DATA_DIR, loadAttackBundle, NOW } from './fixtures';

describe.each(ATTACK_FILES)('when the ATT&CK bundle %s is normalized', (file) => {
  const bundle = loadAttackBundle(file);
  const snapshot: StixObject[] = JSON.parse(JSON.stringify(bundle.objects));

  it('is found beside the repository', () => {
    expect(existsSync(path.join(DATA_DIR, file))).toBe(true);
    expect(bundle.objects.length).toBeGreaterThan(1000);
  });

  it('accepts every object unchanged', () => {
    const result = normalize(bundle.objects, { upgrade20: true, now: NOW });
    expect(result.rejected).toEqual([]);
    expect(result).toMatchObject({ upgraded: 0, filtered: 0, duplicates: 0 });
    expect(result.objects).toEqual(snapshot);
    result.objects.forEach((o, i) => expect(o).toBe(bundle.objects[i]));
  });

  it('agrees with the zod schemas', () => {
    const failures = bundle.objects.filter((o) => !StixObjectSchema.safeParse(o).success);
    expect(failures).toEqual([]);
  });

  it('changes only what enrichment asks for', () => {
    const author = authorIdentity('ACME');
    const result = normalize(bundle.objects, {
      upgrade20: true,
      now: NOW,
      enrich: { author: { name: 'ACME', identity_class: 'organization' }, override_author: false, markings: ['green'], labels: ['attack'], confidence: 70, opencti: {} },
    });
    expect(result.rejected).toEqual([]);
    expect(bundle.objects).toEqual(snapshot);
    const byId = new Map(result.objects.map((o) => [o.id, o]));
    expect(byId.get(TLP_MARKING_IDS.green)).toMatchObject({ type: 'marking-definition', name: 'TLP:GREEN' });
    // Only objects without an author get ours (the ATT&CK identity itself), and ours comes once.
    expect(byId.get(author.id)).toEqual(author);
    expect(result.objects.filter((o) => o.id === author.id)).toHaveLength(1);
    for (const input of snapshot) {
      const out = byId.get(input.id) as StixObject;
      if (input.type === 'marking-definition') {
        expect(out).toEqual(input);
        continue;
      }
      const { object_marking_refs, labels, confidence, created_by_ref, ...rest } = out;
      const { object_marking_refs: inputMarkings, labels: inputLabels, confidence: inputConfidence, created_by_ref: inputAuthor, ...inputRest } = input;
      expect(rest).toEqual(inputRest);
      expect(created_by_ref).toBe(inputAuthor ?? author.id);
      expect(object_marking_refs).toEqual([...((inputMarkings as string[] | undefined) ?? []), TLP_MARKING_IDS.green]);
      const sdoLike = input.type !== 'relationship' && input.type !== 'sighting';
      expect(labels).toEqual(sdoLike ? [...((inputLabels as string[] | undefined) ?? []), 'attack'] : inputLabels);
      expect(confidence).toBe(inputConfidence ?? 70);
    }
  });

  it('bundles every object within the limits', () => {
    const { objects } = normalize(bundle.objects, { upgrade20: true, now: NOW });
    const bundles = toBundles(objects, { maxObjects: 500, maxBytes: 512 * 1024, idSeed: file });
    expect(bundles.flatMap((b) => b.objects)).toHaveLength(objects.length);
    expect(new Set(bundles.flatMap((b) => b.objects.map((o) => o.id))).size).toBe(objects.length);
    for (const b of bundles) {
      expect(b.objects.length).toBeLessThanOrEqual(500);
      expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThanOrEqual(512 * 1024);
    }
  });
});
