// Switchable faults of the TAXII test server: what each one does, and which requests it hits
// (a kind of path, after skipping some, for a number of requests or until cleared).

/** The kind of TAXII resource a request is for. */
export type PathKind =
  | 'discovery'
  | 'api-root'
  | 'collections'
  | 'collection'
  | 'objects'
  | 'object'
  | 'versions'
  | 'manifest'
  | 'status'
  | 'unknown';

export type FaultSpec =
  /** 429 with a TAXII error body and Retry-After (seconds, default 1; or an HTTP date). */
  | { kind: '429'; retryAfterSecs?: number; retryAfterDate?: Date }
  /** A server error (default 503) with a TAXII error body; Retry-After when given. */
  | { kind: '5xx'; status?: number; retryAfterSecs?: number }
  /** Any status with a TAXII error body (or the given body) and extra headers. */
  | { kind: 'status'; status: number; body?: string | Record<string, unknown>; headers?: Record<string, string> }
  /** The normal JSON body cut to `keepBytes` (default: half), with a matching Content-Length. */
  | { kind: 'truncated-json'; keepBytes?: number }
  /** A proxy's HTML error page, `text/html`, with `status` (default 502). */
  | { kind: 'html'; status?: number }
  /** The normal body with another Content-Type (default `text/plain`). */
  | { kind: 'wrong-content-type'; contentType?: string }
  /** Objects and manifest: `objects` is an object instead of an array. */
  | { kind: 'objects-not-array' }
  /** Objects and manifest: `more: true` and no `next`. */
  | { kind: 'more-without-next' }
  /** Objects and manifest: answers with the `next` it received and does not move on. */
  | { kind: 'repeat-next' }
  /** Objects and manifest: serves the requested page again under a fresh `next`. */
  | { kind: 'repeat-page' }
  /** Objects and manifest: `added_after` taken as inclusive (>=), as some servers do. */
  | { kind: 'inclusive-added-after' }
  /** Destroys the socket: at once, or after writing headers and `afterBytes` of the body. */
  | { kind: 'reset'; afterBytes?: number }
  /** Holds the response for `delayMs` (default 5000) before answering normally. */
  | { kind: 'slow'; delayMs?: number }
  /** Redirects (default 302) to the same path and query on another origin. */
  | { kind: 'redirect'; toOrigin: string; status?: 301 | 302 | 303 | 307 | 308 };

export interface FaultScope {
  /** Requests the fault applies to (default: until cleared). */
  times?: number;
  /** Matching requests let through before the fault starts (default 0). */
  skip?: number;
  /** Only requests for these kinds of resource (default: all). */
  on?: PathKind | PathKind[];
}

export type TaxiiFault = FaultSpec & FaultScope;

interface ActiveFault {
  fault: TaxiiFault;
  skipLeft: number;
  timesLeft: number;
}

/** The faults currently switched on, consumed request by request. */
export class FaultBoard {
  private active: ActiveFault[] = [];

  set(fault: TaxiiFault | null): void {
    this.active = [];
    if (fault) this.add(fault);
  }

  add(fault: TaxiiFault): void {
    this.active.push({ fault, skipLeft: fault.skip ?? 0, timesLeft: fault.times ?? Infinity });
  }

  clear(): void {
    this.active = [];
  }

  /** The faults that hit a request of this kind; each use counts against its `times`. */
  take(kind: PathKind): FaultSpec[] {
    const hits: FaultSpec[] = [];
    for (const a of this.active) {
      const on = a.fault.on === undefined ? undefined : Array.isArray(a.fault.on) ? a.fault.on : [a.fault.on];
      if (on && !on.includes(kind)) continue;
      if (a.skipLeft > 0) {
        a.skipLeft -= 1;
        continue;
      }
      a.timesLeft -= 1;
      hits.push(a.fault);
    }
    this.active = this.active.filter((a) => a.timesLeft > 0);
    return hits;
  }
}
