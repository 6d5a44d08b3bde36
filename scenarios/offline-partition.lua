-- topic ledger on brokers 4,5 (min.insync.replicas=2): broker-4 crashes, then broker-5, then broker-4 returns: the ISR shrinks, the partition goes offline, and with ELR (Kafka 4.1+) broker-4 may lead again; compare --kafka-version 3.4
--
-- The seed deployment; the story runs on a fixed clock to 57 s (scenarios/lib/seed.lua), then
-- everything comes back and the cluster must settle. Kafka 3.4 (no ELR): when the last ISR
-- member dies the partition is offline, and a returning out-of-ISR replica does not lead it;
-- the last ISR member does when it returns. Trunk (KIP-966): the ISR may empty and its last
-- members are eligible (ELR); both brokers crashed (no clean shutdown file), so each leaves
-- the ELR when it registers again, and only the last known leader may lead: flagged unclean.
local seed = require("seed")

local duration = kraft.duration{ default = 75 * s, min = 75 * s }
local c = seed.cluster()
c:start()
local story = seed.ledger_story(c, false)
sleep(duration - seed.HEAL - now())
check.liveness{ within = seed.HEAL }
sleep(duration - now())

seed.print_partitions(c)
seed.print_ledger(story, false)
seed.print_clean_stops()
seed.print_describe(c)
