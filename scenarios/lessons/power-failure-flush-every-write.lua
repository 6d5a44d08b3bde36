-- the power fails on every replica at once, but flush.messages=1 fsyncs each write before it is acknowledged: nothing is lost
-- The twin of power-failure-loses-writes: the same run with the topic's flush.messages=1, so a
-- leader appends, fsyncs and only then counts the write toward the high watermark, and so does
-- every follower before it fetches on. Slower, and every acknowledged write survives.
require("power_failure").run{
  topic_config = { ["flush.messages"] = "1" },
  expect_loss = false,
  why = "%d writes were acknowledged and %d were lost: each was on disk on the ISR before " ..
        "the producer heard ok",
}
