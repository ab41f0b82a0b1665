--[[
  Announces an event of a group (not a message) on the group's channel,
  with the id of the group's newest entry (message, edit or delete) at this moment: a hub delivers
  the event after that message and before any later one, however it reads
  the stream.

  KEYS[1] group meta hash        <prefix>:{g}:meta  (field 'top': the newest entry's id; groups from before edits: 'last')

  ARGV[1] the group's channel    <prefix>:{g}:notify
  ARGV[2] the event's JSON (events/codec.ts)
  ARGV[3] 'PUBLISH', or 'SPUBLISH' on a cluster (the channel is in the group's slot)

  Returns {'announced', 'after', id}   ('0-0' when the group has no message)
]]
--- @include "paddedId"

local tops = redis.call('HMGET', KEYS[1], 'top', 'last')
local last = newerId(tops[1], tops[2]) or '0-0'
redis.call(ARGV[3], ARGV[1], '!' .. last .. ' ' .. ARGV[2])
return { 'announced', 'after', last }
