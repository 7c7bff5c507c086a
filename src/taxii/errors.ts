// The TAXII client's error codes and how an HTTP failure becomes one: the status decides the code
// and retry (src/http/classify.ts), the TAXII error message (TAXII 2.1 §3.6.1) the wording.
import { ConnectorError, isConnectorError } from '../errors';
import { classifyStatus, parseRetryAfter } from '../http/classify';
import { displayUrl, type Credentials, type HttpResponse } from '../http/request';
import { redact } from '../log';
import { describeErrorBody } from './response';
import type { SchemaIssue } from './schema';

/** Stable codes raised by the TAXII client, besides `TAXII_HTTP_<status>` for other statuses. */
export const TAXII_ERROR_CODES = {
  /** 401/403: credentials refused or missing. Not retryable. */
  auth: 'TAXII_AUTH',
  network: 'TAXII_NETWORK',
  timeout: 'TAXII_TIMEOUT',
  tls: 'TAXII_TLS',
  tooLarge: 'TAXII_TOO_LARGE',
  redirectLoop: 'TAXII_REDIRECT_LOOP',
  /** A 2xx whose body is an HTML page or another non-JSON type. */
  contentType: 'TAXII_CONTENT_TYPE',
  /** A body that does not parse as JSON (often cut short): retryable. */
  badJson: 'TAXII_BAD_JSON',
  /** JSON that is not the expected TAXII resource (e.g. `objects` not an array). */
  badEnvelope: 'TAXII_BAD_ENVELOPE',
  badTimestamp: 'TAXII_BAD_TIMESTAMP',
  badQuery: 'TAXII_BAD_QUERY',
  /** A `next` token the server refused (expired or unknown): resume from `added_after` instead. */
  nextRejected: 'TAXII_NEXT_REJECTED',
  loopMoreWithoutNext: 'TAXII_LOOP_MORE_WITHOUT_NEXT',
  loopRepeatedNext: 'TAXII_LOOP_REPEATED_NEXT',
  loopIdenticalPage: 'TAXII_LOOP_IDENTICAL_PAGE',
  loopEmptyPages: 'TAXII_LOOP_EMPTY_PAGES',
  noApiRoot: 'TAXII_NO_API_ROOT',
  collectionNotFound: 'TAXII_COLLECTION_NOT_FOUND',
  collectionNotReadable: 'TAXII_COLLECTION_NOT_READABLE',
  config: 'TAXII_CONFIG',
} as const;

export type TaxiiErrorCode = (typeof TAXII_ERROR_CODES)[keyof typeof TAXII_ERROR_CODES] | `TAXII_HTTP_${number}`;

/** Who asked and how: enough to say which source and which auth type failed, never the secret. */
export interface RequestContext {
  source: string;
  authType: Credentials['type'];
  method: string;
  url: string;
  /** The request carried a `next` token. */
  withNext?: boolean;
}

/** `source "trend": GET https://host/path/` — the prefix of every message. */
export function describeRequest(ctx: Pick<RequestContext, 'source' | 'method' | 'url'>): string {
  return `source "${ctx.source}": ${ctx.method} ${displayUrl(ctx.url)}`;
}

/** A ConnectorError from the HTTP layer, reworded to name the source; code and retry kept. */
export function withSource(err: unknown, source: string): unknown {
  if (!isConnectorError(err) || err.message.startsWith(`source "${source}"`)) return err;
  return new ConnectorError(`source "${source}": ${err.message}`, {
    code: err.code,
    retryable: err.retryable,
    retryAfterMs: err.retryAfterMs,
    status: err.status,
    details: err.details,
    cause: err,
  });
}

function authWords(type: Credentials['type']): string {
  return type === 'none' ? 'a request without credentials' : `${type} authentication`;
}

/** The typed error for a non-2xx TAXII response (TAXII 2.1 §3.6). */
export function statusError(res: HttpResponse, ctx: RequestContext): ConnectorError {
  const outcome = classifyStatus(res.status);
  const body = describeErrorBody(res);
  const said = body.text ? `: ${body.text}` : '';
  const details: Record<string, unknown> = { url: displayUrl(res.url), kind: outcome.kind, source: ctx.source };
  if (body.error?.error_code) details.error_code = body.error.error_code;
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  if (outcome.kind === 'auth') {
    const what = res.status === 401 ? `refused ${authWords(ctx.authType)}` : `denied access with ${authWords(ctx.authType)}`;
    return new ConnectorError(redact(`source "${ctx.source}": the TAXII server ${what} (HTTP ${res.status}) at ${displayUrl(res.url)}${said}`), {
      code: TAXII_ERROR_CODES.auth,
      retryable: false,
      status: res.status,
      details: { ...details, auth_type: ctx.authType },
    });
  }
  if (ctx.withNext && (res.status === 400 || res.status === 404 || res.status === 410)) {
    return new ConnectorError(
      redact(`${describeRequest(ctx)}: the server refused the paging token (HTTP ${res.status}, expired or unknown)${said}; resume from added_after instead of retrying it`),
      { code: TAXII_ERROR_CODES.nextRejected, retryable: false, status: res.status, details },
    );
  }
  return new ConnectorError(redact(`${describeRequest(ctx)} failed with HTTP ${res.status}${said}`), {
    code: `TAXII_HTTP_${res.status}`,
    retryable: outcome.retryable,
    status: res.status,
    retryAfterMs,
    details,
  });
}

/** TAXII_BAD_ENVELOPE: a 2xx response that is JSON but not the resource asked for. Not retryable. */
export function badEnvelopeError(what: string, status: number, url: string, issues: readonly SchemaIssue[]): ConnectorError {
  const text = issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ');
  return new ConnectorError(`${what}: the response is not the expected TAXII resource (${text})`, {
    code: TAXII_ERROR_CODES.badEnvelope,
    retryable: false,
    status,
    details: { url: displayUrl(url), issues },
  });
}
