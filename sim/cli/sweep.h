/* sweep.h — `kraftsim sweep` (many seeds of one scenario) and `kraftsim merge` (shards). */
#ifndef KRAFTSIM_CLI_SWEEP_H
#define KRAFTSIM_CLI_SWEEP_H

int sweep_main(int argc, char **argv);
int merge_main(int argc, char **argv);

#endif
