-- a group grows from one member to three; what the first member owns is sampled every ms.
-- tests/lua_test runs it with each assignor (the class name below is replaced): with
-- cooperative-sticky (KIP-429) a member keeps its partitions through every rebalance and gives
-- up only those that move; with range (eager) every member owns nothing while the group
-- rebalances. Either way every acknowledged write is read.
local strategy = "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
local c = kraft.cluster{ combined = 3, clients = 4,
  config = { ["offsets.topic.num.partitions"] = "3", ["min.insync.replicas"] = "2" } }
c:start()
c:wait_settled()
assert(c:create_topic("orders", { partitions = 6, replication_factor = 3 }))
local p = c:producer{ topic = "orders", rate = 200, acks = "all" }
local member = { topic = "orders", ["group.id"] = "g", ["auto.offset.reset"] = "earliest",
  ["partition.assignment.strategy"] = strategy }
local members = { c:consumer(member) }
sleep(8 * s)
-- the fewest partitions the first member owned, and how many records it read, while the
-- group took in a second and then a third member
local fewest, before = 6, members[1]:stats().records
for _ = 2, 3 do
  members[#members + 1] = c:consumer(member)
  for _ = 1, 8000 do
    sleep(1 * ms)
    fewest = math.min(fewest, members[1]:stats().owned)
  end
end
local read = members[1]:stats().records - before
p:stop()
check.expect(p:flush(), "every send completes")
check.expect(drain_group(members), "the group reads to the end")
local st = {}
for i, q in ipairs(members) do st[i] = q:stats() end
print(string.format("fewest %d; read %d; owned %d %d %d; rebalances %d %d %d", fewest, read,
  st[1].owned, st[2].owned, st[3].owned, st[1].rebalances, st[2].rebalances, st[3].rebalances))
check.history()
