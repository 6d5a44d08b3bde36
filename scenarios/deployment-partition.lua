-- acknowledged writes survive network partitions (kraftsim check; needs --config)
-- if not: a leader cut off from its followers acknowledged writes they never had (min.insync.replicas below 2, or unclean leader election)
-- The deployment's own files (kraft.load, kraftsim run --config FILE...), a topic of 3
-- replicas (fewer with fewer brokers) with the deployment's min.insync.replicas, an idempotent
-- producer with acks=all and a consumer; the network isolates the quorum leader, one node or a
-- random half every few seconds; then healing, and every acknowledged write must be read back.
require("deployment_run").run{ trouble = function(c)
  local duration = kraft.duration{ default = 60 * s, min = 10 * s }
  c:nemesis{ faults = { "isolate-leader", "isolate", "split" }, length = { 1 * s, 4 * s },
             gap = { 1 * s, 3 * s }, until_ = now() + duration }
  sleep(duration)
end }
