/* api_versions.h — ApiVersions (key 18) request and response bodies, versions 0-5. */
#ifndef KRAFTSIM_API_VERSIONS_H
#define KRAFTSIM_API_VERSIONS_H

/*
 * Schemas: apache/kafka msg/ApiVersionsRequest.json and ApiVersionsResponse.json (trunk
 * d79bd502ec: "validVersions": "0-5", "flexibleVersions": "3+"; 4.0 and 3.9 stop at v4).
 *
 * Request:  ClientSoftwareName string v3+, ClientSoftwareVersion string v3+,
 *           ClusterId nullable string v5+ [null], NodeId int32 v5+ [-1]      (KIP-511, KIP-1242)
 * Response: ErrorCode int16; ApiKeys[]{ApiKey int16, MinVersion int16, MaxVersion int16};
 *           ThrottleTimeMs int32 v1+; tagged (v3+): SupportedFeatures[] {tag 0}
 *           {Name, MinVersion int16, MaxVersion int16}, FinalizedFeaturesEpoch int64 [-1] {tag 1},
 *           FinalizedFeatures[] {tag 2} {Name, MaxVersionLevel int16, MinVersionLevel int16},
 *           ZkMigrationReady bool [false] {tag 3}.
 *
 * The response always travels under response header v0 (see header.h). A tagged field is
 * written only when it differs from its default, as the generated Java does. Encoding a field
 * at a version that lacks it drops the field silently (Java would throw for non-ignorable ones);
 * decoding fills absent fields with their defaults.
 */

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

#define API_VERSIONS_VERSION_MIN 0
#define API_VERSIONS_VERSION_MAX 5

struct api_versions_request {
    const char *client_software_name;    /* v3+, non-null there */
    const char *client_software_version; /* v3+, non-null there */
    const char *cluster_id;              /* v5+, nullable */
    int32_t node_id;                     /* v5+, -1 unknown */
};

struct api_versions_api_key {
    int16_t api_key;
    int16_t min_version;
    int16_t max_version;
};

struct api_versions_supported_feature {
    const char *name;
    int16_t min_version;
    int16_t max_version;
};

struct api_versions_finalized_feature {
    const char *name;
    int16_t max_version_level;
    int16_t min_version_level;
};

struct api_versions_response {
    int16_t error_code;
    int32_t api_key_count;
    struct api_versions_api_key *api_keys;
    int32_t throttle_time_ms; /* v1+ */
    int32_t supported_feature_count;
    struct api_versions_supported_feature *supported_features;
    int64_t finalized_features_epoch; /* -1 unknown */
    int32_t finalized_feature_count;
    struct api_versions_finalized_feature *finalized_features;
    bool zk_migration_ready;
};

/* Set every field to its schema default (strings "" for the software name and version). */
void api_versions_request_init(struct api_versions_request *m);
void api_versions_response_init(struct api_versions_response *m);

/* Encoders append the body and return 0, -WIRE_EVERSION or the writer's error.
 * Decoders return 0 or a negative codec error; arrays and strings live in `a`. */
int api_versions_request_encode(struct wire_writer *w, const struct api_versions_request *m,
                                int16_t version);
int api_versions_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                struct api_versions_request *out);
int api_versions_response_encode(struct wire_writer *w, const struct api_versions_response *m,
                                 int16_t version);
int api_versions_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                 struct api_versions_response *out);

#endif
