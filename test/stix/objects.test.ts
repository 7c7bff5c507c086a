// Per-type checks of normalize(): every STIX 2.1 type accepted when valid, each rule rejected with its reason.
import { normalize, schemaFor, SDO_TYPES, SRO_TYPES, SCO_TYPES, META_TYPES, type StixObject } from '../../src/stix';
import { idOf, NOW, T1, T2, valid, validObjects } from './fixtures';

const run = (objects: unknown[], upgrade20 = true) => normalize(objects, { upgrade20, now: NOW });
const without = (o: StixObject, key: string): StixObject => {
  const copy = { ...o };
  delete copy[key];
  return copy;
};
const withProps = (type: string, props: Record<string, unknown>): StixObject => ({ ...valid(type), ...props });

describe('the catalog', () => {
  it('covers every STIX 2.1 type', () => {
    expect(SDO_TYPES).toHaveLength(19);
    expect(SRO_TYPES).toEqual(['relationship', 'sighting']);
    expect(SCO_TYPES).toHaveLength(18);
    expect(META_TYPES).toEqual(['marking-definition', 'language-content', 'extension-definition']);
    expect(Object.keys(validObjects()).sort()).toEqual([...SDO_TYPES, ...SRO_TYPES, ...SCO_TYPES, ...META_TYPES].sort());
  });
});

describe('when an object of each type is valid', () => {
  it.each(Object.entries(validObjects()))('accepts %s unchanged (the very same object)', (_type, obj) => {
    const result = run([obj]);
    expect(result.rejected).toEqual([]);
    expect(result.objects).toHaveLength(1);
    expect(result.objects[0]).toBe(obj);
  });

  it.each(Object.entries(validObjects()))('the zod schema of %s accepts it too', (type, obj) => {
    expect(schemaFor(type).safeParse(obj).success).toBe(true);
  });
});

describe('when the common properties are wrong', () => {
  it.each<[string, unknown, string]>([
    ['a number', 42, 'NOT_AN_OBJECT'],
    ['null', null, 'NOT_AN_OBJECT'],
    ['an array', [valid('tool')], 'NOT_AN_OBJECT'],
    ['no type', without(valid('tool'), 'type'), 'MISSING_TYPE'],
    ['a numeric type', withProps('tool', { type: 7 }), 'INVALID_TYPE'],
    ['an upper-case type', withProps('tool', { type: 'Tool', id: 'Tool--6ba7b810-9dad-41d1-80b4-00c04fd430c8' }), 'INVALID_TYPE'],
    ['a type with a double hyphen', withProps('tool', { type: 'x--y' }), 'INVALID_TYPE'],
    ['a nested bundle', { type: 'bundle', id: 'bundle--6ba7b810-9dad-41d1-80b4-00c04fd430c8', objects: [] }, 'INVALID_TYPE'],
    ['no id', without(valid('tool'), 'id'), 'MISSING_ID'],
    ['an id without uuid', withProps('tool', { id: 'tool--1234' }), 'INVALID_ID'],
    ['an id that is not a string', withProps('tool', { id: 12 }), 'INVALID_ID'],
    ['an id of another type', withProps('tool', { id: idOf('malware') }), 'ID_TYPE_MISMATCH'],
    ['spec_version 2.2', withProps('tool', { spec_version: '2.2' }), 'SPEC_VERSION'],
    ['spec_version as a number', withProps('tool', { spec_version: 2.1 }), 'SPEC_VERSION'],
    ['an SCO with spec_version 3', withProps('url', { spec_version: '3.0' }), 'SPEC_VERSION'],
    ['no created', without(valid('tool'), 'created'), 'MISSING_PROPERTY'],
    ['no modified', without(valid('tool'), 'modified'), 'MISSING_PROPERTY'],
    ['a date without time', withProps('tool', { created: '2024-03-01' }), 'INVALID_TIMESTAMP'],
    ['February 30th', withProps('tool', { created: '2024-02-30T00:00:00Z' }), 'INVALID_TIMESTAMP'],
    ['hour 24', withProps('tool', { modified: '2024-03-02T24:00:00Z' }), 'INVALID_TIMESTAMP'],
    ['modified before created', withProps('tool', { created: T2, modified: T1 }), 'MODIFIED_BEFORE_CREATED'],
    ['modified a microsecond before created', withProps('tool', { created: '2024-03-01T10:00:00.000001Z', modified: '2024-03-01T10:00:00Z' }), 'MODIFIED_BEFORE_CREATED'],
    ['created_by_ref to a non-identity', withProps('tool', { created_by_ref: idOf('malware') }), 'INVALID_REFERENCE'],
    ['object_marking_refs with a bad id', withProps('tool', { object_marking_refs: ['tlp:green'] }), 'INVALID_REFERENCE'],
    ['labels that are not a list', withProps('tool', { labels: 'a,b' }), 'INVALID_PROPERTY'],
    ['confidence 101', withProps('tool', { confidence: 101 }), 'INVALID_PROPERTY'],
    ['confidence 50.5', withProps('tool', { confidence: 50.5 }), 'INVALID_PROPERTY'],
    ['revoked as a string', withProps('tool', { revoked: 'false' }), 'INVALID_PROPERTY'],
    ['an external reference without source_name', withProps('tool', { external_references: [{ url: 'https://x' }] }), 'INVALID_PROPERTY'],
    ['a kill chain phase without phase_name', withProps('tool', { kill_chain_phases: [{ kill_chain_name: 'lm' }] }), 'INVALID_PROPERTY'],
  ])('rejects %s', (_what, obj, reason) => {
    const result = run([obj]);
    expect(result.objects).toEqual([]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0].reason).toBe(reason);
    expect(result.rejected[0].message).toEqual(expect.any(String));
  });
});

describe('when a type-specific property is wrong', () => {
  it.each<[string, StixObject, string]>([
    ['an indicator without pattern', without(valid('indicator'), 'pattern'), 'MISSING_PROPERTY'],
    ['an indicator without pattern_type', without(valid('indicator'), 'pattern_type'), 'MISSING_PROPERTY'],
    ['an indicator without valid_from', without(valid('indicator'), 'valid_from'), 'MISSING_PROPERTY'],
    ['an indicator with a broken STIX pattern', withProps('indicator', { pattern: "[ipv4-addr:value = '1.2.3.4'" }), 'PATTERN_SYNTAX'],
    ['an indicator valid_until before valid_from', withProps('indicator', { valid_until: '2024-02-01T00:00:00Z' }), 'INVALID_TIME_RANGE'],
    ['an indicator valid_until equal to valid_from', withProps('indicator', { valid_until: T1 }), 'INVALID_TIME_RANGE'],
    ['a relationship without relationship_type', without(valid('relationship'), 'relationship_type'), 'MISSING_PROPERTY'],
    ['a relationship without source_ref', without(valid('relationship'), 'source_ref'), 'MISSING_PROPERTY'],
    ['a relationship without target_ref', without(valid('relationship'), 'target_ref'), 'MISSING_PROPERTY'],
    ['a relationship with a malformed target_ref', withProps('relationship', { target_ref: 'malware' }), 'INVALID_REFERENCE'],
    ['a relationship stopping before it starts', withProps('relationship', { start_time: T2, stop_time: T1 }), 'INVALID_TIME_RANGE'],
    ['a sighting without sighting_of_ref', without(valid('sighting'), 'sighting_of_ref'), 'MISSING_PROPERTY'],
    ['a sighting seen where a malware is', withProps('sighting', { where_sighted_refs: [idOf('malware')] }), 'INVALID_REFERENCE'],
    ['a sighting with a negative count', withProps('sighting', { count: -1 }), 'INVALID_PROPERTY'],
    ['a report without name', without(valid('report'), 'name'), 'MISSING_PROPERTY'],
    ['a report without published', without(valid('report'), 'published'), 'MISSING_PROPERTY'],
    ['a report without object_refs', without(valid('report'), 'object_refs'), 'MISSING_PROPERTY'],
    ['a report with empty object_refs', withProps('report', { object_refs: [] }), 'INVALID_PROPERTY'],
    ['an attack-pattern without name', without(valid('attack-pattern'), 'name'), 'MISSING_PROPERTY'],
    ['a campaign last seen before first seen', withProps('campaign', { first_seen: T2, last_seen: T1 }), 'INVALID_TIME_RANGE'],
    ['a grouping without context', without(valid('grouping'), 'context'), 'MISSING_PROPERTY'],
    ['an identity without name', without(valid('identity'), 'name'), 'MISSING_PROPERTY'],
    ['a location with nothing to locate', without(without(valid('location'), 'region'), 'country'), 'MISSING_PROPERTY'],
    ['a location with latitude only', { ...without(without(valid('location'), 'region'), 'country'), latitude: 48.8 }, 'MISSING_PROPERTY'],
    ['a location with latitude 91', withProps('location', { latitude: 91, longitude: 2 }), 'INVALID_PROPERTY'],
    ['a malware without is_family', without(valid('malware'), 'is_family'), 'MISSING_PROPERTY'],
    ['a malware family without name', without(valid('malware'), 'name'), 'MISSING_PROPERTY'],
    ['a malware-analysis without result or analysis_sco_refs', without(valid('malware-analysis'), 'result'), 'MISSING_PROPERTY'],
    ['a note without content', without(valid('note'), 'content'), 'MISSING_PROPERTY'],
    ['an observed-data without number_observed', without(valid('observed-data'), 'number_observed'), 'MISSING_PROPERTY'],
    ['an observed-data observed 0 times', withProps('observed-data', { number_observed: 0 }), 'INVALID_PROPERTY'],
    ['an observed-data with objects and object_refs', withProps('observed-data', { objects: { 0: { type: 'ipv4-addr' } } }), 'INVALID_PROPERTY'],
    ['an observed-data with neither objects nor object_refs', without(valid('observed-data'), 'object_refs'), 'MISSING_PROPERTY'],
    ['an opinion outside the vocabulary', withProps('opinion', { opinion: 'maybe' }), 'INVALID_PROPERTY'],
    ['a threat-actor without name', without(valid('threat-actor'), 'name'), 'MISSING_PROPERTY'],
    ['a tool without name', without(valid('tool'), 'name'), 'MISSING_PROPERTY'],
    ['a vulnerability without name', without(valid('vulnerability'), 'name'), 'MISSING_PROPERTY'],
    ['an infrastructure without name', without(valid('infrastructure'), 'name'), 'MISSING_PROPERTY'],
    ['an intrusion-set without name', without(valid('intrusion-set'), 'name'), 'MISSING_PROPERTY'],
    ['an incident without name', without(valid('incident'), 'name'), 'MISSING_PROPERTY'],
    ['a course-of-action without name', without(valid('course-of-action'), 'name'), 'MISSING_PROPERTY'],
    ['an artifact with payload_bin and url', withProps('artifact', { url: 'https://x/a.zip', hashes: { MD5: 'a' } }), 'INVALID_PROPERTY'],
    ['an artifact url without hashes', { ...without(valid('artifact'), 'payload_bin'), url: 'https://x/a.zip' }, 'MISSING_PROPERTY'],
    ['an autonomous-system without number', without(valid('autonomous-system'), 'number'), 'MISSING_PROPERTY'],
    ['a directory without path', without(valid('directory'), 'path'), 'MISSING_PROPERTY'],
    ['a domain-name without value', without(valid('domain-name'), 'value'), 'MISSING_PROPERTY'],
    ['an email-addr with a numeric value', withProps('email-addr', { value: 5 }), 'INVALID_PROPERTY'],
    ['an email-message without is_multipart', without(valid('email-message'), 'is_multipart'), 'MISSING_PROPERTY'],
    ['a single-part email-message with body_multipart', withProps('email-message', { body_multipart: [{ body: 'x' }] }), 'INVALID_PROPERTY'],
    ['a file with neither hashes nor name', without(without(valid('file'), 'hashes'), 'name'), 'MISSING_PROPERTY'],
    ['a file with a negative size', withProps('file', { size: -5 }), 'INVALID_PROPERTY'],
    ['an ipv4-addr without value', without(valid('ipv4-addr'), 'value'), 'MISSING_PROPERTY'],
    ['an ipv6-addr without value', without(valid('ipv6-addr'), 'value'), 'MISSING_PROPERTY'],
    ['a mac-addr without value', without(valid('mac-addr'), 'value'), 'MISSING_PROPERTY'],
    ['a mutex without name', without(valid('mutex'), 'name'), 'MISSING_PROPERTY'],
    ['a network-traffic without protocols', without(valid('network-traffic'), 'protocols'), 'MISSING_PROPERTY'],
    ['a network-traffic without src_ref and dst_ref', without(valid('network-traffic'), 'src_ref'), 'MISSING_PROPERTY'],
    ['a network-traffic to port 70000', withProps('network-traffic', { dst_port: 70000 }), 'INVALID_PROPERTY'],
    ['a process with a string pid', withProps('process', { pid: '1221' }), 'INVALID_PROPERTY'],
    ['a software without name', without(valid('software'), 'name'), 'MISSING_PROPERTY'],
    ['a url without value', without(valid('url'), 'value'), 'MISSING_PROPERTY'],
    ['a user-account with a bad account_created', withProps('user-account', { account_created: 'yesterday' }), 'INVALID_TIMESTAMP'],
    ['a windows-registry-key with a numeric key', withProps('windows-registry-key', { key: 1 }), 'INVALID_PROPERTY'],
    ['an x509-certificate with is_self_signed "yes"', withProps('x509-certificate', { is_self_signed: 'yes' }), 'INVALID_PROPERTY'],
    ['a marking-definition without created', without(valid('marking-definition'), 'created'), 'MISSING_PROPERTY'],
    ['a marking-definition with definition_type only', without(valid('marking-definition'), 'definition'), 'MISSING_PROPERTY'],
    ['a language-content without contents', without(valid('language-content'), 'contents'), 'MISSING_PROPERTY'],
    ['a language-content without object_ref', without(valid('language-content'), 'object_ref'), 'MISSING_PROPERTY'],
    ['an extension-definition without created_by_ref', without(valid('extension-definition'), 'created_by_ref'), 'MISSING_PROPERTY'],
    ['an extension-definition without extension_types', without(valid('extension-definition'), 'extension_types'), 'MISSING_PROPERTY'],
    ['an extension-definition without schema', without(valid('extension-definition'), 'schema'), 'MISSING_PROPERTY'],
  ])('rejects %s', (_what, obj, reason) => {
    const result = run([obj]);
    expect(result.rejected.map((r) => r.reason)).toEqual([reason]);
    expect(result.rejected[0]).toMatchObject({ id: obj.id, type: obj.type, raw: obj });
    expect(schemaFor(obj.type).safeParse(obj).success).toBe(false);
  });
});

describe('when objects carry custom content (STIX 2.1 §11)', () => {
  const customObject = {
    type: 'x-mitre-tactic', spec_version: '2.1', id: 'x-mitre-tactic--2558fd61-8c75-4730-94c4-11926db2a263',
    created: T1, modified: T2, name: 'Credential Access', x_mitre_shortname: 'credential-access', x_mitre_domains: ['enterprise-attack'],
  };

  it('passes custom objects through untouched', () => {
    const result = run([customObject]);
    expect(result.objects[0]).toBe(customObject);
  });

  it('keeps custom properties on standard objects untouched', () => {
    const tool = { ...valid('tool'), x_mitre_version: '1.2', x_acme: { nested: [1, 2, { deep: null }] } };
    const result = run([tool]);
    expect(result.objects[0]).toBe(tool);
    expect(result.objects[0]).toEqual(JSON.parse(JSON.stringify(tool)));
  });

  it('accepts a custom SCO-like object without created or spec_version', () => {
    const obj = { type: 'x-usb-device', id: 'x-usb-device--6ba7b810-9dad-41d1-80b4-00c04fd430c8', serial: '575833314133' };
    expect(run([obj]).objects).toEqual([obj]);
  });

  it('still checks the common properties a custom object carries', () => {
    const result = run([{ ...customObject, created: T2, modified: T1 }]);
    expect(result.rejected[0].reason).toBe('MODIFIED_BEFORE_CREATED');
  });
});

describe('when timestamps use odd but valid RFC 3339 forms', () => {
  it.each([
    ['lower-case t and z', '2024-03-01t10:00:00.000z'],
    ['an offset', '2024-03-01T12:00:00+02:00'],
    ['a negative offset', '2024-03-01T05:00:00-05:00'],
    ['nanoseconds', '2024-03-01T10:00:00.123456789Z'],
    ['no fraction', '2024-03-01T10:00:00Z'],
    ['a leap day', '2024-02-29T10:00:00Z'],
  ])('accepts %s', (_what, ts) => {
    const obj = withProps('tool', { created: ts, modified: '2024-03-02T10:00:00Z' });
    expect(run([obj]).objects).toEqual([obj]);
  });

  it('compares at full precision, not truncated to milliseconds', () => {
    const ok = withProps('tool', { created: '2024-03-01T10:00:00.1234565Z', modified: '2024-03-01T10:00:00.1234566Z' });
    const bad = withProps('tool', { created: '2024-03-01T10:00:00.1234566Z', modified: '2024-03-01T10:00:00.1234565Z' });
    const result = run([ok, { ...bad, id: idOf('tool', 2) }]);
    expect(result.objects).toEqual([ok]);
    expect(result.rejected[0].reason).toBe('MODIFIED_BEFORE_CREATED');
  });

  it('compares instants across offsets', () => {
    // 10:30+02:00 is 08:30Z, earlier than 09:00Z.
    const obj = withProps('tool', { created: '2024-03-01T09:00:00Z', modified: '2024-03-01T10:30:00+02:00' });
    expect(run([obj]).rejected[0].reason).toBe('MODIFIED_BEFORE_CREATED');
  });
});
