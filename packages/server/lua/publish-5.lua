--[[
  Appends one message to a group, atomically with its checks and records.

  KEYS[1] group meta hash        <prefix>:{g}:meta
  KEYS[2] group members zset     <prefix>:{g}:members
  KEYS[3] group stream           <prefix>:{g}:stream
  KEYS[4] history stream         <prefix>:history
  KEYS[5] dedupe key             <prefix>:dedupe:{g}:<author>:<cmid> (unused when ARGV[5] is '')

  ARGV[1] author id
  ARGV[2] text
  ARGV[3] sentAt (ISO-8601)
  ARGV[4] group id (copied into the history entry)
  ARGV[5] clientMessageId, '' for none
  ARGV[6] dedupe window, seconds
  ARGV[7] '1' when a history database is configured: also append to the
          history stream and trim the group stream; '0': keep everything
  ARGV[8] stream retention, ms
  ARGV[9] channel to PUBLISH the new id on (fan-out wake-up), '' for none

  Returns
    { 1, id }                   published; id is the group stream id
    { 2, original }             duplicate; original is cjson {id,text,sentAt}
    -1                          no such group
    -2                          author is not a member
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local streamKey = KEYS[3]
local historyKey = KEYS[4]
local dedupeKey = KEYS[5]

local author = ARGV[1]
local text = ARGV[2]
local sentAt = ARGV[3]
local groupId = ARGV[4]
local cmid = ARGV[5]
local dedupeSeconds = tonumber(ARGV[6])
local withHistory = ARGV[7] == '1'
local retentionMs = tonumber(ARGV[8])
local notifyChannel = ARGV[9]

if redis.call('EXISTS', metaKey) == 0 then
  return -1
end
if not redis.call('ZSCORE', membersKey, author) then
  return -2
end
if cmid ~= '' then
  local original = redis.call('GET', dedupeKey)
  if original then
    return { 2, original }
  end
end

-- 'n' numbers the group's messages 1, 2, 3...: a reader that sees a number
-- skipped knows entries were trimmed before it read them.
local seq = redis.call('HINCRBY', metaKey, 'seq', 1)
local id = redis.call('XADD', streamKey, '*', 'a', author, 't', text, 's', sentAt, 'c', cmid, 'n', seq)
if notifyChannel ~= '' then
  -- The announcement carries the entry itself: a hub that has delivered the
  -- one before it (n - 1) delivers it without reading the stream.
  redis.call('PUBLISH', notifyChannel, cjson.encode({ i = id, n = seq, a = author, t = text, s = sentAt, c = cmid }))
end

if cmid ~= '' then
  local original = cjson.encode({ id = id, text = text, sentAt = sentAt })
  redis.call('SET', dedupeKey, original, 'EX', dedupeSeconds)
end

if withHistory then
  redis.call('XADD', historyKey, '*', 'g', groupId, 'i', id, 'a', author, 't', text, 's', sentAt, 'c', cmid)
  -- Trim what is both older than the retention and already in MySQL: the
  -- oldest entry still in the history stream bounds what may go.
  local now = redis.call('TIME')
  local minMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - retentionMs
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

return { 1, id }
