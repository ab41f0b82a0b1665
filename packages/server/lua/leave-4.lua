--[[
  Ends the user's own membership. Direct conversations cannot be left, and
  the owner may not leave while other members remain.

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] group members zset         <prefix>:{g}:members
  KEYS[3] joinedAt hash              <prefix>:{g}:joined
  KEYS[4] admins set                 <prefix>:{g}:admins

  ARGV[1] group id
  ARGV[2] user id

  Returns {'left'} | {'not_member'} | {'group_not_found'} | {'direct'} | {'owner_cannot_leave'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local joinedKey = KEYS[3]
local adminsKey = KEYS[4]

local groupId = ARGV[1]
local userId = ARGV[2]

local meta = redis.call('HMGET', metaKey, 'createdBy', 'kind', 'ownerId')
if not meta[1] then
  return { 'group_not_found' }
end
if meta[2] == 'direct' then
  return { 'direct' }
end
if not redis.call('ZSCORE', membersKey, userId) then
  return { 'not_member' }
end
local ownerId = meta[3] or meta[1]
if ownerId == userId and redis.call('ZCARD', membersKey) > 1 then
  return { 'owner_cannot_leave' }
end
local joinedAt = redis.call('HGET', joinedKey, userId) or ''
redis.call('ZREM', membersKey, userId)
redis.call('HDEL', joinedKey, userId)
redis.call('SREM', adminsKey, userId)
return { 'left', 'joinedAt', joinedAt }
