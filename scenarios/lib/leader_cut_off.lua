-- leader_cut_off.lua: a producer and a consumer while a partition's leader is cut off from its
-- followers for 1 s and then crashed; check.history() judges what was acknowledged. The lesson
-- acks-all-keeps-writes runs it with acks=all and min.insync.replicas=2, its twin
-- tests/data/acks-one-loses-writes.lua with acks=1.
local L = require("lessons")
local M = {}

-- opts: acks ("all" or "1"), min_insync (nil: the broker default), why (the closing sentence,
-- a format taking the writes sent and acknowledged), expect (nil: every acknowledged write must
-- be read back; else the finding classes the lesson claims the checker reports), config (the
-- cluster's server.properties, switches included).
function M.run(opts)
  local c = kraft.cluster{ controllers = 3, brokers = 3, config = opts.config }
  c:start()
  L.ready(c)
  local config = opts.min_insync and { ["min.insync.replicas"] = opts.min_insync } or nil
  local p, q = L.orders(c, config, { acks = opts.acks, ["enable.idempotence"] = "false" })
  sleep(2 * s)
  local leader = c:metadata("orders")[1].leader
  local followers = {}
  for _, b in ipairs(c:brokers()) do
    if b ~= leader then followers[#followers + 1] = b end
  end
  L.say("a producer sends 200 records/s with acks=%s; %s leads orders-0: now it is cut off " ..
        "from its followers for 1 s, then crashes", opts.acks, c:name(leader))
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
  L.say(opts.why, st.invoked, st.ok)
  if opts.expect then check.history{ expect = opts.expect } else check.history() end
end

return M
