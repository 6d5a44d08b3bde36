/* lint.c — kraftsim lint FILE...: what a deployment's files say, and what will break. */
#include "cli/lint.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run.h"
#include "deploy/lint.h"
#include "release.h"

static const char usage[] =
    "usage: kraftsim lint FILE... [-k VERSION]\n"
    "\n"
    "Read a deployment from its own files and say what an operator should know before it\n"
    "fails: server.properties per node, Docker Compose files (each Kafka service's\n"
    "environment, Bitnami's KAFKA_CFG_* variables, the image tag for the release), Kubernetes\n"
    "StatefulSets (--override flags, ${HOSTNAME##*-} as each pod's ordinal), and ZooKeeper's\n"
    "zoo.cfg and myid files. Every node's settings are parsed as Kafka parses them at startup;\n"
    "then each finding is one line, FILE:LINE: rule: why.\n"
    "\n"
    "  -k, --kafka-version V  parse the nodes as release V (default: the image tag, else the\n"
    "                         newest release that runs the deployment's mode)\n"
    "  -h, --help             show this help\n"
    "\n"
    "exit status: 0 no findings, 1 findings, 2 a file that cannot be read or that Kafka would\n"
    "refuse to start with (one line naming the file and line), or a usage error.\n";

int lint_main(int argc, char **argv)
{
    static const struct option options[] = {{"kafka-version", required_argument, NULL, 'k'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *version = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":k:h", options, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (release_find(optarg) == NULL) { /* any release: ZooKeeper ones lint too */
                char message[300];
                snprintf(message, sizeof message, "--kafka-version wants one of %s, got '%%s'",
                         release_names());
                return usage_error(message, optarg);
            }
            version = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_PASS;
        case ':':
            return usage_error("lint: %s wants a value", argv[optind - 1]);
        default:
            return usage_error("lint: unknown option %s", argv[optind - 1]);
        }
    }
    if (optind == argc) {
        return usage_error("lint takes the deployment's files, e.g. kraftsim lint "
                           "node1/server.properties node2/server.properties%s", "");
    }
    static struct deployment d;
    if (!deploy_load(&d, (const char *const *)argv + optind, argc - optind)) {
        print_error_line(d.error, "");
        return EXIT_USAGE;
    }
    static struct lint_report r;
    bool ok = lint_run(&d, version, &r);
    if (!ok) {
        print_error_line(r.error, "");
        lint_free(&r);
        return EXIT_USAGE;
    }
    lint_print(&d, &r, stdout);
    int rc = r.count > 0 ? EXIT_VIOLATION : EXIT_PASS;
    lint_free(&r);
    return flush_stdout() ? rc : EXIT_INTERNAL;
}
