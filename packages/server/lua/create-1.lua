--[[
  Creates a room unless its id is taken. The creator is the owner (ownerId),
  not a member. The creator's quota was taken before (createQuota-2.lua, the
  creator's slot) and the public index entry is written before too
  (redis-group-store.ts): both live in other slots.

  KEYS[1] group meta hash            <prefix>:{g}:meta

  ARGV[1] group id
  ARGV[2] createdBy
  ARGV[3] createdAt (ISO-8601)
  ARGV[4] visibility: 'public' | 'private'
  ARGV[5] title
  ARGV[6] topic
  ARGV[7] capacity (most members)

  Returns {'created'} | {'exists'}
]]
local metaKey = KEYS[1]
if redis.call('EXISTS', metaKey) == 1 then
  return {'exists'}
end
-- createdMs (Redis's clock): dedupe records older than the group belong to a
-- deleted group of the same id, and publish-8.lua ignores them.
local now = redis.call('TIME')
redis.call('HSET', metaKey,
  'createdBy', ARGV[2], 'createdAt', ARGV[3], 'kind', 'room', 'visibility', ARGV[4],
  'title', ARGV[5], 'topic', ARGV[6], 'ownerId', ARGV[2], 'capacity', ARGV[7],
  'createdMs', string.format('%d', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)))
return {'created'}
