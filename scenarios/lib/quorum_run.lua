-- The quorum scenarios' shared acts (quorum, quorum5, failover, calm): build, load, heal and check, report
--
-- Each run has three acts:
--   1. calm (0 to 2 s): the quorum elects a leader; a client appends a small record every
--      10 ms to whichever node leads;
--   2. faults (2 s to the duration - 25 s): the scenario's own (a nemesis, leader kills, none);
--   3. healing (the last 25 s): every fault is undone and every node restarted; within 8 s a
--      leader every node follows must commit past the high watermark the faults left, and by
--      the end every broker must be registered and unfenced in the controller's image.
-- The raft checker watches every step of every node throughout.
local M = {}

M.CALM = 2 * s
M.HEAL = 25 * s
M.LIVENESS = 8 * s
-- Brokers have until the end of the run (25 s after healing): one that restarted during the
-- faults waits out its old session (DUPLICATE_BROKER_REGISTRATION) from whenever the last
-- controller became active, then needs a heartbeat or two.

-- quorum.start{ voters = 3, brokers = 2 }: the cluster started and the client appending.
-- Returns { c =, client =, duration =, fault_end = }.
function M.start(opts)
  -- At least a second of faults between the calm and the healing (calm has no faults at all).
  local duration = kraft.duration{ default = 40 * s,
                                   min = M.CALM + M.HEAL + (opts.calm and 0 or 1 * s) }
  local c = kraft.cluster{
    controllers = opts.voters,
    brokers = opts.brokers,
    config = {
      -- Small snapshot and retention sizes so that a 30 s run snapshots, cleans its log and
      -- sends lagging nodes a snapshot with FetchSnapshot.
      ["metadata.log.max.record.bytes.between.snapshots"] = 16384,
      ["metadata.max.retention.bytes"] = 32768,
      -- The smallest segment Kafka accepts (MetadataLogConfig: atLeast(8 MiB)): a long run
      -- rolls segments and the cleaning deletes the old ones, so a virtual day stays in
      -- bounded memory.
      ["metadata.log.segment.bytes"] = 8388608,
    },
  }
  c:start()
  -- Until the controller takes requests, the client's write is what an admin altering a
  -- cluster-wide broker config would make the controller append: a ConfigRecord.
  local client = c:metadata_client{ every = 10 * ms }
  return { c = c, client = client, duration = duration, fault_end = duration - M.HEAL }
end

-- Every broker RUNNING in its own eyes, and registered unfenced in the active controller's
-- image with the epoch it holds.
function M.brokers_running(c)
  local image = c:image_brokers()
  if not image then return false end
  local by_id = {}
  for _, b in ipairs(image) do by_id[b.id] = b end
  for _, id in ipairs(c:brokers()) do
    local n, b = c:node(id), by_id[id]
    if n.broker_state ~= "RUNNING" or not b or b.fenced or b.epoch ~= n.broker_epoch then
      return false
    end
  end
  return true
end

-- Act 3: at the end of the faults, undo them all; then the liveness the quorum owes.
function M.heal_and_check(run)
  local c = run.c
  sleep(run.fault_end - now())
  c:recover()
  note("heal: every fault undone, every node up")
  local floor = c:highest_watermark()
  local live = wait_until(function()
    local leader, hw = c:converged()
    return leader and hw > floor
  end, M.LIVENESS, 10 * ms)
  check.expect(live, "liveness: %d s after healing there is no leader that every voter "
    .. "follows with a moving high watermark (floor %d)", M.LIVENESS // s, floor)
  local brokers = wait_until(function() return M.brokers_running(c) end,
    run.duration - now(), 10 * ms)
  check.expect(brokers, "liveness: %d s after healing some broker is not registered and "
    .. "unfenced", M.HEAL // s)
  sleep(run.duration - now())
end

-- What the run did: records, faults, the leader changes the client saw, the brokers as the
-- controller's image has them, and kafka-metadata-quorum.sh as the release's tool prints it.
function M.report(run)
  local c = run.c
  run.client:stop()
  local st = run.client:stats()
  print(string.format("quorum: %d voters and %d observers (brokers), %d records appended; "
    .. "%s; %d leader changes seen by the client", #c:controllers(), #c:brokers(),
    st.appended, c:fault_tally(), st.leader_changes))
  local image = c:image_brokers()
  if not image then
    print("no leader at the end of the run")
    return
  end
  local brokers = {}
  for _, b in ipairs(image) do
    brokers[#brokers + 1] = string.format(" %d %s epoch %d", b.id,
      b.fenced and "fenced" or "unfenced", b.epoch)
  end
  print("brokers (the controller's image):" .. table.concat(brokers, ","))
  print(c:describe_quorum())
end

return M
