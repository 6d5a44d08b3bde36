-- unclean.leader.election.enable=true: the ISR shrinks to a leader that then crashes, a lagging follower is elected, and acknowledged writes are lost (3.9+; a 3.x controller before 3.9 ignores the setting)
-- acks=all waits for the ISR, not for every replica: once the leader's followers have lagged
-- for replica.lag.time.max.ms (30 s, checked every 15 s) the leader shrinks the ISR to itself
-- and acknowledges writes alone (min.insync.replicas is 1 here, the default). When it crashes,
-- no ISR member is left; with unclean.leader.election.enable=true a KRaft controller from 3.9
-- on (KAFKA-12670) elects an out-of-sync follower, and every write since the cut is gone:
-- the returning leader truncates them. Kafka 3.0-3.8 controllers never read the setting
-- (ConfigurationControlManager returns false), so the partition stays offline and loses
-- nothing until the old leader returns.
local L = require("lessons")
local c = kraft.cluster{ controllers = 3, brokers = 3 }
c:start()
L.ready(c)
local p, q = L.orders(c, { ["unclean.leader.election.enable"] = "true" })
sleep(2 * s)
local leader = c:metadata("orders")[1].leader
local followers = {}
for _, b in ipairs(c:brokers()) do
  if b ~= leader then followers[#followers + 1] = b end
end
L.say("acks=all, unclean.leader.election.enable=true: %s leads orders-0 and is cut off " ..
      "from its followers for 60 s", c:name(leader))
for _, f in ipairs(followers) do
  c:cut(leader, f)
  c:cut(f, leader)
end
sleep(60 * s)
local isr = c:metadata("orders")[1].isr
check.expect(#isr == 1 and isr[1] == leader, "the ISR shrank to the leader alone")
L.say("the ISR is [%s] alone now and acknowledges writes by itself; it crashes", c:name(leader))
c:crash(leader)
c:heal()
sleep(20 * s)
local after = c:metadata("orders")[1].leader
local honours = L.at_least(c, "3.9")
if honours then
  check.expect(after ~= leader and after >= 0, "an out-of-sync follower was elected")
  L.say("the controller elected %s from outside the ISR (the setting is honoured)",
        c:name(after))
else
  check.expect(after < 0, "the partition stays offline")
  L.say("no leader: this controller ignores unclean.leader.election.enable, so the partition " ..
        "waits offline for %s", c:name(leader))
end
c:restart(leader)
sleep(10 * s)
p:stop()
check.expect(p:flush(), "every send completes")
check.expect(q:drain(30 * s), "the consumer caught up")
local st = p:stats() -- before the judgement, which ends the clients
if honours then
  -- the old leader's writes are truncated and the new leader's land at their offsets; the
  -- producer sees offsets acknowledged lower than earlier ones
  check.history{ expect = { "lost-write", "inconsistent-offsets", "nonmonotonic-send" } }
else
  check.history()
end
local summary = check.history_summary()
L.say("%d writes acknowledged; the checker: %s", st.ok, summary)
