/* lint.h — what an operator should know about a deployment before it fails. */
#ifndef KRAFTSIM_DEPLOY_LINT_H
#define KRAFTSIM_DEPLOY_LINT_H

/*
 * kraftsim lint reads a deployment (deploy/deploy.h), has every node's settings parsed and
 * validated as Kafka would at startup (Kafka's own messages, at the operator's line), and then
 * walks one table of rules. A finding is "FILE:LINE: rule: why", the why a sentence an operator
 * would agree with: what breaks, and when. Besides findings: warnings (a setting that is no
 * Kafka broker key, a file the pods read that is not given), and the keys kraftsim accepts but
 * does not simulate, listed once.
 */

#include <stdbool.h>
#include <stdio.h>

#include "deploy/deploy.h"

#define LINT_FINDINGS_MAX 96

struct lint_finding {
    const char *rule;
    char where[CONFIG_PATH_BYTES + 16]; /* "FILE:LINE" */
    char why[DEPLOY_TEXT];
    char likewise[DEPLOY_TEXT]; /* the other nodes with the same finding: "FILE:LINE, ..." */
};

struct lint_report {
    const struct kafka_release *release; /* what the nodes were parsed as */
    char release_from[96];               /* "the image tag", "kafka.version", "assumed: ..." */
    bool kraft;
    struct kafka_config *configs[DEPLOY_NODES_MAX]; /* each node's, as Kafka parsed it */
    int brokers, controllers;
    struct lint_finding findings[LINT_FINDINGS_MAX];
    int count;
    char accepted[8192]; /* "num.io.threads, num.network.threads": each key once */
    int accepted_count;  /* all of them, also any the text had no room for */
    bool accepted_cut;   /* some are counted but not in the text */
    char unknown[DEPLOY_NOTES_MAX][DEPLOY_TEXT]; /* keys no Kafka broker knows, with lines */
    int unknown_count;
    char error[DEPLOY_TEXT * 2]; /* Kafka refused a node's config: one line */
};

/*
 * Parses every node as Kafka would (release: `version` if given, else the files', else the
 * newest that runs the deployment's mode) and runs the rules. False with one line in
 * r->error when a node's config is one Kafka refuses to start with.
 */
bool lint_run(const struct deployment *d, const char *version, struct lint_report *r);
void lint_free(struct lint_report *r);
/* The report as kraftsim lint prints it. */
void lint_print(const struct deployment *d, const struct lint_report *r, FILE *out);

#endif
