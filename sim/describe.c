/* describe.c — DescribeQuorum answers as kafka-metadata-quorum.sh prints them. */
#include "describe.h"

#include <inttypes.h>
#include <string.h>

static const struct describe_quorum_response_partition *
partition_of(const struct describe_quorum_response *resp)
{
    if (resp->topic_count < 1 || resp->topics[0].partition_count < 1) {
        return NULL;
    }
    return &resp->topics[0].partitions[0];
}

static void print_voters(FILE *out, const struct describe_quorum_response_partition *p,
                         const struct describe_endpoint *endpoints, int endpoint_count)
{
    fprintf(out, "[");
    for (int i = 0; i < p->current_voter_count; i++) {
        int32_t id = p->current_voters[i].replica_id;
        fprintf(out, "%s{\"id\": %d", i ? ", " : "", id);
        for (int k = 0; k < endpoint_count; k++) {
            if (endpoints[k].node_id == id) {
                fprintf(out, ", \"endpoints\": [\"CONTROLLER://%s:%d\"]", endpoints[k].host,
                        endpoints[k].port);
            }
        }
        fprintf(out, "}");
    }
    fprintf(out, "]\n");
}

void describe_status(FILE *out, const char *cluster_id,
                     const struct describe_quorum_response *resp,
                     const struct describe_endpoint *endpoints, int endpoint_count)
{
    const struct describe_quorum_response_partition *p = partition_of(resp);
    if (p == NULL) {
        return;
    }
    int64_t leader_end = -1, min_end = INT64_MAX;
    int64_t leader_caught = -1, min_caught = INT64_MAX;
    for (int i = 0; i < p->current_voter_count; i++) {
        const struct describe_quorum_replica_state *r = &p->current_voters[i];
        if (r->replica_id == p->leader_id) {
            leader_end = r->log_end_offset;
            leader_caught = r->last_caught_up_timestamp;
        }
        min_end = r->log_end_offset < min_end ? r->log_end_offset : min_end;
        min_caught = r->last_caught_up_timestamp < min_caught ? r->last_caught_up_timestamp
                                                              : min_caught;
    }
    /* MaxFollowerLagTimeMs: -1 when some voter never caught up; 0 if the leader is laggiest. */
    int64_t lag_time = min_caught < 0 ? -1 : leader_caught - min_caught;
    fprintf(out, "%-24s%s\n", "ClusterId:", cluster_id);
    fprintf(out, "%-24s%d\n", "LeaderId:", p->leader_id);
    fprintf(out, "%-24s%d\n", "LeaderEpoch:", p->leader_epoch);
    fprintf(out, "%-24s%" PRId64 "\n", "HighWatermark:", p->high_watermark);
    fprintf(out, "%-24s%" PRId64 "\n", "MaxFollowerLag:", leader_end - min_end);
    fprintf(out, "%-24s%" PRId64 "\n", "MaxFollowerLagTimeMs:", lag_time);
    fprintf(out, "%-24s", "CurrentVoters:");
    print_voters(out, p, endpoints, endpoint_count);
    fprintf(out, "%-24s[", "CurrentObservers:");
    for (int i = 0; i < p->observer_count; i++) {
        fprintf(out, "%s{\"id\": %d}", i ? ", " : "", p->observers[i].replica_id);
    }
    fprintf(out, "]\n");
}

static void print_row(FILE *out, const struct describe_quorum_replica_state *r,
                      int64_t leader_end, const char *status)
{
    char fetch[24], caught[24];
    snprintf(fetch, sizeof fetch, "%" PRId64, r->last_fetch_timestamp);
    snprintf(caught, sizeof caught, "%" PRId64, r->last_caught_up_timestamp);
    int64_t lag = r->log_end_offset < 0 ? -1 : leader_end - r->log_end_offset;
    fprintf(out, "%-7d %-23s %-13" PRId64 " %-6" PRId64 " %-19s %-22s %s\n", r->replica_id,
            "AAAAAAAAAAAAAAAAAAAAAA", r->log_end_offset, lag, fetch, caught, status);
}

void describe_replication(FILE *out, const struct describe_quorum_response *resp)
{
    const struct describe_quorum_response_partition *p = partition_of(resp);
    if (p == NULL) {
        return;
    }
    int64_t leader_end = 0;
    for (int i = 0; i < p->current_voter_count; i++) {
        if (p->current_voters[i].replica_id == p->leader_id) {
            leader_end = p->current_voters[i].log_end_offset;
        }
    }
    fprintf(out, "%-7s %-23s %-13s %-6s %-19s %-22s %s\n", "NodeId", "DirectoryId",
            "LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status");
    for (int i = 0; i < p->current_voter_count; i++) {
        const struct describe_quorum_replica_state *r = &p->current_voters[i];
        print_row(out, r, leader_end, r->replica_id == p->leader_id ? "Leader" : "Follower");
    }
    for (int i = 0; i < p->observer_count; i++) {
        print_row(out, &p->observers[i], leader_end, "Observer");
    }
}
