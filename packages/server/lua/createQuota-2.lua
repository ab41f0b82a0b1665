--[[
  A creator's quota of group.create, in the creator's slot: 'take' checks and
  counts one creation (so pipelined creates on any number of hubs never
  overshoot it), 'refund' gives it back when the id turned out to be taken.
  The group itself is created after, in its own slot (create-1.lua).

  KEYS[1] groups created by the user <prefix>:user:{u}:created        (counter, persistent)
  KEYS[2] the user's creation window <prefix>:user:{u}:create-window  (counter, PEXPIRE window)

  ARGV[1] 'take' | 'refund'
  ARGV[2] most creations per window (0: unlimited)
  ARGV[3] window length in ms
  ARGV[4] most creations in all (0: unlimited)

  Returns {'taken'} | {'refunded'} | {'quota', 'quota', 'window'|'total', 'retryAfterMs', ms}
]]
local createdKey, windowKey = KEYS[1], KEYS[2]
local perWindow = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local total = tonumber(ARGV[4])

if ARGV[1] == 'refund' then
  if tonumber(redis.call('GET', createdKey) or '0') > 0 then redis.call('DECR', createdKey) end
  -- Only a window still running gives its slot back (a DECR of a gone key would make one without expiry).
  if perWindow > 0 and tonumber(redis.call('GET', windowKey) or '0') > 0 then redis.call('DECR', windowKey) end
  return { 'refunded' }
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
return { 'taken' }
