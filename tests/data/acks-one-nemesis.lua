-- acks=1 through a nemesis: some seed loses an acknowledged write; kraftsim shrink says which faults
-- A producer with acks=1 (the leader acknowledges a write it alone has) and a consumer on a
-- topic of 3 replicas, through a fault every 3 s for 60 s, then healing; check.history() then
-- names every acknowledged write no replica kept. Sweep it, and shrink a failing seed:
--   kraftsim sweep tests/data/acks-one-nemesis.lua --seeds 1..20
--   kraftsim shrink runs/sweep-acks-one-nemesis/acks-one-nemesis-seed<N>.db
-- (It lives with the tests' data, not in scenarios/: a shipped scenario passes on every seed.)
local c = kraft.cluster{ controllers = 3, brokers = 3 }
local duration = kraft.duration{ default = 60 * s, min = 10 * s }
c:start()
c:wait_settled()
assert(c:create_topic("orders", { partitions = 1, replication_factor = 3 }))
local p = c:producer{ topic = "orders", rate = 200, acks = "1" }
local q = c:consumer{ topic = "orders", ["auto.offset.reset"] = "earliest" }
c:nemesis{ faults = { "partition", "crash", "pause", "clock", "disk" }, every = 3 * s,
           until_ = now() + duration }
sleep(duration)
p:stop()
check.liveness{ within = 60 * s }
check.expect(p:flush(), "every send completes after healing")
check.expect(q:drain(120 * s), "the consumer reads to the end after healing")
check.all()
