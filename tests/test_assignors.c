/* test_assignors.c — the group leader's assignors (group_client.c): RangeAssignor, and
 * CooperativeStickyAssignor's constrained assignment with its cooperative adjustment. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "workload/group_client.h"

#define PARTS 6

static struct group_client_member members[GROUP_CLIENT_MEMBERS_MAX];
static bool out[GROUP_CLIENT_MEMBERS_MAX][CLIENT_PARTITIONS_MAX];

/* Member `id` owning the partitions listed in `owned` ("0,1,2"; "" none) from `generation`. */
static void member(int i, const char *id, const char *owned, int32_t generation)
{
    memset(&members[i], 0, sizeof members[i]);
    snprintf(members[i].id, sizeof members[i].id, "%s", id);
    members[i].generation = generation;
    for (const char *p = owned; *p != '\0'; p++) {
        if (*p >= '0' && *p <= '9') {
            members[i].owned[*p - '0'] = true;
        }
    }
}

/* The partitions out[m] holds, as "0,1,2". */
static const char *got(int m)
{
    static char text[64];
    size_t len = 0;
    text[0] = '\0';
    for (int p = 0; p < PARTS; p++) {
        if (out[m][p]) {
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%d", len > 0 ? "," : "", p);
        }
    }
    return text;
}

START_TEST(range_sorts_members_and_gives_the_first_ones_the_extra_partitions)
{
    member(0, "c", "", -1);
    member(1, "a", "0,1,2,3", 4); /* what a member owns does not matter to range */
    member(2, "b", "", -1);
    group_client_range(members, 3, 7 - 1, out);
    ck_assert_str_eq(members[0].id, "a");
    ck_assert_str_eq(got(0), "0,1");
    ck_assert_str_eq(got(1), "2,3");
    ck_assert_str_eq(got(2), "4,5");
    member(0, "b", "", -1);
    member(1, "a", "", -1);
    group_client_range(members, 2, 5, out);
    ck_assert_str_eq(got(0), "0,1,2"); /* a: 5 % 2 = 1 member gets one more */
    ck_assert_str_eq(got(1), "3,4");
}
END_TEST

START_TEST(a_fresh_group_is_assigned_round_robin)
{
    member(0, "b", "", -1);
    member(1, "a", "", -1);
    group_client_cooperative_sticky(members, 2, PARTS, out);
    ck_assert_str_eq(got(0), "0,2,4");
    ck_assert_str_eq(got(1), "1,3,5");
}
END_TEST

/* The two rebalances of KIP-429: the owner keeps its quota (lowest partitions first) and the
 * moving ones are held back, then go to the newcomer once revoked. */
START_TEST(a_new_member_gets_moved_partitions_only_after_their_owner_revoked_them)
{
    member(0, "a", "0,1,2,3,4,5", 1);
    member(1, "b", "", -1);
    group_client_cooperative_sticky(members, 2, PARTS, out);
    ck_assert_str_eq(got(0), "0,1,2");
    ck_assert_str_eq(got(1), ""); /* 3, 4, 5 still belong to a */
    member(0, "a", "0,1,2", 2);
    member(1, "b", "", -1);
    group_client_cooperative_sticky(members, 2, PARTS, out);
    ck_assert_str_eq(got(0), "0,1,2");
    ck_assert_str_eq(got(1), "3,4,5");
}
END_TEST

START_TEST(members_keep_their_partitions_when_one_leaves)
{
    member(0, "a", "0,1", 5);
    member(1, "c", "4,5", 5); /* b, which owned 2 and 3, left */
    group_client_cooperative_sticky(members, 2, PARTS, out);
    ck_assert_str_eq(got(0), "0,1,2");
    ck_assert_str_eq(got(1), "3,4,5"); /* nobody owns 2 and 3: nothing to revoke first */
}
END_TEST

START_TEST(the_higher_generation_keeps_a_partition_two_members_claim)
{
    member(0, "a", "0,1,2", 3);
    member(1, "b", "2,3", 2); /* b's claim on 2 is a generation old */
    member(2, "c", "", -1);
    group_client_cooperative_sticky(members, 3, PARTS, out);
    ck_assert_str_eq(got(0), "0,1"); /* quota 2: a gives up 2 */
    ck_assert_str_eq(got(1), "3");   /* 2 moves from a to b: held back */
    ck_assert_str_eq(got(2), "4,5");
}
END_TEST

START_TEST(a_partition_claimed_twice_in_one_generation_is_held_back_from_everyone)
{
    member(0, "a", "0,1,2", 4);
    member(1, "b", "2,3,4,5", 4);
    group_client_cooperative_sticky(members, 2, PARTS, out);
    ck_assert_str_eq(got(0), "0,1");   /* 2 is nobody's until both let it go */
    ck_assert_str_eq(got(1), "3,4,5");
}
END_TEST

START_TEST(more_members_than_partitions_leave_some_with_none)
{
    member(0, "a", "0,1", 1);
    member(1, "b", "", -1);
    member(2, "c", "", -1);
    group_client_cooperative_sticky(members, 3, 2, out);
    ck_assert_str_eq(got(0), "0");
    ck_assert_str_eq(got(1), ""); /* 1 moves to b: held back */
    ck_assert_str_eq(got(2), "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("assignors");
    TCase *t = tcase_create("one topic");
    tcase_add_test(t, range_sorts_members_and_gives_the_first_ones_the_extra_partitions);
    tcase_add_test(t, a_fresh_group_is_assigned_round_robin);
    tcase_add_test(t, a_new_member_gets_moved_partitions_only_after_their_owner_revoked_them);
    tcase_add_test(t, members_keep_their_partitions_when_one_leaves);
    tcase_add_test(t, the_higher_generation_keeps_a_partition_two_members_claim);
    tcase_add_test(t, a_partition_claimed_twice_in_one_generation_is_held_back_from_everyone);
    tcase_add_test(t, more_members_than_partitions_leave_some_with_none);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed == 0 ? 0 : 1;
}
