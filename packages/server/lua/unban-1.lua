--[[
  Lifts a ban. A ban that already ended is removed too, but does not count
  as lifted.

  KEYS[1] bans hash                  <prefix>:{g}:bans

  ARGV[1] user id
  ARGV[2] now, ms

  Returns {'unbanned'} (a ban was in force) | {'not_banned'}
]]
local bansKey = KEYS[1]
local ban = redis.call('HGET', bansKey, ARGV[1])
if not ban then
  return { 'not_banned' }
end
redis.call('HDEL', bansKey, ARGV[1])
local untilMs = cjson.decode(ban).untilMs
if type(untilMs) == 'number' and untilMs <= tonumber(ARGV[2]) then
  return { 'not_banned' }
end
return { 'unbanned' }
