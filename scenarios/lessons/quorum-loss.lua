-- 2 of 3 controllers down: the metadata log stops committing, nothing committed is lost, and it resumes when one returns
local L = require("lessons")
local c = kraft.cluster{ controllers = 3, brokers = 1 }
c:start()
L.ready(c)
check.expect(c:create_topic("orders", { partitions = 1, replication_factor = 1, via = 4 }), "create orders")
local leader = c:wait_leader()
local others = c:others(leader)
local a, b = others[1], others[2] -- the two other controllers (the broker is not a voter)
local hw = c:node(leader).hw
L.say("%s leads epoch %d; topic orders is committed; the metadata high watermark is %d",
      c:name(leader), c:epoch(), hw)

c:crash(a)
c:crash(b)
L.say("%s and %s crash: one voter of three is left, and a majority is two", c:name(a), c:name(b))
sleep(1 * s)
local hw1 = c:node(leader).hw
sleep(5 * s)
local left = c:node(leader)
L.say("5 s on, %s (a %s now) has log end %d but the high watermark stays at %d: nothing " ..
      "commits, so no broker heartbeat, registration or topic change takes effect",
      c:name(leader), left.role, left.leo, left.hw)
check.expect(left.hw == hw1 and left.hw >= hw, "the high watermark should stop, it moved " ..
             "from %d to %d", hw1, left.hw)
check.expect(left.leo > left.hw or left.role ~= "Leader",
             "the leader's uncommitted appends should sit above the high watermark")

c:restart(a)
L.say("%s comes back: two of three again", c:name(a))
local resumed = wait_until(function()
  local l = c:leader()
  return l and c:node(l).hw > hw1 and l
end, 30 * s)
check.expect(resumed, "the high watermark should move again once a majority is back")
L.say("%s leads epoch %d and the high watermark moves on to %d", c:name(resumed), c:epoch(),
      c:node(resumed).hw)
local t = c:describe_topic("orders")
check.expect(t and t.partitions[1].leader ~= nil, "orders should still be there, and led")
L.say("orders is still there (leader %s): what was committed before the outage survived",
      c:name(t.partitions[1].leader))
check.raft()
