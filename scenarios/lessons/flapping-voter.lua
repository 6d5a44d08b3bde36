-- a voter cut off and reconnected again and again: without pre-vote (3.4) the epoch climbs with every return; with pre-vote (4.0+) it does not move
local L = require("lessons")
local c = kraft.cluster{ controllers = 3 }
c:start()
local leader = c:wait_leader()
sleep(1 * s)
local flapper = c:others(leader)[1]
local start_epoch = c:epoch()
L.say("%s leads epoch %d; %s's link will flap: 4 s cut off, 2 s back, five times",
      c:name(leader), start_epoch, c:name(flapper))

for round = 1, 5 do
  c:isolate(flapper)
  sleep(4 * s) -- past controller.quorum.fetch.timeout.ms: it wants an election
  local alone = c:node(flapper)
  c:heal()
  sleep(2 * s)
  local now_leader = c:leader()
  L.say("round %d: alone, %s reached epoch %d as a %s; back, the quorum is at epoch %d, %s",
        round, c:name(flapper), alone.epoch, alone.role, c:epoch(),
        now_leader and "led by " .. c:name(now_leader) or "still electing")
end

local climbed = c:epoch() - start_epoch
if L.at_least(c, "4.0") then
  L.say("Kafka %s: a cut-off voter only asks for pre-votes (KIP-996), which raise no epoch, " ..
        "so the leader was never disturbed: %d epoch(s) climbed", c:release(), climbed)
  check.expect(climbed == 0 and c:leader() == leader,
               "with pre-vote the epoch should stay at %d under %s, it is %d led by %s",
               start_epoch, c:name(leader), c:epoch(), tostring(c:leader()))
else
  L.say("Kafka %s: every time out alone, %s became a candidate at a higher epoch; back, its " ..
        "Vote requests made the leader step down: %d epochs climbed", c:release(),
        c:name(flapper), climbed)
  check.expect(climbed >= 5, "without pre-vote each return should cost an epoch, %d climbed",
               climbed)
end
