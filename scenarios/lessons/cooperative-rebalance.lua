-- two consumer groups grow from one member to three: range stops everyone at each rebalance, cooperative-sticky (KIP-429) moves only what it must
-- Both groups read the same topic of 6 partitions. An eager protocol (range, the default)
-- takes every partition back from every member when one joins: each member revokes all it
-- owns, rejoins, and waits for SyncGroup to hand out the new plan. Under COOPERATIVE
-- (org.apache.kafka.clients.consumer.CooperativeStickyAssignor) a member keeps its partitions
-- and goes on fetching them through the rebalance; it revokes only the ones the new plan moves,
-- and a second rebalance hands those to their new owner. What each group's first member owns
-- is sampled every millisecond while the second and the third members join. Here every member
-- rejoins at its next heartbeat, in step since their last SyncGroup, so the eager stop lasts
-- milliseconds; a member slow to poll again (up to max.poll.interval.ms) stretches it for the
-- whole group. The cooperative group pays with a second rebalance instead.
local L = require("lessons")
local c = kraft.cluster{ combined = 3, clients = 7,
  config = { ["offsets.topic.num.partitions"] = "3", ["min.insync.replicas"] = "2" } }
c:start()
L.ready(c)
check.expect(c:create_topic("orders", { partitions = 6, replication_factor = 3 }), "create orders")
local p = c:producer{ topic = "orders", rate = 200 }
local groups = {
  { name = "eager", strategy = "org.apache.kafka.clients.consumer.RangeAssignor" },
  { name = "cooperative", strategy = "org.apache.kafka.clients.consumer.CooperativeStickyAssignor" },
}
local function join(g)
  g.members[#g.members + 1] = c:consumer{ topic = "orders", ["group.id"] = g.name,
    ["auto.offset.reset"] = "earliest", ["partition.assignment.strategy"] = g.strategy }
end
for _, g in ipairs(groups) do
  g.members = {}
  join(g)
end
sleep(8 * s)
L.say("groups eager (range) and cooperative (cooperative-sticky) each have one member, which " ..
      "owns all 6 partitions; now a second member joins each, and 8 s later a third")
for _, g in ipairs(groups) do g.fewest, g.idle, g.before = 6, 0, g.members[1]:stats().records end
for _ = 2, 3 do
  for _, g in ipairs(groups) do join(g) end
  for _ = 1, 8000 do
    sleep(1 * ms)
    for _, g in ipairs(groups) do
      local owned = g.members[1]:stats().owned
      g.fewest = math.min(g.fewest, owned)
      if owned == 0 then g.idle = g.idle + 1 end
    end
  end
end
for _, g in ipairs(groups) do
  local st = g.members[1]:stats()
  g.read, g.rebalances = st.records - g.before, st.rebalances
  L.say("group %s: its first member owned %d partitions at the fewest, none for %d ms, read " ..
        "%d records meanwhile, and took part in %d rebalances; it owns %d now", g.name,
        g.fewest, g.idle, g.read, g.rebalances, st.owned)
end
local eager, coop = groups[1], groups[2]
check.expect(eager.fewest == 0, "range: the first member owned nothing during a rebalance")
check.expect(coop.fewest >= 2, "cooperative-sticky: the first member kept 2 partitions or more")
check.expect(coop.idle == 0 and coop.read > 0,
             "cooperative-sticky: the first member read on through both rebalances")
check.expect(coop.rebalances > eager.rebalances,
             "cooperative-sticky: a second rebalance hands the revoked partitions over")
p:stop()
check.expect(p:flush(), "every send completed")
for _, g in ipairs(groups) do
  check.expect(drain_group(g.members), "group " .. g.name .. " read to the end")
end
check.history()
