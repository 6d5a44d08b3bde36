-- 3 combined nodes + 2 brokers: topics created and described from every node, then broker crashes, controller failover, partitions and controlled shutdowns
--
-- The seed deployment: kafka-1..3 with process.roles=broker,controller, broker-4, broker-5.
--   1. setup (0 to 8 s): the quorum elects, brokers register and are unfenced; the admin
--      script creates and describes topics (scenarios/lib/seed.lua);
--   2. faults (8 s to the end - 25 s): one at a time, drawn from the run seed: a broker crash
--      (down 12 s, longer than broker.session.timeout.ms), the active controller's node
--      crashed, a node isolated, a random split, a controlled shutdown and restart;
--   3. healing: everything back; every broker RUNNING and unfenced, every partition led, the
--      same image on every node (check.liveness).
-- The raft, partition and fencing checkers watch throughout. A clean stop of the raft leader
-- is timed from its resignation to the next leader.
local seed = require("seed")

-- At least a second of faults between the setup and the healing.
local duration = kraft.duration{ default = 60 * s, min = seed.SETUP + 1 * s + seed.HEAL }
local fault_end = duration - seed.HEAL
local c = seed.cluster()
c:start()

-- The nemesis: after each fault is undone, a pause of 1 to 3 s, then the next.
local kinds = { "crash", "crash-active-controller", "isolate", "split", "controlled-shutdown" }
local tally, order = {}, {}

-- Injects one fault; returns how long it lasts if the kind fixes it, and how it undoes it.
local function inject(kind, victim)
  if kind == "crash-active-controller" then
    victim = c:leader() or victim
  end
  if kind == "crash" or kind == "crash-active-controller" then
    if not seed.up(c, victim) then return nil end
    seed.crash(c, victim, false)
    return seed.CRASH_DOWN, function()
      -- check.liveness may have restarted it already, at the end of the fault phase
      if c:node(victim).host == "crashed" then c:restart(victim) end
    end
  elseif kind == "isolate" then
    c:isolate(victim)
  elseif kind == "split" then
    -- two non-empty groups at random
    local mask = math.random(1, (1 << 5) - 2)
    local a, b = {}, {}
    for i, n in ipairs(c:nodes()) do
      if mask & (1 << (i - 1)) ~= 0 then a[#a + 1] = n else b[#b + 1] = n end
    end
    c:partition(a, b)
  elseif kind == "controlled-shutdown" then
    if not seed.up(c, victim) then return nil end
    seed.stop(c, victim)
    -- a controlled shutdown still under way is finished by a restart (c:recover)
    return 6 * s, function() c:recover() end
  end
  return nil, function() c:heal() end
end

at(seed.SETUP, function()
  while now() < fault_end do
    local kind = kinds[math.random(#kinds)]
    local victim = c:nodes()[math.random(5)]
    local length = s + math.random(0, 5 * s - 1)
    local fixed, undo = inject(kind, victim)
    if not tally[kind] then order[#order + 1] = kind; tally[kind] = 0 end
    tally[kind] = tally[kind] + 1
    sleep(math.min(fixed or length, fault_end - now()))
    if undo then undo() end
    sleep(s + math.random(0, 2 * s - 1))
  end
end)

local seen = seed.admin_script(c)
check.expect(seen.identical, "describe: the nodes described topic orders differently")

sleep(fault_end - now())
check.liveness{ within = seed.HEAL }
sleep(duration - now())

local counts = {}
for _, name in ipairs(order) do counts[#counts + 1] = tally[name] .. " " .. name end
print("nemesis: " .. (#counts > 0 and table.concat(counts, ", ") or "no faults"))
seed.print_partitions(c)
seed.print_admin(seen)
seed.print_clean_stops()
seed.print_describe(c)
