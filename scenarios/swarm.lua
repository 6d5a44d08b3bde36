-- swarm testing: each seed draws its cluster, release, faults and their pace, then heals and must settle
-- What `kraftsim sweep --swarm` runs (FoundationDB's and TigerBeetle's swarm testing: most
-- bugs show only under some mix of faults, so each seed turns a random subset on). The seed
-- draws 1 to 5 voters, combined or separate roles (and 0 to 2 more brokers), the Kafka
-- release, each nemesis fault kind on or off (at least one), how often faults come, and a
-- lossy link's rates. It prints the draw first (kraft.draw keeps it for the sweep's tally).
-- With 3 brokers or more it also runs the data path with Kafka's safe settings (RF 3,
-- min.insync.replicas=2, acks=all, idempotence on, unclean election off; flush.messages=1 when power failures
-- are drawn, since Kafka's default flush policy loses acknowledged writes to them by design:
-- see the lesson power-failure-loses-writes). After the faults: heal, liveness, and the checks.
local releases = { "trunk", "4.1", "4.0", "3.9", "3.7", "3.5", "3.4", "3.1" }
local kinds = { "partition", "isolate", "split", "one-way-cut", "bridge", "crash",
                "power-failure", "stop", "pause", "clock", "disk", "lossy-network" }
local function pick(list) return list[math.random(#list)] end

local voters = math.random(1, 5)
local combined = math.random() < 0.5
local extra = math.random(0, 2)                            -- brokers besides the voters
local release = pick(releases)
local brokers = (combined and voters or 0) + (combined and extra or math.max(1, extra))
local hosts = (combined and voters or voters + brokers)
local faults = {}
for _, kind in ipairs(kinds) do
  -- network shapes need enough hosts to cut between (a bridge and a split want 3)
  local fits = hosts >= ((kind == "bridge" or kind == "split") and 3 or 2) or
               not (kind == "partition" or kind == "isolate" or kind == "one-way-cut" or
                    kind == "bridge" or kind == "split" or kind == "lossy-network")
  if fits and math.random() < 0.5 then faults[#faults + 1] = kind end
end
if #faults == 0 then faults[1] = "crash" end
local every = math.random(5, 50) * 100 * ms              -- 0.5 s to 5 s between faults
local data = brokers >= 3
local power = false
for _, f in ipairs(faults) do power = power or f == "power-failure" end

local draw = string.format("voters=%d roles=%s brokers=%d release=%s every=%dms data=%s " ..
  "faults=%s", voters, combined and "combined" or "split", brokers, release, every // ms,
  tostring(data), table.concat(faults, ","))
kraft.draw(draw)
note("swarm draw: " .. draw)

local config = { ["min.insync.replicas"] = "2", ["offsets.topic.num.partitions"] = "3" }
local c
if combined then
  c = kraft.cluster{ combined = voters, brokers = extra, kafka_version = release,
                     config = config }
else
  c = kraft.cluster{ controllers = voters, brokers = brokers, kafka_version = release,
                     config = config }
end
local duration = kraft.duration{ default = 60 * s, min = 10 * s }
c:start()
c:wait_settled()
local p, q
if data then
  local topic = { ["segment.bytes"] = "65536" }
  if power then topic["flush.messages"] = "1" end
  assert(c:create_topic("orders", { partitions = 3, replication_factor = 3, config = topic }))
  -- explicitly: Kafka 3.0.0 to 3.1.x left an untouched producer not idempotent (KAFKA-13598)
  p = c:producer{ topic = "orders", rate = 200, acks = "all", ["enable.idempotence"] = "true" }
  q = c:consumer{ topic = "orders", ["auto.offset.reset"] = "earliest" }
end
c:nemesis{ faults = faults, every = every, until_ = now() + duration }
sleep(duration)
if p then p:stop() end
check.liveness{ within = 60 * s }                        -- heal everything, then it must settle
if data then
  check.expect(p:flush(), "every send completes after healing")
  check.expect(q:drain(120 * s), "the consumer reads to the end after healing")
end
check.all()
