--[[
  Changes a room's settings. A capacity below the member count is refused.
  A change of visibility moves the room in or out of the public index and,
  the other way, out of or into every member's private-room set (those keys
  are made here from ARGV[2] .. member .. ARGV[3]: O(members)). A direct
  conversation stays private.

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] group members zset         <prefix>:{g}:members
  KEYS[3] public rooms index zset    <prefix>:groups

  ARGV[1] group id
  ARGV[2] a user's private-room set key before the user id (<prefix>:user:{)
  ARGV[3] ... and after it (}:rooms)
  ARGV[4..n] the patch as field, value pairs: title, topic, visibility, capacity

  Returns a status and named fields (<group> as in join-6.lua):
    {'updated', <group>}
    {'capacity_below_members', 'memberCount', n}
    {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local groupsKey = KEYS[3]

local groupId = ARGV[1]
local roomsBefore = ARGV[2]
local roomsAfter = ARGV[3]

--- @include "withGroup"

local meta = redis.call('HMGET', metaKey, 'createdBy', 'kind', 'visibility')
if not meta[1] then
  return { 'group_not_found' }
end
local patch = {}
for i = 4, #ARGV - 1, 2 do
  local f = ARGV[i]
  if f ~= 'title' and f ~= 'topic' and f ~= 'visibility' and f ~= 'capacity' then
    return redis.error_reply('update-3: unknown field ' .. f)
  end
  patch[f] = ARGV[i + 1]
end

local count = redis.call('ZCARD', membersKey)
if patch.capacity and tonumber(patch.capacity) < count then
  return { 'capacity_below_members', 'memberCount', count }
end
for _, f in ipairs({ 'title', 'topic', 'capacity' }) do
  if patch[f] then redis.call('HSET', metaKey, f, patch[f]) end
end

local was = meta[3] or 'public'
local now = patch.visibility
if now and meta[2] ~= 'direct' and now ~= was then
  redis.call('HSET', metaKey, 'visibility', now)
  local members = redis.call('ZRANGE', membersKey, 0, -1)
  if now == 'private' then
    redis.call('ZREM', groupsKey, groupId)
    for _, m in ipairs(members) do
      redis.call('ZADD', roomsBefore .. m .. roomsAfter, 0, groupId)
    end
  else
    redis.call('ZADD', groupsKey, 0, groupId)
    for _, m in ipairs(members) do
      redis.call('ZREM', roomsBefore .. m .. roomsAfter, groupId)
    end
  end
end
return withGroup({ 'updated' }, metaKey, membersKey)
