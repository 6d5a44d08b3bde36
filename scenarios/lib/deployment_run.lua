-- lib/deployment_run.lua: writes with acks=all through some trouble, on the deployment
-- kraft.load() reads (kraftsim run --config FILE...). What the deployment* scenarios share.
--
-- run{ trouble = function(c) ... end }: loads and starts the cluster, makes a topic of 3
-- replicas (fewer with fewer brokers) with the deployment's own min.insync.replicas, starts an
-- idempotent producer with acks=all and a consumer, calls trouble(c), then heals, waits for
-- every send and read, says how the writes fared, and runs every check.
local M = {}

function M.run(opts)
  local c = kraft.load()
  c:start()
  c:wait_settled()
  assert(c:create_topic("orders", { partitions = 3,
                                    replication_factor = math.min(3, #c:brokers()) }))
  local p = c:producer{ topic = "orders", rate = 200, acks = "all",
                        ["enable.idempotence"] = "true" }
  local q = c:consumer{ topic = "orders", ["auto.offset.reset"] = "earliest" }
  opts.trouble(c)
  p:stop()
  check.liveness{ within = 60 * s }
  check.expect(p:flush(), "every send completes after healing")
  check.expect(q:drain(120 * s), "the consumer reads to the end after healing")
  local st = p:stats()
  note(string.format("%d writes sent with acks=all: %d acknowledged, %d failed, %d unknown; " ..
    "the consumer read %d records", st.invoked, st.ok, st.failed, st.unknown, q:stats().records))
  check.all()
end

return M
