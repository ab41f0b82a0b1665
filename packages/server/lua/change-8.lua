--[[
  Edits or deletes one message, atomically with its checks: an entry of the
  group's stream (its cursor is the entry's id, in the messages' id space),
  the message's current state, and what goes to the history database.

  A delete takes the text out of Redis: the message's stream entry and the
  entries of its earlier edits are deleted (XDEL; readers tell these holes
  from trimming, notify-reader.ts), its dedupe record becomes the tombstone,
  and the tombstone keeps its place in history through the deleted index.

  KEYS[1] group meta hash        <prefix>:{g}:meta  (top, seq)
  KEYS[2] group members zset     <prefix>:{g}:members
  KEYS[3] group stream           <prefix>:{g}:stream
  KEYS[4] history stream         <prefix>:history, or on a cluster the group's slot's (keys.ts historyOf)
  KEYS[5] edits hash             <prefix>:{g}:edits    <id> -> the message as it is now;
                                                       c:<id> -> cursors of its edit entries
  KEYS[6] deleted index          <prefix>:{g}:deleted  zset, scores 0, members padded ids
  KEYS[7] updates index          <prefix>:{g}:updates  zset, scores 0, "<padded cursor> <id>", the latest per message
  KEYS[8] webhook events         <prefix>:{wh:<p>}:events, the group's partition (unused when ARGV[11] is not '1')

  ARGV[1] caller
  ARGV[2] message id
  ARGV[3] 'edit' | 'delete'
  ARGV[4] the new text (edit)
  ARGV[5] now, ISO-8601 (editedAt / deletedAt)
  ARGV[6] 'author': only the author may; 'anyone': the caller's role allows it (policy.ts);
          'operator': the HTTP API, which need not be a member either
  ARGV[7] '1' when a history database is configured (the change goes to the history stream)
  ARGV[8] channel to PUBLISH the entry on (fan-out)
  ARGV[9] dedupe key before the author (<prefix>:dedupe:{g}:)
  ARGV[10] the message as the history database has it, '' when not looked up
  ARGV[11] '1': a webhook endpoint wants message.updated: the change goes to KEYS[8] in this same step
  ARGV[12] 'PUBLISH', or 'SPUBLISH' on a cluster (the channel is in the group's slot)

  Returns a status and named fields:
    {'changed', 'json', {"cursor":...,"message":...}, 'cursor', id}
    {'unchanged', 'json', message}   deleting a deleted message: the same tombstone
    {'not_found', 'trimmed', '0'|'1'}  trimmed '1': older than the stream, ask the history database
    {'not_author'} | {'deleted'} (editing a deleted message) | {'not_member'} | {'group_not_found'}
]]
local metaKey, membersKey, streamKey, historyKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local editsKey, deletedKey, updatesKey = KEYS[5], KEYS[6], KEYS[7]
local caller, id, mode, text, at, who = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local withHistory, channel, dedupeBefore, fallback = ARGV[7] == '1', ARGV[8], ARGV[9], ARGV[10]

--- @include "paddedId"

if redis.call('EXISTS', metaKey) == 0 then
  return { 'group_not_found' }
end
if who ~= 'operator' and not redis.call('ZSCORE', membersKey, caller) then
  return { 'not_member' }
end

local current = redis.call('HGET', editsKey, id)
if not current then
  local entry = redis.call('XRANGE', streamKey, id, id)
  if #entry > 0 then
    local fields = entry[1][2]
    for i = 1, #fields, 2 do
      if fields[i] == 'd' then current = fields[i + 1] end
    end
  end
end
if not current and fallback ~= '' then current = fallback end
if not current then
  local first = redis.call('XRANGE', streamKey, '-', '+', 'COUNT', 1)
  local trimmed = #first == 0 or padded(id) < padded(first[1][1])
  return { 'not_found', 'trimmed', trimmed and '1' or '0' }
end

local message = cjson.decode(current)
if who == 'author' and message.authorId ~= caller then
  return { 'not_author' }
end
if message.deletedAt then
  if mode == 'edit' then return { 'deleted' } end
  return { 'unchanged', 'json', current }
end

if mode == 'edit' then
  message.text = text
  message.editedAt = at
else
  message.text = ''
  message.deletedAt = at
end
message.id = nil
-- The id first, as every message's JSON (codec.ts idOfJson, the publish script's dedupe check).
local json = '{"id":"' .. id .. '",' .. string.sub(cjson.encode(message), 2)

-- The cursor: the group's next id, chosen as the publish script chooses message ids.
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local tops = redis.call('HMGET', metaKey, 'top', 'last')
local top = newerId(tops[1], tops[2])
local cursor = string.format('%d', nowMs) .. '-0'
if top then
  local topMs, topSeq = string.match(top, '^(%d+)-(%d+)$')
  if nowMs <= tonumber(topMs) then
    cursor = topMs .. '-' .. string.format('%d', tonumber(topSeq) + 1)
  end
end
local change = '{"cursor":"' .. cursor .. '","message":' .. json .. '}'

local seq = redis.call('HINCRBY', metaKey, 'seq', 1)
redis.call('XADD', streamKey, cursor, 'n', seq, 'u', change)
redis.call('HSET', metaKey, 'top', cursor)
redis.call(ARGV[12], channel, seq .. change)

local cursorsField = 'c:' .. id
local previous = redis.call('HGET', editsKey, cursorsField)
if mode == 'delete' then
  redis.call('XDEL', streamKey, id)
  if previous then
    for c in string.gmatch(previous, '%S+') do redis.call('XDEL', streamKey, c) end
  end
  redis.call('HSET', editsKey, id, json)
  redis.call('HDEL', editsKey, cursorsField)
  redis.call('ZADD', deletedKey, 0, padded(id))
  if message.clientMessageId then
    redis.call('SET', dedupeBefore .. message.authorId .. ':' .. message.clientMessageId, json, 'XX', 'KEEPTTL')
  end
else
  redis.call('HSET', editsKey, id, json, cursorsField, (previous and (previous .. ' ') or '') .. cursor)
end
local latest = redis.call('HGET', editsKey, 'u:' .. id)
if latest then redis.call('ZREM', updatesKey, latest) end
local member = padded(cursor) .. ' ' .. id
redis.call('ZADD', updatesKey, 0, member)
redis.call('HSET', editsKey, 'u:' .. id, member)

if withHistory then
  redis.call('XADD', historyKey, '*', 'u', change)
end
if ARGV[11] == '1' then
  redis.call('XADD', KEYS[8], '*', 'k', 'message.updated', 'm', change)
end
return { 'changed', 'json', change, 'cursor', cursor }
