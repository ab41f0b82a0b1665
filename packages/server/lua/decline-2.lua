--[[
  Declines (drops) a pending invitation, from the room and the user's inbox.

  KEYS[1] invitations hash           <prefix>:{g}:invites
  KEYS[2] the user's invitations     <prefix>:user:{u}:invitations

  ARGV[1] group id
  ARGV[2] user id

  Returns {'declined'} | {'not_invited'}
]]
local invitesKey = KEYS[1]
local userInvitationsKey = KEYS[2]
redis.call('ZREM', userInvitationsKey, ARGV[1])
if redis.call('HDEL', invitesKey, ARGV[2]) == 0 then
  return { 'not_invited' }
end
return { 'declined' }
