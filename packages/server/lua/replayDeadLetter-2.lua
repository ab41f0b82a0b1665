--[[
  Puts a dead letter back into its partition's stream, for its endpoint only
  (the other endpoints' consumer groups skip it), and removes it from the
  dead letters: one step, so two replays of one id queue it once.

  KEYS[1] dead letters     <prefix>:webhooks:dead
  KEYS[2] webhook events   <prefix>:{wh:<p>}:events, the dead letter's partition

  ARGV[1] the dead letter's id

  Returns {'replayed', 'position', id} or {'not_found'}
]]
local entry = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entry == 0 then
  return { 'not_found' }
end
local fields = {}
local raw = entry[1][2]
for i = 1, #raw, 2 do fields[raw[i]] = raw[i + 1] end
local position = redis.call('XADD', KEYS[2], '*', 'e', fields['event'], 'o', fields['endpoint'])
redis.call('XDEL', KEYS[1], ARGV[1])
return { 'replayed', 'position', position }
