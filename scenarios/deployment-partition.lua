-- acknowledged writes survive network partitions (kraftsim check; needs --config)
-- if not: a leader cut off from its followers acknowledged writes they never had (min.insync.replicas below 2, or unclean leader election)
-- The deployment's own files (kraft.load, kraftsim run --config FILE...), a topic of 3
-- replicas (fewer with fewer brokers) with the deployment's min.insync.replicas, an idempotent
-- producer with acks=all and a consumer; the network isolates the quorum leader, one node or a
-- random half every few seconds; then healing, and every acknowledged write must be read back.
local c = kraft.load()
local duration = kraft.duration{ default = 60 * s, min = 10 * s }
c:start()
c:wait_settled()
assert(c:create_topic("orders", { partitions = 3, replication_factor = math.min(3, #c:brokers()) }))
local p = c:producer{ topic = "orders", rate = 200, acks = "all", ["enable.idempotence"] = "true" }
local q = c:consumer{ topic = "orders", ["auto.offset.reset"] = "earliest" }
c:nemesis{ faults = { "isolate-leader", "isolate", "split" }, length = { 1 * s, 4 * s },
           gap = { 1 * s, 3 * s }, until_ = now() + duration }
sleep(duration)
p:stop()
check.liveness{ within = 60 * s }
check.expect(p:flush(), "every send completes after healing")
check.expect(q:drain(120 * s), "the consumer reads to the end after healing")
check.all()
