--[[
  Creates a room unless its id is taken or its creator is over a creation
  quota. The quota check and the counting happen with the creation, so
  pipelined creates on any number of hubs never overshoot it. The creator is
  the owner (ownerId), not a member. Public rooms go into the groups index
  (group.list); private ones are listed through their members' room sets.

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] public rooms index zset    <prefix>:groups
  KEYS[3] groups created by the user <prefix>:user:{u}:created        (counter, persistent)
  KEYS[4] the user's creation window <prefix>:user:{u}:create-window  (counter, PEXPIRE window)

  ARGV[1] group id
  ARGV[2] createdBy
  ARGV[3] createdAt (ISO-8601)
  ARGV[4] most creations per window (0: unlimited)
  ARGV[5] window length in ms
  ARGV[6] most creations in all (0: unlimited)
  ARGV[7] visibility: 'public' | 'private'
  ARGV[8] title
  ARGV[9] topic
  ARGV[10] capacity (most members)

  Returns a status and named fields:
    {'created'} | {'exists'} | {'quota', 'quota', 'window'|'total', 'retryAfterMs', ms}
]]
local metaKey = KEYS[1]
local groupsKey = KEYS[2]
local createdKey = KEYS[3]
local windowKey = KEYS[4]
local perWindow = tonumber(ARGV[4])
local windowMs = tonumber(ARGV[5])
local total = tonumber(ARGV[6])

if redis.call('EXISTS', metaKey) == 1 then
  return {'exists'}
end
if total > 0 and tonumber(redis.call('GET', createdKey) or '0') >= total then
  return {'quota', 'quota', 'total', 'retryAfterMs', windowMs}
end
if perWindow > 0 then
  local used = tonumber(redis.call('GET', windowKey) or '0')
  if used >= perWindow then
    local ttl = redis.call('PTTL', windowKey)
    if ttl < 0 then ttl = windowMs end
    return {'quota', 'quota', 'window', 'retryAfterMs', ttl}
  end
  if redis.call('INCR', windowKey) == 1 then
    redis.call('PEXPIRE', windowKey, windowMs)
  end
end
redis.call('INCR', createdKey)
-- createdMs (Redis's clock): dedupe records older than the group belong to a
-- deleted group of the same id, and publish-5.lua ignores them.
local now = redis.call('TIME')
redis.call('HSET', metaKey,
  'createdBy', ARGV[2], 'createdAt', ARGV[3], 'kind', 'room', 'visibility', ARGV[7],
  'title', ARGV[8], 'topic', ARGV[9], 'ownerId', ARGV[2], 'capacity', ARGV[10],
  'createdMs', string.format('%d', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)))
if ARGV[7] == 'public' then
  redis.call('ZADD', groupsKey, 0, ARGV[1])
end
return {'created'}
