--[[
  Bans a user from a room: ends the membership if any, drops a pending
  invitation from both sides and records the ban (replacing an older one),
  together. No check of who asks (hub/policy.ts decides that).

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] group members zset         <prefix>:{g}:members
  KEYS[3] joinedAt hash              <prefix>:{g}:joined
  KEYS[4] admins set                 <prefix>:{g}:admins
  KEYS[5] invitations hash           <prefix>:{g}:invites
  KEYS[6] bans hash                  <prefix>:{g}:bans

  ARGV[1] group id
  ARGV[2] user id
  ARGV[3] the ban: {"by":u,"at":iso,"untilMs":ms|null,"reason":s}

  Returns {'banned', 'wasMember', 0 | 1, 'joinedAt', iso (when 1)} | {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local joinedKey = KEYS[3]
local adminsKey = KEYS[4]
local invitesKey = KEYS[5]
local bansKey = KEYS[6]

local groupId = ARGV[1]
local userId = ARGV[2]

if redis.call('EXISTS', metaKey) == 0 then
  return { 'group_not_found' }
end
--- @include "endMembership"
local joinedAt = endMembership(membersKey, joinedKey, adminsKey, userId)
redis.call('HDEL', invitesKey, userId)
redis.call('HSET', bansKey, userId, ARGV[3])
if not joinedAt then return { 'banned', 'wasMember', 0 } end
return { 'banned', 'wasMember', 1, 'joinedAt', joinedAt }
