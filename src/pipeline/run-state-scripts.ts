// Redis scripts behind run-state.ts. Each is one atomic step of a run's life; together they make
// the cursor move only over a contiguous prefix of pages whose every delivery has finished.

/**
 * Shared by the scripts: the Redis server's clock in milliseconds (run bookkeeping never depends on
 * a worker's clock), the copy of a finished run's summary into the last-run hash, and a run ended
 * as failed (the cursor stays where it is).
 */
const COMMON = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local SUMMARY = {'id', 'status', 'startedAt', 'endedAt', 'startAfter', 'pages', 'fetched', 'delivered', 'rejected',
  'deadLettered', 'filtered', 'upgraded', 'duplicates', 'error'}
local function archive(run, lastrun)
  redis.call('DEL', lastrun)
  for _, f in ipairs(SUMMARY) do
    local v = redis.call('HGET', run, f)
    if v then redis.call('HSET', lastrun, f, v) end
  end
end
local function fail(run, lastrun, err)
  redis.call('HSET', run, 'status', 'failed', 'endedAt', nowMs(), 'error', err)
  archive(run, lastrun)
end
`;

/** Walks done pages from doneUpTo+1, moves the cursor, frees their bundles, completes the run. */
const ADVANCE = `${COMMON}
local function advance(run, cursor, lastrun, bundles, now)
  local d = tonumber(redis.call('HGET', run, 'doneUpTo'))
  local completed = 0
  while true do
    local p = d + 1
    local n = redis.call('HGET', run, 'p' .. p .. '.n')
    if (not n) or tonumber(n) > 0 then break end
    d = p
    local lastc = redis.call('HGET', run, 'p' .. p .. '.lastc')
    if lastc and lastc ~= '' then
      local cur = redis.call('HGET', cursor, 'canon')
      if (not cur) or lastc > cur then
        redis.call('HSET', cursor, 'value', redis.call('HGET', run, 'p' .. p .. '.last'), 'canon', lastc,
          'exact', '0', 'updatedAt', now, 'runId', redis.call('HGET', run, 'id'))
      end
    end
    local parts = tonumber(redis.call('HGET', run, 'p' .. p .. '.parts') or '0')
    local tag = redis.call('HGET', run, 'p' .. p .. '.tag')
    local suffix = tag and ('.' .. tag) or ''
    for i = 0, parts - 1 do redis.call('HDEL', bundles, p .. '.' .. i .. suffix) end
    if redis.call('HGET', run, 'p' .. p .. '.final') == '1' then completed = 1 break end
  end
  redis.call('HSET', run, 'doneUpTo', d)
  if completed == 1 then
    redis.call('HSET', run, 'status', 'done', 'endedAt', now)
    if redis.call('EXISTS', cursor) == 1 then redis.call('HSET', cursor, 'exact', '1') end
    archive(run, lastrun)
  end
  return {d, completed}
end
`;

/**
 * KEYS: run, done, bundles, stats, tokens, works, raw. ARGV: runId, staleMs, startAfter, ticket, title.
 * Returns {1, runId} when a run starts (or {2, runId} when the same ticket resumes it), {0, activeId}
 * when another run is still going (the tick is skipped and counted).
 */
export const START_RUN = `${COMMON}
local now = nowMs()
if redis.call('HGET', KEYS[1], 'status') == 'running' then
  if redis.call('HGET', KEYS[1], 'ticket') == ARGV[4] then return {2, redis.call('HGET', KEYS[1], 'id')} end
  local hb = tonumber(redis.call('HGET', KEYS[1], 'heartbeat') or '0')
  if now - hb < tonumber(ARGV[2]) then
    redis.call('HINCRBY', KEYS[4], 'skippedTicks', 1)
    return {0, redis.call('HGET', KEYS[1], 'id')}
  end
  redis.call('HINCRBY', KEYS[4], 'abandonedRuns', 1)
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[5], KEYS[6], KEYS[7])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'ticket', ARGV[4], 'title', ARGV[5], 'status', 'running', 'startedAt', now, 'heartbeat', now,
  'startAfter', ARGV[3], 'doneUpTo', -1, 'pages', 0, 'fetched', 0, 'delivered', 0, 'rejected', 0, 'deadLettered', 0,
  'filtered', 0, 'upgraded', 0, 'duplicates', 0)
redis.call('HINCRBY', KEYS[4], 'runs', 1)
return {1, ARGV[1]}
`;

/**
 * First step of a page: it was received. KEYS: run, tokens, raw, lastrun. ARGV: runId, page, last,
 * lastc, final, next, queryAddedAfter, digest, sentToken, objects, repeatedError, identicalError.
 * Applies the loop guards first, unless the digest is empty: the page's content digest against the
 * page before, and its `next` token against those received earlier in the run. A page that
 * trips one fails the run here, with the error given for that guard, so that the next page's job
 * (enqueued in the same round trip, right after this script) finds the run over and never sends
 * the token. Otherwise keeps the paging facts (the envelope is set beside them, in the raw hash
 * under `<runId>.<page>`, first writer wins), so that the next page can be requested at once and a
 * crash before normalization never needs the page (or its token) again. The envelope stays out of
 * the script: a large argument costs Redis a copy per script call.
 * Returns {-1} for a run that is not current, {-4, 'repeated' | 'identical'} for a loop, {0} when
 * the page was received before, else {1}.
 */
export const RECORD_FETCHED = `${COMMON}
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'running' then return {-1} end
local page, token, sent = ARGV[2], ARGV[6], ARGV[9]
-- No digest: a page taken as it is, without the guards.
if ARGV[8] ~= '' then
  local previous = redis.call('HGET', KEYS[2], 'digest.' .. (tonumber(page) - 1))
  redis.call('HSET', KEYS[2], 'digest.' .. page, ARGV[8])
  local tokenNew = true
  if token ~= '' then
    redis.call('HSETNX', KEYS[2], 'seen.' .. token, page)
    tokenNew = redis.call('HGET', KEYS[2], 'seen.' .. token) == page
  end
  -- Only a request that carried a token can get the same page again: a fresh query may overlap the
  -- page before by design. A token received before is a loop unless it is the one just sent and the
  -- page moved on (a server-side cursor keeps one token for the whole paging).
  local identical = sent ~= '' and tonumber(ARGV[10]) > 0 and previous == ARGV[8]
  local loop, err = nil, nil
  if token ~= '' and not tokenNew and not (token == sent and not identical) then loop, err = 'repeated', ARGV[11]
  elseif identical then loop, err = 'identical', ARGV[12] end
  if loop then
    redis.call('HDEL', KEYS[3], ARGV[1] .. '.' .. page)
    fail(KEYS[1], KEYS[4], err)
    return {-4, loop}
  end
end
local p = 'p' .. page
if redis.call('HEXISTS', KEYS[1], p .. '.f') == 1 then return {0} end
redis.call('HSET', KEYS[1], p .. '.f', '1', p .. '.last', ARGV[3], p .. '.lastc', ARGV[4], p .. '.final', ARGV[5],
  p .. '.next', token, p .. '.qa', ARGV[7], 'heartbeat', nowMs())
redis.call('HINCRBY', KEYS[1], 'pages', 1)
return {1}
`;

/**
 * Second step: the page was normalized. KEYS: run, cursor, lastrun, bundles, raw. ARGV: runId,
 * page, deliveries, parts, fetched, rejected, filtered, upgraded, duplicates, tag. The bundles were
 * set just before, by the same connection, in the bundles hash as `<page>.<part>.<tag>` (the tag
 * names this attempt, so that no other attempt's bundles are ever overwritten): the script records
 * the tag of the attempt that counts. The bundles stay out of the script: a large argument costs
 * Redis two copies per script call (into Lua and back), about 10 ms a 5 MB bundle.
 * Returns {-1} for a run that is not current, {-2, tag} when the page was already recorded (with
 * that tag; '' for none), {-3} when a bundle is missing (its write failed), else {1, doneUpTo, completed}.
 */
export const RECORD_PAGE = `${ADVANCE}
local now = nowMs()
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'running' then return {-1} end
local p = 'p' .. ARGV[2]
if redis.call('HEXISTS', KEYS[1], p .. '.n') == 1 then return {-2, redis.call('HGET', KEYS[1], p .. '.tag') or ''} end
for i = 0, tonumber(ARGV[4]) - 1 do
  if redis.call('HEXISTS', KEYS[4], ARGV[2] .. '.' .. i .. '.' .. ARGV[10]) == 0 then return {-3} end
end
redis.call('HSET', KEYS[1], p .. '.n', ARGV[3], p .. '.parts', ARGV[4], p .. '.tag', ARGV[10], 'heartbeat', now)
redis.call('HDEL', KEYS[5], ARGV[1] .. '.' .. ARGV[2])
local counters = {'fetched', 'rejected', 'filtered', 'upgraded', 'duplicates'}
for i, c in ipairs(counters) do redis.call('HINCRBY', KEYS[1], c, ARGV[4 + i]) end
local r = advance(KEYS[1], KEYS[2], KEYS[3], KEYS[4], now)
return {1, r[1], r[2]}
`;

/**
 * KEYS: run, done, cursor, lastrun, bundles. ARGV: runId, deliveryId, page, delivered, deadLettered.
 * Idempotent per deliveryId. Returns {-1} (not the current run), {0} (already finished),
 * or {1, doneUpTo, completed}.
 */
export const FINISH_DELIVERY = `${ADVANCE}
local now = nowMs()
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'running' then return {-1} end
if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return {0} end
redis.call('HINCRBY', KEYS[1], 'p' .. ARGV[3] .. '.n', -1)
redis.call('HINCRBY', KEYS[1], 'delivered', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'deadLettered', ARGV[5])
redis.call('HSET', KEYS[1], 'heartbeat', now)
local r = advance(KEYS[1], KEYS[3], KEYS[4], KEYS[5], now)
return {1, r[1], r[2]}
`;

/** KEYS: run, lastrun. ARGV: runId, error. Ends a run as failed; the cursor stays where it is. */
export const FAIL_RUN = `${COMMON}
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
fail(KEYS[1], KEYS[2], ARGV[2])
return 1
`;

/** KEYS: run. ARGV: runId. Records progress of the current run (a heartbeat on the server's clock). */
export const TOUCH_RUN = `${COMMON}
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'heartbeat', nowMs())
return 1
`;
