-- helpers the lessons share (require "lessons"): releases, times, and the story's sentences
local lessons = {}

-- "3.4" -> 304, "4.0" -> 400; trunk is newer than every numbered release.
local function number(release)
  if release == "trunk" then return math.maxinteger end
  local major, minor = release:match("^(%d+)%.(%d+)")
  return tonumber(major) * 100 + tonumber(minor)
end

-- at_least(c, "3.7"): the nodes run Kafka 3.7 or newer.
function lessons.at_least(c, release) return number(c:release()) >= number(release) end

-- ms(d): a duration as a person reads it, "1216 ms".
function lessons.ms(d) return string.format("%d ms", d // ms) end

-- say(fmt, ...): one line of the story.
function lessons.say(fmt, ...) note(string.format(fmt, ...)) end

-- The node names of a list of ids: "controller-1, controller-2".
function lessons.names(c, ids)
  local out = {}
  for i, id in ipairs(ids) do out[i] = c:name(id) end
  return table.concat(out, ", ")
end

-- The value of key=... in a trace event's detail ("candidate=1 epoch=2" -> "1").
function lessons.field(detail, key) return detail:match(key .. "=(%S+)") end

-- orders(c, config, producer): the data lessons' start: topic orders (1 partition, RF 3, the
-- topic `config`), a producer at 200 records/s with acks=all unless the `producer` settings say
-- otherwise, and a consumer from the earliest offset. Returns the producer and the consumer.
function lessons.orders(c, config, producer)
  check.expect(c:create_topic("orders", { partitions = 1, replication_factor = 3,
    config = config }), "create orders")
  local settings = { topic = "orders", rate = 200, acks = "all" }
  for k, v in pairs(producer or {}) do settings[k] = v end -- the sandbox's pairs is sorted
  return c:producer(settings), c:consumer{ topic = "orders", ["auto.offset.reset"] = "earliest" }
end

-- ready(c, timeout): a quorum leader, and every broker RUNNING and unfenced. (c:wait_settled
-- also wants every node to have applied the same offset, which a release whose followers learn
-- the high watermark a fetch later, 3.4, rarely shows while heartbeats keep committing.)
function lessons.ready(c, timeout)
  return wait_until(function()
    if not c:leader() then return false end
    for _, id in ipairs(c:brokers()) do
      local n = c:node(id)
      if n.broker_state ~= "RUNNING" or n.fenced ~= false then return false end
    end
    return true
  end, timeout or 30 * s, 10 * ms)
end

return lessons
