-- a broker restarts after its metadata log was snapshotted and the partition moved on: it must
-- not act on the snapshot's image (the partition led by itself at epoch 0) before it caught up
-- with the log (the controller's isCaughtUp), as BrokerServer installs its metadata publisher
-- only then. tests/lua_test reads the restarted broker's first partition event.
local c = kraft.cluster{ combined = 3, config = {
  ["metadata.log.max.snapshot.interval.ms"] = "5000", ["min.insync.replicas"] = "1" } }
c:start()
c:wait_settled()
assert(c:create_topic("t", { partitions = 1, replication_factor = 3 }))
sleep(8 * s)                      -- every node snapshots the image with t at its first epoch
local first = c:metadata("t")[1].leader
c:crash(first)
sleep(12 * s)                     -- fenced after broker.session.timeout.ms: t has a new leader epoch
c:restart(first)
sleep(10 * s)
note(string.format("restarted %s", c:name(first)))
