/* The domain process's confinement, entered once set-up is over and before
 * the first guest instruction (domain_run, right before the vCPU starts).
 * From then on the process holds its guest RAM, its images, logs, sockets
 * and terminals as open descriptors, and can get little else:
 *
 *  - no new privileges (PR_SET_NO_NEW_PRIVS), not dumpable, no core files;
 *  - as root, every capability dropped (bounding, ambient, effective,
 *    permitted, inheritable sets);
 *  - a seccomp-bpf allow-list of the system calls the domain makes (event
 *    loop, vCPU thread, console and viewer clients, log rotation); any
 *    other call raises SIGSYS, whose handler writes one line to the domain
 *    log naming the call and ends the process with DOMAIN_EXIT_CRASHED;
 *  - Landlock, where the kernel has it: files may only be created, renamed
 *    or removed in the state directory (logs) and removed in the runtime
 *    directory (its socket); no file can be opened elsewhere, nothing can
 *    be executed, no TCP socket bound or connected (ABI 4), no abstract
 *    socket or signal reaches outside the process (ABI 6);
 *  - RLIMIT_NOFILE to what a domain with many clients needs, RLIMIT_AS to
 *    the address space at entry (guest RAM included) plus room for the
 *    vCPU thread and allocations, RLIMIT_CORE 0.
 *
 * In an ASan build the sanitizer's own needs win: RLIMIT_AS is not set (it
 * reserves terabytes of shadow), the process stays dumpable and may clone
 * and ptrace (LeakSanitizer stops the world at exit that way), and its
 * report directory (log_path in ASAN_OPTIONS) and /proc stay reachable.
 * `hv list -l` says which of all this is in force (key "sandbox").
 *
 * What a compromised device model still reaches: the guest's RAM and the
 * descriptors the process holds (its disk images, read-write as the config
 * says; its logs and serial files, capped; its pty; its control socket
 * and the clients connected to it, whose requests it answers; a viewer's
 * shared surface), CPU time, memory up to RLIMIT_AS, and through ioctl the
 * devices it holds open (/dev/kvm, the pty). */
#ifndef HV_SANDBOX_H
#define HV_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

struct domain;

/* Confines the calling process (one thread at this point) as above,
 * unless d->cfg.sandbox is 0 or HV_SANDBOX=0 is in the environment.
 * Writes what is in force into d->sandbox. With HV_SANDBOX_SELFTEST=1 in
 * the environment, it then makes a forbidden call (socket) so that tests
 * can see the violation path. Returns 0, or -1 with err set when a step
 * that must work failed (a kernel without Landlock is not a failure). */
int sandbox_enter(struct domain *d, char *err, size_t errlen);

/* The number of system calls the filter allows (for docs and tests). */
size_t sandbox_allowed_count(void);

/* True when the filter allows system call nr with first argument arg0. */
bool sandbox_allows(long nr, unsigned long arg0);

/* The same for a domain with a network (vif = [...]): its user-mode
 * network (libslirp) also makes IPv4 sockets (socket with AF_INET only),
 * connects, binds and listens; Landlock then lets it connect TCP
 * sockets (binding stays refused: host forwards listen before the
 * sandbox) and read /etc/resolv.conf (the host's DNS servers). */
bool sandbox_allows_net(long nr, unsigned long arg0);
size_t sandbox_allowed_count_net(void);

/* What a domain's config adds: SANDBOX_INET, a network, as above;
 * SANDBOX_UNIX, sound through PulseAudio (audio = "pulse"), whose client
 * connects again when the server went away or was restarted: local
 * sockets (socket with AF_UNIX only) and connect, uname and readlink (a
 * new client context's properties name the host and the program), umask
 * (it looks for the server's socket in the runtime directory it would
 * make). A local socket it may
 * connect to is any its user can reach: the price of a reconnect from
 * inside the sandbox. */
#define SANDBOX_INET 1u
#define SANDBOX_UNIX 2u
bool sandbox_allows_with(unsigned what, long nr, unsigned long arg0);
size_t sandbox_allowed_count_with(unsigned what);

#endif
