//! Lua scripts, so that each queue operation is one round trip and atomic on the server.
//!
//! Scripts run through `EVALSHA` (`redis::Script` falls back to loading the script on `NOSCRIPT`). Scripts that
//! acknowledge entries share [`RELEASE_LIB`], which also deletes entries no consumer group needs any more, so
//! that `XLEN` stays equal to the backlog the cap is checked against.

use std::sync::LazyLock;

use redis::Script;

/// Appends payloads unless the stream is at its cap.
///
/// `KEYS[1]` stream; `ARGV[1]` cap; `ARGV[2]` approximate `MAXLEN` (a memory safety net, twice the cap);
/// `ARGV[3..]` payloads. Returns the stream length (an integer) when full, else the array of new ids.
pub(super) static APPEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local len = redis.call('XLEN', KEYS[1])
if len >= tonumber(ARGV[1]) then return len end
local ids = {}
for i = 3, #ARGV do
  ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'p', ARGV[i])
end
return ids
",
    )
});

/// Helpers shared by the acknowledging scripts.
///
/// An entry is released (deleted with `XDEL`) when the acknowledging group was the last one holding it: every
/// group has delivered it and none has it pending. Afterwards the stream is trimmed with `XTRIM MINID` below the
/// smallest id any group still needs (its smallest pending id, or the id after its last-delivered id), which
/// reclaims the space of released entries at the head.
const RELEASE_LIB: &str = r"
local function id_parts(id)
  local dash = string.find(id, '-', 1, true)
  if not dash then return tonumber(id), 0 end
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end

local function id_less(a, b)
  local am, as = id_parts(a)
  local bm, bs = id_parts(b)
  return am < bm or (am == bm and as < bs)
end

local function id_after(id)
  local dash = string.find(id, '-', 1, true)
  local ms, seq = id_parts(id)
  if not dash or seq >= 1e14 then return id end
  return string.sub(id, 1, dash - 1) .. '-' .. string.format('%d', seq + 1)
end

local function groups_of(key)
  local out = {}
  if redis.call('EXISTS', key) == 0 then return out end
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
    local name, last
    for i = 1, #g, 2 do
      if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then last = g[i + 1] end
    end
    out[#out + 1] = {name, last}
  end
  return out
end

local function has_group(groups, name)
  for _, g in ipairs(groups) do
    if g[1] == name then return true end
  end
  return false
end

local function is_pending(key, group, id)
  return #redis.call('XPENDING', key, group, id, id, 1) > 0
end

local function releasable(key, groups, id)
  for _, g in ipairs(groups) do
    if id_less(g[2], id) or is_pending(key, g[1], id) then return false end
  end
  return true
end

local function ack_and_release(key, group, ids, groups)
  local acked = 0
  if #groups == 1 then
    -- One group (the common case): acknowledge and delete in bulk. Only ids the group has delivered are
    -- deleted; an acknowledged id is then held by no one. Chunks keep Lua's unpack within its limits.
    local last = groups[1][2]
    local delivered = {}
    for _, id in ipairs(ids) do
      if not id_less(last, id) then delivered[#delivered + 1] = id end
    end
    for i = 1, #delivered, 500 do
      local chunk = {unpack(delivered, i, math.min(i + 499, #delivered))}
      acked = acked + redis.call('XACK', key, group, unpack(chunk))
      redis.call('XDEL', key, unpack(chunk))
    end
  else
    for _, id in ipairs(ids) do
      if redis.call('XACK', key, group, id) == 1 then
        acked = acked + 1
        if releasable(key, groups, id) then redis.call('XDEL', key, id) end
      end
    end
  end
  local minid
  for _, g in ipairs(groups) do
    local candidate = id_after(g[2])
    local summary = redis.call('XPENDING', key, g[1])
    if summary[1] > 0 and id_less(summary[2], candidate) then candidate = summary[2] end
    if minid == nil or id_less(candidate, minid) then minid = candidate end
  end
  if minid then redis.call('XTRIM', key, 'MINID', minid) end
  return acked
end
";

/// Acknowledges ids and releases what no group needs.
///
/// `KEYS[1]` stream; `ARGV[1]` group; `ARGV[2..]` ids. Returns how many ids were pending and are now acked.
pub(super) static ACK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{RELEASE_LIB}
local groups = groups_of(KEYS[1])
if not has_group(groups, ARGV[1]) then return 0 end
local ids = {{}}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
return ack_and_release(KEYS[1], ARGV[1], ids, groups)
"
    ))
});

/// Copies pending entries to the dead-letter stream, then acknowledges them.
///
/// `KEYS[1]` stream; `KEYS[2]` dead-letter stream; `ARGV[1]` group; `ARGV[2]` reason; then triples of id,
/// payload, delivery count. Entries no longer pending in the group (already acked or dead-lettered) are skipped,
/// so a retried call does not copy them twice. Returns how many entries were moved.
pub(super) static DEAD_LETTER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{RELEASE_LIB}
local key, group = KEYS[1], ARGV[1]
local groups = groups_of(key)
if not has_group(groups, group) then return 0 end
local ids = {{}}
for i = 3, #ARGV, 3 do
  local id = ARGV[i]
  if is_pending(key, group, id) then
    redis.call('XADD', KEYS[2], '*', 'p', ARGV[i + 1], 'id', id, 'reason', ARGV[2], 'deliveries', ARGV[i + 2])
    ids[#ids + 1] = id
  end
end
return ack_and_release(key, group, ids, groups)
"
    ))
});

/// Claims idle pending entries and reports their delivery counts.
///
/// `KEYS[1]` stream; `ARGV[1]` group; `ARGV[2]` consumer; `ARGV[3]` min idle ms; `ARGV[4]` max entries;
/// `ARGV[5]` max `XAUTOCLAIM` rounds. Returns an array of `{id, {field, value, ...}, deliveries}`.
/// `XAUTOCLAIM` does not report delivery counts, so each claimed id is looked up with `XPENDING`; ids of
/// entries deleted from the stream but still pending are acknowledged and dropped.
pub(super) static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{RELEASE_LIB}
local key, group, consumer, idle = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local max, rounds = tonumber(ARGV[4]), tonumber(ARGV[5])
local out = {{}}
if not has_group(groups_of(key), group) then return out end
local cursor = '0-0'
for _ = 1, rounds do
  local r = redis.call('XAUTOCLAIM', key, group, consumer, idle, cursor, 'COUNT', max - #out)
  cursor = r[1]
  local gone = {{}}
  for _, e in ipairs(r[2]) do
    if type(e) == 'table' and type(e[2]) == 'table' then
      local p = redis.call('XPENDING', key, group, e[1], e[1], 1)
      local n = 1
      if p[1] then n = p[1][4] end
      out[#out + 1] = {{e[1], e[2], n}}
    elseif type(e) == 'table' then
      gone[#gone + 1] = e[1]
    end
  end
  if r[3] then
    for _, id in ipairs(r[3]) do gone[#gone + 1] = id end
  end
  for _, id in ipairs(gone) do redis.call('XACK', key, group, id) end
  if cursor == '0-0' or #out >= max then break end
end
return out
"
    ))
});

/// Stream length, the group's pending count (0 if the group does not exist) and the dead-letter length.
///
/// `KEYS[1]` stream; `KEYS[2]` dead-letter stream; `ARGV[1]` group.
pub(super) static STATS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local pending = 0
local summary = redis.pcall('XPENDING', KEYS[1], ARGV[1])
if type(summary) == 'table' and summary.err == nil then pending = summary[1] end
return {redis.call('XLEN', KEYS[1]), pending, redis.call('XLEN', KEYS[2])}
",
    )
});
