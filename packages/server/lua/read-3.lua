--[[
  Moves a member's read marker forward (never back) and answers how many of
  the group's messages come after it, by their numbers: O(1), no scan.

  KEYS[1] group meta hash        <prefix>:{g}:meta  (msgs, last, and the markers: read:<user> = "<m> <id>")
  KEYS[2] group members zset     <prefix>:{g}:members
  KEYS[3] group stream           <prefix>:{g}:stream

  ARGV[1] user id
  ARGV[2] message id read up to

  Returns a status and named fields:
    {'read', 'readUpTo', id, 'unread', n}        the marker moved
    {'unchanged', 'readUpTo', id, 'unread', n}   it was there or further already
    {'too_new'}                                   newer than the group's newest message
    {'not_member'} | {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local streamKey = KEYS[3]
local userId = ARGV[1]
local messageId = ARGV[2]

if redis.call('EXISTS', metaKey) == 0 then
  return { 'group_not_found' }
end
if not redis.call('ZSCORE', membersKey, userId) then
  return { 'not_member' }
end

--- @include "paddedId"

local function before(x, y)
  return padded(x) < padded(y)
end

-- 'msgs' counts the messages; groups from before edits have only 'seq'.
local counts = redis.call('HMGET', metaKey, 'msgs', 'seq', 'last')
local msgs = tonumber(counts[1] or counts[2] or '0')
local last = counts[3]
if not last or before(last, messageId) then
  return { 'too_new' }
end
local mark = redis.call('HGET', metaKey, 'read:' .. userId)
if mark then
  local space = string.find(mark, ' ')
  local markN = tonumber(string.sub(mark, 1, space - 1))
  local markId = string.sub(mark, space + 1)
  if not before(markId, messageId) then
    return { 'unchanged', 'readUpTo', markId, 'unread', msgs - markN }
  end
end
-- The number of messageId: its entry's 'm'; for an id between two messages
-- (or of a deleted one), the number of the next message less one. Edits and
-- deletes in between are skipped; entries of an earlier release have only 'n'.
local n = msgs
local from = messageId
for _ = 1, 64 do
  local page = redis.call('XRANGE', streamKey, from, '+', 'COUNT', 16)
  local found = false
  for _, e in ipairs(page) do
    local fields = e[2]
    local m, nn, isMessage = nil, nil, false
    for i = 1, #fields, 2 do
      if fields[i] == 'm' then m = tonumber(fields[i + 1])
      elseif fields[i] == 'n' then nn = tonumber(fields[i + 1])
      elseif fields[i] == 'd' then isMessage = true end
    end
    if isMessage then
      n = m or nn
      if e[1] ~= messageId then n = n - 1 end
      found = true
      break
    end
  end
  if found or #page < 16 then break end
  from = '(' .. page[#page][1]
end
redis.call('HSET', metaKey, 'read:' .. userId, string.format('%d', n) .. ' ' .. messageId)
return { 'read', 'readUpTo', messageId, 'unread', msgs - n }
