// The one classification table for HTTP outcomes (STYLE.md §3): every client and sink asks it
// whether a status is a success, which error code it maps to, and whether a retry may help.
// Retry 408/429/5xx except 501; other 4xx are final. TAXII 2.1 §3.6 lists the error statuses.

export type HttpOutcomeKind =
  | 'ok'
  | 'auth'
  | 'not_found'
  | 'media_type'
  | 'too_large'
  | 'rate_limited'
  | 'timeout'
  | 'server'
  | 'client';

export interface HttpOutcome {
  kind: HttpOutcomeKind;
  retryable: boolean;
}

export function classifyStatus(status: number): HttpOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok', retryable: false };
  if (status === 401 || status === 403) return { kind: 'auth', retryable: false };
  if (status === 404 || status === 410) return { kind: 'not_found', retryable: false };
  if (status === 406 || status === 415) return { kind: 'media_type', retryable: false };
  if (status === 413) return { kind: 'too_large', retryable: false };
  if (status === 408) return { kind: 'timeout', retryable: true };
  if (status === 429) return { kind: 'rate_limited', retryable: true };
  if (status === 501 || status === 505) return { kind: 'server', retryable: false };
  if (status >= 500 && status < 600) return { kind: 'server', retryable: true };
  return { kind: 'client', retryable: false };
}

/** Network-level failures (no HTTP response) by Node/axios error code: all retryable. */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns milliseconds to wait (never negative), or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined | null, nowMs: number = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names a month (IMF-fixdate, RFC 850, asctime); Date.parse alone would
  // also accept "-5" or "1.5" as dates.
  if (!/\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
