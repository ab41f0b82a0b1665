--[[
  Moves a member's read marker forward (never back) and answers how many of
  the group's messages come after it, by their numbers: O(1), no scan.

  KEYS[1] group meta hash        <prefix>:{g}:meta  (seq, last, and the markers: read:<user> = "<n> <id>")
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

local function before(x, y)
  local xa, xb = string.match(x, '^(%d+)-(%d+)$')
  local ya, yb = string.match(y, '^(%d+)-(%d+)$')
  xa, xb, ya, yb = tonumber(xa), tonumber(xb), tonumber(ya), tonumber(yb)
  return xa < ya or (xa == ya and xb < yb)
end

local seq = tonumber(redis.call('HGET', metaKey, 'seq') or '0')
local last = redis.call('HGET', metaKey, 'last')
if not last or before(last, messageId) then
  return { 'too_new' }
end
local mark = redis.call('HGET', metaKey, 'read:' .. userId)
if mark then
  local space = string.find(mark, ' ')
  local markN = tonumber(string.sub(mark, 1, space - 1))
  local markId = string.sub(mark, space + 1)
  if not before(markId, messageId) then
    return { 'unchanged', 'readUpTo', markId, 'unread', seq - markN }
  end
end
-- The number of messageId: its entry's; for an id between two messages, the
-- number of the one before (the next entry's less one).
local n = seq
local next = redis.call('XRANGE', streamKey, messageId, '+', 'COUNT', 1)
if #next > 0 then
  local fields = next[1][2]
  for i = 1, #fields, 2 do
    if fields[i] == 'n' then n = tonumber(fields[i + 1]) end
  end
  if next[1][1] ~= messageId then n = n - 1 end
end
redis.call('HSET', metaKey, 'read:' .. userId, string.format('%d', n) .. ' ' .. messageId)
return { 'read', 'readUpTo', messageId, 'unread', seq - n }
