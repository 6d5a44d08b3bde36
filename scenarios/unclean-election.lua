-- offline-partition with unclean.leader.election.enable=true on the topic: on Kafka 3.9+ broker-4 is elected from outside the ISR, RECOVERING, and the trace warns of data loss; a 3.x controller (--kafka-version 3.4) ignores the config, and kafka-leader-election.sh --election-type unclean (ElectLeaders) elects it
--
-- Kafka 3.9 reads the config (KAFKA-12670): handleBrokerUnfenced elects the returning
-- out-of-ISR replica, ISR = [it], RECOVERING; the partition checker counts it and, since the
-- topic allows it, finds no violation. Before 3.9 the controller never reads it
-- (ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic returns false in 3.0-3.8);
-- then ElectLeaders v2 UNCLEAN through kafka-1, forwarded to the controller
-- (ReplicationControlManager.electLeader, Election.UNCLEAN), elects broker-4 uncleanly before
-- broker-5 returns.
local seed = require("seed")

local duration = kraft.duration{ default = 75 * s, min = 75 * s }
local c = seed.cluster()
c:start()
local story = seed.ledger_story(c, true)
sleep(duration - seed.HEAL - now())
check.liveness{ within = seed.HEAL }
sleep(duration - now())

seed.print_partitions(c)
seed.print_ledger(story, true)
seed.print_clean_stops()
seed.print_describe(c)
