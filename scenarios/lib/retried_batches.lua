-- retried_batches.lua: a producer whose acks=all writes take longer than its request.timeout.ms,
-- because the partition leader's followers are 600 ms away for 3 s: it gives up on each request
-- and sends the batch again, though the leader had appended the first copy. The lesson
-- retries-duplicate-writes runs it with enable.idempotence=false, its twin
-- idempotence-drops-retries with Kafka's default (true since 3.0).
local L = require("lessons")
local M = {}

-- opts: idempotence ("true" or "false"), expect (nil: every acknowledged write read back once;
-- else the finding classes the lesson claims), why (the closing sentence, a format taking the
-- batches retried, the writes acknowledged and the duplicates the checker found).
function M.run(opts)
  local c = kraft.cluster{ controllers = 3, brokers = 3 }
  c:start()
  L.ready(c)
  local p, q = L.orders(c, nil, { ["enable.idempotence"] = opts.idempotence,
    ["request.timeout.ms"] = "1000", ["linger.ms"] = "0" })
  sleep(2 * s)
  local leader = c:metadata("orders")[1].leader
  L.say("a producer sends 200 records/s with acks=all, enable.idempotence=%s and " ..
        "request.timeout.ms=1000; %s leads orders-0, and its followers are now 600 ms away " ..
        "each way for 3 s", opts.idempotence, c:name(leader))
  for _, b in ipairs(c:brokers()) do
    if b ~= leader then c:link(leader, b, { latency = 600 * ms }) end
  end
  sleep(3 * s)
  c:heal()
  sleep(2 * s)
  p:stop()
  check.expect(p:flush(10 * s), "every send completed")
  check.expect(q:drain(10 * s), "the consumer caught up")
  local st = p:stats()
  check.expect(st.retries > 0, "the producer retried timed-out requests")
  if opts.expect then check.history{ expect = opts.expect } else check.history() end
  L.say(opts.why, st.retries, st.ok,
        tonumber(check.history_summary():match("duplicate=(%d+)")))
end

return M
