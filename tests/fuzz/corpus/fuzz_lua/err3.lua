local c = kraft.cluster{ controllers = 3 }
c:start()
local x = nil
print(x.y)
