-- controlled shutdown: a broker hands its leaders over before it stops; the active controller resigns with EndQuorumEpoch and a successor leads within milliseconds
local L = require("lessons")
local c = kraft.cluster{ controllers = 3, brokers = 3 }
c:watch("resign", "became-leader")
c:start()
L.ready(c)
check.expect(c:create_topic("invoices", { partitions = 3, replication_factor = 2, via = 4 }),
             "create invoices")
L.ready(c)

local function led_by(id)
  local out = {}
  for _, p in ipairs(c:describe_topic("invoices").partitions) do
    if p.leader == id then out[#out + 1] = p.partition end
  end
  return out
end

-- 1. a broker: kafka-server-stop.sh sends SIGTERM; the broker asks the controller to move its
-- leaders (BrokerHeartbeat with wantShutDown) and exits once told it may.
local b = 5
L.say("%s leads invoices partition(s) %s; kafka-server-stop.sh asks it to stop", c:name(b),
      table.concat(led_by(b), ", "))
check.expect(#led_by(b) > 0, "%s should lead a partition first", c:name(b))
local asked = now()
c:stop(b)
local moved = wait_until(function() return #led_by(b) == 0 and now() end, 30 * s)
local down = wait_until(function() return c:node(b).host == "down" and now() end, 30 * s)
check.expect(moved and down and moved <= down,
             "the leaders should move before %s stops", c:name(b))
L.say("its leaders move after %s, and only then it stops (%s after the request): no " ..
      "partition waited out a session timeout", L.ms(moved - asked), L.ms(down - asked))
c:restart(b)
L.ready(c)

-- 2. the active controller: it resigns at once and tells the others (EndQuorumEpoch), so one
-- of them stands for election now instead of after controller.quorum.fetch.timeout.ms
local old = c:leader()
local epoch = c:epoch()
L.say("%s leads epoch %d; it is stopped the same way", c:name(old), epoch)
local stop = now()
c:stop(old)
local new = wait_until(function() local l = c:leader(); return l ~= old and l end, 10 * s)
local resign = c:events("resign")[1]
check.expect(resign and resign.node == old, "%s should resign", c:name(old))
L.say("%s resigns epoch %d (%s) and sends EndQuorumEpoch", c:name(old), epoch,
      L.field(resign.detail, "reason"))
local won = c:events("became-leader")
won = won[#won]
L.say("%s leads epoch %d %s after the stop, well inside the 2 s fetch timeout", c:name(new),
      c:epoch(), L.ms(won.time - stop))
check.expect(won.time - stop < 500 * ms, "a successor should lead within 500 ms, it took %s",
             L.ms(won.time - stop))
wait_until(function() return c:node(old).host == "down" end, 10 * s)
check.expect(c:node(old).host == "down", "%s should have stopped", c:name(old))
