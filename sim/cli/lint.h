/* lint.h — `kraftsim lint FILE...`: a deployment's own files, read and judged (deploy/). */
#ifndef KRAFTSIM_CLI_LINT_H
#define KRAFTSIM_CLI_LINT_H

int lint_main(int argc, char **argv);

#endif
