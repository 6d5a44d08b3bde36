-- acks=1: the leader acknowledges a write no follower has, crashes, and the write is lost
-- PENDING (not shipped): brokers do not answer Produce, ListOffsets or Fetch yet; move this to
-- scenarios/lessons/ when the broker side of the data path lands, and expect check.history()
-- to report lost-write on some seed (a sweep: for seed in 1..200, kraftsim run ... --seed).
local c = kraft.cluster{ combined = 3, clients = 2,
  config = { ["unclean.leader.election.enable"] = "false" } }
c:start()
c:wait_leader()
c:wait_settled()
assert(c:create_topic("orders", { partitions = 1, replication_factor = 3 }))
local p = c:producer{ topic = "orders", rate = 200, acks = "1",
  ["enable.idempotence"] = "false", ["linger.ms"] = 0 }
local q = c:consumer{ topic = "orders", ["auto.offset.reset"] = "earliest" }
sleep(2 * s)
-- the partition's leader takes writes its followers have not fetched yet, then dies
local leader = c:metadata("orders")[1].leader
c:slow(leader, { net = 200 * ms })
sleep(300 * ms)
c:crash(leader)
sleep(5 * s)
c:restart(leader)
p:stop()
check.expect(q:drain(30 * s), "the consumer caught up")
check.history()
