--[[
  The one direct conversation of two users, created the first time with
  both as members. A direct conversation is private, in no index, without
  owner, of capacity 2. Whether the other user blocks the caller, and the
  two users' conversation entries, are the store's (their own slots).

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] group members zset         <prefix>:{g}:members
  KEYS[3] joinedAt hash              <prefix>:{g}:joined

  ARGV[1] user a (the caller)
  ARGV[2] user b
  ARGV[3] createdAt / joinedAt (ISO-8601)
  ARGV[4] peers: the two ids sorted, "x,y"
  ARGV[5] now, ms (the conversations' join time)
  ARGV[6] group id

  Returns a status and named fields (<group> as in join-6.lua):
    {'created', <group>} | {'exists', <group>}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local joinedKey = KEYS[3]

local a = ARGV[1]
local b = ARGV[2]
local at = ARGV[3]

--- @include "withGroup"

if redis.call('EXISTS', metaKey) == 1 then
  return withGroup({ 'exists' }, metaKey, membersKey)
end
redis.call('HSET', metaKey,
  'createdBy', a, 'createdAt', at, 'kind', 'direct', 'visibility', 'private',
  'title', '', 'topic', '', 'ownerId', '', 'capacity', 2, 'peers', ARGV[4])
redis.call('ZADD', membersKey, 0, a, 0, b)
redis.call('HSET', joinedKey, a, at, b, at)
return withGroup({ 'created' }, metaKey, membersKey)
