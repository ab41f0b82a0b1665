--[[
  Ends a user's membership on someone else's behalf (group.kick): no ban, no
  check of who asks (hub/policy.ts decides that).

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] group members zset         <prefix>:{g}:members
  KEYS[3] joinedAt hash              <prefix>:{g}:joined
  KEYS[4] admins set                 <prefix>:{g}:admins

  ARGV[1] group id
  ARGV[2] user id

  Returns {'removed', 'wasMember', 0 | 1, 'joinedAt', iso (when 1)} | {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local joinedKey = KEYS[3]
local adminsKey = KEYS[4]

local groupId = ARGV[1]
local userId = ARGV[2]

if redis.call('EXISTS', metaKey) == 0 then
  return { 'group_not_found' }
end
--- @include "endMembership"
local joinedAt = endMembership(membersKey, joinedKey, adminsKey, userId)
if not joinedAt then return { 'removed', 'wasMember', 0 } end
return { 'removed', 'wasMember', 1, 'joinedAt', joinedAt }
