-- a producer at 1,000 records/s and a consumer through a nemesis: clients neither storm nor stall
-- tests/lua_test runs it for a few seconds and bounds its events: a consumer that resent its
-- ListOffsets to a crashed leader without backing off made 242 million events in 1.3 s here.
local c = kraft.cluster{ combined = 3, config = { ["min.insync.replicas"] = "2" } }
local duration = kraft.duration{ default = 60 * s, min = 2 * s }
c:start()
c:wait_settled()
assert(c:create_topic("orders", { partitions = 6, replication_factor = 3 }))
local p = c:producer{ topic = "orders", rate = 1000, acks = "all",
  ["enable.idempotence"] = "false" }
local q = c:consumer{ topic = "orders", ["auto.offset.reset"] = "earliest" }
c:nemesis{ faults = { "partition", "crash", "pause" }, every = 5 * s, until_ = now() + duration }
sleep(duration)
p:stop()
