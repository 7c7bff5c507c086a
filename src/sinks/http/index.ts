// HTTP sink: POSTs bundles to a STIX endpoint, or pushes objects to a TAXII 2.1 collection.
export { HttpSink } from './sink';
export { STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE } from './options';
export type { HttpSinkMode, HttpSinkOptions } from './options';
export { taxiiTarget } from './taxii-mode';
export type { TaxiiTarget } from './taxii-mode';
