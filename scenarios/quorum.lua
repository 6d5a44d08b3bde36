-- 3 KRaft controllers and 2 brokers commit a record every 10 ms and fail over through partitions, crashes, power failures, pauses, drift and a lossy network
local quorum = require "quorum_run"

local run = quorum.start{ voters = 3, brokers = 2 }
sleep(quorum.CALM)
-- One fault at a time, drawn from the seed: it lasts 0.5 to 3.5 s, and the next comes 0 to 2 s
-- after it is undone. The victim is the quorum leader half the time, else any node.
run.c:nemesis{
  faults = { "isolate-leader", "split", "one-way-cut", "bridge", "crash", "power-failure",
             "pause", "clock-drift", "lossy-network" },
  length = { 500 * ms, 3500 * ms },
  gap = { 0, 2 * s },
  victim = "leader-half",
  until_ = run.fault_end,
}
quorum.heal_and_check(run)
quorum.report(run)
