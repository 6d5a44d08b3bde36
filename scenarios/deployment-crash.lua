-- acknowledged writes survive brokers crashing, one at a time (kraftsim check; needs --config)
-- if not: a write acknowledged by fewer replicas than survive a crash (min.insync.replicas below 2, or acks short of all) is lost with them
-- The deployment's own files (kraft.load, kraftsim run --config FILE...), a topic of 3
-- replicas (fewer with fewer brokers) with the deployment's min.insync.replicas, an idempotent
-- producer with acks=all and a consumer; a node crashes every 5 s for 1 to 3 s; then healing,
-- and every acknowledged write must be read back.
require("deployment_run").run{ trouble = function(c)
  local duration = kraft.duration{ default = 60 * s, min = 10 * s }
  c:nemesis{ faults = { "crash" }, victim = "any", length = { 1 * s, 3 * s },
             gap = { 2 * s, 4 * s }, until_ = now() + duration }
  sleep(duration)
end }
