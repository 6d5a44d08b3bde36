-- string-keyed tables drive the faults: the order must not depend on the process
local c = kraft.cluster{ controllers = 3, brokers = 2 }
c:start()
c:wait_leader()
local plan = { alpha = 1, bravo = 2, charlie = 3, delta = 4, echo = 5, foxtrot = 1, golf = 2 }
local t = {}
for name, id in pairs(plan) do t[#t + 1] = name .. "=" .. id end
note(table.concat(t, " "))
for name, id in pairs(plan) do
  c:pause(id, 300 * ms)
  sleep(400 * ms)
end
local rand = {}
for i = 1, 5 do rand[i] = math.random(1, 1000) end
note("random: " .. table.concat(rand, ","), tostring({}), string.format("%s", print))
check.liveness{ within = 30 * s }
check.all()
