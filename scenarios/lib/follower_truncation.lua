-- follower_truncation.lua: two leader changes in a row while a follower cannot fetch from the
-- new leader. A follower learns the high watermark one fetch after the leader advanced it, so
-- its own HW lags its log end by the last round's records, which the leader has already
-- acknowledged. The lesson leader-epoch-truncation runs it as Kafka does since KIP-101 (the
-- follower keeps its log and asks the leader where its epoch ended); its twin
-- hw-truncation-loses-writes with the pre-0.11 rule (cut the log to the HW on becoming a
-- follower), which throws those records away on the replica that then leads.
local L = require("lessons")
local M = {}

-- opts: hw_truncation (true: the pre-KIP-101 switch), why (the closing sentence, a format
-- taking the acknowledged writes and the summary).
function M.run(opts)
  local config = opts.hw_truncation and
    { ["kraftsim.switch.replication.leader.epoch.truncation"] = "false" } or nil
  local c = kraft.cluster{ controllers = 3, brokers = 3, config = config }
  c:start()
  L.ready(c)
  local p, q = L.orders(c)
  sleep(3 * s)
  local m = c:metadata("orders")[1]
  local a, b, f = m.leader, nil, nil
  for _, id in ipairs(m.isr) do
    if id ~= a then
      if b == nil then b = id else f = id end
    end
  end
  L.say("acks=all, RF 3: %s leads orders-0; %s and %s cannot reach each other, and %s " ..
        "crashes", c:name(a), c:name(b), c:name(f), c:name(a))
  c:cut(b, f)
  c:cut(f, b)
  c:crash(a)
  local function leader()
    local t = c:metadata("orders")
    return t and t[1] and t[1].leader or -1
  end
  check.expect(wait_until(function() local l = leader(); return l >= 0 and l ~= a end, 20 * s),
    "a new leader")
  local second = leader()
  local last = second == b and f or b
  L.say("%s leads now and %s follows it, %s", c:name(second), c:name(last),
        opts.hw_truncation and "cutting its log to its high watermark first (pre-KIP-101)"
        or "keeping its log (KIP-101: it asks the leader where its epoch ended)")
  sleep(1 * s)
  L.say("%s crashes too, before %s could fetch from it: %s will lead", c:name(second),
        c:name(last), c:name(last))
  c:crash(second)
  sleep(12 * s) -- broker.session.timeout.ms, then the election
  c:heal()
  c:restart(a)
  c:restart(second)
  sleep(5 * s)
  p:stop()
  check.expect(p:flush(), "every send completes")
  check.expect(q:drain(30 * s), "the consumer caught up")
  local st = p:stats() -- before the judgement, which ends the clients
  if opts.hw_truncation then
    -- the acknowledged tail the follower cut is gone; the new leader wrote other records at
    -- those offsets, which the consumer read too, and the producer's offsets went backwards
    check.history{ expect = { "lost-write", "inconsistent-offsets", "nonmonotonic-send" } }
  else
    check.history()
  end
  L.say(opts.why, st.ok, check.history_summary())
end

return M
