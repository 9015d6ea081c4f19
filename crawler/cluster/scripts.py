"""The Lua scripts of the Redis Streams frontier: each step that must not be split runs atomically.

Requests sit in one stream per Scrapy priority, read through one consumer group. An entry stays in the
group's pending list, owned by the worker that took it, until that worker has stored the page and acks it
(XACK, then XDEL: an empty set of streams therefore means nothing queued and nothing in flight anywhere).
A worker's heartbeat refreshes the idle time of the entries it holds; entries idle longer than the claim
timeout belong to a worker that died and are claimed by the next worker that takes work (XPENDING IDLE +
XCLAIM), with their delivery count. Every script first checks the epoch key: if Redis lost the sweep's data
(a restart without persistence) it answers "lost" and the frontier is rebuilt from the database.
"""

from __future__ import annotations

_ENSURE_STREAM = """
local function ensure_stream(prefix, prios, priority)
  local stream = prefix .. 'q:' .. priority
  if redis.call('EXISTS', stream) == 0 then
    redis.call('XGROUP', 'CREATE', stream, 'workers', '0', 'MKSTREAM')
  end
  redis.call('ZADD', prios, -tonumber(priority), priority)
  return stream
end
"""

# KEYS: epoch, seen, accepted, prios. ARGV: url, priority, payload, max_pages (-1: outside the page budget,
# a product image), prefix.
PUSH_NEW = (
    _ENSURE_STREAM
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 'lost' end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 'dup' end
local max = tonumber(ARGV[4])
if max >= 0 then
  if max > 0 and tonumber(redis.call('GET', KEYS[3]) or '0') >= max then return 'limit' end
  redis.call('INCR', KEYS[3])
end
local stream = ensure_stream(ARGV[5], KEYS[4], ARGV[2])
redis.call('XADD', stream, '*', 'u', ARGV[1], 'r', ARGV[3])
return 'queued'
"""
)

# A retry or redirect replaces the entry it came from, in one step.
# KEYS: epoch, seen, prios. ARGV: check_url ('' for none), priority, payload, prefix, url, parent_stream,
# parent_id ('' for none).
PUSH_DERIVED = (
    _ENSURE_STREAM
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 'lost' end
if ARGV[1] ~= '' and redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 'dup' end
local stream = ensure_stream(ARGV[4], KEYS[3], ARGV[2])
redis.call('XADD', stream, '*', 'u', ARGV[5], 'r', ARGV[3])
if ARGV[7] ~= '' then
  redis.call('XACK', ARGV[6], 'workers', ARGV[7])
  redis.call('XDEL', ARGV[6], ARGV[7])
end
return 'queued'
"""
)

# Put a URL back (rebuild, reconcile): no dupe check, no budget.
# KEYS: seen, prios. ARGV: url, priority, payload, prefix.
PUSH_FORCE = (
    _ENSURE_STREAM
    + """
redis.call('SADD', KEYS[1], ARGV[1])
local stream = ensure_stream(ARGV[4], KEYS[2], ARGV[2])
redis.call('XADD', stream, '*', 'u', ARGV[1], 'r', ARGV[3])
return 'queued'
"""
)

# Entries of dead workers first (idle past the claim timeout), then new ones, highest priority first.
# KEYS: epoch, prios. ARGV: prefix, consumer, count, claim_idle_ms.
# Answer: {'lost'} or a flat list of stream, id, url, payload, deliveries per entry.
TAKE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'lost'} end
local out = {}
local n = 0
local want = tonumber(ARGV[3])
local prios = redis.call('ZRANGE', KEYS[2], 0, -1)
local function add(stream, entry, deliveries)
  local fields = entry[2]
  local url, payload = '', ''
  for i = 1, #fields, 2 do
    if fields[i] == 'u' then url = fields[i + 1] elseif fields[i] == 'r' then payload = fields[i + 1] end
  end
  table.insert(out, stream); table.insert(out, entry[1]); table.insert(out, url)
  table.insert(out, payload); table.insert(out, tostring(deliveries))
  n = n + 1
end
for _, p in ipairs(prios) do
  local stream = ARGV[1] .. 'q:' .. p
  local idle = redis.call('XPENDING', stream, 'workers', 'IDLE', ARGV[4], '-', '+', want - n)
  for _, pending in ipairs(idle) do
    local claimed = redis.call('XCLAIM', stream, 'workers', ARGV[2], ARGV[4], pending[1])
    if claimed[1] then add(stream, claimed[1], pending[4] + 1) end
  end
  if n >= want then return out end
end
for _, p in ipairs(prios) do
  local stream = ARGV[1] .. 'q:' .. p
  local read = redis.call('XREADGROUP', 'GROUP', 'workers', ARGV[2], 'COUNT', want - n, 'STREAMS', stream, '>')
  if read then
    for _, entry in ipairs(read[1][2]) do add(stream, entry, 1) end
  end
  if n >= want then return out end
end
return out
"""

# KEYS: the stream. ARGV: entry ids.
ACK = """
redis.call('XACK', KEYS[1], 'workers', unpack(ARGV))
return redis.call('XDEL', KEYS[1], unpack(ARGV))
"""

# Refresh the idle time of the entries this worker still owns (never take one back from another worker).
# KEYS: the stream. ARGV: consumer, entry ids. Answer: ids no longer ours.
HOLD = """
local gone = {}
for i = 2, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], 'workers', ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[1] then
    redis.call('XCLAIM', KEYS[1], 'workers', ARGV[1], 0, ARGV[i], 'JUSTID')
  else
    table.insert(gone, ARGV[i])
  end
end
return gone
"""

# Entries left anywhere (queued or in flight) over all priority streams; -1 when the data is lost.
# KEYS: epoch, prios. ARGV: prefix.
LEFT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local n = 0
for _, p in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  n = n + redis.call('XLEN', ARGV[1] .. 'q:' .. p)
end
return n
"""

# Worker heartbeat on the server's clock (workers on several machines share one time line).
# KEYS: workers. ARGV: worker id.
BEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('HSET', KEYS[1], ARGV[1], tostring(now))
return tostring(now)
"""

# Workers other than ARGV[1] whose heartbeat is younger than ARGV[2] seconds. KEYS: workers.
OTHERS_ALIVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local n = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] and now - tonumber(all[i + 1]) <= tonumber(ARGV[2]) then n = n + 1 end
end
return n
"""
