--[[
  Removes a group with its members, roles, invitations, bans and stream; the
  id may then be created again, and starts afresh (the message counter and
  last id live in meta). Each member's private-room entry and each invitee's
  inbox entry go too (those keys are made here from the parts in ARGV:
  O(members + invitees)). Dedupe keys expire on their own; MySQL history is
  the history writer's.

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] group members zset         <prefix>:{g}:members
  KEYS[3] joinedAt hash              <prefix>:{g}:joined
  KEYS[4] admins set                 <prefix>:{g}:admins
  KEYS[5] invitations hash           <prefix>:{g}:invites
  KEYS[6] bans hash                  <prefix>:{g}:bans
  KEYS[7] public rooms index zset    <prefix>:groups
  KEYS[8] group stream               <prefix>:{g}:stream
  KEYS[9] edits hash                 <prefix>:{g}:edits
  KEYS[10] deleted index             <prefix>:{g}:deleted
  KEYS[11] updates index             <prefix>:{g}:updates

  ARGV[1] group id
  ARGV[2] a user's private-room set key before the user id (<prefix>:user:{)
  ARGV[3] ... and after it (}:rooms)
  ARGV[4] a user's invitations key before the user id (<prefix>:user:{)
  ARGV[5] ... and after it (}:invitations)
  ARGV[6] a user's conversations key before the user id (<prefix>:user:{)
  ARGV[7] ... and after it (}:conversations)

  Returns {'deleted', 'members', 'u1 u2 ...'} (who were members) | {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local joinedKey = KEYS[3]
local adminsKey = KEYS[4]
local invitesKey = KEYS[5]
local bansKey = KEYS[6]
local groupsKey = KEYS[7]
local streamKey = KEYS[8]

local groupId = ARGV[1]

if redis.call('EXISTS', metaKey) == 0 then
  return { 'group_not_found' }
end
local members = redis.call('ZRANGE', membersKey, 0, -1)
for _, m in ipairs(members) do
  redis.call('ZREM', ARGV[2] .. m .. ARGV[3], groupId)
  redis.call('ZREM', ARGV[6] .. m .. ARGV[7], groupId)
end
for _, u in ipairs(redis.call('HKEYS', invitesKey)) do
  redis.call('ZREM', ARGV[4] .. u .. ARGV[5], groupId)
end
redis.call('DEL', metaKey, membersKey, joinedKey, adminsKey, invitesKey, bansKey, streamKey, KEYS[9], KEYS[10], KEYS[11])
redis.call('ZREM', groupsKey, groupId)
return { 'deleted', 'members', table.concat(members, ' ') }
