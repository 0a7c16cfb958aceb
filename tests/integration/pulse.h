/* What the sound suites share: a private PulseAudio server (a null sink,
 * "hvtest", at 48 kHz; the test's own runtime and state directories) and
 * parec recording its monitor as raw 16-bit stereo. */
#ifndef HV_TEST_PULSE_H
#define HV_TEST_PULSE_H

#include <sys/types.h>

#include "harness.h"

/* Starts the server (a failure fails the test) and points PULSE_SERVER
 * at it. */
void pulse_start(void);
/* Ends the server with sig and waits (up to 10 s) until it is gone: a
 * server started again before its pid has gone (a zombie not yet reaped)
 * refuses to start. */
void pulse_kill(int sig);
/* pulse_kill(SIGTERM), and PULSE_SERVER unset. */
void pulse_stop(void);
/* `pactl ARGS` against the server; its exit status. */
int pulse_ctl(const char *args);
/* parec on the null sink's monitor into the raw file out (its messages
 * in out.log); returns its pid. */
pid_t pulse_parec(const char *out);
/* The size of path, or -1. */
long long pulse_file_size(const char *path);
/* Waits (up to 60 s) for path to grow past `than`; returns its size. */
long long pulse_grows(const char *path, long long than);
void pulse_sleep_ms(int ms);
/* `hv ARGV...` (which plays and ends) recorded through the server into
 * the raw file raw: the server started, parec recording, half a second
 * more once hv ended, then both stopped. Returns hv's result. */
struct h_result *pulse_record_run(const char *raw, const char *const *argv);

#endif
