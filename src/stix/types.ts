// Core STIX 2.1 shapes shared across the connector (the full per-type schemas live beside this file).

/** Any STIX 2.1 object: common properties typed, the rest (incl. custom `x_` ones) kept as is. */
export interface StixObject {
  type: string;
  id: string;
  spec_version?: string;
  created?: string;
  modified?: string;
  [key: string]: unknown;
}

/** STIX 2.1 §8: a bundle is a transport wrapper, not a STIX object; it has no spec_version. */
export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/** One object the connector refused, with why: the unit of a dead-letter entry for objects. */
export interface Rejection {
  /** The object's id, when it had a usable one. */
  id?: string;
  type?: string;
  /** Stable reason code, e.g. `INVALID_ID`, `MISSING_PROPERTY`, `PATTERN_SYNTAX`. */
  reason: string;
  message: string;
  /** The object as received, capped in size. */
  raw: unknown;
}
