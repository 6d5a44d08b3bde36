-- acks=1 as in the lesson acks-one-loses-writes, with replication.last.fetched.epoch=false
-- (before KIP-320): the old leader, back as a follower, learns where to cut its log with an
-- OffsetsForLeaderEpoch round instead of a DivergingEpoch in Fetch; the loss is the same.
require("leader_cut_off").run{
  acks = "1",
  config = { ["kraftsim.switch.replication.last.fetched.epoch"] = "false" },
  expect = { "lost-write", "inconsistent-offsets" },
  why = "%d writes sent, %d acknowledged",
}
