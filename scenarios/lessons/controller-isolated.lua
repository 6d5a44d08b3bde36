-- the active controller cut off: the majority elects a new epoch; with check-quorum (3.7+) the old leader resigns, 3.4 keeps leading alone
local L = require("lessons")
local c = kraft.cluster{ controllers = 3 }
c:watch("resign")
c:start()
local old = c:wait_leader()
local old_epoch = c:epoch()
sleep(1 * s)
L.say("%s leads epoch %d; now the network cuts it off from everyone", c:name(old), old_epoch)
c:isolate(old)
local cut = now()

-- the others stop hearing from it; after controller.quorum.fetch.timeout.ms (2 s) they elect
local new = wait_until(function() local l = c:leader(); return l ~= old and l end, 10 * s)
check.expect(new, "the majority should elect a new leader")
L.say("%s and %s elect %s for epoch %d, %s after the cut", c:name(c:others(old)[1]),
      c:name(c:others(old)[2]), c:name(new), c:epoch(), L.ms(now() - cut))
check.expect(c:epoch() > old_epoch, "the new leader needs a higher epoch")

if L.at_least(c, "3.7") then
  -- KAFKA-15489 (3.7): a leader with no Fetch from a majority for 1.5 x the fetch timeout resigns
  wait_until(function() return #c:events("resign") > 0 end, 10 * s)
  local r = c:events("resign")[1]
  check.expect(r and L.field(r.detail, "reason") == "check-quorum",
               "%s should resign by check-quorum on %s", c:name(old), c:release())
  L.say("Kafka %s has check-quorum: with no Fetch from a majority for 1.5 x the fetch " ..
        "timeout (3 s), %s resigns epoch %s %s after the cut and stops acting as leader",
        c:release(), r.name, L.field(r.detail, "epoch"), L.ms(r.time - cut))
  check.expect(r.time - cut <= 3 * s, "check-quorum should fire within 3 s of the cut, it " ..
               "took %s", L.ms(r.time - cut))
  wait_until(function() return c:node(old).role ~= "Leader" end, 1 * s)
  check.expect(c:node(old).role ~= "Leader", "%s still says it leads", c:name(old))
else
  sleep(10 * s)
  local alone = c:node(old)
  L.say("Kafka %s has no check-quorum: 10 s later %s still says it leads epoch %d, alone " ..
        "(a client that reaches it gets stale metadata)", c:release(), c:name(old), alone.epoch)
  check.expect(alone.role == "Leader" and alone.epoch == old_epoch and #c:events("resign") == 0,
               "on %s the cut-off leader should stay leader of epoch %d, it is %s of %d",
               c:release(), old_epoch, alone.role, alone.epoch)
end

c:heal()
local back = wait_until(function() return c:node(old).leader == c:leader() and c:node(old).role end, 10 * s)
L.say("the network heals: %s learns of epoch %d and becomes a %s of %s", c:name(old), c:epoch(),
      back or "?", c:name(c:leader()))
check.expect(back == "Follower", "%s should follow after the heal", c:name(old))
