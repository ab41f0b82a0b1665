--[[
  Makes a user a member of a group, checking the ban, the access rule of
  private rooms and the capacity, and consuming the invitation, in the same
  step: concurrent joins on any number of hubs never overshoot the capacity
  and an invitation is used once.

  KEYS[1] group meta hash            <prefix>:{g}:meta
  KEYS[2] group members zset         <prefix>:{g}:members
  KEYS[3] joinedAt hash              <prefix>:{g}:joined
  KEYS[4] admins set                 <prefix>:{g}:admins
  KEYS[5] invitations hash           <prefix>:{g}:invites
  KEYS[6] bans hash                  <prefix>:{g}:bans

  ARGV[1] group id
  ARGV[2] user id
  ARGV[3] capacity: the most members allowed now (the room's own capacity applies below it)
  ARGV[4] joinedAt (ISO-8601) for a new member
  ARGV[5] now, ms (bans that ended by then are removed)
  ARGV[6] '1': added by the operator (HTTP API): a private room needs no invitation

  Checks in this order: the group exists; a direct conversation only lets
  its two members in; a ban in force refuses; a member is already in; a
  private room needs an invitation unless the user owns it; capacity.

  Returns a status and named fields (<group>: createdBy, createdAt, kind,
  visibility, title, topic, ownerId, capacity, peers, memberCount):
    {'joined',  'joinedAt', t, 'role', r, 'invited', '0' | '1' (an invitation was used), <group>}
    {'already', 'joinedAt', t, 'role', r, <group>}
    {'full', 'capacity', n}
    {'banned', 'untilMs', ms | ''}        '' : until unbanned
    {'invitation_required'}
    {'not_member'}                        a direct conversation of two others
    {'group_not_found'}
]]
local metaKey = KEYS[1]
local membersKey = KEYS[2]
local joinedKey = KEYS[3]
local adminsKey = KEYS[4]
local invitesKey = KEYS[5]
local bansKey = KEYS[6]

local groupId = ARGV[1]
local userId = ARGV[2]
local capacity = tonumber(ARGV[3])
local nowMs = tonumber(ARGV[5])

--- @include "withGroup"

local meta = redis.call('HMGET', metaKey, 'createdBy', 'kind', 'visibility', 'ownerId', 'capacity')
if not meta[1] then
  return { 'group_not_found' }
end
local kind = meta[2] or 'room'
local visibility = meta[3] or 'public'
local ownerId = meta[4] or meta[1]
if kind == 'direct' then ownerId = '' end

local function roleOf()
  if kind ~= 'direct' and ownerId == userId then return 'owner' end
  if kind ~= 'direct' and redis.call('SISMEMBER', adminsKey, userId) == 1 then return 'admin' end
  return 'member'
end
local function already()
  local joinedAt = redis.call('HGET', joinedKey, userId) or ARGV[4]
  return withGroup({ 'already', 'joinedAt', joinedAt, 'role', roleOf() }, metaKey, membersKey)
end

local isMember = redis.call('ZSCORE', membersKey, userId)
if kind == 'direct' then
  if isMember then return already() end
  return { 'not_member' }
end

--- @include "banInForce"
local banned = banInForce(bansKey, userId, nowMs)
if banned then return banned end

if isMember then return already() end

local invited = redis.call('HEXISTS', invitesKey, userId) == 1
if visibility == 'private' and ownerId ~= userId and not invited and ARGV[6] ~= '1' then
  return { 'invitation_required' }
end

local own = tonumber(meta[5] or '')
if own and own > 0 and own < capacity then capacity = own end
if redis.call('ZCARD', membersKey) >= capacity then
  return { 'full', 'capacity', capacity }
end

redis.call('ZADD', membersKey, 0, userId)
redis.call('HSET', joinedKey, userId, ARGV[4])
if invited then
  redis.call('HDEL', invitesKey, userId)
end
return withGroup({ 'joined', 'joinedAt', ARGV[4], 'role', roleOf(), 'invited', invited and '1' or '0' }, metaKey, membersKey)
