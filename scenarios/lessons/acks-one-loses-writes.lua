-- acks=1: the leader is cut off from its followers and crashes; writes it acknowledged alone are lost
-- The twin of acks-all-keeps-writes: the same run with acks=1 and no min.insync.replicas. The
-- leader answers as soon as its own log has the batch, so the cut-off second's writes live on
-- the old leader only; a follower takes over without them, and the old leader truncates them
-- when it comes back. The checker names them (lost-write, or inconsistent-offsets where the new
-- leader wrote other records at those offsets and a consumer had read the old ones).
require("leader_cut_off").run{
  acks = "1",
  expect = { "lost-write", "inconsistent-offsets" },
  why = "%d writes sent, %d acknowledged: the leader acknowledged the cut-off second's writes " ..
        "alone (acks=1); its followers never had them, one of them leads now, and the old " ..
        "leader truncated them when it came back",
}
