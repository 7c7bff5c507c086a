// Typed errors: the error decides the retry (STYLE.md §2). Every failure the connector raises on
// purpose is a ConnectorError with a stable `code`; workers map `retryable: false` to BullMQ's
// UnrecoverableError and honour `retryAfterMs` when a server said how long to wait.

export interface ConnectorErrorOptions {
  /** Stable, machine-readable code, e.g. `TAXII_HTTP_429`, `OPENCTI_GRAPHQL_ERROR`. */
  code: string;
  /** Whether trying the same operation again later may succeed. */
  retryable: boolean;
  /** How long the peer asked us to wait before trying again (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /** HTTP status of the response that caused the error, when there was one. */
  status?: number;
  /** Extra, secret-free facts for logs and dead-letter entries. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class ConnectorError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly status?: number;
  readonly details?: Record<string, unknown>;

  constructor(message: string, options: ConnectorErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectorError';
    this.code = options.code;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
    this.details = options.details;
  }
}

export function isConnectorError(err: unknown): err is ConnectorError {
  return err instanceof ConnectorError;
}

/** A short, secret-free description of any thrown value, for logs and dead-letter entries. */
export function describeError(err: unknown): { code: string; message: string; retryable: boolean } {
  if (err instanceof ConnectorError) return { code: err.code, message: err.message, retryable: err.retryable };
  if (err instanceof Error) return { code: 'UNEXPECTED', message: err.message, retryable: true };
  return { code: 'UNEXPECTED', message: String(err), retryable: true };
}
