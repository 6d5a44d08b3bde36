local c = kraft.cluster{ combined = 3, brokers = 2, config = { ["min.insync.replicas"] = 2 }, nodes = { [4] = { config = { ["broker.session.timeout.ms"] = 12000 } } } }
c:start()
c:nemesis{ faults = { "crash", "split" }, every = 2 * s }
c:link(1, 2, { drop = 0.5, latency = 3 * ms })
c:disk(2, { slow = 5 * ms, full = true })
sleep(1 * s)
