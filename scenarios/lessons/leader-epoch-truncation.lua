-- two leaders fail in a row while a follower cannot fetch: since KIP-101 the follower keeps its log and every acknowledged write survives
-- A follower's high watermark trails its log end by one fetch: the last records it fetched are
-- acknowledged already (the leader's HW moved when the follower's fetch showed them) but the
-- follower learns that only from the next answer. Before KIP-101 (Kafka 0.11) a replica that
-- became a follower cut its log to its own HW, and if it then became the leader those records
-- were gone; since then it keeps them and truncates only where the leader's epoch ended
-- (OffsetsForLeaderEpoch, then LastFetchedEpoch in Fetch, KIP-320). The twin lesson
-- hw-truncation-loses-writes turns the old rule back on.
require("follower_truncation").run{
  why = "%d writes acknowledged; the checker: %s",
}
