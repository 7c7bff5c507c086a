// Enrichment (author, TLP 2.0 markings, labels, confidence, OpenCTI hints) and filters from configuration.
import type { EnrichConfig, FilterConfig } from '../../src/config/schema';
import { authorIdentity, canonicalJson, normalize, TLP_MARKING_IDS, uuidv5, type StixObject } from '../../src/stix';
import { idOf, NOW, valid } from './fixtures';

const enrich = (partial: Partial<EnrichConfig>): EnrichConfig => ({ override_author: false, markings: [], labels: [], opencti: {}, ...partial });
const filter = (partial: Partial<FilterConfig>): FilterConfig => ({
  include_types: [], exclude_types: [], drop_revoked: false, drop_expired_indicators: false, ...partial,
});
const byId = (objects: StixObject[], id: string) => objects.find((o) => o.id === id);

describe('when an author is configured', () => {
  const author = { name: 'ACME Threat Intel', identity_class: 'organization' };
  const expectedId = `identity--${uuidv5('{"identity_class":"organization","name":"ACME Threat Intel"}')}`;

  it('derives a deterministic identity id (UUIDv5 over canonical JSON of name and identity_class)', () => {
    expect(canonicalJson({ name: 'ACME Threat Intel', identity_class: 'organization' })).toBe('{"identity_class":"organization","name":"ACME Threat Intel"}');
    expect(authorIdentity('ACME Threat Intel').id).toBe(expectedId);
    expect(authorIdentity('ACME Threat Intel')).toEqual(authorIdentity('ACME Threat Intel'));
  });

  it('sets created_by_ref where missing and adds the identity once, first', () => {
    const noAuthor = valid('malware');
    const withAuthor = { ...valid('tool'), created_by_ref: idOf('identity') };
    const result = normalize([noAuthor, withAuthor, valid('relationship')], { upgrade20: true, now: NOW, enrich: enrich({ author }) });
    expect(result.objects[0]).toMatchObject({ type: 'identity', id: expectedId, name: author.name, identity_class: 'organization', spec_version: '2.1' });
    expect(result.objects.filter((o) => o.id === expectedId)).toHaveLength(1);
    expect(byId(result.objects, noAuthor.id)).toEqual({ ...noAuthor, created_by_ref: expectedId });
    expect(byId(result.objects, withAuthor.id)).toBe(withAuthor);
    expect(byId(result.objects, idOf('relationship'))?.created_by_ref).toBe(expectedId);
    expect(noAuthor.created_by_ref).toBeUndefined();
  });

  it('replaces every author with override_author', () => {
    const withAuthor = { ...valid('tool'), created_by_ref: idOf('identity') };
    const result = normalize([withAuthor], { upgrade20: true, now: NOW, enrich: enrich({ author, override_author: true }) });
    expect(byId(result.objects, withAuthor.id)?.created_by_ref).toBe(expectedId);
  });

  it('leaves SCOs, marking definitions and extension definitions without it', () => {
    const objects = [valid('ipv4-addr'), valid('marking-definition'), valid('extension-definition')];
    const result = normalize(objects, { upgrade20: true, now: NOW, enrich: enrich({ author, override_author: true }) });
    expect(result.objects).toEqual(objects);
    objects.forEach((o, i) => expect(result.objects[i]).toBe(o));
  });

  it('does not add the identity twice when the feed already carries it', () => {
    const identity = authorIdentity(author.name);
    const result = normalize([identity, valid('tool')], { upgrade20: true, now: NOW, enrich: enrich({ author }) });
    expect(result.objects.filter((o) => o.id === expectedId)).toHaveLength(1);
  });
});

describe('when TLP markings are configured', () => {
  it('adds the TLP 2.0 marking ids to every object but marking definitions, and the definitions once', () => {
    const tool = { ...valid('tool'), object_marking_refs: [TLP_MARKING_IDS.green] };
    const url = valid('url');
    const statement = valid('marking-definition');
    const result = normalize([tool, url, statement], { upgrade20: true, now: NOW, enrich: enrich({ markings: ['amber+strict', 'green'] }) });
    expect(byId(result.objects, tool.id)?.object_marking_refs).toEqual([TLP_MARKING_IDS.green, TLP_MARKING_IDS['amber+strict']]);
    expect(byId(result.objects, url.id)?.object_marking_refs).toEqual([TLP_MARKING_IDS['amber+strict'], TLP_MARKING_IDS.green]);
    expect(byId(result.objects, statement.id)).toBe(statement);
    expect(byId(result.objects, TLP_MARKING_IDS['amber+strict'])).toEqual({
      type: 'marking-definition', spec_version: '2.1', id: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
      created: '2022-10-01T00:00:00.000Z', name: 'TLP:AMBER+STRICT',
      extensions: { 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { extension_type: 'property-extension', tlp_2_0: 'amber+strict' } },
    });
    expect(result.objects.filter((o) => o.type === 'marking-definition')).toHaveLength(3);
  });

  it.each([
    ['clear', 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'],
    ['green', 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'],
    ['amber', 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
    ['amber+strict', 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003'],
    ['red', 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'],
  ] as const)('uses the standard id of TLP:%s', (name, id) => {
    const result = normalize([valid('tool')], { upgrade20: true, now: NOW, enrich: enrich({ markings: [name] }) });
    expect(result.objects[0]).toMatchObject({ id, name: `TLP:${name.toUpperCase()}` });
    expect(result.objects[1].object_marking_refs).toEqual([id]);
  });
});

describe('when labels, confidence and OpenCTI hints are configured', () => {
  const config = enrich({ labels: ['feed:acme', 'c2'], confidence: 60, opencti: { score: 75, main_observable_type: 'IPv4-Addr', create_observables: true } });

  it('adds labels to SDOs only, without duplicates', () => {
    const malware = { ...valid('malware'), labels: ['c2'] };
    const result = normalize([malware, valid('relationship'), valid('url')], { upgrade20: true, now: NOW, enrich: enrich({ labels: ['feed:acme', 'c2'] }) });
    expect(result.objects[0].labels).toEqual(['c2', 'feed:acme']);
    expect(result.objects[1]).toEqual(valid('relationship'));
    expect(result.objects[2]).toEqual(valid('url'));
  });

  it('sets confidence where missing on SDOs and SROs, never over the feed', () => {
    const sure = { ...valid('tool'), confidence: 95 };
    const result = normalize([sure, valid('relationship'), valid('url')], { upgrade20: true, now: NOW, enrich: enrich({ confidence: 60 }) });
    expect(result.objects.map((o) => o.confidence)).toEqual([95, 60, undefined]);
    expect(result.objects[0]).toBe(sure);
  });

  it('sets the OpenCTI hints on indicators only, keeping values the feed sent', () => {
    const scored = { ...valid('indicator'), id: idOf('indicator', 2), x_opencti_score: 10 };
    const result = normalize([valid('indicator'), scored, valid('malware')], { upgrade20: true, now: NOW, enrich: config });
    expect(result.objects[0]).toMatchObject({ x_opencti_score: 75, x_opencti_main_observable_type: 'IPv4-Addr', x_opencti_create_observables: true });
    expect(result.objects[1]).toMatchObject({ x_opencti_score: 10, x_opencti_main_observable_type: 'IPv4-Addr' });
    expect(result.objects[2].x_opencti_score).toBeUndefined();
  });

  it('changes nothing beyond what it was asked', () => {
    const input = valid('indicator');
    const [out] = normalize([input], { upgrade20: true, now: NOW, enrich: config }).objects;
    const { labels, confidence, x_opencti_score, x_opencti_main_observable_type, x_opencti_create_observables, ...rest } = out;
    expect(rest).toEqual(input);
    expect({ labels, confidence, x_opencti_score, x_opencti_main_observable_type, x_opencti_create_observables }).toEqual({
      labels: ['feed:acme', 'c2'], confidence: 60, x_opencti_score: 75, x_opencti_main_observable_type: 'IPv4-Addr', x_opencti_create_observables: true,
    });
  });
});

describe('when filters are configured', () => {
  const run = (objects: unknown[], f: Partial<FilterConfig>) => normalize(objects, { upgrade20: true, now: NOW, filter: filter(f) });

  it('keeps only include_types', () => {
    const result = run([valid('tool'), valid('indicator'), valid('url')], { include_types: ['indicator', 'url'] });
    expect(result.objects.map((o) => o.type)).toEqual(['indicator', 'url']);
    expect(result.filtered).toBe(1);
    expect(result.rejected).toEqual([]);
  });

  it('drops exclude_types', () => {
    const result = run([valid('tool'), valid('indicator'), valid('url')], { exclude_types: ['tool'] });
    expect(result.objects.map((o) => o.type)).toEqual(['indicator', 'url']);
    expect(result.filtered).toBe(1);
  });

  it('drops revoked objects when asked', () => {
    const revoked = { ...valid('tool'), revoked: true };
    expect(run([revoked, valid('malware')], { drop_revoked: true }).objects).toEqual([valid('malware')]);
    expect(run([revoked], {}).objects).toEqual([revoked]);
  });

  it('drops indicators whose valid_until is not after the injected now', () => {
    const expired = { ...valid('indicator'), id: idOf('indicator', 1), valid_until: '2025-05-31T23:59:59.999999Z' };
    const atNow = { ...valid('indicator'), id: idOf('indicator', 2), valid_until: '2025-06-01T00:00:00Z' };
    const current = { ...valid('indicator'), id: idOf('indicator', 3), valid_until: '2025-06-01T00:00:00.000001Z' };
    const result = run([expired, atNow, current, valid('indicator')], { drop_expired_indicators: true });
    expect(result.objects.map((o) => o.id)).toEqual([current.id, valid('indicator').id]);
    expect(result.filtered).toBe(2);
  });

  it('filters the newest version of a duplicated id (a later revocation wins)', () => {
    const v1 = valid('tool');
    const v2 = { ...v1, modified: '2024-09-01T00:00:00Z', revoked: true };
    const result = run([v1, v2], { drop_revoked: true });
    expect(result).toMatchObject({ objects: [], duplicates: 1, filtered: 1 });
  });
});
