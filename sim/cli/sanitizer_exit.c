/* sanitizer_exit.c — a sanitizer report exits 3, the internal-error code, in the kraftsim CLI. */

/*
 * ASan and UBSan exit 1 by default, the code of a checker violation; a sanitizer report is an
 * internal error like a failed KS_ASSERT (exit 3). The runtimes call these hooks for their
 * defaults before reading ASAN_OPTIONS/UBSAN_OPTIONS, so the environment still wins. LeakSanitizer,
 * inside ASan, exits with ASan's exitcode. Linked into kraftsim and into tests/sanitizer_probe,
 * which proves it; without sanitizers the file defines nothing.
 */
#ifdef KRAFTSIM_SANITIZE
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void) { return "exitcode=3"; }

const char *__ubsan_default_options(void) { return "exitcode=3:print_stacktrace=1"; }

/* Graphviz's plugin loader and fontconfig keep caches for the life of the process, which
 * LeakSanitizer reports as leaks at exit: they are the libraries' own, not ours. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libgvc.so\nleak:libcgraph.so\nleak:libpango\n"
           "leak:libcairo.so\nleak:libgvplugin\nleak:libltdl.so\n";
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int kraftsim_sanitizer_exit_unused;
#endif
