--[[
  Creates a group unless its id is taken.

  KEYS[1] group meta hash        <prefix>:{g}:meta
  KEYS[2] groups index zset      <prefix>:groups

  ARGV[1] group id
  ARGV[2] createdBy
  ARGV[3] createdAt (ISO-8601)

  Returns 1 created, 0 the id is taken
]]
local metaKey = KEYS[1]
local groupsKey = KEYS[2]

if redis.call('EXISTS', metaKey) == 1 then
  return 0
end
redis.call('HSET', metaKey, 'createdBy', ARGV[2], 'createdAt', ARGV[3])
redis.call('ZADD', groupsKey, 0, ARGV[1])
return 1
