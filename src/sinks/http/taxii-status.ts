// TAXII 2.1 status resources (§4.3): polling a status until it completes, and matching the objects
// it lists in `failures` back to the objects that were sent (by id, then version).
import { ConnectorError } from '../../errors';
import type { HttpClient } from '../../http/request';
import type { Rejection, StixObject } from '../../stix/types';
import type { ResolvedHttpSinkOptions } from './options';
import { TAXII_MEDIA_TYPE } from './options';
import { rejectionOf } from './rejection';
import { type StatusDetails, StatusResource } from './schema';

export const TAXII_PUSH_FAILED = 'TAXII_PUSH_FAILED';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The version TAXII reports for an object: `modified`, else `created` (SCOs have neither). */
export function versionOf(object: StixObject): string | undefined {
  return typeof object.modified === 'string' ? object.modified : typeof object.created === 'string' ? object.created : undefined;
}

/** Same instant at full precision, whatever the trailing zeros of the fraction (`.100Z` = `.1Z`). */
export function sameTimestamp(a: string, b: string): boolean {
  const norm = (t: string): string => t.trim().toUpperCase().replace(/(\.\d*?)0+Z$/, '$1Z').replace(/\.Z$/, 'Z');
  return norm(a) === norm(b);
}

export function parseStatus(body: string): StatusResource | undefined {
  try {
    const parsed = StatusResource.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Polls `statusUrl` with a doubling wait until the status is `complete`, for at most
 * `statusTimeoutMs` counted from `startedAt`. Transient poll failures are waited out within that
 * time; final ones (auth, 404) end the delivery.
 */
export async function pollStatus(http: HttpClient, o: ResolvedHttpSinkOptions, statusUrl: string, first: StatusResource, startedAt: number): Promise<StatusResource> {
  let status = first;
  let wait = o.statusPollMs;
  const deadline = startedAt + o.statusTimeoutMs;
  while (status.status !== 'complete') {
    const left = deadline - Date.now();
    if (left <= 0) throw statusTimeout(o, status);
    await sleep(Math.min(wait, left));
    wait = Math.min(wait * 2, o.statusPollMaxMs);
    let res;
    try {
      res = await http.send({ method: 'GET', url: statusUrl, headers: { Accept: TAXII_MEDIA_TYPE } });
    } catch (err) {
      if (err instanceof ConnectorError && err.retryable) continue;
      throw err;
    }
    if (res.status < 200 || res.status >= 300) {
      const err = http.statusError(res, `TAXII server answered HTTP ${res.status} to the status ${status.id}`, { sink: o.name, status_id: status.id });
      if (!err.retryable) throw err;
      if (err.retryAfterMs !== undefined) wait = Math.max(wait, err.retryAfterMs);
      continue;
    }
    const next = parseStatus(res.body);
    if (!next) throw badStatus(o, res.status);
    status = next;
  }
  return status;
}

/**
 * At the deadline some objects are still `pending`: TAXII 2.1 §4.3.1 says the server has not
 * processed them yet, so they are neither delivered nor refused. Counting them delivered could lose
 * them; rejecting them would dead-letter objects the server may still accept. The delivery fails as
 * retryable instead and the bundle is pushed again later: adding an object the collection already
 * holds at the same id and version is harmless (§5.4), so the retry is idempotent.
 */
function statusTimeout(o: ResolvedHttpSinkOptions, status: StatusResource): ConnectorError {
  const pending = status.pending_count ?? status.pendings.length;
  return new ConnectorError(`TAXII status ${status.id} still pending after ${o.statusTimeoutMs / 1000} s (${pending} objects pending)`, {
    code: 'TAXII_PUSH_STATUS_TIMEOUT',
    retryable: true,
    details: { sink: o.name, status_id: status.id, pending, failed: status.failure_count ?? status.failures.length },
  });
}

export function badStatus(o: ResolvedHttpSinkOptions, httpStatus: number): ConnectorError {
  return new ConnectorError(`TAXII server's reply is not a status resource (HTTP ${httpStatus})`, {
    code: 'TAXII_PUSH_BAD_REPLY',
    retryable: false,
    status: httpStatus,
    details: { sink: o.name },
  });
}

export interface FailureMatch {
  rejected: Rejection[];
  /** Failures naming no object of the envelope (logged, not counted). */
  unmatched: StatusDetails[];
}

/** The sent objects the status lists as failed, each with the server's message. */
export function matchFailures(objects: StixObject[], failures: StatusDetails[]): FailureMatch {
  const byId = new Map<string, number[]>();
  objects.forEach((o, i) => byId.set(o.id, [...(byId.get(o.id) ?? []), i]));
  const taken = new Set<number>();
  const rejected: Rejection[] = [];
  const unmatched: StatusDetails[] = [];
  for (const failure of failures) {
    const free = (byId.get(failure.id) ?? []).filter((i) => !taken.has(i));
    const byVersion = free.find((i) => {
      const v = versionOf(objects[i]);
      return failure.version === undefined || v === undefined || sameTimestamp(v, failure.version);
    });
    const index = byVersion ?? (free.length === 1 ? free[0] : undefined);
    if (index === undefined) {
      unmatched.push(failure);
      continue;
    }
    taken.add(index);
    rejected.push(rejectionOf(objects[index], TAXII_PUSH_FAILED, failure.message ?? 'the TAXII server refused the object (no message)'));
  }
  return { rejected, unmatched };
}
