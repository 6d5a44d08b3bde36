-- 3 KRaft controllers and 2 brokers; the active controller is killed every 5 s and restarted 3.5 s later
local quorum = require "quorum_run"

local run = quorum.start{ voters = 3, brokers = 2 }
local c = run.c
-- Down for 3.5 s: long enough for the others to notice (the fetch timeout, 2 s) and elect one
-- of themselves.
at(quorum.CALM, function()
  while now() < run.fault_end do
    local leader = c:leader()
    if leader then
      c:crash(leader)
      at(math.min(now() + 3500 * ms, run.fault_end), function()
        local host = c:node(leader).host
        if host == "crashed" or host == "down" then c:restart(leader) end
      end)
    end
    sleep(5 * s)
  end
end)
quorum.heal_and_check(run)
quorum.report(run)
