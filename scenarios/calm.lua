-- 3 KRaft controllers (no brokers) commit a record every 10 ms with no faults
local quorum = require "quorum_run"

-- The benchmark's bare quorum: controllers only, the client's load and nothing else.
local run = quorum.start{ voters = 3, brokers = 0, calm = true }
quorum.heal_and_check(run)
quorum.report(run)
