-- acks=all with min.insync.replicas=2: the leader is cut off from its followers and crashes, and every acknowledged write is still read back
local L = require("lessons")
-- tests/data/acks-one-loses-writes.lua is this lesson with acks=1: there the checker finds the
-- acknowledged writes the crash took.
local c = kraft.cluster{ controllers = 3, brokers = 3 }
c:start()
L.ready(c)
check.expect(c:create_topic("orders", { partitions = 1, replication_factor = 3,
  config = { ["min.insync.replicas"] = "2" } }), "create orders")
local p = c:producer{ topic = "orders", rate = 200, acks = "all",
  ["enable.idempotence"] = "false" }
local q = c:consumer{ topic = "orders", ["auto.offset.reset"] = "earliest" }
sleep(2 * s)
local leader = c:metadata("orders")[1].leader
local followers = {}
for _, b in ipairs(c:brokers()) do
  if b ~= leader then followers[#followers + 1] = b end
end
L.say("a producer sends 200 records/s with acks=all; %s leads orders-0: now it is cut off " ..
      "from its followers for 1 s, then crashes", c:name(leader))
for _, f in ipairs(followers) do
  c:cut(leader, f)
  c:cut(f, leader)
end
sleep(1 * s)
c:crash(leader)
c:heal()
sleep(15 * s)
c:restart(leader)
sleep(5 * s)
p:stop()
check.expect(q:drain(30 * s), "the consumer caught up")
local st = p:stats()
L.say("%d writes sent, %d acknowledged: the leader acknowledged none of the cut-off second " ..
      "alone (acks=all waits for the ISR, and min.insync.replicas=2 keeps the ISR from " ..
      "shrinking to the leader by itself), so the new leader has every one", st.invoked, st.ok)
check.history()
