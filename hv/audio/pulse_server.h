/* Where a PulseAudio client's reconnects go, named before the domain's
 * sandbox. Left to itself, libpulse looks for the server on every
 * connect: it checks for the legacy ~/.pulse, makes its runtime directory
 * and a symlink to it when they are missing. In a sandboxed domain those
 * calls are forbidden and would kill it; with a server list named in
 * full (libpulse takes a space-separated list), it only connects. */
#ifndef HV_AUDIO_PULSE_SERVER_H
#define HV_AUDIO_PULSE_SERVER_H

#include <stddef.h>

/* The server list for reconnects into out: the server that answered
 * (answered, may be NULL), else PULSE_SERVER, else the sockets libpulse's
 * own search would try: PULSE_RUNTIME_PATH/native, or
 * XDG_RUNTIME_DIR/pulse/native, or (neither set) the runtime directory
 * its per-machine symlink in the config directory points to and
 * /run/user/UID/pulse/native; then the system-wide /var/run/pulse/native.
 * Entries that do not fit in len are left out. */
void pulse_reconnect_servers(const char *answered, char *out, size_t len);

#endif
