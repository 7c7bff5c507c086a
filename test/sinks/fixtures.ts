// STIX fixtures for sink tests: numbered indicators with stable ids, and bundles of them.
import { ConnectorError } from '../../src/errors';
import type { StixBundle, StixObject } from '../../src/stix/types';
import type { DeliveryContext, RunInfo, RunSummary } from '../../src/sinks/types';

export const CONNECTOR_ID = '3f2e1d0c-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
export const TOKEN = 'octi-token-5b1f0c9e7d2a';

export function uuidFor(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function indicator(n: number, extra: Record<string, unknown> = {}): StixObject {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${uuidFor(n)}`,
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-02T00:00:00.123456Z',
    name: `ioc ${n}`,
    pattern: `[ipv4-addr:value = '10.0.${Math.floor(n / 256) % 256}.${n % 256}']`,
    pattern_type: 'stix',
    valid_from: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

export function indicators(count: number, from = 1): StixObject[] {
  return Array.from({ length: count }, (_, i) => indicator(from + i));
}

export function bundleOf(objects: StixObject[], n = 1): StixBundle {
  return { type: 'bundle', id: `bundle--${uuidFor(1000 + n)}`, objects };
}

export const ctx: DeliveryContext = { source: 'trendmicro', collection: 'c1', runId: 'run-1' };

export const run: RunInfo = {
  source: 'trendmicro',
  collection: '91a7b528-80eb-42ed-a74d-c6fbd5a26116',
  collectionTitle: 'Threat Intelligence Feed',
  runId: 'run-1',
  startedAt: '2026-03-01T10:00:00.000Z',
};

export function summary(deadLettered = 0): RunSummary {
  return { pages: 3, fetched: 120, delivered: 118 - deadLettered, rejected: 2, deadLettered };
}

/** The ConnectorError a promise rejects with (fails the test when it resolves or throws another error). */
export async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
}
