-- 3 controllers and 3 brokers: a topic, the active controller cut off, a broker crash, a nemesis
local c = kraft.cluster{ controllers = 3, brokers = 3,
                         config = { ["min.insync.replicas"] = 2 } }
c:start()
c:wait_settled()                                      -- a leader, every broker unfenced
local leader = c:leader()
note("controller " .. c:name(leader) .. " leads epoch " .. c:epoch())
assert(c:create_topic("orders", { partitions = 3, replication_factor = 3 }))

c:partition({ leader }, c:others(leader))             -- cut the active controller off
sleep(5 * s)
note("the majority elected " .. c:name(c:leader()) .. " in epoch " .. c:epoch())
c:heal()

c:crash(4); sleep(12 * s)                             -- past broker.session.timeout.ms (9 s)
local p0 = c:describe_topic("orders").partitions[1]
note("broker-4 fenced: " .. tostring(c:node(4).fenced) .. "; orders-0 led by " .. p0.leader .. ", ISR " .. table.concat(p0.isr, ","))
c:restart(4)

c:nemesis{ faults = { "partition", "crash", "pause", "clock", "disk" }, every = 3 * s,
           until_ = now() + 20 * s }
sleep(20 * s)
check.liveness{ within = 30 * s }                     -- heal everything, then it must settle
check.all()                                           -- Raft safety, partition leadership, fencing
print(c:describe_quorum())                            -- as kafka-metadata-quorum.sh prints it
print(c:describe_topic("orders"))                     -- as kafka-topics.sh --describe prints it
