-- acknowledged writes survive a mix of faults, and the cluster recovers after (run --config FILE...)
-- What `kraftsim run --config FILE...` runs when no scenario is named: the cluster the files
-- describe (kraft.load: their nodes, ids, roles, listeners, voters and settings, the release of
-- their image tag), a topic of 3 replicas (fewer with fewer brokers) with the deployment's own
-- min.insync.replicas, a producer with acks=all and idempotence, a consumer, and a fault every
-- 5 s for the run (default 60 s), then healing and the checks: Raft's safety, partition
-- leadership, fencing, liveness, and check.history() on every acknowledged write.
local c = kraft.load()
local duration = kraft.duration{ default = 60 * s, min = 10 * s }
c:start()
c:wait_settled()
local brokers = #c:brokers()
local rf = math.min(3, brokers)
assert(c:create_topic("orders", { partitions = 3, replication_factor = rf }))
local p = c:producer{ topic = "orders", rate = 200, acks = "all", ["enable.idempotence"] = "true" }
local q = c:consumer{ topic = "orders", ["auto.offset.reset"] = "earliest" }
c:nemesis{ faults = { "partition", "crash", "pause", "clock", "disk" }, every = 5 * s,
           until_ = now() + duration }
sleep(duration)
p:stop()
check.liveness{ within = 60 * s }
check.expect(p:flush(), "every send completes after healing")
check.expect(q:drain(120 * s), "the consumer reads to the end after healing")
local st = p:stats()
note(string.format("%d writes sent with acks=all: %d acknowledged, %d failed, %d unknown; the " ..
  "consumer read %d records", st.invoked, st.ok, st.failed, st.unknown, q:stats().records))
check.all()
