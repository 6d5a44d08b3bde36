/* shrink.h — `kraftsim shrink RUN.db`: the smallest scenario that still fails (shrink/). */
#ifndef KRAFTSIM_CLI_SHRINK_H
#define KRAFTSIM_CLI_SHRINK_H

int shrink_main(int argc, char **argv);

#endif
