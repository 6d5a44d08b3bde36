-- a 3-voter quorum and 2 brokers: elect, crash the leader, check the quorum moved on
local c = kraft.cluster{ controllers = 3, brokers = 2 }
c:start()
local leader = c:wait_leader()
note("controller " .. c:name(leader) .. " leads epoch " .. c:epoch())
sleep(2 * s)
c:crash(leader)
sleep(5 * s)
local next_leader = c:wait_leader()
note("after the crash " .. c:name(next_leader) .. " leads epoch " .. c:epoch())
c:restart(leader)
check.liveness{ within = 30 * s }
check.all()
print(c:describe_quorum())
