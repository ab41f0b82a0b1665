--[[
  Makes a user a member of a group, checking capacity in the same step, so
  concurrent joins on any number of hubs never overshoot it.

  KEYS[1] group meta hash        <prefix>:{g}:meta
  KEYS[2] group members zset     <prefix>:{g}:members
  KEYS[3] joinedAt hash          <prefix>:{g}:joined

  ARGV[1] user id
  ARGV[2] capacity
  ARGV[3] joinedAt (ISO-8601) for a new member

  Returns a status and named fields:
    {'joined',  'joinedAt', t, 'createdBy', u, 'createdAt', t, 'memberCount', n}
    {'already', 'joinedAt', t, 'createdBy', u, 'createdAt', t, 'memberCount', n}
    {'full', 'capacity', n}
    {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local joinedKey = KEYS[3]

local userId = ARGV[1]
local capacity = tonumber(ARGV[2])

local meta = redis.call('HMGET', metaKey, 'createdBy', 'createdAt')
if not meta[1] then
  return { 'group_not_found' }
end
local count = redis.call('ZCARD', membersKey)
if redis.call('ZSCORE', membersKey, userId) then
  local joinedAt = redis.call('HGET', joinedKey, userId) or ARGV[3]
  return { 'already', 'joinedAt', joinedAt, 'createdBy', meta[1], 'createdAt', meta[2], 'memberCount', count }
end
if count >= capacity then
  return { 'full', 'capacity', capacity }
end
redis.call('ZADD', membersKey, 0, userId)
redis.call('HSET', joinedKey, userId, ARGV[3])
return { 'joined', 'joinedAt', ARGV[3], 'createdBy', meta[1], 'createdAt', meta[2], 'memberCount', count + 1 }
