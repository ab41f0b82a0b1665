-- The group's fields as named reply fields (the <group> of the headers):
-- createdBy, createdAt, kind, visibility, title, topic, ownerId, capacity,
-- peers, memberCount, appended to `out`. adapters/redis/group-meta.ts reads them.
local GROUP_FIELDS = { 'createdBy', 'createdAt', 'kind', 'visibility', 'title', 'topic', 'ownerId', 'capacity', 'peers' }
local function withGroup(out, metaKey, membersKey)
  local v = redis.call('HMGET', metaKey, unpack(GROUP_FIELDS))
  for i = 1, #GROUP_FIELDS do
    out[#out + 1] = GROUP_FIELDS[i]
    out[#out + 1] = v[i] or ''
  end
  out[#out + 1] = 'memberCount'
  out[#out + 1] = redis.call('ZCARD', membersKey)
  return out
end
