// The nineteen STIX Domain Objects (STIX 2.1 §4): required properties, checked ones, and rules.
import { findPatternError } from '../pattern';
import { anyOf, requires, sdo, timeOrder, type Rule, type TypeSpec } from './common';
import { optional, required } from './property';

/** STIX 2.1 §4.7: a `stix` pattern must parse; other pattern languages are not checked. */
const stixPatternParses: Rule = (obj) => {
  if (obj.pattern_type !== 'stix' || typeof obj.pattern !== 'string') return undefined;
  const error = findPatternError(obj.pattern);
  return error === undefined ? undefined : { reason: 'PATTERN_SYNTAX', message: `indicator.pattern: ${error.message}` };
};

/** STIX 2.1 §4.11: a malware family must be named. */
const familyHasName: Rule = (obj) =>
  obj.is_family === true && obj.name === undefined
    ? { reason: 'MISSING_PROPERTY', message: 'malware.name is required when is_family is true' }
    : undefined;

/** STIX 2.1 §4.14: exactly one of `objects` (deprecated) and `object_refs`. */
const observedDataContent: Rule = (obj) => {
  const hasObjects = obj.objects !== undefined;
  const hasRefs = obj.object_refs !== undefined;
  if (hasObjects !== hasRefs) return undefined;
  return hasObjects
    ? { reason: 'INVALID_PROPERTY', message: 'observed-data must not have both objects and object_refs' }
    : { reason: 'MISSING_PROPERTY', message: 'observed-data must have object_refs (or the deprecated objects)' };
};

const seen = (): Rule => timeOrder('first_seen', 'last_seen');
const aliases = optional('aliases', 'strings');
const killChain = optional('kill_chain_phases', 'kill-chain-phases');
const objectRefs = required('object_refs', 'identifiers', { nonEmpty: true });

export const SDO_SPECS: readonly TypeSpec[] = [
  sdo('attack-pattern', [required('name', 'string'), aliases, killChain]),
  sdo('campaign', [required('name', 'string'), aliases, optional('first_seen', 'timestamp'), optional('last_seen', 'timestamp')], [seen()]),
  sdo('course-of-action', [required('name', 'string')]),
  sdo('grouping', [required('context', 'string'), objectRefs, optional('name', 'string')]),
  sdo('identity', [required('name', 'string'), optional('identity_class', 'string'), optional('roles', 'strings'), optional('sectors', 'strings')]),
  sdo('incident', [required('name', 'string'), killChain]),
  sdo(
    'indicator',
    [
      optional('name', 'string'),
      required('pattern', 'string'),
      required('pattern_type', 'string'),
      optional('pattern_version', 'string'),
      required('valid_from', 'timestamp'),
      optional('valid_until', 'timestamp'),
      optional('indicator_types', 'strings'),
      killChain,
    ],
    [timeOrder('valid_from', 'valid_until', true), stixPatternParses],
  ),
  sdo(
    'infrastructure',
    [required('name', 'string'), optional('infrastructure_types', 'strings'), aliases, killChain, optional('first_seen', 'timestamp'), optional('last_seen', 'timestamp')],
    [seen()],
  ),
  sdo(
    'intrusion-set',
    [required('name', 'string'), aliases, optional('goals', 'strings'), optional('first_seen', 'timestamp'), optional('last_seen', 'timestamp')],
    [seen()],
  ),
  sdo(
    'location',
    [
      optional('latitude', 'number', { min: -90, max: 90 }),
      optional('longitude', 'number', { min: -180, max: 180 }),
      optional('precision', 'number', { min: 0 }),
      optional('region', 'string'),
      optional('country', 'string'),
    ],
    // STIX 2.1 §4.10: region, country, or latitude with longitude.
    [requires('latitude', 'longitude'), requires('longitude', 'latitude'), requires('precision', 'latitude'), anyOf('region', 'country', 'latitude')],
  ),
  sdo(
    'malware',
    [
      required('is_family', 'boolean'),
      optional('name', 'string'),
      optional('malware_types', 'strings'),
      aliases,
      killChain,
      optional('first_seen', 'timestamp'),
      optional('last_seen', 'timestamp'),
      optional('sample_refs', 'identifiers'),
      optional('operating_system_refs', 'identifiers'),
    ],
    [familyHasName, seen()],
  ),
  sdo(
    'malware-analysis',
    [
      required('product', 'string'),
      optional('result', 'string'),
      optional('analysis_sco_refs', 'identifiers'),
      optional('sample_ref', 'identifier'),
      optional('host_vm_ref', 'identifier'),
      optional('operating_system_ref', 'identifier'),
      optional('installed_software_refs', 'identifiers'),
    ],
    // STIX 2.1 §4.12: one of result or analysis_sco_refs.
    [anyOf('result', 'analysis_sco_refs')],
  ),
  sdo('note', [required('content', 'string'), objectRefs, optional('abstract', 'string'), optional('authors', 'strings')]),
  sdo(
    'observed-data',
    [
      required('first_observed', 'timestamp'),
      required('last_observed', 'timestamp'),
      required('number_observed', 'integer', { min: 1, max: 999_999_999 }),
      optional('objects', 'dictionary'),
      optional('object_refs', 'identifiers', { nonEmpty: true }),
    ],
    [observedDataContent, timeOrder('first_observed', 'last_observed')],
  ),
  sdo('opinion', [
    required('opinion', 'enum', { values: ['strongly-disagree', 'disagree', 'neutral', 'agree', 'strongly-agree'] }),
    objectRefs,
    optional('explanation', 'string'),
    optional('authors', 'strings'),
  ]),
  sdo('report', [required('name', 'string'), required('published', 'timestamp'), objectRefs, optional('report_types', 'strings')]),
  sdo(
    'threat-actor',
    [
      required('name', 'string'),
      optional('threat_actor_types', 'strings'),
      aliases,
      optional('roles', 'strings'),
      optional('goals', 'strings'),
      optional('first_seen', 'timestamp'),
      optional('last_seen', 'timestamp'),
    ],
    [seen()],
  ),
  sdo('tool', [required('name', 'string'), optional('tool_types', 'strings'), aliases, killChain, optional('tool_version', 'string')]),
  sdo('vulnerability', [required('name', 'string')]),
];

