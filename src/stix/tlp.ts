// TLP 2.0 marking definitions (OASIS cti-stix-common-objects, TLP 2.0 extension
// extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d): the standard ids and objects.
import type { TLP_NAMES } from '../config/schema';
import type { StixObject } from './types';

export type TlpName = (typeof TLP_NAMES)[number];

export const TLP_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

export const TLP_MARKING_IDS: Readonly<Record<TlpName, string>> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** The standard marking-definition object of a TLP 2.0 level (a fresh copy each call). */
export function tlpMarkingDefinition(name: TlpName): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP_MARKING_IDS[name],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${name.toUpperCase()}`,
    extensions: {
      [TLP_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: name },
    },
  };
}
