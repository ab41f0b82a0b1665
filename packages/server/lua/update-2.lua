--[[
  Changes a room's settings. A capacity below the member count is refused.
  A change of visibility is answered with the members, so that the store
  moves the room in or out of the public index and the members' room sets
  (other slots) after. A direct conversation stays private.

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] group members zset         <prefix>:{g}:members

  ARGV[1] group id
  ARGV[2..n] the patch as field, value pairs: title, topic, visibility, capacity

  Returns a status and named fields (<group> as in join-6.lua):
    {'updated', <group>} or, when the visibility changed,
    {'updated', 'visibility', 'public'|'private', 'members', 'u1 u2 ...', <group>}
    {'capacity_below_members', 'memberCount', n}
    {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]

local groupId = ARGV[1]

--- @include "withGroup"

local meta = redis.call('HMGET', metaKey, 'createdBy', 'kind', 'visibility')
if not meta[1] then
  return { 'group_not_found' }
end
local patch = {}
for i = 2, #ARGV - 1, 2 do
  local f = ARGV[i]
  if f ~= 'title' and f ~= 'topic' and f ~= 'visibility' and f ~= 'capacity' then
    return redis.error_reply('update-2: unknown field ' .. f)
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
  return withGroup({ 'updated', 'visibility', now, 'members', table.concat(members, ' ') }, metaKey, membersKey)
end
return withGroup({ 'updated' }, metaKey, membersKey)
