--[[
  Invites a user to a room: one pending invitation per user and room, kept
  in the room's invitations and the user's inbox. Inviting again changes
  nothing (the first invitedBy stays). No check of who asks (hub/policy.ts).

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] group members zset         <prefix>:{g}:members
  KEYS[3] invitations hash           <prefix>:{g}:invites
  KEYS[4] bans hash                  <prefix>:{g}:bans

  ARGV[1] group id
  ARGV[2] user id
  ARGV[3] the invitation: {"invitedBy":u,"at":iso,"atMs":ms}
  ARGV[4] its time, ms (the inbox score; bans that ended by then are removed)

  Returns a status and named fields (<group> as in join-6.lua):
    {'invited', <group>}
    {'already_invited', 'invitation', json}   the pending one
    {'already_member'}
    {'banned', 'untilMs', ms | ''}
    {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local invitesKey = KEYS[3]
local bansKey = KEYS[4]

local groupId = ARGV[1]
local userId = ARGV[2]
local atMs = tonumber(ARGV[4])

--- @include "withGroup"

if redis.call('EXISTS', metaKey) == 0 then
  return { 'group_not_found' }
end
if redis.call('ZSCORE', membersKey, userId) then
  return { 'already_member' }
end
--- @include "banInForce"
local banned = banInForce(bansKey, userId, atMs)
if banned then return banned end
local pending = redis.call('HGET', invitesKey, userId)
if pending then
  return { 'already_invited', 'invitation', pending }
end
redis.call('HSET', invitesKey, userId, ARGV[3])
return withGroup({ 'invited' }, metaKey, membersKey)
