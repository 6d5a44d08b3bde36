-- the standard data workload: 6 partitions RF 3, 1,000 records/s acks=all, a nemesis every 5 s
-- What scripts/bench measures (issue 13): one topic whose segments and retention keep the logs
-- (and the history checker, which follows the log start) bounded however long it runs, a
-- producer at 1,000 records/s with acks=all, a consumer group of two, and a partition, crash,
-- pause or lossy link every 5 s. At the end the nemesis stops, everything heals, and every
-- acknowledged write must have been read: check.history() after both members drain.
-- offsets.topic.num.partitions is 3 here (Kafka's 50 would be 150 replicas of an internal topic
-- for one group on three nodes). The metadata log is bounded the same way: the controller's
-- NoOpRecord every 500 ms adds 14 MB a day to every node's __cluster_metadata-0, which Kafka's
-- defaults (1 GiB segments, 100 MiB and 7 days of retention) would all keep.
local c = kraft.cluster{ combined = 3, clients = 3, config = {
  ["min.insync.replicas"] = "2",
  ["log.retention.check.interval.ms"] = "30000",   -- Kafka's 5 min would keep 5 min of data
  ["offsets.topic.num.partitions"] = "3",
  ["metadata.log.segment.ms"] = "600000",
  ["metadata.log.max.record.bytes.between.snapshots"] = "262144",
  ["metadata.max.retention.ms"] = "1800000",
} }
local duration = kraft.duration{ default = 60 * s, min = 10 * s }
c:start()
c:wait_settled()
assert(c:create_topic("orders", { partitions = 6, replication_factor = 3, config = {
  ["segment.bytes"] = "65536", ["retention.bytes"] = "262144" } }))
local p = c:producer{ topic = "orders", rate = 1000, acks = "all",
}
local member = { topic = "orders", ["group.id"] = "workload", ["auto.offset.reset"] = "earliest",
  ["max.poll.interval.ms"] = "30000" }
local readers = { c:consumer(member), c:consumer(member) }
c:nemesis{ faults = { "partition", "crash", "pause", "lossy-network" }, every = 5 * s,
           until_ = now() + duration }
sleep(duration)
p:stop()
check.liveness{ within = 60 * s }
check.expect(p:flush(), "every send completes after healing")
check.expect(drain_group(readers, 120 * s), "the group reads to the end after healing")
local st = p:stats()
note(string.format("producer: %d sent, %d acknowledged, %d failed, %d unknown, in %d requests",
  st.invoked, st.ok, st.failed, st.unknown, st.attempts))
print("history: " .. check.history_summary())
