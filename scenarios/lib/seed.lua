-- the seed deployment (kafka-1..3 combined, broker-4, broker-5) and what its scenarios measure
--
-- cluster.lua, broker-failover.lua, offline-partition.lua and unclean-election.lua share it:
-- the nodes' server.properties, the admin script, the faults that come back by themselves and
-- the clocks that time a failover. local seed = require("seed") in a scenario.
local seed = {}

seed.SETUP = 8 * s       -- the quorum elects, brokers register, the admin script runs
seed.HEAL = 25 * s       -- the last part of every run: every fault undone, the cluster settles
seed.CRASH_DOWN = 12 * s -- longer than broker.session.timeout.ms (9 s): the broker is fenced
seed.WATCH = 10 * ms     -- how often a failover clock looks

-- Three nodes with process.roles=broker,controller (voters 1@kafka-1:9093, 2@kafka-2:9093,
-- 3@kafka-3:9093, the deployment guides' topology) and two dedicated brokers.
function seed.cluster()
  return kraft.cluster{
    combined = 3, brokers = 2,
    config = {
      ["min.insync.replicas"] = 2,
      ["num.partitions"] = 3,
      ["default.replication.factor"] = 3,
      ["metadata.log.max.record.bytes.between.snapshots"] = 16384,
      ["metadata.max.retention.bytes"] = 32768,
      -- Kafka's smallest metadata segment (MetadataLogConfig: atLeast(8 MiB)): a long run
      -- rolls and deletes segments, so a virtual day stays in bounded memory.
      ["metadata.log.segment.bytes"] = 8388608,
    },
  }
end

-- "3.4" -> 304, "trunk" -> a number above every release.
function seed.release_number(c)
  local major, minor = c:release():match("^(%d+)%.(%d+)")
  if not major then return 9999 end
  return tonumber(major) * 100 + tonumber(minor)
end

local function up(c, n) return c:node(n).host == "up" end
seed.up = up
-- its process runs, in a controlled shutdown or not
local function running(v) return v.host == "up" or v.host == "stopping" end

local function ids(list) return table.concat(list, ",") end
seed.ids = ids

-- One node's Metadata answer for a topic as text, to compare across nodes.
local function answer_text(parts, err)
  if not parts then return "error=" .. tostring(err) end
  local out = { "error=0" }
  for _, p in ipairs(parts) do
    out[#out + 1] = string.format("p%d leader=%d epoch=%d replicas=%s isr=%s", p.partition,
      p.leader, p.leader_epoch, ids(p.replicas), ids(p.isr))
  end
  return table.concat(out, " ")
end

-- The admin script of the cluster scenarios, from 3 s: "orders" (3 partitions, replication
-- factor 3, min.insync.replicas=2) through kafka-1, described by every node; "clicks" with the
-- broker defaults through broker-5; Metadata for "events", which nobody created, through
-- broker-4 (auto.create.topics.enable); "clicks" deleted through kafka-2. Returns what it saw.
function seed.admin_script(c)
  sleep(3 * s - now())
  local seen = { answers = {} }
  seen.orders_ok, seen.orders_err = c:create_topic("orders", {
    partitions = 3, replication_factor = 3, config = { ["min.insync.replicas"] = 2 },
    via = "kafka-1" })
  seen.identical = true
  for _, n in ipairs(c:nodes()) do
    local text = answer_text(c:metadata("orders", { via = n }))
    seen.answers[#seen.answers + 1] = text
    seen.identical = seen.identical and text == seen.answers[1]
  end
  seen.clicks_ok, seen.clicks_err = c:create_topic("clicks", { via = "broker-5" })
  local clicks = c:describe_topic("clicks")
  seen.clicks_partitions = clicks and clicks.partition_count or -1
  local events, events_err = c:metadata("events", { via = "broker-4", auto_create = true })
  seen.events_partitions = events and #events or -1
  seen.events_err = events_err
  seen.delete_ok, seen.delete_err = c:delete_topic("clicks", { via = "kafka-2" })
  return seen
end

-- The summary of the admin script, one line each, as test_cluster reads them.
function seed.print_admin(seen)
  print("describe from every node: " .. (seen.identical and "identical" or "DIFFERENT"))
  print(string.format("admin: orders %s; clicks with the broker defaults %s, %d partitions, "
    .. "deleted %s; events auto-created with %d partitions%s",
    seen.orders_ok and "created" or tostring(seen.orders_err),
    seen.clicks_ok and "created" or tostring(seen.clicks_err), seen.clicks_partitions,
    seen.delete_ok and "ok" or tostring(seen.delete_err), seen.events_partitions,
    seen.events_err and (" (" .. seen.events_err .. ")") or ""))
  for i, text in ipairs(seen.answers) do print(string.format("  node %d: %s", i, text)) end
end

-- ---- the failover clocks ------------------------------------------------------------------

-- Timings, in ns: broker = crash -> its partitions have new leaders (controller = the crashed
-- node was the active controller), follow = active controller crash -> every live broker
-- follows the new quorum leader, clean = the raft leader resigns in a clean stop -> a new one.
seed.timings = { broker = {}, controller = {}, follow = {}, clean = {} }

-- Crashes node n; starts the clocks: its partitions' new leaders and, if it was the quorum
-- leader, every broker following the next. `measure` false: the crash is not timed.
function seed.crash(c, n, measure)
  local node = c:node(n)
  local controller = node.role == "Leader"
  local led = c:led_by(n)
  c:crash(n)
  if not measure then return #led end
  local crashed = now()
  if #led > 0 then
    after(0, function()
      -- up to a minute: the controller's node costs an election, then a full session
      local moved = wait_until(function() return not c:leads_any(n, led) end, 60 * s, seed.WATCH)
      if moved then
        local list = controller and seed.timings.controller or seed.timings.broker
        list[#list + 1] = now() - crashed
      end
    end)
  end
  if controller then
    local epoch = node.epoch
    after(0, function()
      -- a new quorum leader (a higher epoch) every running broker follows
      local ok = wait_until(function()
        local l, e = c:followed_leader()
        return l and e > epoch
      end, seed.CRASH_DOWN, seed.WATCH)
      if ok then seed.timings.follow[#seed.timings.follow + 1] = now() - crashed end
    end)
  end
  return #led
end

-- A controlled shutdown of node n (c:stop). If n is the raft leader, time from its
-- resignation (KafkaRaftClient.shutdown: it resigns and sends EndQuorumEpoch) to the next
-- leader, to a tenth of a millisecond.
function seed.stop(c, n)
  local node = c:node(n)
  c:stop(n)
  if node.role ~= "Leader" then return end
  after(0, function()
    -- from its resignation; a leader that lost its epoch otherwise (a disruptive candidate's
    -- Vote, without pre-vote) or stopped first is not timed
    local role = wait_until(function()
      local v = c:node(n)
      return (not running(v) and "gone") or (v.role ~= "Leader" and v.role)
    end, seed.CRASH_DOWN, 100 * us)
    if role ~= "Resigned" then return end
    local since = now()
    local next = wait_until(function() return c:leader() end, seed.CRASH_DOWN, 100 * us)
    if next then
      local took = now() - since
      seed.timings.clean[#seed.timings.clean + 1] = took
      -- a few round trips and fsyncs, not controller.quorum.fetch.timeout.ms; 0 when the
      -- election ended within the 100 us between two looks at the resigning leader (cluster
      -- seed 1 at 10014 s of a 24 h run)
      check.expect(next ~= n and took < 100 * ms, "clean stop of the raft leader %s: the next "
        .. "leader %s after %.1f ms, wanted another node under 100 ms", c:name(n),
        c:name(next), took / ms)
    end
  end)
end

local function range(list)
  local lo, hi, sum = math.huge, 0, 0
  for _, t in ipairs(list) do
    lo = math.min(lo, t); hi = math.max(hi, t); sum = sum + t
  end
  return lo, hi, sum
end

function seed.print_clean_stops()
  local list = seed.timings.clean
  if #list == 0 then return end
  local lo, hi = range(list)
  print(string.format("clean stop of the raft leader -> a new leader: %d stop%s, min %.1f ms, "
    .. "max %.1f ms (EndQuorumEpoch, not the fetch timeout)", #list, #list == 1 and "" or "s",
    lo / ms, hi / ms))
end

-- ---- offline-partition and unclean-election: the story of topic ledger ------------------

-- Topic ledger on brokers 4,5 (min.insync.replicas=2): broker-4 crashes at 10 s, broker-5 at
-- 22 s, broker-4 returns at 34 s, broker-5 at 46 s; ledger-0 as the committed metadata has it
-- is read 11 s after each. With unclean = true the topic allows unclean elections; on a 3.x
-- controller, which ignores that config, kafka-leader-election.sh --election-type unclean
-- asks for one at 45.1 s. Returns the steps seen and the election's answer.
function seed.ledger_story(c, unclean)
  sleep(3 * s - now())
  local config = { ["min.insync.replicas"] = 2 }
  if unclean then config["unclean.leader.election.enable"] = true end
  local ok, err = c:create_topic("ledger", { assignment = { { 4, 5 } }, config = config,
    via = "kafka-1" })
  check.expect(ok, "create ledger: %s", tostring(err))
  local story = { steps = {}, reads_config = seed.release_number(c) >= 309 }
  at(10 * s, function() c:crash("broker-4") end)
  at(22 * s, function() c:crash("broker-5") end)
  at(34 * s, function() c:restart("broker-4") end)
  at(46 * s, function() c:restart("broker-5") end)
  for i, t in ipairs({ 21 * s, 33 * s, 45 * s, 57 * s }) do
    at(t, function()
      local d = c:describe_topic("ledger")
      local p = d and d.partitions[1]
      if p then
        story.steps[i] = { leader = p.leader, isr = ids(p.isr), elr = ids(p.elr),
          recovering = p.recovering }
      end
    end)
  end
  if unclean and not story.reads_config then
    at(45 * s + 100 * ms, function()
      story.elect_sent = true
      local eok, eerr = c:elect_leaders("ledger", { partition = 0, type = "unclean",
        via = "kafka-1" })
      story.elect = { ok = eok, err = eerr }
    end)
  end
  return story
end

-- kafka-leader-election.sh's line for the answer (LeaderElectionCommand).
local function print_elect(story)
  print("  $ kafka-leader-election.sh --bootstrap-server kafka-1:9092 --election-type "
    .. "unclean --topic ledger --partition 0")
  local e = story.elect
  if not e then
    print("  (no answer yet)")
  elseif e.ok then
    print("  Successfully completed leader election (UNCLEAN) for partitions ledger-0")
  elseif tostring(e.err):match("^ELECTION_NOT_NEEDED") then
    print("  Valid replica already elected for partitions ledger-0")
  else
    print("  Error completing leader election (UNCLEAN) for partition: ledger-0: "
      .. tostring(e.err))
  end
end

function seed.print_ledger(story, unclean)
  local when = { "after broker-4 crashed (fenced 9 s later)", "after broker-5 crashed too",
    "after broker-4 came back", "after broker-5 came back too" }
  print("ledger-0 (replicas 4,5; min.insync.replicas=2"
    .. (unclean and "; unclean.leader.election.enable=true" or "") .. "):")
  if unclean and not story.reads_config then
    -- ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic, 3.0-3.8
    print("  the controller ignores unclean.leader.election.enable before Kafka 3.9 "
      .. "(ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic returns false "
      .. "until KAFKA-12670): no unclean election until an operator asks for one with "
      .. "kafka-leader-election.sh --election-type unclean (ElectLeaders)")
  end
  for i = 1, 4 do
    local st = story.steps[i]
    if not st then break end
    if i == 4 and story.elect_sent then print_elect(story) end
    print(string.format("  %-42s Leader: %-5s Isr: %-5s Elr: %-5s%s", when[i],
      st.leader and tostring(st.leader) or "none", st.isr, st.elr,
      st.recovering and "  RECOVERING: an unclean election, acknowledged writes may be lost"
        or ""))
  end
end

-- ---- the end ----------------------------------------------------------------------------

function seed.print_partitions(c)
  local st = c:stats()
  print(string.format("partitions: %d leader changes, %d unclean; checked %d metadata records, "
    .. "%d fences", st.leader_changes, st.unclean_elections, st.records_checked,
    st.fences_checked))
end

-- kafka-metadata-quorum.sh describe and kafka-topics.sh --describe against the active
-- controller's node.
function seed.print_describe(c)
  local q = c:describe_quorum()
  if q then print(q) end
  local topics = c:describe_topics()
  if topics then print(topics) end
end

return seed
