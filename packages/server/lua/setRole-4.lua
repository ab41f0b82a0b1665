--[[
  Sets a member's role. 'owner' hands ownership over: the old owner becomes
  an admin if a member, else keeps no role. The owner's own role changes
  only by handing over; in a direct conversation both stay members. No check
  of who asks (hub/policy.ts).

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] group members zset         <prefix>:{g}:members
  KEYS[3] joinedAt hash              <prefix>:{g}:joined
  KEYS[4] admins set                 <prefix>:{g}:admins

  ARGV[1] user id (a member)
  ARGV[2] role: 'owner' | 'admin' | 'member'

  Returns a status and named fields:
    {'set', 'role', r, 'joinedAt', t, 'mark', '<n> <id>' or '', 'changes', 'u1 r1 u2 r2'}   the user's role now; every
                                                                     user whose role changed (0 to 2)
    {'not_member'} | {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local joinedKey = KEYS[3]
local adminsKey = KEYS[4]

local userId = ARGV[1]
local role = ARGV[2]

local meta = redis.call('HMGET', metaKey, 'createdBy', 'kind', 'ownerId')
if not meta[1] then
  return { 'group_not_found' }
end
if not redis.call('ZSCORE', membersKey, userId) then
  return { 'not_member' }
end
local joinedAt = redis.call('HGET', joinedKey, userId) or ''
-- The member's read marker ("<n> <id>"), for the Member the hub answers with.
local mark = redis.call('HGET', metaKey, 'read:' .. userId) or ''
if meta[2] == 'direct' then
  return { 'set', 'role', 'member', 'joinedAt', joinedAt, 'mark', mark, 'changes', '' }
end
local ownerId = meta[3] or meta[1]

local changes = {}
local now
if ownerId == userId then
  now = 'owner'
elseif role == 'owner' then
  redis.call('HSET', metaKey, 'ownerId', userId)
  redis.call('SREM', adminsKey, userId)
  changes[#changes + 1] = userId .. ' owner'
  if ownerId ~= '' and redis.call('ZSCORE', membersKey, ownerId) then
    redis.call('SADD', adminsKey, ownerId)
    changes[#changes + 1] = ownerId .. ' admin'
  end
  now = 'owner'
elseif role == 'admin' then
  if redis.call('SADD', adminsKey, userId) == 1 then changes[#changes + 1] = userId .. ' admin' end
  now = 'admin'
else
  if redis.call('SREM', adminsKey, userId) == 1 then changes[#changes + 1] = userId .. ' member' end
  now = 'member'
end
return { 'set', 'role', now, 'joinedAt', joinedAt, 'mark', mark, 'changes', table.concat(changes, ' ') }
