-- misconfigured nodes: a voter list edited on one controller (3.7 and older refuse to start), and a node formatted with another cluster's id (it starts, but never joins)
local L = require("lessons")
local other = "OtherClusterIdXXXXXXXw" -- what kafka-storage.sh random-uuid printed elsewhere
local c = kraft.cluster{ controllers = 3, brokers = 2, nodes = { [5] = { cluster_id = other } } }
c:start()
c:wait_leader()
sleep(3 * s)

-- 1. a voter list that differs: controller-3 is restarted with controller-2 left out
local three = 3
c:crash(three)
local started = c:restart(three, { config = {
  ["controller.quorum.voters"] = "1@controller-1:9093,3@controller-3:9093" } })
L.say("%s comes back with controller.quorum.voters=1@controller-1:9093,3@controller-3:9093 " ..
      "(controller-2 left out by mistake)", c:name(three))
local n = c:node(three)
if L.at_least(c, "3.8") then
  sleep(2 * s)
  n = c:node(three)
  L.say("Kafka %s writes quorum-state version 1, without the voter set (KIP-853), so nothing " ..
        "compares: it starts " ..
        "and is a %s of epoch %d, with a voter list the others do not share", c:release(),
        n.role, n.epoch)
  check.expect(started and n.host == "up" and not n.refused, "%s should start", n.name)
else
  L.say("Kafka %s compares with the voters its quorum-state file recorded, and refuses: %s",
        c:release(), n.refused)
  check.expect(not started and n.host == "down", "%s should refuse to start", n.name)
  check.expect(n.refused and n.refused:find("is different from the voter set read from the " ..
               "state file: [1, 2, 3]", 1, true), "the refusal should name both voter sets")
  local fixed = c:restart(three, { config = { -- the operator puts the line back
    ["controller.quorum.voters"] = "1@controller-1:9093,2@controller-2:9093,3@controller-3:9093" } })
  check.expect(fixed, "with the voter list put back %s should start", n.name)
end

-- 2. a wrong cluster id: broker-5 was formatted with another cluster's id
local b = c:node(5)
L.say("broker-5, formatted with cluster id %s, runs (%s) but is shut out: every Fetch it " ..
      "sends is answered INCONSISTENT_CLUSTER_ID, so it never catches up, never registers, and " ..
      "stays %s", other, b.host, b.broker_state)
check.expect(b.host == "up" and not b.refused, "a wrong cluster id does not stop the process")
check.expect(b.broker_state == "STARTING" and b.fenced == nil,
             "broker-5 must not register, it is %s", b.broker_state)
check.expect(c:node(4).broker_state == "RUNNING", "broker-4, formatted right, should run")
L.say("the fix: stop it, wipe its log.dirs and format again with the cluster's id " ..
      "(kafka-storage.sh info shows a directory's)")
