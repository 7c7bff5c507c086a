// Maps OpenCTI failures to ConnectorErrors. A GraphQL reply carrying `errors` is a failure whatever
// its HTTP status; its class comes from OpenCTI's error type (`extensions.code`, see the platform's
// config/errors.ts) and, failing that, from the message.
import { ConnectorError } from '../../errors';
import { redact } from '../../log';
import type { GraphQlError } from './schema';

export const OPENCTI_AUTH = 'OPENCTI_AUTH';
export const OPENCTI_GRAPHQL_ERROR = 'OPENCTI_GRAPHQL_ERROR';
export const OPENCTI_INVALID_BUNDLE = 'OPENCTI_INVALID_BUNDLE';
export const OPENCTI_BAD_REPLY = 'OPENCTI_BAD_REPLY';
export const OPENCTI_VERSION_UNSUPPORTED = 'OPENCTI_VERSION_UNSUPPORTED';

const AUTH_CODES = new Set([
  'AUTH_FAILURE',
  'AUTH_REQUIRED',
  'OTP_REQUIRED',
  'OTP_REQUIRED_ACTIVATION',
  'PASSWORD_CHANGE_REQUIRED',
  'LTS_REQUIRED_ACTIVATION',
  'FORBIDDEN_ACCESS',
  'UNAUTHENTICATED',
  'FORBIDDEN',
]);
const AUTH_MESSAGE = /must be logged in|not allowed to do this|bad login|forbidden|unauthori[sz]ed/i;

/** Error types a retry cannot cure: the request itself is wrong for this platform or these data. */
const FINAL_CODES = new Set([
  'FUNCTIONAL_ERROR',
  'UNSUPPORTED_ERROR',
  'VALIDATION_ERROR',
  'MISSING_REFERENCE_ERROR',
  'ALREADY_DELETED_ERROR',
  'RESOURCE_NOT_FOUND',
  'WORK_NOT_ALIVE',
  'DRAFT_LOCKED',
  'CONFIGURATION_ERROR',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
]);

const INVALID_BUNDLE_MESSAGE = /invalid (stix )?bundle/i;

function oneLine(text: string, max = 500): string {
  const flat = redact(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The auth failure message: one line, says what to check, never carries the token. */
export function authError(operation: string, why: string, status?: number): ConnectorError {
  return new ConnectorError(
    `OpenCTI refused the connector's token on ${operation} (${oneLine(why, 200)}): check opencti.token and that its user has the CONNECTORAPI capability`,
    { code: OPENCTI_AUTH, retryable: false, status, details: { operation } },
  );
}

/** Classifies the `errors` of a GraphQL reply (the first one decides). */
export function graphQlFailure(operation: string, errors: GraphQlError[], status?: number): ConnectorError {
  const first = errors[0] ?? { message: 'empty errors array' };
  const code = first.extensions?.code;
  const message = oneLine(first.message);
  const details = { operation, graphql_code: code, errors: errors.length };
  if ((code !== undefined && AUTH_CODES.has(code)) || AUTH_MESSAGE.test(first.message)) {
    return authError(operation, code ? `${code}: ${message}` : message, status);
  }
  if (INVALID_BUNDLE_MESSAGE.test(first.message) || code === 'VALIDATION_ERROR') {
    return new ConnectorError(`OpenCTI refused the bundle: ${message}`, {
      code: OPENCTI_INVALID_BUNDLE,
      retryable: false,
      status,
      details: { ...details, server_message: message },
    });
  }
  const httpStatus = first.extensions?.data?.http_status;
  const final = (code !== undefined && FINAL_CODES.has(code)) || (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500);
  return new ConnectorError(`OpenCTI answered ${operation} with an error${code ? ` ${code}` : ''}: ${message}`, {
    code: OPENCTI_GRAPHQL_ERROR,
    retryable: !final,
    status,
    details,
  });
}

export function isInvalidBundle(err: unknown): err is ConnectorError {
  return err instanceof ConnectorError && err.code === OPENCTI_INVALID_BUNDLE;
}
