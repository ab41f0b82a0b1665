--[[
  XINFO of one stream, as a script so a cluster client routes it by its key:
  ioredis knows no key position for XINFO and would send it to any node.

  KEYS[1] the stream

  ARGV[1] 'STREAM' | 'GROUPS' | 'CONSUMERS'
  ARGV[2] the consumer group (CONSUMERS)

  Returns XINFO's reply as it is; errors (no such key, no such group) as they are.
]]
if ARGV[1] == 'CONSUMERS' then
  return redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[2])
end
return redis.call('XINFO', ARGV[1], KEYS[1])
