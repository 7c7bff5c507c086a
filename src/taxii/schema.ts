// TAXII 2.1 resources as read at the boundary: only the fields the client uses are declared, every
// object is loose (unknown members kept), list items that cannot be used are dropped one by one,
// and STIX objects themselves are not validated here (normalization does that).
import { z } from 'zod';

/** An array whose unusable items are dropped instead of failing the whole list. */
function looseArray<T extends z.ZodType>(item: T) {
  return z.array(z.unknown()).transform((items) => {
    const kept: z.output<T>[] = [];
    for (const i of items) {
      const r = item.safeParse(i);
      if (r.success) kept.push(r.data);
    }
    return kept;
  });
}

/** A text property some servers send as a number, or as null for "absent". */
const text = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? undefined : String(v)));

/** A text property only used for display: a wrong type is ignored, never an error. */
const label = z.string().optional().catch(undefined);

/** TAXII 2.1 §3.6.1 error message. Every field optional: it only decorates an HTTP error. */
export const TaxiiErrorBody = z.looseObject({
  title: label,
  description: label,
  error_id: label,
  error_code: label,
  http_status: z.union([z.string(), z.number()]).optional().catch(undefined),
});
export type TaxiiErrorBody = z.infer<typeof TaxiiErrorBody>;

/** TAXII 2.1 §4.1 discovery resource. */
export const Discovery = z.looseObject({
  title: label,
  description: label,
  contact: label,
  default: text,
  api_roots: looseArray(z.string()).optional(),
});
export type Discovery = z.infer<typeof Discovery>;

/** TAXII 2.1 §4.2 API root resource. */
export const ApiRootInfo = z.looseObject({
  title: label,
  description: label,
  versions: looseArray(z.string()).optional(),
  max_content_length: z.number().int().positive().optional().catch(undefined),
});
export type ApiRootInfo = z.infer<typeof ApiRootInfo>;

/** TAXII 2.1 §5.2 collection resource; `can_read` defaults to true, `can_write` to false. */
export const CollectionInfo = z.looseObject({
  id: z.string().min(1),
  title: label,
  description: label,
  alias: label,
  can_read: z.boolean().default(true).catch(true),
  can_write: z.boolean().default(false).catch(false),
  media_types: looseArray(z.string()).optional(),
});
export type CollectionInfo = z.infer<typeof CollectionInfo>;

/** TAXII 2.1 §5.1 collections resource; `{}` means none. */
export const Collections = z.looseObject({ collections: looseArray(CollectionInfo).nullish() });

/** One problem of a response that is not the expected resource: where (`objects`, '' for the body) and what. */
export interface SchemaIssue {
  path: string;
  message: string;
}

/** The first problems of a failed parse, as plain data (they may cross a thread boundary). */
export function schemaIssues(error: z.ZodError): SchemaIssue[] {
  return error.issues.slice(0, 3).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** TAXII 2.1 §3.7 envelope. `objects` is any array (null taken as empty); objects are not checked. */
export const Envelope = z.looseObject({
  more: z.boolean().nullish(),
  next: text,
  objects: z.array(z.unknown()).nullish(),
});
export type Envelope = z.infer<typeof Envelope>;

/** TAXII 2.1 §5.3 manifest record. */
export const ManifestRecord = z.looseObject({
  id: z.string(),
  date_added: z.string(),
  version: text,
  media_type: text,
});
export type ManifestRecord = z.infer<typeof ManifestRecord>;

/** TAXII 2.1 §5.3 manifest resource. */
export const Manifest = z.looseObject({
  more: z.boolean().nullish(),
  next: text,
  objects: looseArray(ManifestRecord).nullish(),
});

/** TAXII 2.1 §5.8 versions resource. */
export const Versions = z.looseObject({
  more: z.boolean().nullish(),
  next: text,
  versions: looseArray(z.string()).nullish(),
});

const StatusDetail = z.looseObject({ id: z.string(), version: text, message: text });
export type StatusDetail = z.infer<typeof StatusDetail>;

/** TAXII 2.1 §4.3.1 status resource. */
export const Status = z.looseObject({
  id: z.string(),
  status: z.string(),
  request_timestamp: text,
  total_count: z.number().int().nonnegative().optional(),
  success_count: z.number().int().nonnegative().optional(),
  successes: looseArray(StatusDetail).optional(),
  failure_count: z.number().int().nonnegative().optional(),
  failures: looseArray(StatusDetail).optional(),
  pending_count: z.number().int().nonnegative().optional(),
  pendings: looseArray(StatusDetail).optional(),
});
export type Status = z.infer<typeof Status>;
