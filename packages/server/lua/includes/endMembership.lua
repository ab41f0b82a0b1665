-- Ends a membership with everything of it on the group's side: the joinedAt
-- and the admin role. Returns the ended membership's joinedAt (ISO-8601), or
-- false when the user was no member. The user's own indexes are the store's
-- to update after (redis-group-store.ts): they live in the user's slot.
local function endMembership(membersKey, joinedKey, adminsKey, userId)
  if redis.call('ZREM', membersKey, userId) == 0 then return false end
  local joinedAt = redis.call('HGET', joinedKey, userId) or ''
  redis.call('HDEL', joinedKey, userId)
  redis.call('SREM', adminsKey, userId)
  return joinedAt
end
