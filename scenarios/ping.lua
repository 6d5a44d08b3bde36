-- three hosts ping in a ring through a partition, crash, pause, drift and power failure; checks persist-before-send
-- At least 6 s: each fault lasts a 24th of the run at least, one 250 ms ping interval from 6 s.
local duration = kraft.duration{ default = 15 * s, min = 6 * s }

-- ping-1 pings ping-2, ping-2 pings ping-3, ping-3 pings ping-1; each persists a ping's
-- sequence number before it sends it, so the numbers a host sends only ever grow: the ring's
-- checker reads every ping sent and fails the run when one does not.
local p = kraft.ping{ hosts = 3 }
p:start()

-- Five faults, one in each sixth of the run (the last sixth is calm), each on a host the seed
-- picks, starting in the second half of its slot and lasting a quarter to half a slot.
local faults = {
  function(host, length) p:isolate(host); after(length, function() p:heal() end) end,
  function(host, length) p:crash(host); after(length, function() p:restart(host) end) end,
  function(host, length) p:pause(host, length) end,
  -- 2% to 8% fast, for the rest of the run: a badly drifting VM clock
  function(host) p:drift(host, 1.02 + math.random(0, 59999) / 1e6) end,
  -- a power failure loses what the host wrote and did not fsync
  function(host, length) p:power_fail(host); after(length, function() p:restart(host) end) end,
}
local slot = duration // 6
for k, fault in ipairs(faults) do
  local host = math.random(1, 3)
  local start = slot * k - slot // 2 + math.random(0, slot // 2 - 1)
  local length = slot // 4 + math.random(0, slot // 4 - 1)
  at(start, function() fault(host, length) end)
end
sleep(duration)
