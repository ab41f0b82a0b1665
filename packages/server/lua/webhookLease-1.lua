--[[
  A webhook partition's lease (webhooks/delivery.ts): the one hub delivering
  the partition. Taking a free lease and renewing one's own are one step, so
  a hub never renews a lease that expired and was taken by another.

  KEYS[1] the lease   <prefix>:{wh:<p>}:lease  (the holder's instance id, PX)

  ARGV[1] this instance's id
  ARGV[2] 'acquire' (take it if free, renew it if ours) | 'release' (delete it if ours)
  ARGV[3] lease ms

  Returns {'held'} or {'other'} (acquire), {'released'} (release)
]]
local holder = redis.call('GET', KEYS[1])
if ARGV[2] == 'release' then
  if holder == ARGV[1] then redis.call('DEL', KEYS[1]) end
  return { 'released' }
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return { 'held' }
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  return { 'held' }
end
return { 'other' }
