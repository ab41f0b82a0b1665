--[[
  Appends one message to a group, atomically with its checks and records.
  It builds the message's one payload (docs/architecture.md): the JSON made
  by the hub (events/codec.ts messageBody) with the id this script chooses
  put in front, and that same string goes to the group stream, the
  announcement, the dedupe record and the history stream.

  KEYS[1] group meta hash        <prefix>:{g}:meta  (also seq, msgs, last, top, and read:<author>)
  KEYS[2] group members zset     <prefix>:{g}:members
  KEYS[3] group stream           <prefix>:{g}:stream
  KEYS[4] history stream         <prefix>:history, or on a cluster the group's slot's (keys.ts historyOf)
  KEYS[5] dedupe key             <prefix>:dedupe:{g}:<author>:<cmid> (unused when ARGV[3] is '')
  KEYS[6] edits hash             <prefix>:{g}:edits (a retry of an edited or deleted message gets it as it is now)
  KEYS[7] webhook events         <prefix>:{wh:<p>}:events, the group's partition (unused when ARGV[9] is not '1')

  ARGV[1] author id
  ARGV[2] the message's JSON without its id: {"groupId":...}
  ARGV[3] clientMessageId, '' for none
  ARGV[4] dedupe window, seconds
  ARGV[5] '1' when a history database is configured: also append to the
          history stream and trim the group stream; '0': keep everything
  ARGV[6] stream retention, ms
  ARGV[7] channel to announce the entry on (fan-out), '' for none
  ARGV[8] '1': posted by the operator (HTTP API): the author need not be a member
          and has no read marker to move
  ARGV[9] '1': a webhook endpoint wants message.created: the message goes to
          KEYS[7] in this same step, so no message is announced without its
          webhook event or the other way round
  ARGV[10] 'PUBLISH', or 'SPUBLISH' on a cluster (the channel is in the group's slot)

  The author's read marker moves here; telling their connections on other
  hubs is the broker's (their channel is in the user's slot, not this one).

  Returns a status and named fields:
    {'published', 'id', id}
    {'duplicate', 'json', original}   the original message's JSON
    {'group_not_found'}
    {'not_member'}
]]
--- @include "paddedId"

local metaKey = KEYS[1]
local membersKey = KEYS[2]
local streamKey = KEYS[3]
local historyKey = KEYS[4]
local dedupeKey = KEYS[5]
local editsKey = KEYS[6]

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
local byOperator = ARGV[8] == '1'
if not byOperator and not redis.call('ZSCORE', membersKey, author) then
  return { 'not_member' }
end
if cmid ~= '' then
  local original = redis.call('GET', dedupeKey)
  if original then
    -- A record from a deleted group of the same id (older than this one) does not count.
    local originalMs = tonumber(string.match(original, '^{"id":"(%d+)%-'))
    local createdMs = tonumber(redis.call('HGET', metaKey, 'createdMs') or '0')
    if originalMs and originalMs >= createdMs then
      local originalId = string.match(original, '^{"id":"([%d%-]+)"')
      return { 'duplicate', 'json', redis.call('HGET', editsKey, originalId) or original }
    end
  end
end

-- The id, chosen here as XADD '*' would (ms of now, or the last ms with the
-- next sequence), because the payload carries it and XADD cannot return it
-- before writing. `top` (the newest entry: message, edit or delete) is kept
-- in the meta hash; groups from before it was kept have `last` (the newest
-- message) or take it from their stream's newest entry.
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local tops = redis.call('HMGET', metaKey, 'top', 'last', 'msgs')
local last = newerId(tops[1], tops[2])
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

-- 'n' numbers the group's entries 1, 2, 3... (messages, edits, deletes): a
-- reader that sees a number skipped knows entries were trimmed or deleted
-- before it read them. 'm' numbers the messages alone: unread counts are
-- differences of it. Groups from before edits have no 'msgs': every entry
-- was a message, so it is 'seq'.
local seq = redis.call('HINCRBY', metaKey, 'seq', 1)
local m = tonumber(tops[3] or (seq - 1)) + 1
redis.call('XADD', streamKey, id, 'n', seq, 'm', m, 'd', json)
-- The newest id, and the author's read marker: sending a message reads up to it.
if byOperator then
  redis.call('HSET', metaKey, 'last', id, 'top', id, 'msgs', m)
else
  redis.call('HSET', metaKey, 'last', id, 'top', id, 'msgs', m, 'read:' .. author, string.format('%d', m) .. ' ' .. id)
end
if notifyChannel ~= '' then
  -- The announcement carries the entry: a hub that has delivered the one
  -- before it (n - 1) delivers it without reading the stream.
  redis.call(ARGV[10], notifyChannel, seq .. json)
end

if cmid ~= '' then
  redis.call('SET', dedupeKey, json, 'EX', dedupeSeconds)
end

if ARGV[9] == '1' then
  redis.call('XADD', KEYS[7], '*', 'k', 'message.created', 'm', json)
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
    -- Marked once trimmed: history readers then look for older messages in
    -- MySQL (a stream with holes of deleted messages alone need not).
    if redis.call('XTRIM', streamKey, 'MINID', '~', string.format('%d', minMs)) > 0 then
      redis.call('HSET', metaKey, 'trimmed', '1')
    end
  end
end

return { 'published', 'id', id }
