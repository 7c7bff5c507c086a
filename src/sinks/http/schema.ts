// Zod schemas of the TAXII 2.1 replies the push mode reads (only the fields it reads): the
// collection resource (§5.2) and the status resource (§4.3.1) with its status details.
import { z } from 'zod';

/** TAXII 2.1 §5.2: collection. Only `can_write` matters to a push. */
export const CollectionResource = z.object({
  id: z.string().optional(),
  can_write: z.boolean().optional(),
});

/** TAXII 2.1 §4.3.1: status details — `version` is the object's `modified` (or `created`, or `date_added`). */
export const StatusDetails = z.object({
  id: z.string(),
  version: z.string().optional(),
  message: z.string().optional(),
});
export type StatusDetails = z.infer<typeof StatusDetails>;

const detailsList = z.array(z.unknown()).optional().transform((items) => (items ?? []).flatMap((i) => {
  const parsed = StatusDetails.safeParse(i);
  return parsed.success ? [parsed.data] : [];
}));

/** TAXII 2.1 §4.3.1: status resource; `status` is `complete` or `pending`. */
export const StatusResource = z.object({
  id: z.string(),
  status: z.string(),
  total_count: z.number().optional(),
  success_count: z.number().optional(),
  failure_count: z.number().optional(),
  pending_count: z.number().optional(),
  failures: detailsList,
  pendings: detailsList,
});
export type StatusResource = z.infer<typeof StatusResource>;
