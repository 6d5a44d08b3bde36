/* check.h — `kraftsim check FILE...`: a deployment's guarantees, run and said in words. */
#ifndef KRAFTSIM_CLI_CHECK_H
#define KRAFTSIM_CLI_CHECK_H

int check_main(int argc, char **argv);

#endif
