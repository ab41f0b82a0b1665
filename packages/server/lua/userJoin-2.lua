--[[
  The user's side of a membership, in the user's slot (redis-group-store.ts
  says in which order the two sides are written). 'intent', before the
  group's step: the group goes into the user's conversations (score: the
  join ms) and rooms, unless there already; answers which of the two it
  added. 'own', after a join that found entries already there (a
  membership that just ended, whose leave compares the join time, or a
  crash's leftovers): they become this membership's. 'undo', after a
  refused join: removes what that intent added, and only while the entry is
  still the intent's (its score).

  KEYS[1] the user's rooms           <prefix>:user:{u}:rooms          zset, scores 0 (group.list)
  KEYS[2] the user's conversations   <prefix>:user:{u}:conversations  zset groupId -> join ms

  ARGV[1] group id
  ARGV[2] join ms
  ARGV[3] 'intent' | 'own' | 'undo'
  ARGV[4] (undo) what the intent added: "<rooms 0|1><conversations 0|1>"

  Returns {'intent', 'added', "<0|1><0|1>"} | {'owned'} | {'undone'}
]]
local roomsKey, conversationsKey = KEYS[1], KEYS[2]
local groupId, ms = ARGV[1], ARGV[2]
if ARGV[3] == 'intent' then
  local r = redis.call('ZADD', roomsKey, 'NX', 0, groupId)
  local c = redis.call('ZADD', conversationsKey, 'NX', ms, groupId)
  return { 'intent', 'added', r .. c }
end
if ARGV[3] == 'own' then
  redis.call('ZADD', roomsKey, 0, groupId)
  redis.call('ZADD', conversationsKey, ms, groupId)
  return { 'owned' }
end
local added = ARGV[4]
local score = redis.call('ZSCORE', conversationsKey, groupId)
local ours = score and tonumber(score) == tonumber(ms)
if string.sub(added, 2, 2) == '1' and ours then redis.call('ZREM', conversationsKey, groupId) end
if string.sub(added, 1, 1) == '1' and (ours or not score) then redis.call('ZREM', roomsKey, groupId) end
return { 'undone' }
