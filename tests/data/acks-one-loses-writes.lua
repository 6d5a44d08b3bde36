-- acks=1: the leader is cut off from its followers and crashes; writes it acknowledged alone are lost
-- scenarios/lessons/acks-all-keeps-writes.lua with acks=1 and no min.insync.replicas: this run
-- fails, and check.history() names the acknowledged writes the crash took (exit 1).
require("leader_cut_off").run{
  acks = "1",
  why = "%d writes sent, %d acknowledged: the leader acknowledged the cut-off second's writes " ..
        "alone (acks=1); its followers never had them, one of them leads now, and the old " ..
        "leader truncated them when it came back",
}
