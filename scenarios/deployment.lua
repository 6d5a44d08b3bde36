-- acknowledged writes survive a mix of faults, and the cluster recovers after (run --config FILE...)
-- What `kraftsim run --config FILE...` runs when no scenario is named: the cluster the files
-- describe (kraft.load: their nodes, ids, roles, listeners, voters and settings, the release of
-- their image tag), a topic of 3 replicas (fewer with fewer brokers) with the deployment's own
-- min.insync.replicas, a producer with acks=all and idempotence, a consumer, and a fault every
-- 5 s for the run (default 60 s), then healing and the checks: Raft's safety, partition
-- leadership, fencing, liveness, and check.history() on every acknowledged write.
require("deployment_run").run{ trouble = function(c)
  local duration = kraft.duration{ default = 60 * s, min = 10 * s }
  c:nemesis{ faults = { "partition", "crash", "pause", "clock", "disk" }, every = 5 * s,
             until_ = now() + duration }
  sleep(duration)
end }
