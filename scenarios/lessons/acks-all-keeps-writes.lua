-- acks=all with min.insync.replicas=2: the leader is cut off from its followers and crashes, and every acknowledged write is still read back
-- tests/data/acks-one-loses-writes.lua is this lesson with acks=1: there the checker finds the
-- acknowledged writes the crash took.
require("leader_cut_off").run{
  acks = "all",
  min_insync = "2",
  why = "%d writes sent, %d acknowledged: the leader acknowledged none of the cut-off second " ..
        "alone (acks=all waits for the ISR, and min.insync.replicas=2 keeps the ISR from " ..
        "shrinking to the leader by itself), so the new leader has every one",
}
