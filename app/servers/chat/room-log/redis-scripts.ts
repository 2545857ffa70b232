/**
 * The Lua scripts of the Redis room log. Each runs atomically in Redis, which is what makes the
 * seq gap-free and the claim a fence. Keys of one room: its meta hash (epoch, seq, fence), its
 * stream (entry id `<seq>-0`, fields `m` = message JSON without seq, `k` = dedupe key), its
 * dedupe hash (key -> seq, only for messages still in the stream) and its read markers (username -> seq).
 *
 * The log is the stream's last `capacity` entries; the stream holds up to an eighth more. Trimming
 * it on every append (an XRANGE for the dedupe keys, HDELs, an exact MAXLEN) cost Redis about a
 * quarter of each append (bench/micro/redis-append-cpu.js); trimming a batch at once costs next to
 * nothing per append. What is past the last `capacity` is neither read nor found as a repeat.
 */

/** Lua: the seq of the oldest entry of the log (the stream's last `capacity`), nil when it is empty. */
const FIRST_KEPT = `
local function firstKept(log, capacity)
  local skip = math.max(0, redis.call('XLEN', log) - capacity)
  local entries = redis.call('XRANGE', log, '-', '+', 'COUNT', skip + 1)
  local oldest = entries[skip + 1]
  if oldest then return tonumber(string.match(oldest[1], '^(%d+)')) end
  return nil
end
`;

/** KEYS: meta, log, dedupe, reads. ARGV: a new epoch, used when the room has no log yet (or lost it). Returns [epoch, seq, fence]. */
export const CLAIM = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
end
local fence = redis.call('HINCRBY', KEYS[1], 'fence', 1)
return {epoch, tonumber(redis.call('HGET', KEYS[1], 'seq')), fence}
`;

/**
 * KEYS: meta, log, dedupe, reads. ARGV: fence, dedupe key (or ''), message JSON, capacity, a new epoch (if
 * the log was lost since the claim), the last seq the claim's holder had confirmed. Returns ['lost'] when
 * another server claimed the room since; ['dup', epoch, seq, json] for a repeated dedupe key; else
 * ['ok', epoch, seq, restarted].
 *
 * A log whose seq is below the last one confirmed lost confirmed messages (a failover promoted a replica
 * that did not have them): it goes on in a new epoch, so that members are told, and after the confirmed
 * seqs, so that no seq is handed out twice; what it still holds stays.
 */
export const APPEND = `${FIRST_KEPT}
local capacity = tonumber(ARGV[4])
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'fence')
local restarted = 0
if not meta[1] then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  redis.call('HSET', KEYS[1], 'epoch', ARGV[5], 'seq', 0, 'fence', ARGV[1])
  meta = {ARGV[5], '0', ARGV[1]}
  restarted = 1
elseif meta[3] ~= ARGV[1] then
  return {'lost'}
elseif tonumber(meta[2]) < tonumber(ARGV[6]) then
  redis.call('HSET', KEYS[1], 'epoch', ARGV[5], 'seq', ARGV[6])
  meta = {ARGV[5], ARGV[6], ARGV[1]}
  restarted = 1
end
if ARGV[2] ~= '' then
  local earlier = redis.call('HGET', KEYS[3], ARGV[2])
  if earlier and tonumber(earlier) >= (firstKept(KEYS[2], capacity) or math.huge) then
    local found = redis.call('XRANGE', KEYS[2], earlier .. '-0', earlier .. '-0')
    if found[1] then return {'dup', meta[1], tonumber(earlier), found[1][2][2]} end
  end
end
local seq = tonumber(meta[2]) + 1
redis.call('HSET', KEYS[1], 'seq', seq)
if capacity > 0 then
  local over = redis.call('XLEN', KEYS[2]) - capacity + 1
  if over > math.max(1, math.floor(capacity / 8)) then
    for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', over)) do
      local key = entry[2][4]
      -- Unless the key was sent again once its entry left the log, and now names that newer message.
      if key and key ~= '' and redis.call('HGET', KEYS[3], key) == string.match(entry[1], '^(%d+)') then
        redis.call('HDEL', KEYS[3], key)
      end
    end
    redis.call('XTRIM', KEYS[2], 'MAXLEN', capacity - 1)
  end
  redis.call('XADD', KEYS[2], seq .. '-0', 'm', ARGV[3], 'k', ARGV[2])
  if ARGV[2] ~= '' then redis.call('HSET', KEYS[3], ARGV[2], seq) end
end
return {'ok', meta[1], seq, restarted}
`;

/**
 * KEYS: meta, log. ARGV: first seq wanted, limit, capacity. Returns [epoch, lastSeq, firstSeq, seq1, json1,
 * seq2, json2, ...]; epoch '' when the room has no log.
 */
export const READ = `${FIRST_KEPT}
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
if not meta[1] then return {'', 0, 1} end
local lastSeq = tonumber(meta[2])
local firstSeq = firstKept(KEYS[2], tonumber(ARGV[3])) or lastSeq + 1
local out = {meta[1], lastSeq, firstSeq}
-- %d: Lua writes a number past 1e14 as 1e+14, which is no stream id.
local from = string.format('%d', math.max(tonumber(ARGV[1]), firstSeq))
for _, entry in ipairs(redis.call('XRANGE', KEYS[2], from .. '-0', '+', 'COUNT', ARGV[2])) do
  out[#out + 1] = tonumber(string.match(entry[1], '^(%d+)'))
  out[#out + 1] = entry[2][2]
end
return out
`;

/** KEYS: reads. ARGV: username, seq. Moves the marker forward only; returns it. */
export const MARK_READ = `
local marker = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local seq = tonumber(ARGV[2])
if seq > marker then
  redis.call('HSET', KEYS[1], ARGV[1], seq)
  return seq
end
return marker
`;
