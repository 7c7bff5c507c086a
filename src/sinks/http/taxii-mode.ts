// TAXII mode: adds a bundle's objects to a TAXII 2.1 collection (§5.4 Add Objects), then follows the
// status resource the server returns (§4.3) until it completes; objects it lists as failed are
// rejected one by one with the server's message, the rest count as delivered.
import { ConnectorError } from '../../errors';
import { type HttpClient, displayUrl } from '../../http/request';
import type { StixBundle } from '../../stix/types';
import type { DeliveryResult } from '../types';
import { type ResolvedHttpSinkOptions, TAXII_MEDIA_TYPE } from './options';
import { CollectionResource } from './schema';
import { badStatus, matchFailures, parseStatus, pollStatus } from './taxii-status';

export interface TaxiiTarget {
  /** `<api root>/collections/<id>/`. */
  collectionUrl: string;
  objectsUrl: string;
  /** The part of the collection URL before `/collections/`, with a trailing slash. */
  apiRootUrl: string;
}

export function taxiiTarget(url: string): TaxiiTarget {
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  const collectionUrl = u.toString().replace(/\/?$/, '/');
  const at = collectionUrl.lastIndexOf('/collections/');
  if (at < 0 || collectionUrl.slice(at + '/collections/'.length).replace(/\/$/, '') === '') {
    throw new ConnectorError(`TAXII sink URL ${displayUrl(url)} is not a collection URL (<api root>/collections/<id>/)`, {
      code: 'CONFIG_SINK_URL',
      retryable: false,
    });
  }
  return { collectionUrl, objectsUrl: `${collectionUrl}objects/`, apiRootUrl: collectionUrl.slice(0, at + 1) };
}

const TAXII_HEADERS = { Accept: TAXII_MEDIA_TYPE };

export async function pushToCollection(http: HttpClient, o: ResolvedHttpSinkOptions, target: TaxiiTarget, bundle: StixBundle): Promise<DeliveryResult> {
  const startedAt = Date.now();
  const res = await http.send({
    method: 'POST',
    url: target.objectsUrl,
    headers: { ...TAXII_HEADERS, 'Content-Type': TAXII_MEDIA_TYPE },
    body: JSON.stringify({ objects: bundle.objects }),
  });
  if (res.status < 200 || res.status >= 300) {
    throw http.statusError(res, `TAXII server answered HTTP ${res.status} to ${bundle.objects.length} objects`, { sink: o.name });
  }
  const first = parseStatus(res.body);
  if (!first) throw badStatus(o, res.status);
  const statusUrl = `${target.apiRootUrl}status/${encodeURIComponent(first.id)}/`;
  const status = await pollStatus(http, o, statusUrl, first, startedAt);
  const { rejected, unmatched } = matchFailures(bundle.objects, status.failures);
  if (unmatched.length > 0 || (status.failure_count ?? rejected.length) > rejected.length) {
    o.logger.warn('taxii status lists failures that match no sent object', {
      sink: o.name,
      status_id: status.id,
      unmatched: unmatched.length,
      failure_count: status.failure_count,
    });
  }
  return { delivered: bundle.objects.length - rejected.length, rejected };
}

/** GET the collection; network and auth failures throw, anything else is left to the push. */
export async function probeCollection(http: HttpClient, o: ResolvedHttpSinkOptions, target: TaxiiTarget): Promise<{ canWrite?: boolean }> {
  const res = await http.send({ method: 'GET', url: target.collectionUrl, headers: TAXII_HEADERS });
  if (res.status === 401 || res.status === 403) {
    throw http.statusError(res, `TAXII server refused the credentials of sink ${o.name} (HTTP ${res.status})`, { sink: o.name });
  }
  if (res.status < 200 || res.status >= 300) return {};
  try {
    const parsed = CollectionResource.safeParse(JSON.parse(res.body));
    return parsed.success ? { canWrite: parsed.data.can_write } : {};
  } catch {
    return {};
  }
}
