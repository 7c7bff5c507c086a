// The GraphQL operations the sink sends, each with the schema of its reply. Argument names and types
// are those of OpenCTI's schema (opencti.graphql, Query and Mutation types), as pycti sends them.
import type { z } from 'zod';
import { AboutReply, PingReply, PushReply, QueueReply, RegisterReply, WorkAddReply, WorkToProcessedReply } from './schema';

export interface Operation<T> {
  name: string;
  document: string;
  reply: z.ZodType<T>;
}

function op<T>(name: string, document: string, reply: z.ZodType<T>): Operation<T> {
  return { name, document: document.replace(/\s+/g, ' ').trim(), reply };
}

export const ABOUT = op('TaxiiConnectorAbout', 'query TaxiiConnectorAbout { about { version } }', AboutReply);

export const REGISTER = op(
  'TaxiiConnectorRegister',
  `mutation TaxiiConnectorRegister($input: RegisterConnectorInput) {
     registerConnector(input: $input) { id connector_state }
   }`,
  RegisterReply,
);

/** `connectorInfo: ConnectorInfoInput` exists since OpenCTI 6.2.12, below the sink's 6.3 floor. */
export const PING = op(
  'TaxiiConnectorPing',
  `mutation TaxiiConnectorPing($id: ID!, $state: String, $connectorInfo: ConnectorInfoInput) {
     pingConnector(id: $id, state: $state, connectorInfo: $connectorInfo) { id connector_state }
   }`,
  PingReply,
);

export const WORK_ADD = op(
  'TaxiiConnectorWorkAdd',
  `mutation TaxiiConnectorWorkAdd($connectorId: String!, $friendlyName: String) {
     workAdd(connectorId: $connectorId, friendlyName: $friendlyName) { id }
   }`,
  WorkAddReply,
);

export const WORK_TO_PROCESSED = op(
  'TaxiiConnectorWorkToProcessed',
  `mutation TaxiiConnectorWorkToProcessed($id: ID!, $message: String, $inError: Boolean) {
     workEdit(id: $id) { toProcessed(message: $message, inError: $inError) }
   }`,
  WorkToProcessedReply,
);

/** Push without a work: OpenCTI 6.3 to 6.5.6 have no `work_id` argument and refuse the document. */
export const PUSH = op(
  'TaxiiConnectorPush',
  `mutation TaxiiConnectorPush($connectorId: String!, $bundle: String!) {
     stixBundlePush(connectorId: $connectorId, bundle: $bundle)
   }`,
  PushReply,
);

export const PUSH_IN_WORK = op(
  'TaxiiConnectorPushInWork',
  `mutation TaxiiConnectorPushInWork($connectorId: String!, $bundle: String!, $work_id: String) {
     stixBundlePush(connectorId: $connectorId, bundle: $bundle, work_id: $work_id)
   }`,
  PushReply,
);

/** `connector(id: String!)` — what pycti reads to decide whether to buffer. */
export const QUEUE = op(
  'TaxiiConnectorQueue',
  `query TaxiiConnectorQueue($id: String!) {
     connector(id: $id) { id connector_queue_details { messages_number messages_size } }
   }`,
  QueueReply,
);
