--[[
  Ends a membership.

  KEYS[1] group meta hash        <prefix>:{g}:meta
  KEYS[2] group members zset     <prefix>:{g}:members
  KEYS[3] joinedAt hash          <prefix>:{g}:joined

  ARGV[1] user id

  Returns {'left'} | {'not_member'} | {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local joinedKey = KEYS[3]

if redis.call('EXISTS', metaKey) == 0 then
  return { 'group_not_found' }
end
if redis.call('ZREM', membersKey, ARGV[1]) == 0 then
  return { 'not_member' }
end
redis.call('HDEL', joinedKey, ARGV[1])
return { 'left' }
