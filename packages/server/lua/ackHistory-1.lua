--[[
  Acknowledges and deletes history entries once they are committed to MySQL.
  Deleting matters: the oldest entry left in the history stream is what
  bounds the trimming of the group streams (publish-5.lua).

  KEYS[1] history stream         <prefix>:history

  ARGV[1] consumer group name
  ARGV[2..n] entry ids

  Returns {'acked', 'deleted', n}
]]
local historyKey = KEYS[1]
local group = ARGV[1]
local ids = {}
for i = 2, #ARGV do
  ids[#ids + 1] = ARGV[i]
end
if #ids == 0 then
  return { 'acked', 'deleted', 0 }
end
redis.call('XACK', historyKey, group, unpack(ids))
return { 'acked', 'deleted', redis.call('XDEL', historyKey, unpack(ids)) }
