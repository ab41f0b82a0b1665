--[[
  One entry of me.conversations, read at one instant: the group, the
  caller's membership and admin role, read marker, the message count and
  the newest message as it is now. O(1): no scan of the log.

  KEYS[1] group meta hash        <prefix>:{g}:meta
  KEYS[2] group members zset     <prefix>:{g}:members
  KEYS[3] admins set             <prefix>:{g}:admins
  KEYS[4] edits hash             <prefix>:{g}:edits
  KEYS[5] group stream           <prefix>:{g}:stream

  ARGV[1] user id

  Returns {'found', <group>, 'member', 0|1, 'admin', 0|1, 'mark', "<m> <id>" | '',
           'msgs', n, 'last', json | ''} | {'group_not_found'}
]]
--- @include "withGroup"

if redis.call('EXISTS', KEYS[1]) == 0 then
  return { 'group_not_found' }
end
local userId = ARGV[1]
local out = withGroup({ 'found' }, KEYS[1], KEYS[2])
local v = redis.call('HMGET', KEYS[1], 'msgs', 'seq', 'last', 'read:' .. userId)
local lastJson = ''
if v[3] then
  lastJson = redis.call('HGET', KEYS[4], v[3])
  if not lastJson then
    lastJson = ''
    local entry = redis.call('XRANGE', KEYS[5], v[3], v[3])
    if #entry > 0 then
      local fields = entry[1][2]
      for i = 1, #fields, 2 do
        if fields[i] == 'd' then lastJson = fields[i + 1] end
      end
    end
  end
end
out[#out + 1] = 'member'
out[#out + 1] = redis.call('ZSCORE', KEYS[2], userId) and 1 or 0
out[#out + 1] = 'admin'
out[#out + 1] = redis.call('SISMEMBER', KEYS[3], userId)
out[#out + 1] = 'mark'
out[#out + 1] = v[4] or ''
out[#out + 1] = 'msgs'
out[#out + 1] = v[1] or v[2] or '0'
out[#out + 1] = 'last'
out[#out + 1] = lastJson
return out
