-- the cluster scenario's deployment; every 20 s a broker that leads partitions crashes (every third time the active controller's node): the time until its partitions have new leaders, and until every broker follows the new controller, is measured
--
-- Nothing else happens, so the time to new leaders is the session timeout's work alone: a
-- crashed broker stops heartbeating, and the controller fences it broker.session.timeout.ms
-- after the last heartbeat it had (plus, for the controller's node, the election of a new
-- controller, which gives every broker a fresh session, and the brokers' search for it).
local seed = require("seed")

-- At least one 12 s broker crash between the setup and the healing.
local duration = kraft.duration{ default = 90 * s, min = seed.SETUP + seed.CRASH_DOWN + seed.HEAL }
local fault_end = duration - seed.HEAL
local c = seed.cluster()
c:start()
local session = c:stats().session_timeout
local heartbeat = 2 * s -- broker.heartbeat.interval.ms, Kafka's default (the scenario keeps it)

at(seed.SETUP, function()
  local round = 0
  while now() < fault_end do
    local controller = c:leader()
    -- every third crash is the active controller's own node
    local take_controller = round % 3 == 2 and controller ~= nil
    local nodes = c:nodes()
    for k = 0, #nodes - 1 do
      local n = take_controller and controller or nodes[(round + k) % #nodes + 1]
      if (n == controller) == take_controller and seed.up(c, n)
          and (take_controller or #c:led_by(n) > 0) then
        seed.crash(c, n, true)
        -- back after 12 s, unless the healing at the end brought it back first
        after(seed.CRASH_DOWN, function()
          local host = c:node(n).host
          if host == "crashed" or host == "down" then c:restart(n) end
        end)
        break
      end
    end
    round = round + 1
    sleep(20 * s)
  end
end)

local seen = seed.admin_script(c)
sleep(fault_end - now())
check.liveness{ within = seed.HEAL }
sleep(duration - now())

local t = seed.timings
-- A crashed broker is fenced broker.session.timeout.ms after the last heartbeat the controller
-- had: the crash-to-new-leader time falls in (session - heartbeat interval, session] plus a
-- commit.
for _, took in ipairs(t.broker) do
  check.expect(took > session - heartbeat and took <= session + 200 * ms,
    "broker crash -> new leaders after %d ms, wanted %d to %d ms", took // ms,
    (session - heartbeat) // ms, (session + 200 * ms) // ms)
end
-- The active controller's node: a new controller first (fetch timeout and an election), then a
-- full session for every broker from its activation.
for _, took in ipairs(t.controller) do
  check.expect(took > session and took < session + 6 * s,
    "active controller crash -> new leaders after %d ms, wanted %d to %d ms", took // ms,
    session // ms, (session + 6 * s) // ms)
end
-- Every live broker (the dedicated ones observe the quorum) finds the new leader by asking
-- random voters once its request to the dead one fails (KafkaRaftClient.maybeSendFetchToBestNode):
-- the voters' fetch timeout (2 s from their last fetch, up to 500 ms before the crash), an
-- election (a split vote adds up to two election timeouts), a round trip or two; well before
-- the new controller's session for them (9 s) runs out.
for _, took in ipairs(t.follow) do
  check.expect(took > 2 * s - 600 * ms and took < 4 * s,
    "active controller crash -> every live broker follows the new leader after %d ms, wanted "
    .. "1400 to 4000 ms", took // ms)
end

seed.print_partitions(c)
seed.print_admin(seen)
if #t.broker > 0 then
  local lo, hi, sum = math.huge, 0, 0
  for _, took in ipairs(t.broker) do lo = math.min(lo, took); hi = math.max(hi, took); sum = sum + took end
  print(string.format("broker crash -> its partitions have new leaders: %d crashes, min %d ms, "
    .. "mean %d ms, max %d ms (broker.session.timeout.ms=%d)", #t.broker, lo // ms,
    sum // #t.broker // ms, hi // ms, session // ms))
end
for _, took in ipairs(t.controller) do
  print(string.format("active controller crash -> new leaders: %d ms (a controller election, "
    .. "then a full session)", took // ms))
end
if #t.follow > 0 then
  local lo, hi = math.huge, 0
  for _, took in ipairs(t.follow) do lo = math.min(lo, took); hi = math.max(hi, took) end
  print(string.format("active controller crash -> every live broker fetches from the new "
    .. "leader: %d crash%s, min %d ms, max %d ms", #t.follow, #t.follow == 1 and "" or "es",
    lo // ms, hi // ms))
end
seed.print_clean_stops()
seed.print_describe(c)
