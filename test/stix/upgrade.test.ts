// STIX 2.0 objects: upgraded to 2.1 when `stix.upgrade_2_0` is on, refused with SPEC_VERSION_2_0 when off.
import { normalize, type StixObject } from '../../src/stix';
import { idOf, NOW, T1, T2 } from './fixtures';

const v20 = (type: string, props: Record<string, unknown>): StixObject => ({ type, id: idOf(type), created: T1, modified: T2, ...props });

describe('when STIX 2.0 objects arrive and upgrading is on', () => {
  it.each<[string, StixObject, Record<string, unknown>]>([
    ['an indicator gets pattern_type stix and indicator_types', v20('indicator', { labels: ['malicious-activity'], pattern: "[url:value = 'http://x/']", valid_from: T1 }),
      { spec_version: '2.1', pattern_type: 'stix', indicator_types: ['malicious-activity'] }],
    ['a malware gets is_family true and malware_types', v20('malware', { name: 'Emotet', labels: ['trojan'] }),
      { spec_version: '2.1', is_family: true, malware_types: ['trojan'] }],
    ['a tool gets tool_types', v20('tool', { name: 'VNC', labels: ['remote-access'] }), { spec_version: '2.1', tool_types: ['remote-access'] }],
    ['a threat-actor gets threat_actor_types', v20('threat-actor', { name: 'Evil Org', labels: ['crime-syndicate'] }),
      { spec_version: '2.1', threat_actor_types: ['crime-syndicate'] }],
    ['a report gets report_types', v20('report', { name: 'R', published: T2, object_refs: [idOf('malware')], labels: ['threat-report'] }),
      { spec_version: '2.1', report_types: ['threat-report'] }],
    ['an infrastructure gets infrastructure_types', v20('infrastructure', { name: 'C2', labels: ['botnet'] }),
      { spec_version: '2.1', infrastructure_types: ['botnet'] }],
    ['a relationship gets spec_version', v20('relationship', { relationship_type: 'uses', source_ref: idOf('malware'), target_ref: idOf('tool') }), { spec_version: '2.1' }],
    ['an object with spec_version "2.0" is upgraded too', v20('campaign', { spec_version: '2.0', name: 'C' }), { spec_version: '2.1' }],
  ])('%s', (_what, input, expected) => {
    const before = JSON.parse(JSON.stringify(input));
    const result = normalize([input], { upgrade20: true, now: NOW });
    expect(result.rejected).toEqual([]);
    expect(result.upgraded).toBe(1);
    expect(result.objects[0]).toMatchObject(expected);
    expect(result.objects[0].labels).toBeUndefined();
    expect(input).toEqual(before);
  });

  it('keeps labels when the 2.1 vocabulary property is already there', () => {
    const input = v20('malware', { name: 'M', is_family: false, labels: ['x'], malware_types: ['worm'] });
    const [out] = normalize([input], { upgrade20: true, now: NOW }).objects;
    expect(out).toMatchObject({ labels: ['x'], malware_types: ['worm'], is_family: false });
  });

  it('does not count 2.1 objects or SCOs without spec_version as upgraded', () => {
    const sco = { type: 'ipv4-addr', id: idOf('ipv4-addr'), value: '198.51.100.1' };
    const result = normalize([sco, { ...v20('tool', { name: 'T' }), spec_version: '2.1' }], { upgrade20: true, now: NOW });
    expect(result.objects).toHaveLength(2);
    expect(result.objects[0]).toBe(sco);
    expect(result.upgraded).toBe(0);
  });

  it('rejects a 2.0 object that is still invalid after the upgrade', () => {
    const result = normalize([v20('indicator', { labels: ['x'], pattern: '[url:value = ', valid_from: T1 })], { upgrade20: true, now: NOW });
    expect(result.rejected[0]).toMatchObject({ reason: 'PATTERN_SYNTAX', raw: { labels: ['x'] } });
    expect(result.upgraded).toBe(0);
  });
});

describe('when STIX 2.0 objects arrive and upgrading is off', () => {
  it('rejects them with SPEC_VERSION_2_0', () => {
    const input = v20('tool', { name: 'VNC', labels: ['remote-access'] });
    const result = normalize([input], { upgrade20: false, now: NOW });
    expect(result.objects).toEqual([]);
    expect(result.rejected).toEqual([expect.objectContaining({ reason: 'SPEC_VERSION_2_0', id: input.id, type: 'tool', raw: input })]);
  });
});
