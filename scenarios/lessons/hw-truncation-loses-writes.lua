-- pre-KIP-101 (switch replication.leader.epoch.truncation=false): a follower cuts its log to its high watermark, then leads, and the acknowledged records it cut are lost
-- The twin of leader-epoch-truncation with the rule Kafka had before 0.11: on becoming a
-- follower a replica truncates to its own high watermark, which trails the records it already
-- holds by one fetch. When that replica is elected before it fetched them back, the writes the
-- producer was told were committed are gone, and the new leader writes other records at their
-- offsets. kraftsim keeps the old rule as a switch for teaching; no Kafka release modelled
-- here has it.
require("follower_truncation").run{
  hw_truncation = true,
  why = "%d writes acknowledged; the checker finds the cut ones: %s",
}
