// Bundle mode: one POST of the bundle as JSON per delivery; any 2xx means every object was taken,
// anything else goes through the classification table (Retry-After honoured).
import type { HttpClient } from '../../http/request';
import type { StixBundle } from '../../stix/types';
import type { DeliveryResult } from '../types';
import type { ResolvedHttpSinkOptions } from './options';

export async function postBundle(http: HttpClient, o: ResolvedHttpSinkOptions, bundle: StixBundle): Promise<DeliveryResult> {
  return postBundleJson(http, o, JSON.stringify(bundle), bundle.objects.length);
}

/** The same for a bundle already serialized (text, or UTF-8 bytes sent as they are) holding `objects` objects. */
export async function postBundleJson(http: HttpClient, o: ResolvedHttpSinkOptions, json: string | Buffer, objects: number): Promise<DeliveryResult> {
  const res = await http.send({
    method: 'POST',
    url: o.url,
    headers: { 'Content-Type': o.contentType, Accept: 'application/json, */*;q=0.5' },
    body: json,
  });
  if (res.status < 200 || res.status >= 300) {
    throw http.statusError(res, `HTTP sink ${o.name} answered HTTP ${res.status} to a bundle of ${objects} objects`, { sink: o.name });
  }
  return { delivered: objects, rejected: [] };
}

/** Cheap reachability check: a GET on the endpoint; only network and auth failures count. */
export async function probeEndpoint(http: HttpClient, o: ResolvedHttpSinkOptions): Promise<void> {
  const res = await http.send({ method: 'GET', url: o.url, headers: { Accept: 'application/json, */*;q=0.5' } });
  if (res.status === 401 || res.status === 403) throw http.statusError(res, `HTTP sink ${o.name} refused the credentials (HTTP ${res.status})`, { sink: o.name });
}
