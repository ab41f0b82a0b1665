--[[
  A page of a group's history as it is now, read at one instant: the newest
  `limit` messages before `before` (edited ones as edited, deleted ones as
  tombstones in their place), the stream's newest entry (live delivery goes
  on after it), and with `since` the messages at or before `since` changed
  after it.

  KEYS[1] group stream           <prefix>:{g}:stream
  KEYS[2] edits hash             <prefix>:{g}:edits
  KEYS[3] deleted index          <prefix>:{g}:deleted
  KEYS[4] updates index          <prefix>:{g}:updates

  ARGV[1] before: a message id, '' for the newest
  ARGV[2] limit
  ARGV[3] since: an id or cursor, '' for none

  Tombstones older than the stream's oldest entry come with the last page
  too; a reader that completes the page from the history database merges
  them with its rows.

  Returns {top, exhausted ('1': nothing older in the stream), moreUpdates ('1'|'0'),
           n, <n message JSONs, oldest first>, <update JSONs, id order>}
]]
local streamKey, editsKey, deletedKey, updatesKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local before, limit, since = ARGV[1], tonumber(ARGV[2]), ARGV[3]

--- @include "paddedId"

local hasEdits = redis.call('EXISTS', editsKey) == 1
local hasDeleted = hasEdits and redis.call('EXISTS', deletedKey) == 1

local top = ''
if before == '' then
  local newest = redis.call('XREVRANGE', streamKey, '+', '-', 'COUNT', 1)
  if #newest > 0 then top = newest[1][1] end
end

-- Newest first: {padded id, json}
local out = {}
local start = before == '' and '+' or '(' .. before
local upper = before == '' and '+' or '(' .. padded(before)
local exhausted = false
while #out < limit do
  local ask = limit - #out + 16
  local page = redis.call('XREVRANGE', streamKey, start, '-', 'COUNT', ask)
  exhausted = #page < ask
  local got = {}
  for _, e in ipairs(page) do
    local fields = e[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'd' then
        local json = fields[i + 1]
        if hasEdits then json = redis.call('HGET', editsKey, e[1]) or json end
        got[#got + 1] = { padded(e[1]), json }
      end
    end
  end
  if hasDeleted then
    local lower = '-'
    if #page > 0 and not exhausted then lower = '[' .. padded(page[#page][1]) end
    for _, p in ipairs(redis.call('ZREVRANGEBYLEX', deletedKey, upper, lower)) do
      got[#got + 1] = { p, redis.call('HGET', editsKey, unpadded(p)) }
    end
  end
  table.sort(got, function(a, b) return a[1] > b[1] end)
  for _, item in ipairs(got) do
    if #out >= limit then break end
    if item[2] then out[#out + 1] = item end
  end
  if exhausted or #page == 0 then break end
  start = '(' .. page[#page][1]
  upper = '(' .. padded(page[#page][1])
end

local reply = { top, exhausted and '1' or '0', '0', #out }
for i = #out, 1, -1 do reply[#reply + 1] = out[i][2] end

if since ~= '' and hasEdits then
  local s = padded(since)
  local changed = {}
  -- Members are "<cursor> <id>": after "<since>~" ('~' sorts after the space) are the cursors after since.
  for _, member in ipairs(redis.call('ZRANGEBYLEX', updatesKey, '(' .. s .. '~', '+')) do
    local p = string.sub(member, string.find(member, ' ') + 1)
    if padded(p) <= s then changed[#changed + 1] = { padded(p), p } end
  end
  table.sort(changed, function(a, b) return a[1] < b[1] end)
  if #changed > limit then reply[3] = '1' end
  for i = 1, math.min(#changed, limit) do
    local json = redis.call('HGET', editsKey, changed[i][2])
    if json then reply[#reply + 1] = json end
  end
end
return reply
