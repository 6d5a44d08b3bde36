/* describe.h — kafka-metadata-quorum.sh's "describe --status" and "--replication" text. */
#ifndef KRAFTSIM_DESCRIBE_H
#define KRAFTSIM_DESCRIBE_H

/*
 * Prints a DescribeQuorum answer the way tools/MetadataQuorumCommand.java does (KRAFT.md 7):
 * --status lines with values from column 25, voters in the 3.9+ JSON shape; --replication as a
 * table NodeId, DirectoryId, LogEndOffset, Lag, LastFetchTimestamp, LastCaughtUpTimestamp,
 * Status. Timestamps are virtual milliseconds since the start of the run.
 */

#include <stdio.h>

#include "protocol/kraft_rpc.h"

struct describe_endpoint {
    int32_t node_id;
    const char *host;
    int port;
};

void describe_status(FILE *out, const char *cluster_id,
                     const struct describe_quorum_response *resp,
                     const struct describe_endpoint *endpoints, int endpoint_count);
void describe_replication(FILE *out, const struct describe_quorum_response *resp);

#endif
