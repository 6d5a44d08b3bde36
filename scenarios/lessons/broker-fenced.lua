-- a broker that misses its heartbeats is fenced after broker.session.timeout.ms and its partitions get new leaders
local L = require("lessons")
local c = kraft.cluster{ controllers = 3, brokers = 3 }
c:start()
L.ready(c)
check.expect(c:create_topic("payments", { partitions = 3, replication_factor = 2, via = 5 }),
             "create payments")
L.ready(c)

local function led_by(id)
  local out = {}
  for _, p in ipairs(c:describe_topic("payments").partitions) do
    if p.leader == id then out[#out + 1] = p.partition end
  end
  return out
end
local victim = 4
local mine = led_by(victim)
L.say("payments has 3 partitions on brokers 4-6, two replicas each; %s leads partition(s) %s",
      c:name(victim), table.concat(mine, ", "))
check.expect(#mine > 0, "%s should lead a partition", c:name(victim))

c:pause(victim) -- a long GC pause, or a stopped VM: the process is there but says nothing
local paused = now()
L.say("%s freezes: no BrokerHeartbeat reaches the active controller", c:name(victim))
local fenced = wait_until(function() return c:node(victim).fenced end, 30 * s)
local after = now() - paused
L.say("%s after it froze (its last heartbeat came just before) the controller fences %s: " ..
      "broker.session.timeout.ms is %s",
      L.ms(after), c:name(victim), L.ms(c:stats().session_timeout))
check.expect(fenced, "%s should be fenced", c:name(victim))
check.expect(after >= c:stats().session_timeout - 2 * s and after <= c:stats().session_timeout + 1 * s,
             "fenced %s after the pause; the session timeout is %s", L.ms(after),
             L.ms(c:stats().session_timeout))
for _, p in ipairs(c:describe_topic("payments").partitions) do
  local moved = p.leader ~= nil and p.leader ~= victim
  if p.replicas[1] == victim or p.replicas[2] == victim then
    L.say("partition %d: leader %s, ISR [%s]", p.partition, p.leader and c:name(p.leader) or "none",
          L.names(c, p.isr))
  end
  check.expect(moved, "partition %d should have a leader other than %s", p.partition, c:name(victim))
end

c:resume(victim)
local back = wait_until(function() return c:node(victim).fenced == false end, 30 * s)
L.say("%s resumes, heartbeats again and is unfenced %s later, but leads %d partitions: " ..
      "leadership only moves back by a preferred election (the controller's rebalance every " ..
      "leader.imbalance.check.interval.seconds, or kafka-leader-election.sh)", c:name(victim),
      L.ms(now() - paused - after), #led_by(victim))
check.expect(back, "%s should be unfenced after it resumes", c:name(victim))
check.expect(#led_by(victim) == 0, "%s should not lead again at once", c:name(victim))
check.fencing()
