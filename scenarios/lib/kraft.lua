-- kraftsim's own Lua: the verbs that wait, written over the C ones (loaded before every scenario)
local methods, check = ...

-- wait_until(fn, timeout, every): fn's first true value, or nil after timeout (polls every ms).
function wait_until(fn, timeout, every)
  if type(fn) ~= "function" then error("wait_until wants a function", 2) end
  local deadline = now() + (timeout or 60 * s)
  local step = every or ms
  while true do
    local v = fn()
    if v then return v end
    if now() >= deadline then return nil end
    sleep(step)
  end
end

-- every(period, fn): fn in its own coroutine each period; returns a handle with :stop().
function every(period, fn)
  if type(fn) ~= "function" then error("every wants a function", 2) end
  if type(period) ~= "number" or period <= 0 then error("every wants a period above 0", 2) end
  local handle = { stopped = false }
  function handle:stop() self.stopped = true end
  local function tick()
    if handle.stopped then return end
    after(period, tick)
    fn()
  end
  after(period, tick)
  return handle
end

-- pairs walks keys in a defined order already; spairs says so where a reader wants to see it.
spairs = pairs

-- One admin call at a time, as the admin client makes them.
local function admin(c, api, verb, topic, opts)
  wait_until(function() return not c:_admin_busy() end, 120 * s)
  c:_admin(api, verb, topic, opts)
  local answer
  wait_until(function()
    local done, ok, err, parts = c:_admin_done()
    if done then answer = { ok, err, parts } end
    return done
  end, 120 * s, 10 * ms)
  return answer[1], answer[2], answer[3]
end

function methods.create_topic(c, name, opts) return admin(c, "create", "create_topic", name, opts) end
function methods.delete_topic(c, name, opts) return admin(c, "delete", "delete_topic", name, opts) end
function methods.elect_leaders(c, name, opts) return admin(c, "elect", "elect_leaders", name, opts) end

-- c:metadata(topic, { via = n, auto_create = bool }): node n's Metadata answer, partition by partition.
function methods.metadata(c, name, opts)
  local ok, err, parts = admin(c, "metadata", "metadata", name, opts)
  if ok then return parts end
  return nil, err
end

function methods.wait_leader(c, timeout)
  local id = wait_until(function() return c:leader() end, timeout or 30 * s)
  if not id then error("wait_leader: no quorum leader within " .. (timeout or 30 * s) // ms .. " ms", 2) end
  return id
end

-- Asked after every step, as check.liveness asks: from Kafka 3.3 to 3.6 a follower learns a
-- new high watermark only with its next Fetch, which the leader parks until there is data
-- (a NoOpRecord every 500 ms), so every node has applied the same offset only for an instant
-- between two records, which polling would miss.
function methods.wait_settled(c, timeout)
  check._settle_watch()
  local at = wait_until(check._settled_at, timeout or 60 * s, 10 * ms)
  if not at then check._settle_watch(false) end
  return at
end

-- check.liveness{ within = 30 * s }: stop the nemesis, undo every fault, and wait for the cluster
-- to settle: a quorum leader every node follows, every broker running and unfenced, every
-- partition led, the same image on every node.
function check.liveness(opts)
  local within = (opts and opts.within) or 30 * s
  check._recover()
  -- asked after every step in C: between two records a settled cluster may show for only a
  -- millisecond, which polling would miss; so the verdict is exact, and looking at it every
  -- 100 ms (not every 10) only returns up to 100 ms later, at a tenth of the cost
  check._settle_watch()
  if not wait_until(check._settled_at, within, 100 * ms) then check._liveness_failed(within) end
  return true
end

-- q:drain(timeout): wait until the consumer has read up to the high watermarks its next answers
-- report (every partition's end when it was called); true, or nil after timeout (default 60 s).
local client = methods._client_methods
function client.drain(q, timeout)
  q:_drain_begin()
  return wait_until(function() return q:_drained() end, timeout or 60 * s, 10 * ms)
end

-- drain_group(consumers, timeout): the members of one group read to the end together: each
-- drained, and between them owning every partition, at one moment. Draining them one after
-- another is not enough: a cooperative rebalance can leave a member Stable with nothing while
-- a partition is between owners, and the member taking it over may rejoin only later (a lost
-- request waits out request.timeout.ms). true, or nil after timeout (default 60 s).
function drain_group(consumers, timeout)
  if type(consumers) ~= "table" or #consumers == 0 then
    error("drain_group wants a list of consumers", 2)
  end
  local deadline = now() + (timeout or 60 * s)
  repeat
    for _, q in ipairs(consumers) do
      if not q:drain(deadline - now()) then return nil end
    end
    local owned, together = 0, true
    for _, q in ipairs(consumers) do
      local st = q:stats()
      owned = owned + st.owned
      together = together and q:_drained()
    end
    if together and owned == consumers[1]:stats().partitions then return true end
  until now() >= deadline
  return nil
end

-- p:flush(timeout): wait until every send has completed (acknowledged, failed or unknown), as
-- KafkaProducer.flush() blocks; true, or nil after timeout (default 150 s: past
-- delivery.timeout.ms, 120 s, every send has completed one way or another).
function client.flush(p, timeout)
  if p:stats().open == nil then error("flush: a producer's verb (this is a consumer)", 2) end
  return wait_until(function() return p:stats().open == 0 end, timeout or 150 * s, 10 * ms)
end
