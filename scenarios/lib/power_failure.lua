-- power_failure.lua: a producer with acks=all while the power fails on every node at once. The
-- lesson power-failure-loses-writes runs it with Kafka's default flush policy (no fsync per
-- write: the kernel writes dirty pages back after 30 s), power-failure-flush-every-write with
-- flush.messages=1 (an fsync before each append is acknowledged).
local L = require("lessons")
local M = {}

-- opts: topic_config (extra topic settings), expect_loss (true: the lesson claims the checker
-- finds lost writes; false: it claims none), why (the closing sentence, a format taking the
-- acknowledged writes and the summary line).
function M.run(opts)
  local c = kraft.cluster{ combined = 3 }
  c:start()
  L.ready(c)
  local config = { ["min.insync.replicas"] = "2" }
  for k, v in pairs(opts.topic_config or {}) do config[k] = v end
  local p, q = L.orders(c, config)
  sleep(10 * s)
  L.say("a producer has sent 200 records/s with acks=all for 10 s to orders (RF 3, " ..
        "min.insync.replicas=2): now the power fails on all three nodes at once")
  local nodes = c:brokers()
  for _, id in ipairs(nodes) do c:power_fail(id) end
  sleep(2 * s)
  for _, id in ipairs(nodes) do c:restart(id) end
  L.ready(c, 60 * s)
  sleep(5 * s)
  p:stop()
  check.expect(p:flush(), "every send completes after the restart")
  check.expect(q:drain(60 * s), "the consumer reads to the end")
  local st = p:stats() -- before the judgement, which ends the clients
  if opts.expect_loss then
    -- the loss shows as offsets that now hold other values (a consumer read the old ones
    -- before the power failed), writes nobody read, and the producer's sends acknowledged at
    -- offsets lower than earlier ones: the checker must find at least one of them
    check.history{ expect = { "lost-write", "inconsistent-offsets", "nonmonotonic-send" } }
  else
    check.history()
  end
  local summary = check.history_summary()
  local lost = tonumber(summary:match("lost%-write=(%d+)"))
  local moved = tonumber(summary:match("inconsistent%-offsets=(%d+)"))
  L.say(opts.why, st.ok, lost + moved)
  print("history: " .. summary)
end

return M
