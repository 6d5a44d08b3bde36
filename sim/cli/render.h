/* render.h — the commands that read a run database: render, story and report. */
#ifndef KRAFTSIM_RENDER_H
#define KRAFTSIM_RENDER_H

/* argv[0] is "render". 0 when the picture was written, 2 for bad input (one line). */
int render_main(int argc, char **argv);

/* kraftsim story RUN.db: the run in sentences. argv[0] is "story". */
int story_main(int argc, char **argv);

/* kraftsim report RUN.db -o DIR: DIR/index.html. argv[0] is "report". */
int report_main(int argc, char **argv);

#endif
