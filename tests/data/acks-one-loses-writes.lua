-- acks=1: the leader is cut off from its followers and crashes; writes it acknowledged alone are lost
local L = require("lessons")
-- scenarios/lessons/acks-all-keeps-writes.lua with acks=1 and no min.insync.replicas: this run
-- fails, and check.history() names the acknowledged writes the crash took (exit 1).
local c = kraft.cluster{ controllers = 3, brokers = 3 }
c:start()
L.ready(c)
check.expect(c:create_topic("orders", { partitions = 1, replication_factor = 3 }),
             "create orders")
local p = c:producer{ topic = "orders", rate = 200, acks = "1",
  ["enable.idempotence"] = "false" }
local q = c:consumer{ topic = "orders", ["auto.offset.reset"] = "earliest" }
sleep(2 * s)
local leader = c:metadata("orders")[1].leader
local followers = {}
for _, b in ipairs(c:brokers()) do
  if b ~= leader then followers[#followers + 1] = b end
end
L.say("a producer sends 200 records/s with acks=1; %s leads orders-0: now it is cut off " ..
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
L.say("%d writes sent, %d acknowledged: the leader acknowledged the cut-off second's writes " ..
      "alone (acks=1); its followers never had them, one of them leads now, and the old " ..
      "leader truncated them when it came back", st.invoked, st.ok)
check.history()
