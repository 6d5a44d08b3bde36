-- acknowledged writes survive every node losing power at once (kraftsim check; needs --config)
-- if not: with Kafka's default flush policy (no fsync per write: log.flush.interval.messages unset) a broker acknowledges writes still in the page cache
-- The deployment's own files (kraft.load, kraftsim run --config FILE...), a topic of 3
-- replicas (fewer with fewer brokers), an idempotent producer with acks=all and a consumer;
-- after 10 to 15 s every node loses power in the same instant, and a second later all start
-- again; then every acknowledged write must be read back.
require("deployment_run").run{ trouble = function(c)
  sleep(10 * s + math.random(0, 5000) * ms)
  for _, n in ipairs(c:nodes()) do c:power_fail(n) end
  sleep(1 * s)
  for _, n in ipairs(c:nodes()) do c:restart(n) end
  sleep(5 * s)
end }
