-- The user's ban if it is in force at `nowMs` ({'banned', 'untilMs', ms or
-- '' for until unbanned}), else nil; a ban that has ended is removed here.
local function banInForce(bansKey, userId, nowMs)
  local ban = redis.call('HGET', bansKey, userId)
  if not ban then return nil end
  local untilMs = cjson.decode(ban).untilMs
  if type(untilMs) ~= 'number' then
    return { 'banned', 'untilMs', '' }
  end
  if untilMs > nowMs then
    return { 'banned', 'untilMs', string.format('%d', untilMs) }
  end
  redis.call('HDEL', bansKey, userId)
  return nil
end
