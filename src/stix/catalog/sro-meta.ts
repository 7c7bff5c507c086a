// The two STIX Relationship Objects (STIX 2.1 §5) and the meta objects: marking-definition (§7.2),
// language-content (§7.1) and extension-definition (§7.3).
import { SDO_SRO_COMMON, sro, timeOrder, type Rule, type TypeSpec } from './common';
import { optional, required } from './property';

/** STIX 2.1 §7.2.1: definition_type and definition come together. */
const definitionPair: Rule = (obj) => {
  if ((obj.definition_type === undefined) === (obj.definition === undefined)) return undefined;
  return { reason: 'MISSING_PROPERTY', message: 'marking-definition.definition_type and definition must be present together' };
};

export const SRO_SPECS: readonly TypeSpec[] = [
  sro(
    'relationship',
    [
      required('relationship_type', 'string'),
      required('source_ref', 'identifier'),
      required('target_ref', 'identifier'),
      optional('description', 'string'),
      optional('start_time', 'timestamp'),
      optional('stop_time', 'timestamp'),
    ],
    [timeOrder('start_time', 'stop_time', true)],
  ),
  sro(
    'sighting',
    [
      required('sighting_of_ref', 'identifier'),
      optional('first_seen', 'timestamp'),
      optional('last_seen', 'timestamp'),
      optional('count', 'integer', { min: 0, max: 999_999_999 }),
      optional('observed_data_refs', 'identifiers', { refTypes: ['observed-data'] }),
      optional('where_sighted_refs', 'identifiers', { refTypes: ['identity', 'location'] }),
      optional('summary', 'boolean'),
    ],
    [timeOrder('first_seen', 'last_seen')],
  ),
];

export const META_SPECS: readonly TypeSpec[] = [
  {
    type: 'marking-definition',
    category: 'meta',
    versioned: true,
    properties: [
      required('created', 'timestamp'),
      optional('created_by_ref', 'identifier', { refTypes: ['identity'] }),
      optional('external_references', 'external-references'),
      optional('object_marking_refs', 'identifiers', { refTypes: ['marking-definition'] }),
      optional('granular_markings', 'objects'),
      optional('name', 'string'),
      optional('definition_type', 'string'),
      optional('definition', 'dictionary'),
      optional('extensions', 'dictionary'),
    ],
    rules: [definitionPair],
  },
  {
    type: 'language-content',
    category: 'meta',
    versioned: true,
    properties: [...SDO_SRO_COMMON, required('object_ref', 'identifier'), optional('object_modified', 'timestamp'), required('contents', 'dictionary')],
    rules: [],
  },
  {
    type: 'extension-definition',
    category: 'meta',
    versioned: true,
    properties: [
      ...SDO_SRO_COMMON.filter((p) => p.name !== 'created_by_ref'),
      required('created_by_ref', 'identifier', { refTypes: ['identity'] }),
      required('name', 'string'),
      required('schema', 'string'),
      required('version', 'string'),
      required('extension_types', 'strings', { nonEmpty: true }),
      optional('extension_properties', 'strings'),
    ],
    rules: [],
  },
];
