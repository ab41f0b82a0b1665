--[[
  Appends one message to a group, atomically with its checks and records.
  It builds the message's one payload (docs/architecture.md): the JSON made
  by the hub (events/codec.ts messageBody) with the id this script chooses
  put in front, and that same string goes to the group stream, the
  announcement, the dedupe record and the history stream.

  KEYS[1] group meta hash        <prefix>:{g}:meta  (also seq, last, and read:<author>)
  KEYS[2] group members zset     <prefix>:{g}:members
  KEYS[3] group stream           <prefix>:{g}:stream
  KEYS[4] history stream         <prefix>:history
  KEYS[5] dedupe key             <prefix>:dedupe:{g}:<author>:<cmid> (unused when ARGV[3] is '')

  ARGV[1] author id
  ARGV[2] the message's JSON without its id: {"groupId":...}
  ARGV[3] clientMessageId, '' for none
  ARGV[4] dedupe window, seconds
  ARGV[5] '1' when a history database is configured: also append to the
          history stream and trim the group stream; '0': keep everything
  ARGV[6] stream retention, ms
  ARGV[7] channel to PUBLISH the entry on (fan-out), '' for none

  Returns a status and named fields:
    {'published', 'id', id}
    {'duplicate', 'json', original}   the original message's JSON
    {'group_not_found'}
    {'not_member'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local streamKey = KEYS[3]
local historyKey = KEYS[4]
local dedupeKey = KEYS[5]

local author = ARGV[1]
local body = ARGV[2]
local cmid = ARGV[3]
local dedupeSeconds = tonumber(ARGV[4])
local withHistory = ARGV[5] == '1'
local retentionMs = tonumber(ARGV[6])
local notifyChannel = ARGV[7]

if redis.call('EXISTS', metaKey) == 0 then
  return { 'group_not_found' }
end
if not redis.call('ZSCORE', membersKey, author) then
  return { 'not_member' }
end
if cmid ~= '' then
  local original = redis.call('GET', dedupeKey)
  if original then
    -- A record from a deleted group of the same id (older than this one) does not count.
    local originalMs = tonumber(string.match(original, '^{"id":"(%d+)%-'))
    local createdMs = tonumber(redis.call('HGET', metaKey, 'createdMs') or '0')
    if originalMs and originalMs >= createdMs then
      return { 'duplicate', 'json', original }
    end
  end
end

-- The id, chosen here as XADD '*' would (ms of now, or the last ms with the
-- next sequence), because the payload carries it and XADD cannot return it
-- before writing. `last` is kept in the meta hash; groups from before it
-- was kept take it from their stream's newest entry.
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local last = redis.call('HGET', metaKey, 'last')
if not last then
  local top = redis.call('XREVRANGE', streamKey, '+', '-', 'COUNT', 1)
  if #top > 0 then last = top[1][1] end
end
local id = string.format('%d', nowMs) .. '-0'
if last then
  local lastMs, lastSeq = string.match(last, '^(%d+)-(%d+)$')
  lastMs = tonumber(lastMs)
  if nowMs <= lastMs then
    id = string.format('%d', lastMs) .. '-' .. string.format('%d', tonumber(lastSeq) + 1)
  end
end
local json = '{"id":"' .. id .. '",' .. string.sub(body, 2)

-- 'n' numbers the group's messages 1, 2, 3...: a reader that sees a number
-- skipped knows entries were trimmed before it read them.
local seq = redis.call('HINCRBY', metaKey, 'seq', 1)
redis.call('XADD', streamKey, id, 'n', seq, 'd', json)
-- The newest id, and the author's read marker: sending a message reads up to it.
redis.call('HSET', metaKey, 'last', id, 'read:' .. author, string.format('%d', seq) .. ' ' .. id)
if notifyChannel ~= '' then
  -- The announcement carries the entry: a hub that has delivered the one
  -- before it (n - 1) delivers it without reading the stream.
  redis.call('PUBLISH', notifyChannel, seq .. json)
end

if cmid ~= '' then
  redis.call('SET', dedupeKey, json, 'EX', dedupeSeconds)
end

if withHistory then
  redis.call('XADD', historyKey, '*', 'd', json)
  -- Trim what is both older than the retention and already in MySQL: the
  -- oldest entry still in the history stream bounds what may go.
  local minMs = nowMs - retentionMs
  local first = redis.call('XRANGE', historyKey, '-', '+', 'COUNT', 1)
  if #first > 0 then
    local firstMs = tonumber(string.match(first[1][1], '^(%d+)'))
    if firstMs < minMs then
      minMs = firstMs
    end
  end
  if minMs > 0 then
    redis.call('XTRIM', streamKey, 'MINID', '~', string.format('%d', minMs))
  end
end

return { 'published', 'id', id }
