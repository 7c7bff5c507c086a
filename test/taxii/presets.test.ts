// Trend Micro presets: one discovery URL per region, the documented page bounds and collection id.
import { clampPageSize, resolvePreset, TREND_MICRO_COLLECTION_ID, type TrendRegion } from '../../src/taxii';
import type { Logger } from '../../src/log';

const PATH = '/v3.0/threatintel/feeds/taxii2';

describe('resolvePreset("trendmicro", region)', () => {
  it.each<[TrendRegion, string]>([
    ['us', `https://api.xdr.trendmicro.com${PATH}`],
    ['eu', `https://api.xdr.trendmicro.com${PATH}`],
    ['sg', `https://api.sg.xdr.trendmicro.com${PATH}`],
    ['jp', `https://api.xdr.trendmicro.co.jp${PATH}`],
    ['au', `https://api.au.xdr.trendmicro.com${PATH}`],
    ['in', `https://api.in.xdr.trendmicro.com${PATH}`],
    ['ae', `https://api.mea.xdr.trendmicro.com${PATH}`],
  ])('gives region %s the discovery URL %s and pages of 1000..10000', (region, url) => {
    expect(resolvePreset('trendmicro', region)).toEqual({ discoveryUrl: url, pageBounds: { min: 1000, max: 10000 } });
  });

  it('refuses an unknown region with CONFIG_PRESET', () => {
    expect(() => resolvePreset('trendmicro', 'mars' as TrendRegion)).toThrow(expect.objectContaining({ code: 'CONFIG_PRESET' }));
  });

  it('documents the feed collection id', () => {
    expect(TREND_MICRO_COLLECTION_ID).toBe('91a7b528-80eb-42ed-a74d-c6fbd5a26116');
  });
});

describe('clampPageSize', () => {
  const bounds = { min: 1000, max: 10000 };
  const recorder = () => {
    const warnings: [string, Record<string, unknown> | undefined][] = [];
    const log: Logger = { error: () => undefined, info: () => undefined, debug: () => undefined, warn: (m, f) => void warnings.push([m, f]), child: () => log };
    return { log, warnings };
  };

  it.each([
    [500, 1000],
    [1000, 1000],
    [5000, 5000],
    [10000, 10000],
    [20000, 10000],
  ])('keeps %i inside the bounds as %i', (size, expected) => {
    expect(clampPageSize(size, bounds)).toBe(expected);
  });

  it('warns through the logger when it clamps, with the numbers', () => {
    const { log, warnings } = recorder();
    expect(clampPageSize(200, bounds, log)).toBe(1000);
    expect(warnings).toEqual([['page size outside the server bounds, clamped', { page_size: 200, used: 1000, min: 1000, max: 10000 }]]);
  });

  it('stays quiet when the size fits or no bounds are known', () => {
    const { log, warnings } = recorder();
    expect(clampPageSize(2000, bounds, log)).toBe(2000);
    expect(clampPageSize(5, undefined, log)).toBe(5);
    expect(warnings).toEqual([]);
  });
});
