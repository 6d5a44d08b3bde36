-- the first election of a 3-voter quorum: who votes for whom, the epoch, and how long it takes
local L = require("lessons")
local c = kraft.cluster{ controllers = 3 }
c:watch("vote", "became-leader")
c:start()
L.say("three controllers start with empty logs at epoch 0; none knows a leader")

local leader = c:wait_leader(10 * s)
-- the followers learn of it from BeginQuorumEpoch, a network hop later
wait_until(function()
  for _, id in ipairs(c:others(leader)) do
    if c:node(id).leader ~= leader then return false end
  end
  return true
end, 1 * s)

local pre, real = 0, 0
for _, e in ipairs(c:events("vote")) do
  local kind = e.detail:match("^pre%-vote") and "pre-vote" or "vote"
  if kind == "pre-vote" then pre = pre + 1 else real = real + 1 end
  L.say("%s %s %s its %s at epoch %s", e.name,
        L.field(e.detail, "granted") == "yes" and "grants" or "refuses",
        c:name(tonumber(L.field(e.detail, "candidate"))), kind, L.field(e.detail, "epoch"))
end
local won = c:events("became-leader")[1]
L.say("%s leads epoch %d at %s: an idle voter waits controller.quorum.election.timeout.ms " ..
      "(1 s) plus a random part of another second, so one of them asks first", c:name(leader),
      c:epoch(), L.ms(won.time))

check.expect(c:epoch() == 1, "the first election should make epoch 1, got %d", c:epoch())
check.expect(real == 2, "both other voters should vote once, got %d votes", real)
check.expect(won.time >= 1 * s and won.time < 2100 * ms,
             "the first election should end between 1 and 2 s, it ended at %s", L.ms(won.time))
if L.at_least(c, "4.0") then
  L.say("Kafka %s asks first (KIP-996 pre-vote): %d pre-votes, which bump no epoch, then " ..
        "the real vote", c:release(), pre)
  check.expect(pre == 2, "pre-vote is on in %s: wanted 2 pre-votes, got %d", c:release(), pre)
else
  L.say("Kafka %s has no pre-vote: the candidate bumps the epoch and asks at once", c:release())
  check.expect(pre == 0, "Kafka %s has no pre-vote, yet %d were traced", c:release(), pre)
end
for _, id in ipairs(c:others(leader)) do
  local n = c:node(id)
  check.expect(n.voted == leader, "%s should have voted for %s", n.name, c:name(leader))
  check.expect(n.leader == leader, "%s should follow %s", n.name, c:name(leader))
end
check.expect(#c:events("became-leader") == 1, "one election, one leader")
