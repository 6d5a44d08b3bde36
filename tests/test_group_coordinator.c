/* test_group_coordinator.c — the classic group coordinator, request by request, in Kafka's
 * wire format: joins, the leader's assignment, heartbeats, expiry, commits, ownership. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group/coordinator.h"
#include "protocol/group_rpc.h"
#include "protocol/header.h"

#define S (INT64_C(1000000000))
#define JOIN_V 9
#define SYNC_V 5
#define HB_V 4
#define COMMIT_V 9
#define FETCH_V 8

static struct group_coordinator gc;
static struct rm_out out;
static struct wire_arena arena;
static uint32_t next_corr;

static void setup(void)
{
    struct gc_config cfg = gc_config_default(1);
    gc_init(&gc, &cfg);
    rm_out_init(&out);
    for (int32_t p = 0; p < cfg.offsets_partitions; p++) {
        gc_set_owned(&gc, p, true, &out);
    }
    wire_arena_init(&arena);
    next_corr = 0;
}

static struct gc_append last_append;

static void teardown(void)
{
    free(last_append.bytes);
    memset(&last_append, 0, sizeof last_append);
    rm_out_reset(&out);
    wire_arena_free(&arena);
    gc_free(&gc);
}

/* Sends one encoded request body from "host 7"; returns its correlation id. */
static uint32_t send(int16_t key, int16_t v, struct wire_writer *body, time_ns now)
{
    uint32_t corr = ++next_corr;
    gc_handle(&gc, now, key, v, "consumer-1", body->bytes, body->len, (UINT64_C(7) << 32) | corr,
              &out);
    wire_writer_free(body);
    return corr;
}

/* The reply to `corr` among the frames out so far, its body decoded by the caller; NULL if
 * none was sent. */
static bool reply(uint32_t corr, int16_t key, int16_t v, struct wire_reader *body)
{
    for (uint32_t i = 0; i < out.count; i++) {
        struct kheader_response h;
        struct wire_reader r;
        if (kheader_response_decode_frame(out.frames[i].bytes, out.frames[i].len, key, v, &h,
                                          &r) == 0 &&
            (uint32_t)h.correlation_id == corr) {
            ck_assert_int_eq(out.frames[i].to_host, 7);
            *body = r;
            return true;
        }
    }
    return false;
}

/* A JoinGroup offering `names` (protocol names, in preference order), each with `meta`. */
static uint32_t join_offering(const char *group, const char *member, const char *const *names,
                              int count, const char *meta, time_ns now)
{
    struct join_group_protocol protos[4];
    for (int i = 0; i < count; i++) {
        protos[i] = (struct join_group_protocol){
            .name = names[i], .metadata = {(const uint8_t *)meta, (int32_t)strlen(meta)}};
    }
    struct join_group_request req;
    join_group_request_init(&req);
    req.group_id = group;
    req.session_timeout_ms = 10000;
    req.rebalance_timeout_ms = 30000;
    req.member_id = member;
    req.protocol_type = "consumer";
    req.protocol_count = count;
    req.protocols = protos;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(join_group_request_encode(&w, &req, JOIN_V), 0);
    return send(KAFKA_API_JOIN_GROUP, JOIN_V, &w, now);
}

static uint32_t join(const char *group, const char *member, const char *meta, time_ns now)
{
    const char *const range[1] = {"range"};
    return join_offering(group, member, range, 1, meta, now);
}

static bool join_answer(uint32_t corr, struct join_group_response *r)
{
    struct wire_reader body;
    if (!reply(corr, KAFKA_API_JOIN_GROUP, JOIN_V, &body)) {
        return false;
    }
    ck_assert_int_eq(join_group_response_decode(&body, JOIN_V, &arena, r), 0);
    return true;
}

/* A member id the coordinator hands out (KIP-394), and the rejoin it asks for. */
static void member_id(const char *group, char *id, size_t cap, time_ns now)
{
    struct join_group_response r;
    ck_assert(join_answer(join(group, "", "m", now), &r));
    ck_assert_int_eq(r.error_code, KAFKA_MEMBER_ID_REQUIRED);
    ck_assert_int_eq(r.generation_id, -1);
    ck_assert(strncmp(r.member_id, "consumer-1-", 11) == 0);
    snprintf(id, cap, "%s", r.member_id);
}

static uint32_t sync(const char *group, const char *member, int32_t generation,
                     const char *a_member, const char *a_bytes, const char *b_member,
                     const char *b_bytes, time_ns now)
{
    struct sync_group_assignment as[2] = {
        {a_member, {(const uint8_t *)a_bytes, a_bytes ? (int32_t)strlen(a_bytes) : 0}},
        {b_member, {(const uint8_t *)b_bytes, b_bytes ? (int32_t)strlen(b_bytes) : 0}}};
    struct sync_group_request req;
    sync_group_request_init(&req);
    req.group_id = group;
    req.generation_id = generation;
    req.member_id = member;
    req.protocol_type = "consumer";
    req.protocol_name = "range";
    req.assignment_count = a_member != NULL ? (b_member != NULL ? 2 : 1) : 0;
    req.assignments = as;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(sync_group_request_encode(&w, &req, SYNC_V), 0);
    return send(KAFKA_API_SYNC_GROUP, SYNC_V, &w, now);
}

static bool sync_answer(uint32_t corr, struct sync_group_response *r)
{
    struct wire_reader body;
    if (!reply(corr, KAFKA_API_SYNC_GROUP, SYNC_V, &body)) {
        return false;
    }
    ck_assert_int_eq(sync_group_response_decode(&body, SYNC_V, &arena, r), 0);
    return true;
}

static int16_t heartbeat(const char *group, const char *member, int32_t generation,
                         time_ns now)
{
    struct heartbeat_request req;
    heartbeat_request_init(&req);
    req.group_id = group;
    req.generation_id = generation;
    req.member_id = member;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(heartbeat_request_encode(&w, &req, HB_V), 0);
    uint32_t corr = send(KAFKA_API_HEARTBEAT, HB_V, &w, now);
    struct wire_reader body;
    ck_assert(reply(corr, KAFKA_API_HEARTBEAT, HB_V, &body));
    struct heartbeat_response r;
    ck_assert_int_eq(heartbeat_response_decode(&body, HB_V, &arena, &r), 0);
    return r.error_code;
}

/* Two members into "g": ids, joins, and the initial rebalance delay; returns generation 1
 * with a the leader. */
static void two_members(char *a, char *b, size_t cap)
{
    member_id("g", a, cap, 0);
    member_id("g", b, cap, 0);
    ck_assert_str_ne(a, b);
    uint32_t ja = join("g", a, "meta-a", 1 * S / 10);
    uint32_t jb = join("g", b, "meta-b", 2 * S / 10);
    struct join_group_response r;
    ck_assert(!join_answer(ja, &r)); /* group.initial.rebalance.delay.ms: 3 s for more */
    gc_tick(&gc, 2 * S, &out);
    ck_assert(!join_answer(ja, &r));
    ck_assert_int_eq(gc_next_deadline(&gc), 1 * S / 10 + 3 * S);
    gc_tick(&gc, gc_next_deadline(&gc), &out);
    ck_assert(join_answer(ja, &r));
    ck_assert_int_eq(r.error_code, KAFKA_NONE);
    ck_assert_int_eq(r.generation_id, 1);
    ck_assert_str_eq(r.leader, a);
    ck_assert_str_eq(r.protocol_name, "range");
    ck_assert_int_eq(r.member_count, 2); /* the leader gets everyone's subscription */
    ck_assert_str_eq(r.members[1].member_id, b);
    ck_assert_int_eq(r.members[1].metadata.len, 6);
    ck_assert(memcmp(r.members[1].metadata.ptr, "meta-b", 6) == 0);
    ck_assert(join_answer(jb, &r));
    ck_assert_int_eq(r.member_count, 0);
    ck_assert_int_eq(gc_group(&gc, "g")->state, GROUP_COMPLETING_REBALANCE);
}

/* Three members of `group` offering the protocols given, once the initial delay is over: the
 * protocol the group chose, as the leader's JoinGroup answer names it. */
static const char *chosen_protocol(const char *group, const char *const offers[3][2],
                                   const int counts[3])
{
    char ids[3][GROUP_MEMBER_ID_MAX];
    uint32_t corr[3];
    for (int i = 0; i < 3; i++) {
        member_id(group, ids[i], sizeof ids[i], 0);
    }
    for (int i = 0; i < 3; i++) {
        corr[i] = join_offering(group, ids[i], offers[i], counts[i], "m", 1 * S / 10);
    }
    gc_tick(&gc, 4 * S, &out);
    static struct join_group_response r;
    ck_assert(join_answer(corr[0], &r));
    ck_assert_int_eq(r.error_code, KAFKA_NONE);
    return r.protocol_name;
}

/* selectProtocol: only protocols every member offers count, each member votes for the first
 * of those it lists, and the most votes win; a member sharing none is refused. */
START_TEST(the_group_takes_the_protocol_most_members_prefer_among_those_all_offer)
{
    const char *const outvoted[3][2] = {{"range", "cooperative-sticky"}, /* the leader's */
                                        {"cooperative-sticky", "range"},
                                        {"cooperative-sticky", "range"}};
    const int two[3] = {2, 2, 2};
    ck_assert_str_eq(chosen_protocol("g", outvoted, two), "cooperative-sticky");
    const char *const only_range[3][2] = {{"cooperative-sticky", "range"},
                                          {"cooperative-sticky", "range"},
                                          {"range", NULL}};
    const int last_one[3] = {2, 2, 1};
    ck_assert_str_eq(chosen_protocol("h", only_range, last_one), "range");
    const char *const roundrobin[1] = {"roundrobin"};
    struct join_group_response r;
    ck_assert(join_answer(join_offering("h", "", roundrobin, 1, "m", 5 * S), &r));
    ck_assert_int_eq(r.error_code, KAFKA_INCONSISTENT_GROUP_PROTOCOL);
}
END_TEST

START_TEST(two_members_join_after_the_initial_delay_and_the_leader_assigns_both)
{
    char a[GROUP_MEMBER_ID_MAX], b[GROUP_MEMBER_ID_MAX];
    two_members(a, b, sizeof a);
    time_ns now = 4 * S;
    uint32_t sb = sync("g", b, 1, NULL, NULL, NULL, NULL, now);
    struct sync_group_response r;
    ck_assert(!sync_answer(sb, &r)); /* a follower waits for the leader's assignment */
    uint32_t sa = sync("g", a, 1, a, "p0,p1", b, "p2", now);
    ck_assert(sync_answer(sa, &r));
    ck_assert_int_eq(r.error_code, KAFKA_NONE);
    ck_assert_int_eq(r.assignment.len, 5);
    ck_assert(sync_answer(sb, &r));
    ck_assert_int_eq(r.assignment.len, 2);
    ck_assert(memcmp(r.assignment.ptr, "p2", 2) == 0);
    ck_assert_int_eq(gc_group(&gc, "g")->state, GROUP_STABLE);
    ck_assert_int_eq(heartbeat("g", a, 1, now), KAFKA_NONE);
    ck_assert_int_eq(heartbeat("g", b, 0, now), KAFKA_ILLEGAL_GENERATION);
    ck_assert_int_eq(heartbeat("g", "nobody", 1, now), KAFKA_UNKNOWN_MEMBER_ID);
}
END_TEST

/* session.timeout.ms without a heartbeat: the member is gone, the other learns of the
 * rebalance from its heartbeat and rejoins alone, at once (no initial delay past Empty). */
START_TEST(an_expired_session_rebalances_the_rest_into_the_next_generation)
{
    char a[GROUP_MEMBER_ID_MAX], b[GROUP_MEMBER_ID_MAX];
    two_members(a, b, sizeof a);
    time_ns now = 4 * S;
    sync("g", b, 1, NULL, NULL, NULL, NULL, now);
    sync("g", a, 1, a, "x", b, "y", now);
    for (int i = 0; i < 4; i++) { /* a heartbeats every 3 s; b is silent */
        now += 3 * S;
        ck_assert_int_eq(heartbeat("g", a, 1, now), KAFKA_NONE);
        gc_tick(&gc, now, &out);
    }
    ck_assert_uint_eq(gc_group(&gc, "g")->member_count, 1);
    ck_assert_int_eq(gc_group(&gc, "g")->state, GROUP_PREPARING_REBALANCE);
    ck_assert_int_eq(heartbeat("g", a, 1, now), KAFKA_REBALANCE_IN_PROGRESS);
    struct join_group_response r;
    ck_assert(join_answer(join("g", a, "meta-a", now), &r));
    ck_assert_int_eq(r.generation_id, 2);
    ck_assert_int_eq(r.member_count, 1);
    /* the old generation's member is unknown now */
    ck_assert_int_eq(heartbeat("g", b, 1, now), KAFKA_UNKNOWN_MEMBER_ID);
}
END_TEST

static uint32_t commit(const char *group, const char *member, int32_t generation,
                       int64_t offset, time_ns now)
{
    struct offset_commit_request_partition p = {.partition_index = 2,
                                                .committed_offset = offset,
                                                .committed_leader_epoch = 4};
    struct offset_commit_request_topic t = {.name = "orders", .partition_count = 1,
                                            .partitions = &p};
    struct offset_commit_request req;
    offset_commit_request_init(&req);
    req.group_id = group;
    req.generation_id_or_member_epoch = generation;
    req.member_id = member;
    req.topic_count = 1;
    req.topics = &t;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(offset_commit_request_encode(&w, &req, COMMIT_V), 0);
    return send(KAFKA_API_OFFSET_COMMIT, COMMIT_V, &w, now);
}

/* The commit's records, as node.c would append them: replicated (`append_error` NONE) or not.
 * A refused commit has none and is answered at once. */
static bool appended(int16_t append_error)
{
    struct gc_append ap[2];
    uint32_t n = gc_take_appends(&gc, ap, 2);
    ck_assert_uint_le(n, 1);
    if (n == 0) {
        return false;
    }
    free(last_append.bytes);
    last_append = ap[0];
    gc_on_append(&gc, ap[0].token, append_error, &out);
    return true;
}

static int16_t commit_error(uint32_t corr)
{
    struct wire_reader body;
    appended(KAFKA_NONE);
    ck_assert(reply(corr, KAFKA_API_OFFSET_COMMIT, COMMIT_V, &body));
    struct offset_commit_response r;
    ck_assert_int_eq(offset_commit_response_decode(&body, COMMIT_V, &arena, &r), 0);
    ck_assert_int_eq(r.topic_count, 1);
    return r.topics[0].partitions[0].error_code;
}

static uint32_t fetch_request(const char *group, bool stable)
{
    int32_t parts[1] = {2};
    struct offset_fetch_request_topic t = {.name = "orders", .partition_index_count = 1,
                                           .partition_indexes = parts};
    struct offset_fetch_request_group g = {.group_id = group, .member_epoch = -1,
                                           .topic_count = 1, .topics = &t};
    struct offset_fetch_request req;
    offset_fetch_request_init(&req);
    req.group_count = 1;
    req.groups = &g;
    req.require_stable = stable;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(offset_fetch_request_encode(&w, &req, FETCH_V), 0);
    return send(KAFKA_API_OFFSET_FETCH, FETCH_V, &w, 0);
}

/* The answer to `corr`, if sent: the group's error and orders-2's offset (-2 on an error). */
static bool fetch_answer(uint32_t corr, int16_t *error, int64_t *offset)
{
    struct wire_reader body;
    if (!reply(corr, KAFKA_API_OFFSET_FETCH, FETCH_V, &body)) {
        return false;
    }
    struct offset_fetch_response r;
    ck_assert_int_eq(offset_fetch_response_decode(&body, FETCH_V, &arena, &r), 0);
    ck_assert_int_eq(r.group_count, 1);
    *error = r.groups[0].error_code;
    *offset = *error == KAFKA_NONE ? r.groups[0].topics[0].partitions[0].committed_offset : -2;
    return true;
}

static int64_t fetched(const char *group, int16_t *error)
{
    int64_t offset;
    ck_assert(fetch_answer(fetch_request(group, false), error, &offset));
    return offset;
}

START_TEST(commits_follow_the_generation_and_offset_fetch_reads_them_back)
{
    int16_t error;
    ck_assert_int_eq(fetched("g", &error), -1); /* nothing committed yet */
    ck_assert_int_eq(commit_error(commit("g", "", -1, 40, 0)), KAFKA_NONE); /* simple, Empty */
    ck_assert_int_eq(fetched("g", &error), 40);
    char a[GROUP_MEMBER_ID_MAX], b[GROUP_MEMBER_ID_MAX];
    two_members(a, b, sizeof a);
    ck_assert_int_eq(commit_error(commit("g", a, 1, 41, 4 * S)), KAFKA_REBALANCE_IN_PROGRESS);
    sync("g", b, 1, NULL, NULL, NULL, NULL, 4 * S);
    sync("g", a, 1, a, "x", b, "y", 4 * S);
    ck_assert_int_eq(commit_error(commit("g", a, 1, 42, 4 * S)), KAFKA_NONE);
    ck_assert_int_eq(commit_error(commit("g", a, 0, 43, 4 * S)), KAFKA_ILLEGAL_GENERATION);
    ck_assert_int_eq(commit_error(commit("g", "", -1, 44, 4 * S)), KAFKA_UNKNOWN_MEMBER_ID);
    ck_assert_int_eq(fetched("g", &error), 42);
}
END_TEST

/* storeOffsets: the answer waits for the records' replication, and a failed append is
 * translated (NOT_ENOUGH_REPLICAS -> COORDINATOR_NOT_AVAILABLE) and stores nothing. The records
 * themselves load into another coordinator that becomes the partition's leader. */
START_TEST(a_commit_is_answered_once_its_records_replicate_and_they_load_elsewhere)
{
    uint32_t corr = commit("g", "", -1, 40, 0);
    struct wire_reader body;
    ck_assert(!reply(corr, KAFKA_API_OFFSET_COMMIT, COMMIT_V, &body)); /* waits */
    ck_assert(appended(KAFKA_NOT_ENOUGH_REPLICAS));
    ck_assert(reply(corr, KAFKA_API_OFFSET_COMMIT, COMMIT_V, &body));
    struct offset_commit_response r;
    ck_assert_int_eq(offset_commit_response_decode(&body, COMMIT_V, &arena, &r), 0);
    ck_assert_int_eq(r.topics[0].partitions[0].error_code, KAFKA_COORDINATOR_NOT_AVAILABLE);
    int16_t error;
    ck_assert_int_eq(fetched("g", &error), -1);
    ck_assert_int_eq(commit_error(commit("g", "", -1, 41, 0)), KAFKA_NONE);
    ck_assert_int_eq(last_append.partition, gc_partition_for("g", 50));
    /* a second coordinator, the partition's new leader, reads the batch back */
    struct group_coordinator first = gc;
    struct gc_config cfg = gc_config_default(2);
    gc_init(&gc, &cfg);
    gc_set_owned(&gc, last_append.partition, true, &out);
    ck_assert_int_eq(fetched("g", &error), -1);
    gc_load(&gc, last_append.partition, last_append.bytes, last_append.len);
    ck_assert_int_eq(fetched("g", &error), 41);
    gc_free(&gc);
    gc = first;
}
END_TEST

/* RequireStable (KIP-447): a member's OffsetFetch waits for the group's commit still
 * replicating, or it would start from an offset older than one committed (workload seed 755
 * committed 25, fetched "none", reset to 0 and committed 0). Without the flag it reads now. */
START_TEST(a_stable_offset_fetch_waits_for_the_groups_commit_to_replicate)
{
    uint32_t c = commit("g", "", -1, 40, 0);
    uint32_t stable = fetch_request("g", true);
    uint32_t now = fetch_request("g", false);
    int64_t offset;
    int16_t error;
    ck_assert(!fetch_answer(stable, &error, &offset));
    ck_assert(fetch_answer(now, &error, &offset));
    ck_assert_int_eq(offset, -1);
    ck_assert_int_eq(commit_error(c), KAFKA_NONE); /* replicated: answered, stored */
    ck_assert(fetch_answer(stable, &error, &offset));
    ck_assert_int_eq(error, KAFKA_NONE);
    ck_assert_int_eq(offset, 40);
}
END_TEST

/* A coordinator that loses its __consumer_offsets partition answers NOT_COORDINATOR, the
 * parked joins included, and forgets the group (offsets live in memory: coordinator.h). */
START_TEST(losing_the_offsets_partition_answers_not_coordinator)
{
    int32_t p = gc_partition_for("g", 50);
    char id[GROUP_MEMBER_ID_MAX];
    member_id("g", id, sizeof id, 0);
    uint32_t parked = join("g", id, "m", S);
    gc_set_owned(&gc, p, false, &out);
    struct join_group_response r;
    ck_assert(join_answer(parked, &r));
    ck_assert_int_eq(r.error_code, KAFKA_NOT_COORDINATOR);
    ck_assert_ptr_null(gc_group(&gc, "g"));
    ck_assert(join_answer(join("g", "", "m", S), &r));
    ck_assert_int_eq(r.error_code, KAFKA_NOT_COORDINATOR);
    int16_t error;
    fetched("g", &error);
    ck_assert_int_eq(error, KAFKA_NOT_COORDINATOR);
    ck_assert_int_eq(heartbeat("g", id, 1, S), KAFKA_NOT_COORDINATOR);
}
END_TEST

/* GroupMetadataManager.partitionFor = Utils.abs(String.hashCode) % 50; the expected values are
 * Java's hashCode computed outside kraftsim (32-bit wrap, then & 0x7fffffff). */
START_TEST(partition_for_is_java_hash_code_mod_partitions)
{
    ck_assert_int_eq(gc_partition_for("g", 50), 3);
    ck_assert_int_eq(gc_partition_for("orders", 50), 17);
    ck_assert_int_eq(gc_partition_for("console-consumer-12345", 50), 6);
    ck_assert_int_eq(gc_partition_for("jepsen", 50), 27);
    ck_assert_int_eq(gc_partition_for("jepsen", 1), 0);
}
END_TEST

START_TEST(a_session_timeout_outside_the_brokers_range_is_refused)
{
    struct join_group_request req;
    join_group_request_init(&req);
    struct join_group_protocol proto = {.name = "range"};
    req.group_id = "g";
    req.session_timeout_ms = 1000; /* below group.min.session.timeout.ms (6000) */
    req.member_id = "";
    req.protocol_type = "consumer";
    req.protocol_count = 1;
    req.protocols = &proto;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(join_group_request_encode(&w, &req, JOIN_V), 0);
    struct join_group_response r;
    ck_assert(join_answer(send(KAFKA_API_JOIN_GROUP, JOIN_V, &w, 0), &r));
    ck_assert_int_eq(r.error_code, KAFKA_INVALID_SESSION_TIMEOUT);
}
END_TEST

static Suite *group_suite(void)
{
    Suite *s = suite_create("group coordinator");
    TCase *t = tcase_create("classic protocol");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, two_members_join_after_the_initial_delay_and_the_leader_assigns_both);
    tcase_add_test(t, the_group_takes_the_protocol_most_members_prefer_among_those_all_offer);
    tcase_add_test(t, an_expired_session_rebalances_the_rest_into_the_next_generation);
    tcase_add_test(t, commits_follow_the_generation_and_offset_fetch_reads_them_back);
    tcase_add_test(t, a_commit_is_answered_once_its_records_replicate_and_they_load_elsewhere);
    tcase_add_test(t, a_stable_offset_fetch_waits_for_the_groups_commit_to_replicate);
    tcase_add_test(t, losing_the_offsets_partition_answers_not_coordinator);
    tcase_add_test(t, partition_for_is_java_hash_code_mod_partitions);
    tcase_add_test(t, a_session_timeout_outside_the_brokers_range_is_refused);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(group_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed == 0 ? 0 : 1;
}
