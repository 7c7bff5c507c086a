// Redis scripts behind run-state.ts. Each is one atomic step of a run's life; together they make
// the cursor move only over a contiguous prefix of pages whose every delivery has finished.

/** Shared by the scripts: walks done pages from doneUpTo+1, moves the cursor, completes the run. */
const ADVANCE = `
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
    for i = 0, parts - 1 do redis.call('HDEL', bundles, p .. '.' .. i) end
    if redis.call('HGET', run, 'p' .. p .. '.final') == '1' then completed = 1 break end
  end
  redis.call('HSET', run, 'doneUpTo', d)
  if completed == 1 then
    redis.call('HSET', run, 'status', 'done', 'endedAt', now)
    if redis.call('EXISTS', cursor) == 1 then redis.call('HSET', cursor, 'exact', '1') end
    local fields = {'id', 'status', 'startedAt', 'endedAt', 'startAfter', 'pages', 'fetched', 'delivered', 'rejected', 'deadLettered', 'filtered', 'upgraded', 'duplicates', 'error'}
    redis.call('DEL', lastrun)
    for _, f in ipairs(fields) do
      local v = redis.call('HGET', run, f)
      if v then redis.call('HSET', lastrun, f, v) end
    end
  end
  return {d, completed}
end
`;

/**
 * KEYS: run, done, bundles, stats, tokens. ARGV: runId, now, staleMs, startAfter, ticket, title.
 * Returns {1, runId} when a run starts (or {2, runId} when the same ticket resumes it), {0, activeId}
 * when another run is still going (the tick is skipped and counted).
 */
export const START_RUN = `
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'running' then
  if redis.call('HGET', KEYS[1], 'ticket') == ARGV[5] then return {2, redis.call('HGET', KEYS[1], 'id')} end
  local hb = tonumber(redis.call('HGET', KEYS[1], 'heartbeat') or '0')
  if tonumber(ARGV[2]) - hb < tonumber(ARGV[3]) then
    redis.call('HINCRBY', KEYS[4], 'skippedTicks', 1)
    return {0, redis.call('HGET', KEYS[1], 'id')}
  end
  redis.call('HINCRBY', KEYS[4], 'abandonedRuns', 1)
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[5])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'ticket', ARGV[5], 'title', ARGV[6], 'status', 'running', 'startedAt', ARGV[2], 'heartbeat', ARGV[2],
  'startAfter', ARGV[4], 'doneUpTo', -1, 'pages', 0, 'fetched', 0, 'delivered', 0, 'rejected', 0, 'deadLettered', 0,
  'filtered', 0, 'upgraded', 0, 'duplicates', 0)
redis.call('HINCRBY', KEYS[4], 'runs', 1)
return {1, ARGV[1]}
`;

/**
 * KEYS: run, cursor, lastrun, bundles. ARGV: runId, page, deliveries, last, lastc, final, now,
 * parts, next, fetched, rejected, filtered, upgraded, duplicates, queryAddedAfter, then field/value
 * pairs of bundles.
 * Returns {-1} for a run that is not current, {-2, ...} when the page was already recorded,
 * else {1, doneUpTo, completed}.
 */
export const RECORD_PAGE = `${ADVANCE}
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'running' then return {-1} end
local p = 'p' .. ARGV[2]
if redis.call('HEXISTS', KEYS[1], p .. '.n') == 1 then return {-2} end
for i = 16, #ARGV, 2 do redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], p .. '.n', ARGV[3], p .. '.last', ARGV[4], p .. '.lastc', ARGV[5], p .. '.final', ARGV[6],
  p .. '.parts', ARGV[8], p .. '.next', ARGV[9], p .. '.qa', ARGV[15], 'heartbeat', ARGV[7])
redis.call('HINCRBY', KEYS[1], 'pages', 1)
redis.call('HINCRBY', KEYS[1], 'fetched', ARGV[10])
redis.call('HINCRBY', KEYS[1], 'rejected', ARGV[11])
redis.call('HINCRBY', KEYS[1], 'filtered', ARGV[12])
redis.call('HINCRBY', KEYS[1], 'upgraded', ARGV[13])
redis.call('HINCRBY', KEYS[1], 'duplicates', ARGV[14])
local r = advance(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[7])
return {1, r[1], r[2]}
`;

/**
 * KEYS: run, done, cursor, lastrun, bundles. ARGV: runId, deliveryId, page, delivered, deadLettered, now.
 * Idempotent per deliveryId. Returns {-1} (not the current run), {0} (already finished),
 * or {1, doneUpTo, completed}.
 */
export const FINISH_DELIVERY = `${ADVANCE}
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'running' then return {-1} end
if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return {0} end
redis.call('HINCRBY', KEYS[1], 'p' .. ARGV[3] .. '.n', -1)
redis.call('HINCRBY', KEYS[1], 'delivered', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'deadLettered', ARGV[5])
redis.call('HSET', KEYS[1], 'heartbeat', ARGV[6])
local r = advance(KEYS[1], KEYS[3], KEYS[4], KEYS[5], ARGV[6])
return {1, r[1], r[2]}
`;

/** KEYS: run, lastrun. ARGV: runId, now, error. Ends a run as failed; the cursor stays where it is. */
export const FAIL_RUN = `
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'failed', 'endedAt', ARGV[2], 'error', ARGV[3])
local fields = {'id', 'status', 'startedAt', 'endedAt', 'startAfter', 'pages', 'fetched', 'delivered', 'rejected', 'deadLettered', 'filtered', 'upgraded', 'duplicates', 'error'}
redis.call('DEL', KEYS[2])
for _, f in ipairs(fields) do
  local v = redis.call('HGET', KEYS[1], f)
  if v then redis.call('HSET', KEYS[2], f, v) end
end
return 1
`;
