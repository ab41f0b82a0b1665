--[[
  Removes a group with its members, roles, invitations, bans and stream; the
  id may then be created again, and starts afresh (the message counter and
  last id live in meta). Answers the members with their join ms and the
  invitees, whose entries (their own slots) and the public index entry the
  store removes after. Dedupe keys expire on their own; MySQL history is the
  history writer's.

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] group members zset         <prefix>:{g}:members
  KEYS[3] joinedAt hash              <prefix>:{g}:joined
  KEYS[4] admins set                 <prefix>:{g}:admins
  KEYS[5] invitations hash           <prefix>:{g}:invites
  KEYS[6] bans hash                  <prefix>:{g}:bans
  KEYS[7] group stream               <prefix>:{g}:stream
  KEYS[8] edits hash                 <prefix>:{g}:edits
  KEYS[9] deleted index              <prefix>:{g}:deleted
  KEYS[10] updates index             <prefix>:{g}:updates

  ARGV[1] group id

  Returns {'deleted', 'members', 'u1 t1 u2 t2 ...' (who were members, and their joinedAt), 'invitees', 'u1 u2 ...'}
        | {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local joinedKey = KEYS[3]
local adminsKey = KEYS[4]
local invitesKey = KEYS[5]
local bansKey = KEYS[6]
local streamKey = KEYS[7]

local groupId = ARGV[1]

if redis.call('EXISTS', metaKey) == 0 then
  return { 'group_not_found' }
end
local members = {}
for _, m in ipairs(redis.call('ZRANGE', membersKey, 0, -1)) do
  local joinedAt = redis.call('HGET', joinedKey, m) or ''
  members[#members + 1] = m
  -- The joinedAt, for the removal that keeps a newer membership's entry ('-' when unknown).
  members[#members + 1] = joinedAt ~= '' and joinedAt or '-'
end
local invitees = redis.call('HKEYS', invitesKey)
redis.call('DEL', metaKey, membersKey, joinedKey, adminsKey, invitesKey, bansKey, streamKey, KEYS[8], KEYS[9], KEYS[10])
return { 'deleted', 'members', table.concat(members, ' '), 'invitees', table.concat(invitees, ' ') }
