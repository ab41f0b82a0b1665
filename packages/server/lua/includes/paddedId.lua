-- A message id "<ms>-<seq>" as a string that sorts like the id (the deleted
-- and updates indexes are sorted sets of such strings, compared by bytes).
local function padded(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return string.rep('0', 16 - #ms) .. ms .. '-' .. string.rep('0', 20 - #seq) .. seq
end
local function unpadded(p)
  local ms, seq = string.match(p, '^(%d+)-(%d+)')
  return string.format('%s-%s', string.match(ms, '^0*(%d-%d)$'), string.match(seq, '^0*(%d-%d)$'))
end
-- The newer of two ids, either may be nil (meta fields of a group written
-- by hubs of an earlier release during an upgrade lack `top`).
local function newerId(a, b)
  if not a then return b end
  if not b then return a end
  if padded(a) < padded(b) then return b end
  return a
end
