/* render.h — kraftsim render RUN.db -o FILE.svg|png [--window FROM..TO]. */
#ifndef KRAFTSIM_RENDER_H
#define KRAFTSIM_RENDER_H

/* argv[0] is "render". 0 when the picture was written, 2 for bad input (one line). */
int render_main(int argc, char **argv);

#endif
