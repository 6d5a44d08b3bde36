-- the power fails on every replica at once: with Kafka's default flush policy, acknowledged writes still in the page cache are gone
-- Kafka acknowledges a write once the ISR has it in memory (the page cache), not on disk: by
-- default no broker fsyncs a partition log per write (flush.messages and flush.ms are off) and
-- the kernel writes dirty pages back once they are 30 s old (vm.dirty_expire_centisecs=3000).
-- Replication is the durability, so losing every replica at once loses what was written lately.
-- The twin lesson power-failure-flush-every-write keeps every write with flush.messages=1.
require("power_failure").run{
  expect_loss = true,
  why = "%d writes were acknowledged; the checker finds %d of them lost or overwritten: they " ..
        "were younger than the kernel's 30 s writeback and no broker had fsynced them",
}
