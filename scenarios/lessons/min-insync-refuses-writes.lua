-- min.insync.replicas=2 with two of three replicas down: the leader refuses acks=all writes (NOT_ENOUGH_REPLICAS) rather than acknowledge what one copy holds
-- When the ISR is smaller than min.insync.replicas the leader answers acks=all produce requests
-- with NOT_ENOUGH_REPLICAS before appending (Partition.appendRecordsToLeader). The producer
-- retries (it is a retriable error) until delivery.timeout.ms, so nothing is acknowledged while
-- the followers are down, and nothing acknowledged is lost: availability traded for
-- durability. Batches the leader had appended before the ISR shrank wait for the high
-- watermark until request.timeout.ms (3.7+ freezes it below min.insync.replicas, KAFKA-15583;
-- 3.4 lets it advance and answers NOT_ENOUGH_REPLICAS_AFTER_APPEND at once). Once a follower
-- returns and catches up, the ISR is two again and writes go on.
local L = require("lessons")
local c = kraft.cluster{ controllers = 3, brokers = 3 }
c:start()
L.ready(c)
local p, q = L.orders(c, { ["min.insync.replicas"] = "2" })
sleep(2 * s)
local m = c:metadata("orders")[1]
local followers = {}
for _, id in ipairs(m.replicas) do
  if id ~= m.leader then followers[#followers + 1] = id end
end
local function isr() return c:metadata("orders", { via = m.leader })[1].isr end
L.say("%s leads orders-0; both followers, %s, crash", c:name(m.leader),
      L.names(c, followers))
for _, f in ipairs(followers) do c:crash(f) end
check.expect(wait_until(function() return #isr() == 1 end, 30 * s, 100 * ms),
  "the ISR shrank to the leader")
L.say("the controller fenced them (broker.session.timeout.ms): ISR [%s], below " ..
      "min.insync.replicas=2", L.names(c, isr()))
local acked = p:stats().ok
local retries = p:stats().retries
sleep(40 * s) -- past request.timeout.ms: batches appended before the shrink time out first
local st = p:stats()
check.expect(st.ok == acked, "no write was acknowledged with one replica (%d were)",
  st.ok - acked)
check.expect(st.retries > retries, "the producer retried the refused writes")
L.say("40 s with one replica: %d writes acknowledged, %d retries of refused batches",
      st.ok - acked, st.retries - retries)
c:restart(followers[1])
check.expect(wait_until(function() return #isr() == 2 end, 60 * s, 100 * ms),
  "a returning follower rejoined the ISR")
sleep(5 * s)
check.expect(p:stats().ok > st.ok, "writes are acknowledged again")
L.say("%s is back in the ISR [%s]: acks=all writes are acknowledged again",
      c:name(followers[1]), L.names(c, isr()))
c:restart(followers[2])
p:stop()
check.expect(p:flush(), "every send completes")
check.expect(q:drain(30 * s), "the consumer caught up")
check.history()
