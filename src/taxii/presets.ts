// Known TAXII 2.1 feeds: discovery URL per region and documented page bounds (DESIGN.md, Trend
// Micro Threat Intelligence Feed), plus the clamp that keeps a configured page size inside them.
import { ConnectorError } from '../errors';
import type { Logger } from '../log';

/** Smallest and largest `limit` a server accepts on objects and manifest requests (TAXII 2.1 §3.4). */
export interface PageBounds {
  min: number;
  max: number;
}

export type PresetName = 'trendmicro';
export type TrendRegion = 'us' | 'eu' | 'sg' | 'jp' | 'au' | 'in' | 'ae';

const TREND_PATH = '/v3.0/threatintel/feeds/taxii2';

/** Host of the Trend Vision One API per region; us and eu share one host. */
export const TREND_MICRO_HOSTS: Readonly<Record<TrendRegion, string>> = {
  us: 'api.xdr.trendmicro.com',
  eu: 'api.xdr.trendmicro.com',
  sg: 'api.sg.xdr.trendmicro.com',
  jp: 'api.xdr.trendmicro.co.jp',
  au: 'api.au.xdr.trendmicro.com',
  in: 'api.in.xdr.trendmicro.com',
  ae: 'api.mea.xdr.trendmicro.com',
};

/** Trend documents `limit` as default 1,000, min 1,000, max 10,000 for objects and manifest. */
export const TREND_MICRO_PAGE_BOUNDS: Readonly<PageBounds> = { min: 1000, max: 10000 };

/** The collection id Trend documents for its Threat Intelligence Feed. */
export const TREND_MICRO_COLLECTION_ID = '91a7b528-80eb-42ed-a74d-c6fbd5a26116';

export interface ResolvedPreset {
  discoveryUrl: string;
  pageBounds: PageBounds;
}

/** Discovery URL and page bounds of a preset in a region; throws CONFIG_PRESET for an unknown pair. */
export function resolvePreset(preset: PresetName, region: TrendRegion): ResolvedPreset {
  const host = preset === 'trendmicro' ? TREND_MICRO_HOSTS[region] : undefined;
  if (host === undefined) {
    throw new ConnectorError(`unknown preset "${String(preset)}" or region "${String(region)}"`, { code: 'CONFIG_PRESET', retryable: false });
  }
  return { discoveryUrl: `https://${host}${TREND_PATH}`, pageBounds: { ...TREND_MICRO_PAGE_BOUNDS } };
}

/**
 * Keeps a page size inside the server's bounds. A size out of bounds is clamped with a warning
 * (a server refusing or silently changing `limit` is worse than an adjusted page size).
 */
export function clampPageSize(pageSize: number, bounds: PageBounds | undefined, warn?: Logger | ((message: string, fields: Record<string, unknown>) => void)): number {
  if (bounds === undefined) return pageSize;
  const clamped = Math.min(bounds.max, Math.max(bounds.min, pageSize));
  if (clamped !== pageSize && warn !== undefined) {
    const fields = { page_size: pageSize, used: clamped, min: bounds.min, max: bounds.max };
    if (typeof warn === 'function') warn('page size outside the server bounds, clamped', fields);
    else warn.warn('page size outside the server bounds, clamped', fields);
  }
  return clamped;
}
