#include "server/cluster/scripts.hpp"

namespace fc::cluster::scripts {

namespace {

// Shared by every script (a script cannot call another). Records are
// space-separated: none of their fields can hold a space (ids are
// base64url, numbers are digits).
constexpr std::string_view kPrelude = R"lua(
local function ns(s) s = tostring(s) return #s .. ':' .. s .. ',' end
local function now_ms(skew)
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(skew)
end
local function rec(s)
  local n, c, p, j, t = string.match(s, '^(%S+) (%S+) (%S+) (%S+) (%S+)$')
  return {node = n, conn = c, peer = p, joined = tonumber(j), token = t}
end
local function room_nodes(rid)
  local set, list = {}, {}
  for _, v in ipairs(redis.call('HVALS', 'fc:r:' .. rid)) do
    local n = string.match(v, '^(%S+)')
    if not set[n] then set[n] = true list[#list + 1] = n end
  end
  return list
end
local function bump(rid)
  local v = redis.call('INCR', 'fc:v:' .. rid)
  redis.call('PEXPIRE', 'fc:v:' .. rid, 86400000)
  return v
end
local function tell(nodes, msg, except)
  for _, n in ipairs(nodes) do
    if n ~= except then redis.call('PUBLISH', 'fc:n:' .. n, msg) end
  end
end
local function reserve(rid, client, m, now, grace, max)
  if m.token == '-' then return end
  local key = 'fc:rv:' .. rid
  local all = redis.call('HGETALL', key)
  local count, short_c, short_s = 0, nil, nil
  for i = 1, #all, 2 do
    local u, s = string.match(all[i + 1], '^(%S+) (%S+)')
    if tonumber(u) <= now or all[i] == client then
      redis.call('HDEL', key, all[i])
    else
      count = count + 1
      if short_s == nil or tonumber(s) < short_s then short_c, short_s = all[i], tonumber(s) end
    end
  end
  local stayed = now - m.joined
  if count >= math.max(max, 1) then
    if short_s >= stayed then return end
    redis.call('HDEL', key, short_c)
  end
  redis.call('HSET', key, client, (now + grace) .. ' ' .. stayed .. ' ' .. m.token)
  redis.call('PEXPIRE', key, grace)
end
local function remove(rid, client, m, reason, now, grace, max)
  redis.call('HDEL', 'fc:r:' .. rid, client)
  redis.call('HDEL', 'fc:c:' .. m.node, m.conn)
  if reason == 'disconnected' then reserve(rid, client, m, now, grace, max) end
  local v = bump(rid)
  tell(room_nodes(rid), 'L' .. ns(rid) .. ns(v) .. ns(m.peer) .. ns(reason), nil)
  return v
end
local function take_out(node, conn, reason, now, grace, max)
  local at = redis.call('HGET', 'fc:c:' .. node, conn)
  if not at then return 0 end
  redis.call('HDEL', 'fc:c:' .. node, conn)
  local rid, client = string.match(at, '^(%S+) (%S+)$')
  local r = redis.call('HGET', 'fc:r:' .. rid, client)
  if not r then return 0 end
  local m = rec(r)
  if m.node ~= node or m.conn ~= conn then return 0 end
  return remove(rid, client, m, reason, now, grace, max)
end
local function snapshot(rid, out)
  out[#out + 1] = tonumber(redis.call('GET', 'fc:v:' .. rid) or '0')
  local all = redis.call('HGETALL', 'fc:r:' .. rid)
  for i = 1, #all do out[#out + 1] = all[i] end
  return out
end
)lua";

} // namespace

const std::string kJoin = std::string(kPrelude) + R"lua(
local node, conn, rid, client, peer, name, token =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local max, grace, now = tonumber(ARGV[8]), tonumber(ARGV[9]), now_ms(ARGV[10])
local rkey = 'fc:r:' .. rid
-- Checked before anything changes. Identity first: a full room must not
-- tell whether a clientId is protected.
local old = redis.call('HGET', rkey, client)
if old then
  local o = rec(old)
  if o.token ~= '-' and o.token ~= token and not (o.node == node and o.conn == conn) then
    return {'taken'}
  end
end
local rv = redis.call('HGET', 'fc:rv:' .. rid, client)
if rv then
  local u, _, t = string.match(rv, '^(%S+) (%S+) (%S+)$')
  if tonumber(u) > now and t ~= token then return {'taken'} end
end
local others = 0
local all = redis.call('HGETALL', rkey)
for i = 1, #all, 2 do
  local m = rec(all[i + 1])
  if all[i] ~= client and not (m.node == node and m.conn == conn) then others = others + 1 end
end
if others >= max then return {'full'} end
-- The connection leaves the room it is in, then a stale member with this
-- clientId (a reloaded tab's old self) is replaced.
take_out(node, conn, 'left', now, grace, max)
local replaced = 0
old = redis.call('HGET', rkey, client)
if old then
  local o = rec(old)
  redis.call('HDEL', rkey, client)
  redis.call('HDEL', 'fc:c:' .. o.node, o.conn)
  local v = bump(rid)
  redis.call('PUBLISH', 'fc:n:' .. o.node, 'R' .. ns(rid) .. ns(v) .. ns(o.conn) .. ns(o.peer))
  tell(room_nodes(rid), 'L' .. ns(rid) .. ns(v) .. ns(o.peer) .. ns('replaced'), o.node)
  replaced = 1
end
redis.call('HDEL', 'fc:rv:' .. rid, client)
redis.call('HSET', rkey, client, node .. ' ' .. conn .. ' ' .. peer .. ' ' .. now .. ' ' .. token)
redis.call('HSET', 'fc:c:' .. node, conn, rid .. ' ' .. client)
local v = bump(rid)
tell(room_nodes(rid), 'J' .. ns(rid) .. ns(v) .. ns(peer) .. ns(client) .. ns(name) .. ns(node) ..
  ns(conn) .. ns(now) .. ns(token == '-' and '' or token), nil)
local out = {'ok', v, now, replaced}
all = redis.call('HGETALL', rkey)
for i = 1, #all do out[#out + 1] = all[i] end
return out
)lua";

const std::string kLeave = std::string(kPrelude) + R"lua(
local now = now_ms(ARGV[6])
return take_out(ARGV[1], ARGV[2], ARGV[3], now, tonumber(ARGV[5]), tonumber(ARGV[4]))
)lua";

const std::string kTick = std::string(kPrelude) + R"lua(
local node, address, ttl, grace, max = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_ms(ARGV[6])
-- A node new to the others (or back) says so at once: they pass it
-- requests for its sessions from now on, not from their next tick.
if redis.call('EXISTS', 'fc:alive:' .. node) == 0 then
  redis.call('PUBLISH', 'fc:hello', node .. ' ' .. address)
end
redis.call('SET', 'fc:alive:' .. node, address, 'PX', ttl)
redis.call('HSET', 'fc:nodes', node, address)
local out, dead = {}, {}
local nodes = redis.call('HGETALL', 'fc:nodes')
for i = 1, #nodes, 2 do
  local n = nodes[i]
  if redis.call('EXISTS', 'fc:alive:' .. n) == 1 then
    redis.call('ZREM', 'fc:dead', n)
    out[#out + 1] = n
    out[#out + 1] = nodes[i + 1]
  else
    local since = redis.call('ZSCORE', 'fc:dead', n)
    dead[#dead + 1] = n
    if not since then
      redis.call('ZADD', 'fc:dead', now, n)
    elseif now - tonumber(since) >= grace then
      local conns = redis.call('HGETALL', 'fc:c:' .. n)
      for j = 1, #conns, 2 do take_out(n, conns[j], 'disconnected', now, grace, max) end
      redis.call('DEL', 'fc:c:' .. n)
      redis.call('HDEL', 'fc:nodes', n)
      redis.call('ZREM', 'fc:dead', n)
    end
  end
end
return {out, dead}
)lua";

const std::string kSync = std::string(kPrelude) + R"lua(
local node, max, grace = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms(ARGV[4])
local count = tonumber(ARGV[5])
local live = {}
for i = 0, count - 1 do live[ARGV[6 + i * 7 + 1]] = true end
for _, c in ipairs(redis.call('HKEYS', 'fc:c:' .. node)) do
  if not live[c] then take_out(node, c, 'disconnected', now, grace, max) end
end
local lost = {}
for i = 0, count - 1 do
  local b = 6 + i * 7
  local rid, conn, client, peer, joined, token, name =
    ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5], ARGV[b + 6]
  local rkey = 'fc:r:' .. rid
  local cur = redis.call('HGET', rkey, client)
  if cur then
    local m = rec(cur)
    if m.node ~= node or m.conn ~= conn then lost[#lost + 1] = conn end
  else
    redis.call('HSET', rkey, client, node .. ' ' .. conn .. ' ' .. peer .. ' ' .. joined .. ' ' .. token)
    redis.call('HSET', 'fc:c:' .. node, conn, rid .. ' ' .. client)
    local v = bump(rid)
    tell(room_nodes(rid), 'J' .. ns(rid) .. ns(v) .. ns(peer) .. ns(client) .. ns(name) .. ns(node) ..
      ns(conn) .. ns(joined) .. ns(token == '-' and '' or token), node)
  end
end
return lost
)lua";

const std::string kSnapshot = std::string(kPrelude) + R"lua(
local out = {}
for i = 1, #ARGV do out[i] = snapshot(ARGV[i], {}) end
return out
)lua";

} // namespace fc::cluster::scripts
