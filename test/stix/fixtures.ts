// Valid STIX 2.1 objects of every standard type, fresh on each call, for the STIX tests.
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StixObject } from '../../src/stix';

export const DATA_DIR = path.resolve(__dirname, '../../../shared/data');
export const ATTACK_FILES = ['ics-attack-18.1.json.gz', 'mobile-attack-17.1.json.gz'];

export function loadAttackBundle(file: string): { type: string; id: string; objects: StixObject[] } {
  return JSON.parse(gunzipSync(readFileSync(path.join(DATA_DIR, file))).toString('utf8'));
}

export const T1 = '2024-03-01T10:00:00.000Z';
export const T2 = '2024-03-02T10:00:00.000Z';
const ids: Record<string, string> = {
  identity: 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff',
  file: 'file--5b6e7b3c-0f2d-5e8a-9a6b-1b2c3d4e5f60',
  'ipv4-addr': 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd',
  'email-addr': 'email-addr--2d77a846-6264-5d51-b586-e43822ea1ea3',
  'observed-data': 'observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf',
  indicator: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
  malware: 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
};

export function idOf(type: string, n = 0): string {
  if (n === 0 && ids[type]) return ids[type];
  const hex = n.toString(16).padStart(12, '0');
  return `${type}--6ba7b810-9dad-41d1-80b4-${hex}`;
}

const sdoBase = (type: string): StixObject => ({ type, spec_version: '2.1', id: idOf(type), created: T1, modified: T2 });
const scoBase = (type: string): StixObject => ({ type, spec_version: '2.1', id: idOf(type) });

/** One valid object of each STIX 2.1 type, with the type's required properties. */
export function validObjects(): Record<string, StixObject> {
  return {
    'attack-pattern': { ...sdoBase('attack-pattern'), name: 'Spear Phishing', kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'initial-access' }] },
    campaign: { ...sdoBase('campaign'), name: 'Green Group Attacks', first_seen: T1, last_seen: T2 },
    'course-of-action': { ...sdoBase('course-of-action'), name: 'Add TCP port 80 filter rule' },
    grouping: { ...sdoBase('grouping'), context: 'suspicious-activity', object_refs: [idOf('indicator')] },
    identity: { ...sdoBase('identity'), name: 'ACME Widget, Inc.', identity_class: 'organization' },
    incident: { ...sdoBase('incident'), name: 'Breach of the build server' },
    indicator: {
      ...sdoBase('indicator'), name: 'Poison Ivy Malware', indicator_types: ['malicious-activity'],
      pattern: "[file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877']",
      pattern_type: 'stix', valid_from: T1,
    },
    infrastructure: { ...sdoBase('infrastructure'), name: 'Poison Ivy C2', infrastructure_types: ['command-and-control'] },
    'intrusion-set': { ...sdoBase('intrusion-set'), name: 'Bobcat Breakin', aliases: ['Zookeeper'] },
    location: { ...sdoBase('location'), region: 'south-eastern-asia', country: 'th' },
    malware: { ...sdoBase('malware'), name: 'Cryptolocker', is_family: true, malware_types: ['ransomware'] },
    'malware-analysis': { ...sdoBase('malware-analysis'), product: 'microsoft', result: 'malicious' },
    note: { ...sdoBase('note'), content: 'This note indicates the various steps taken.', object_refs: [idOf('campaign')] },
    'observed-data': { ...sdoBase('observed-data'), first_observed: T1, last_observed: T2, number_observed: 50, object_refs: [idOf('ipv4-addr')] },
    opinion: { ...sdoBase('opinion'), opinion: 'strongly-disagree', object_refs: [idOf('relationship')] },
    report: { ...sdoBase('report'), name: 'The Black Vine Cyberespionage Group', published: T2, object_refs: [idOf('indicator'), idOf('campaign')] },
    'threat-actor': { ...sdoBase('threat-actor'), name: 'Evil Org', threat_actor_types: ['crime-syndicate'] },
    tool: { ...sdoBase('tool'), name: 'VNC', tool_types: ['remote-access'] },
    vulnerability: { ...sdoBase('vulnerability'), name: 'CVE-2016-1234' },
    relationship: { ...sdoBase('relationship'), relationship_type: 'indicates', source_ref: idOf('indicator'), target_ref: idOf('malware') },
    sighting: { ...sdoBase('sighting'), sighting_of_ref: idOf('indicator'), where_sighted_refs: [idOf('identity')], count: 3 },
    artifact: { ...scoBase('artifact'), mime_type: 'application/zip', payload_bin: 'ZX7HIBWPsOc=' },
    'autonomous-system': { ...scoBase('autonomous-system'), number: 15139, name: 'Slime Industries' },
    directory: { ...scoBase('directory'), path: 'C:\\Windows\\System32' },
    'domain-name': { ...scoBase('domain-name'), value: 'example.com' },
    'email-addr': { ...scoBase('email-addr'), value: 'john@example.com', display_name: 'John Doe' },
    'email-message': { ...scoBase('email-message'), is_multipart: false, subject: 'Saying Hello', from_ref: idOf('email-addr'), body: 'Hi' },
    file: { ...scoBase('file'), name: 'foo.dll', hashes: { 'SHA-256': 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' } },
    'ipv4-addr': { ...scoBase('ipv4-addr'), value: '198.51.100.3' },
    'ipv6-addr': { ...scoBase('ipv6-addr'), value: '2001:0db8:85a3:0000:0000:8a2e:0370:7334' },
    'mac-addr': { ...scoBase('mac-addr'), value: 'd2:fb:49:24:37:18' },
    mutex: { ...scoBase('mutex'), name: '__CLEANSWEEP__' },
    'network-traffic': { ...scoBase('network-traffic'), protocols: ['ipv4', 'tcp'], src_ref: idOf('ipv4-addr'), dst_port: 443 },
    process: { ...scoBase('process'), pid: 1221, command_line: './gedit-bin --new-window' },
    software: { ...scoBase('software'), name: 'Word', vendor: 'Microsoft', version: '2002' },
    url: { ...scoBase('url'), value: 'https://example.com/research/index.html' },
    'user-account': { ...scoBase('user-account'), user_id: '1001', account_login: 'jdoe' },
    'windows-registry-key': { ...scoBase('windows-registry-key'), key: 'hkey_local_machine\\system\\bar\\foo' },
    'x509-certificate': { ...scoBase('x509-certificate'), issuer: 'C=ZA, ST=Western Cape', serial_number: '36:f7:d4:32:f4:ab:70:ea' },
    'marking-definition': {
      type: 'marking-definition', spec_version: '2.1', id: idOf('marking-definition'), created: T1,
      definition_type: 'statement', definition: { statement: 'Copyright 2019, Example Corp' },
    },
    'language-content': {
      ...sdoBase('language-content'), object_ref: idOf('campaign'), object_modified: T2,
      contents: { de: { name: 'Bank Angriff 1' } },
    },
    'extension-definition': {
      ...sdoBase('extension-definition'), created_by_ref: idOf('identity'), name: 'New SDO 1',
      schema: 'https://www.example.com/schema-my-favorite-sdo-1/v1/', version: '1.2.1', extension_types: ['new-sdo'],
    },
  };
}

export function valid(type: string): StixObject {
  const o = validObjects()[type];
  if (!o) throw new Error(`no fixture for ${type}`);
  return o;
}

export const NOW = new Date('2025-06-01T00:00:00Z');
