-- Ends a membership with everything that belongs to it: the joinedAt, the
-- admin role, the entries in the user's private rooms and conversations. 1 when the user was a member.
local function endMembership(membersKey, joinedKey, adminsKey, userRoomsKey, userConversationsKey, groupId, userId)
  local was = redis.call('ZREM', membersKey, userId)
  if was == 1 then
    redis.call('HDEL', joinedKey, userId)
    redis.call('SREM', adminsKey, userId)
    redis.call('ZREM', userRoomsKey, groupId)
    redis.call('ZREM', userConversationsKey, groupId)
  end
  return was
end
