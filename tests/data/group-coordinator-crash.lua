-- two consumers in one group share a topic; the broker coordinating the group crashes and
-- returns: the group moves to the partition's new leader, the members rejoin there and read on
-- tests/lua_test runs it: every acknowledged write is read, each member owned half the
-- partitions, and both rebalanced after the crash.
local c = kraft.cluster{ combined = 3, clients = 3,
  config = { ["offsets.topic.num.partitions"] = "5", ["min.insync.replicas"] = "2" } }
c:start()
c:wait_settled()
assert(c:create_topic("orders", { partitions = 6, replication_factor = 3 }))
local p = c:producer{ topic = "orders", rate = 200, acks = "all" }
local group = { ["group.id"] = "g", ["auto.offset.reset"] = "earliest" }
local q1 = c:consumer{ topic = "orders", ["group.id"] = "g", ["auto.offset.reset"] = "earliest" }
local q2 = c:consumer{ topic = "orders", ["group.id"] = "g", ["auto.offset.reset"] = "earliest" }
sleep(10 * s)
local owned = { q1:stats().owned, q2:stats().owned }
-- "g" lives in __consumer_offsets partition abs(hash("g")) % 5 = 3
local coordinator = c:metadata("__consumer_offsets")[4].leader
note(string.format("members own %d and %d partitions; %s coordinates g and crashes",
  owned[1], owned[2], c:name(coordinator)))
c:crash(coordinator)
sleep(5 * s)
c:restart(coordinator)
sleep(15 * s)
p:stop()
check.expect(p:flush(), "every send completes")
check.expect(q1:drain(60 * s), "consumer-1 reads its partitions to the end")
check.expect(q2:drain(60 * s), "consumer-2 reads its partitions to the end")
print(string.format("owned %d %d; rebalances %d %d; after: owned %d %d", owned[1], owned[2],
  q1:stats().rebalances, q2:stats().rebalances, q1:stats().owned, q2:stats().owned))
check.history()
