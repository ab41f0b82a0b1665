--[[
  Declines (drops) a pending invitation from the room (the user's inbox
  entry goes after, in the user's slot: redis-group-store.ts).

  KEYS[1] invitations hash           <prefix>:{g}:invites

  ARGV[1] group id
  ARGV[2] user id

  Returns {'declined'} | {'not_invited'}
]]
local invitesKey = KEYS[1]
if redis.call('HDEL', invitesKey, ARGV[2]) == 0 then
  return { 'not_invited' }
end
return { 'declined' }
