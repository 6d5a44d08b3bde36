-- a partition on two brokers with min.insync.replicas=2 loses both in turn: with ELR (4.1+) the first to go may lead again, without it (3.4) only the last
local L = require("lessons")
local c = kraft.cluster{ controllers = 3, brokers = 2 }
c:start()
L.ready(c)
local ok, err = c:create_topic("ledger", { assignment = { { 4, 5 } }, via = 4,
                                          config = { ["min.insync.replicas"] = 2 } })
check.expect(ok, "create ledger: %s", err)
L.ready(c)
local function part() return c:describe_topic("ledger").partitions[1] end
local function show(p)
  return string.format("leader %s, ISR [%s], ELR [%s]", p.leader and c:name(p.leader) or "none",
                       L.names(c, p.isr), L.names(c, p.elr))
end
local elr = L.at_least(c, "4.1")
L.say("ledger's one partition lives on broker-4 and broker-5, min.insync.replicas=2: %s",
      show(part()))

-- clean shutdowns (a rolling restart gone wrong): KIP-966 drops a broker that crashed (an
-- unclean shutdown) from the ELR when it registers again, so crashes would teach less here
c:stop(4)
wait_until(function() return c:node(4).host == "down" end, 30 * s)
L.say("broker-4 is stopped and leaves the ISR, now below min.insync.replicas, so no write " ..
      "with acks=all commits: %s", show(part()))
c:stop(5)
wait_until(function() return c:node(5).host == "down" end, 30 * s)
wait_until(function() return part().leader == nil end, 30 * s)
L.say("broker-5 is stopped too: the partition is offline: %s", show(part()))
check.expect(part().leader == nil, "ledger should be offline with both brokers down")

c:restart(4)
local led = wait_until(function() return part().leader end, 10 * s)
if elr then
  L.say("Kafka %s has eligible leader replicas (KIP-966): broker-4 left the ISR while it " ..
        "was below min.insync.replicas, so it kept every committed write and may lead: %s",
        c:release(), show(part()))
  check.expect(led == 4, "with ELR broker-4 should lead again, the leader is %s", tostring(led))
else
  L.say("Kafka %s has no ELR: broker-4 is back but out of the ISR, and a clean election " ..
        "takes only an ISR member, so 10 s later the partition is still offline: %s",
        c:release(), show(part()))
  check.expect(led == nil, "without ELR broker-4 must not lead, the leader is %s", tostring(led))
  c:restart(5)
  led = wait_until(function() return part().leader end, 30 * s)
  L.say("only broker-5, the last in the ISR, brings it back: %s", show(part()))
  check.expect(led == 5, "broker-5 should lead once it is back, the leader is %s", tostring(led))
end
check.expect(c:stats().unclean_elections == 0, "no election here was unclean")
check.partitions()
