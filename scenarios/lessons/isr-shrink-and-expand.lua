-- a follower that cannot fetch leaves the ISR after replica.lag.time.max.ms, acks=all goes on with two, and it rejoins once caught up
-- The leader checks its followers every replica.lag.time.max.ms / 2 (15 s): a follower that has
-- not caught up to the leader's log end for 30 s leaves the ISR through an AlterPartition to the
-- controller (Partition.maybeShrinkIsr). Here the follower's link to the leader is cut while it
-- still heartbeats to the controllers, so only the leader's lag rule can drop it (a paused or
-- crashed broker would be fenced first, after broker.session.timeout.ms). With
-- min.insync.replicas=2 the two left keep acknowledging acks=all writes; once the link heals
-- and the follower reaches the high watermark, the leader proposes it back (maybeExpandIsr).
local L = require("lessons")
local c = kraft.cluster{ controllers = 3, brokers = 3 }
c:start()
L.ready(c)
local p, q = L.orders(c, { ["min.insync.replicas"] = "2" })
sleep(2 * s)
local m = c:metadata("orders")[1]
local lagging
for _, id in ipairs(m.replicas) do
  if id ~= m.leader and lagging == nil then lagging = id end
end
local function isr() return c:metadata("orders", { via = m.leader })[1].isr end
local function has(list, id)
  for _, x in ipairs(list) do if x == id then return true end end
  return false
end
L.say("%s leads orders-0 with ISR [%s]; the link between it and %s is cut", c:name(m.leader),
      L.names(c, m.isr), c:name(lagging))
local acked_before = p:stats().ok
local cut_at = now()
c:cut(m.leader, lagging)
c:cut(lagging, m.leader)
check.expect(wait_until(function() return not has(isr(), lagging) end, 60 * s, 100 * ms),
  "the follower left the ISR")
local out_after = now() - cut_at
check.expect(out_after >= 30 * s and out_after <= 47 * s,
  "it left after replica.lag.time.max.ms plus at most one check interval, not %s", L.ms(out_after))
L.say("%s after the cut the leader shrank the ISR to [%s]: the acks=all writes that waited " ..
      "for the cut-off follower complete now, with these two",
      L.ms(out_after), L.names(c, isr()))
sleep(10 * s)
local acked_during = p:stats().ok - acked_before
check.expect(acked_during > 0, "acks=all writes went on with the ISR of two")
c:heal()
local healed_at = now()
check.expect(wait_until(function() return has(isr(), lagging) end, 30 * s, 100 * ms),
  "the follower rejoined the ISR")
L.say("healed; %s later %s had caught up and was back: ISR [%s]. %d writes were " ..
      "acknowledged meanwhile", L.ms(now() - healed_at), c:name(lagging), L.names(c, isr()),
      acked_during)
p:stop()
check.expect(p:flush(), "every send completes")
check.expect(q:drain(30 * s), "the consumer caught up")
check.history()
