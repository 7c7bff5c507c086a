// Zod schemas of the GraphQL replies the OpenCTI sink reads (only the fields it reads), and of the
// GraphQL error envelope. OpenCTI schema: opencti-graphql/config/schema/opencti.graphql.
import { z } from 'zod';

/** One GraphQL error; OpenCTI puts its error type in `extensions.code` (errors.ts of the platform). */
export const GraphQlError = z.object({
  message: z.string().catch('(no message)'),
  extensions: z
    .object({
      code: z.string().optional(),
      data: z.object({ http_status: z.number().optional() }).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
});
export type GraphQlError = z.infer<typeof GraphQlError>;

export const GraphQlEnvelope = z.object({
  data: z.unknown().optional(),
  errors: z.array(GraphQlError).optional(),
});
export type GraphQlEnvelope = z.infer<typeof GraphQlEnvelope>;

/** `about: AppInfo` — `version: String!`. */
export const AboutReply = z.object({ about: z.object({ version: z.string() }).nullable() });

/** `registerConnector(input): Connector` — `connector_state: String` (JSON text or null). */
export const RegisterReply = z.object({
  registerConnector: z.object({ id: z.string(), connector_state: z.string().nullable().optional() }).nullable(),
});

/** `pingConnector(id, state, connectorInfo): Connector`. */
export const PingReply = z.object({
  pingConnector: z.object({ id: z.string(), connector_state: z.string().nullable().optional() }).nullable(),
});

/** `workAdd(connectorId, friendlyName): Work!`. */
export const WorkAddReply = z.object({ workAdd: z.object({ id: z.string() }) });

/** `workEdit(id): WorkEditMutations` — `toProcessed(message, inError): ID!`. */
export const WorkToProcessedReply = z.object({ workEdit: z.object({ toProcessed: z.string() }).nullable() });

/** `stixBundlePush(connectorId, bundle, work_id): Boolean`. */
export const PushReply = z.object({ stixBundlePush: z.boolean().nullable() });

/** `connector(id): Connector` — `connector_queue_details: ConnectorQueueDetails!` (sizes in bytes). */
export const QueueReply = z.object({
  connector: z
    .object({
      connector_queue_details: z.object({ messages_number: z.number(), messages_size: z.number() }),
    })
    .nullable(),
});
