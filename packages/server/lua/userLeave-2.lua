--[[
  The user's side of an ended membership (leave, kick, ban), in the user's
  slot, after the group's step: removes the group from the user's
  conversations and rooms only while the entry is that membership's (its
  score is the ended membership's join ms). A join that came between, and
  wrote its own entry, keeps it.

  KEYS[1] the user's rooms           <prefix>:user:{u}:rooms
  KEYS[2] the user's conversations   <prefix>:user:{u}:conversations  zset groupId -> join ms

  ARGV[1] group id
  ARGV[2] the ended membership's join ms ('' when unknown: removed whatever it is)

  Returns {'removed'} | {'kept'}
]]
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if score and ARGV[2] ~= '' and tonumber(score) ~= tonumber(ARGV[2]) then
  return { 'kept' }
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
return { 'removed' }
