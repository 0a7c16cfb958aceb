#include "hv/domain/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hv/audio/audio.h"
#include "hv/core/log.h"
#include "hv/core/runtime.h"
#include "hv/domain/domain.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif
#ifndef SANDBOX_ASAN
#define SANDBOX_ASAN 0
#endif

/* ---- the seccomp filter ---- */

/* Found with `strace -f` on running domains (SeaBIOS and a Linux guest on
 * the soft CPU, with `hv console`, `hv view`, screenshots, send-keys,
 * pause, reboot, destroy, pty and file serial ends) plus what glibc's
 * thread start and exit, the KVM engine's kicks and log rotation make. */
/* clang-format off */
static const int allowed[] = {
	/* descriptors and files already open */
	SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64,
	SYS_preadv, SYS_pwritev, SYS_preadv2, SYS_pwritev2, SYS_close, SYS_fstat,
	SYS_newfstatat, SYS_statx, SYS_lstat, SYS_stat, SYS_lseek, SYS_fcntl,
	SYS_dup, SYS_dup2, SYS_dup3, SYS_ioctl, SYS_fsync, SYS_fdatasync,
	SYS_ftruncate,
	/* virtio-blk's discard and write-zeroes punch holes in the image */
	SYS_fallocate,
	/* logs rotate, the socket goes at exit (Landlock confines the paths) */
	SYS_openat, SYS_rename, SYS_renameat, SYS_renameat2, SYS_unlink,
	SYS_unlinkat, SYS_mkdir,
	/* waiting */
	SYS_poll, SYS_ppoll, SYS_select, SYS_pselect6, SYS_epoll_create1,
	SYS_epoll_ctl, SYS_epoll_wait, SYS_epoll_pwait, SYS_eventfd2,
	SYS_timerfd_create, SYS_timerfd_settime, SYS_timerfd_gettime, SYS_futex,
	SYS_nanosleep, SYS_clock_nanosleep, SYS_sched_yield,
	/* memory */
	SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_madvise, SYS_brk,
	SYS_memfd_create,
	/* threads and signals */
	SYS_set_robust_list, SYS_rseq, SYS_exit, SYS_exit_group, SYS_rt_sigaction,
	SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_rt_sigtimedwait,
	SYS_rt_sigpending, SYS_sigaltstack, SYS_restart_syscall, SYS_tgkill,
	SYS_sched_getaffinity, SYS_timer_create, SYS_timer_settime,
	SYS_timer_delete,
	/* identity and time */
	SYS_getpid, SYS_gettid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid,
	SYS_clock_gettime, SYS_clock_getres, SYS_gettimeofday, SYS_time,
	SYS_getrandom, SYS_getrusage,
	/* control and viewer clients on the listening socket */
	SYS_accept, SYS_accept4, SYS_recvfrom, SYS_recvmsg, SYS_sendto,
	SYS_sendmsg, SYS_shutdown, SYS_getsockopt, SYS_setsockopt,
	SYS_getsockname, SYS_getpeername,
};

/* What LeakSanitizer's exit-time check (a tracer process that ptraces
 * every thread, reading /proc with the sanitizer's own raw calls: open,
 * getdents) and report writing need. */
static const int allowed_asan[] = {
	SYS_clone, SYS_ptrace, SYS_wait4, SYS_prctl, SYS_readlink, SYS_getppid,
	SYS_getdents, SYS_getdents64, SYS_tkill, SYS_arch_prctl,
	SYS_sched_setaffinity, SYS_prlimit64, SYS_getrlimit, SYS_setrlimit,
	SYS_uname, SYS_kill, SYS_access, SYS_pipe2, SYS_open,
};
/* clang-format off */

/* A domain with a network adds these (and socket, for AF_INET only). */
static const int allowed_net[] = {SYS_connect, SYS_bind, SYS_listen};
/* A domain playing through PulseAudio adds connect (and socket, for
 * AF_UNIX only) and what a new client context asks on its way (its
 * properties name the host and the program: uname, readlink of
 * /proc/self/exe; it looks for the server's socket in the user's runtime
 * directory, which it would make with umask 077, and checks with access
 * whether the legacy ~/.pulse exists, which tells no more than stat).
 * hv names the servers of reconnects in full (pulse_server.h), so the
 * search should not come back; these keep a library that still makes
 * it from killing the domain. */
static const int allowed_unix[] = {SYS_uname,  SYS_readlink,  SYS_umask,
				   SYS_access, SYS_faccessat, SYS_faccessat2};
/* clang-format on */

#define FILTER_MAX 256
#define TO_ALLOW   0xff /* placeholder jump targets, patched at the end */
#define TO_TRAP	   0xfe

struct filter {
	struct sock_filter insns[FILTER_MAX];
	unsigned n;
};

static void emit(struct filter *f, struct sock_filter insn)
{
	if (f->n < FILTER_MAX)
		f->insns[f->n] = insn;
	f->n++;
}

static void allow_if(struct filter *f, uint32_t k)
{
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, TO_ALLOW, 0));
}

static void load_nr(struct filter *f)
{
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, nr)));
}

/* Threads only: clone without CLONE_THREAD would be a new process. clone3
 * hides its flags in memory, so it fails as "not implemented" and glibc
 * falls back to clone. */
static void clone_rules(struct filter *f)
{
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
	if (SANDBOX_ASAN)
		return; /* in allowed_asan */
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3));
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, args[0])));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, TO_ALLOW,
					     TO_TRAP));
	load_nr(f); /* not reached: keeps the layout simple to read */
}

/* prctl only to name a thread: nothing that could undo the sandbox. */
static void prctl_rules(struct filter *f)
{
	if (SANDBOX_ASAN)
		return;
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 0, 3));
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, args[0])));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_NAME, TO_ALLOW,
					     TO_TRAP));
	load_nr(f);
}

/* socket for IPv4 only (the user network's), when the domain has one,
 * and for local sockets when it plays through PulseAudio (its client
 * connects again after the server went away). */
static void socket_rules(struct filter *f, unsigned what)
{
	unsigned n = 3 + !!(what & SANDBOX_INET) + !!(what & SANDBOX_UNIX);

	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, (uint8_t)n));
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, args[0])));
	if (what & SANDBOX_INET)
		allow_if(f, AF_INET);
	if (what & SANDBOX_UNIX)
		allow_if(f, AF_UNIX);
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP));
	load_nr(f);
}

static void build_filter(struct filter *f, unsigned what)
{
	unsigned allow_at, trap_at;

	f->n = 0;
	emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, arch)));
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	load_nr(f);
	/* x32 system calls share the arch: refuse the whole range. */
	emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, TO_TRAP, 0));
	clone_rules(f);
	prctl_rules(f);
	if (what & (SANDBOX_INET | SANDBOX_UNIX))
		socket_rules(f, what);
	for (size_t i = 0; (what & SANDBOX_INET) && i < sizeof allowed_net / sizeof allowed_net[0];
	     i++)
		allow_if(f, (uint32_t)allowed_net[i]);
	if ((what & SANDBOX_UNIX) && !(what & SANDBOX_INET))
		allow_if(f, SYS_connect);
	for (size_t i = 0;
	     (what & SANDBOX_UNIX) && i < sizeof allowed_unix / sizeof allowed_unix[0]; i++)
		allow_if(f, (uint32_t)allowed_unix[i]);
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		allow_if(f, (uint32_t)allowed[i]);
	for (size_t i = 0; SANDBOX_ASAN && i < sizeof allowed_asan / sizeof allowed_asan[0]; i++)
		allow_if(f, (uint32_t)allowed_asan[i]);
	trap_at = f->n;
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP));
	allow_at = f->n;
	emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	for (unsigned i = 0; i < f->n && i < FILTER_MAX; i++) {
		struct sock_filter *in = &f->insns[i];
		if (BPF_CLASS(in->code) != BPF_JMP)
			continue;
		if (in->jt == TO_ALLOW || in->jt == TO_TRAP)
			in->jt = (uint8_t)((in->jt == TO_ALLOW ? allow_at : trap_at) - i - 1);
		if (in->jf == TO_ALLOW || in->jf == TO_TRAP)
			in->jf = (uint8_t)((in->jf == TO_ALLOW ? allow_at : trap_at) - i - 1);
	}
}

_Static_assert(sizeof allowed / sizeof allowed[0] + sizeof allowed_asan / sizeof allowed_asan[0] +
		       sizeof allowed_net / sizeof allowed_net[0] +
		       sizeof allowed_unix / sizeof allowed_unix[0] + 24 <
		   TO_TRAP,
	       "the filter's jumps must fit in 8 bits");

size_t sandbox_allowed_count(void)
{
	/* clone (threads only) and prctl (PR_SET_NAME only) count too. */
	return sizeof allowed / sizeof allowed[0] +
	       (SANDBOX_ASAN ? sizeof allowed_asan / sizeof allowed_asan[0] : 2);
}

size_t sandbox_allowed_count_with(unsigned what)
{
	size_t n = sandbox_allowed_count();

	if (what & SANDBOX_INET)
		n += sizeof allowed_net / sizeof allowed_net[0];
	else if (what & SANDBOX_UNIX)
		n++; /* connect */
	if (what & SANDBOX_UNIX)
		n += sizeof allowed_unix / sizeof allowed_unix[0];
	return n + !!(what & (SANDBOX_INET | SANDBOX_UNIX)); /* socket */
}

size_t sandbox_allowed_count_net(void)
{
	return sandbox_allowed_count_with(SANDBOX_INET);
}

/* Runs the filter as the kernel would, for the unit tests. */
static bool run_filter(unsigned what, long nr, unsigned long arg0)
{
	struct filter f;
	struct seccomp_data data = {.nr = (int)nr, .arch = AUDIT_ARCH_X86_64};
	uint32_t acc = 0;

	data.args[0] = arg0;
	build_filter(&f, what);
	for (unsigned pc = 0; pc < f.n;) {
		const struct sock_filter *in = &f.insns[pc];
		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS: memcpy(&acc, (char *)&data + in->k, 4); break;
		case BPF_RET | BPF_K: return (in->k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += acc == in->k ? in->jt : in->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += acc >= in->k ? in->jt : in->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += (acc & in->k) ? in->jt : in->jf; break;
		default: return false;
		}
		pc++;
	}
	return false;
}

bool sandbox_allows(long nr, unsigned long arg0)
{
	return run_filter(0, nr, arg0);
}

bool sandbox_allows_net(long nr, unsigned long arg0)
{
	return run_filter(SANDBOX_INET, nr, arg0);
}

bool sandbox_allows_with(unsigned what, long nr, unsigned long arg0)
{
	return run_filter(what, nr, arg0);
}

/* ---- the violation path ---- */

static char violation_prefix[128]; /* "NAME: error: sandbox: " */
static bool violation_to_stderr;
static long utc_offset_s;	   /* local time's, at entry, for the time stamp */
static char socket_path[PATH_MAX]; /* removed on the way out, as domain_free does */

static size_t put_dec(char *out, unsigned long v)
{
	char tmp[24];
	size_t n = 0, k = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < sizeof tmp);
	while (n)
		out[k++] = tmp[--n];
	return k;
}

static size_t put_2(char *out, unsigned v, char after)
{
	out[0] = (char)('0' + v / 10 % 10);
	out[1] = (char)('0' + v % 10);
	out[2] = after;
	return 3;
}

/* "YYYY-MM-DD HH:MM:SS " as the log writes it, without localtime (not
 * async-signal-safe): days to a civil date by Howard Hinnant's method. */
static size_t put_stamp(char *out)
{
	struct timespec ts;
	long t, days, secs, era, doe, yoe, doy, mp, y, m, d;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = (long)ts.tv_sec + utc_offset_s;
	days = t / 86400 - (t % 86400 < 0);
	secs = t - days * 86400;
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	n = put_dec(out, (unsigned long)y);
	out[n++] = '-';
	n += put_2(out + n, (unsigned)m, '-');
	n += put_2(out + n, (unsigned)d, ' ');
	n += put_2(out + n, (unsigned)(secs / 3600), ':');
	n += put_2(out + n, (unsigned)(secs / 60 % 60), ':');
	n += put_2(out + n, (unsigned)(secs % 60), ' ');
	return n;
}

static const char *syscall_name(int nr)
{
	switch (nr) {
	case SYS_socket: return "socket";
	case SYS_connect: return "connect";
	case SYS_bind: return "bind";
	case SYS_execve: return "execve";
	case SYS_execveat: return "execveat";
	case SYS_fork: return "fork";
	case SYS_vfork: return "vfork";
	case SYS_clone: return "clone";
	case SYS_ptrace: return "ptrace";
	case SYS_kill: return "kill";
	case SYS_open: return "open";
	case SYS_prctl: return "prctl";
	case SYS_mount: return "mount";
	case SYS_setuid: return "setuid";
	default: return "";
	}
}

/* Async-signal-safe: one line to the log (and the terminal in the
 * foreground), then the process ends as a crashed domain. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char line[256];
	size_t n = 0, k = strlen(violation_prefix), stamp;
	const char *name = syscall_name(si->si_syscall);
	static const char what[] = "forbidden system call ";
	static const char end[] = "; the domain is killed as crashed\n";
	int fd = log_file_fd();

	(void)sig, (void)uc;
	stamp = put_stamp(line);
	n = stamp;
	memcpy(line + n, violation_prefix, k);
	n += k;
	memcpy(line + n, what, sizeof what - 1);
	n += sizeof what - 1;
	n += put_dec(line + n, (unsigned long)si->si_syscall);
	if (name[0]) {
		line[n++] = ' ';
		line[n++] = '(';
		memcpy(line + n, name, strlen(name));
		n += strlen(name);
		line[n++] = ')';
	}
	memcpy(line + n, end, sizeof end - 1);
	n += sizeof end - 1;
	if (fd >= 0 && write(fd, line, n) < 0) {
		/* Nothing more can be done from here. */
	}
	/* The terminal gets no time stamp, as in log.c. */
	if (violation_to_stderr && write(STDERR_FILENO, line + stamp, n - stamp) < 0) {
	}
	if (socket_path[0])
		unlink(socket_path);
	_exit(DOMAIN_EXIT_CRASHED);
}

static int install_sigsys(const struct domain *d)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	char why[256];
	time_t now = time(NULL);
	struct tm tm;

	snprintf(violation_prefix, sizeof violation_prefix, "%s: error: sandbox: ", d->cfg.name);
	utc_offset_s = localtime_r(&now, &tm) ? tm.tm_gmtoff : 0;
	if (runtime_socket_path(d->cfg.name, socket_path, sizeof socket_path, why, sizeof why) < 0)
		socket_path[0] = '\0';
	violation_to_stderr = d->foreground;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL);
}

static int install_filter(unsigned what, char *err, size_t errlen)
{
	struct filter f;
	struct sock_fprog prog;

	build_filter(&f, what);
	if (f.n > FILTER_MAX) {
		snprintf(err, errlen, "sandbox: the filter has %u instructions (at most %d)", f.n,
			 FILTER_MAX);
		return -1;
	}
	prog = (struct sock_fprog){.len = (unsigned short)f.n, .filter = f.insns};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0) {
		snprintf(err, errlen, "sandbox: seccomp: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- Landlock ---- */

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define LL_FS_ABI1	((1ull << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER	(1ull << 13)	   /* ABI 2 */
#define LL_FS_TRUNCATE	(1ull << 14)	   /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ull << 15)	   /* ABI 5 */
#define LL_NET_TCP	3ull		   /* bind and connect, ABI 4 */
#define LL_NET_BIND	1ull		   /* bind alone */
#define LL_SCOPE_ALL	3ull		   /* abstract sockets and signals, ABI 6 */
#define LL_RULE_PATH	1
#define LL_WRITE_FILE	(1ull << 1)
#define LL_READ_FILE	(1ull << 2)
#define LL_READ_DIR	(1ull << 3)
#define LL_REMOVE_FILE	(1ull << 5)
#define LL_MAKE_REG	(1ull << 8)

static int ll_add_dir(int ruleset, const char *dir, uint64_t access)
{
	struct ll_path_beneath rule = {.allowed_access = access};
	int rc;

	rule.parent_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rule.parent_fd < 0)
		return -1;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH, &rule, 0);
	close(rule.parent_fd);
	return rc;
}

static void ll_add_file(int ruleset, const char *path, uint64_t access)
{
	struct ll_path_beneath rule = {.allowed_access = access};

	rule.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (rule.parent_fd < 0)
		return;
	syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH, &rule, 0);
	close(rule.parent_fd);
}

/* What libpulse opens when its thread connects again: the directory of
 * its cookie, made at the first connect ($XDG_CONFIG_HOME/pulse, else
 * ~/.config/pulse). Unreadable, it cleans up after itself with rmdir,
 * which the filter forbids. Its client.conf files stay unreadable: their
 * directory would be listed (getdents64, also forbidden). */
static void allow_pulse_config(int ruleset)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX];

	if (xdg && xdg[0] == '/')
		snprintf(dir, sizeof dir, "%s/pulse", xdg);
	else if (home && home[0] == '/')
		snprintf(dir, sizeof dir, "%s/.config/pulse", home);
	else
		return;
	ll_add_file(ruleset, dir, LL_READ_FILE | LL_READ_DIR);
}

/* A sanitizer's log_path=DIR/prefix (in ASAN_OPTIONS or UBSAN_OPTIONS):
 * the reports must still be written. */
static void report_dir(const char *var, char *out, size_t len)
{
	const char *opts = getenv(var);
	const char *p = opts ? strstr(opts, "log_path=") : NULL;
	char *slash;

	out[0] = '\0';
	if (!p)
		return;
	snprintf(out, len, "%s", p + 9);
	out[strcspn(out, ":")] = '\0';
	slash = strrchr(out, '/');
	if (slash && slash != out)
		*slash = '\0';
	else
		out[0] = '\0';
}

/* Returns the ABI in force (0: the kernel has no Landlock) or -1; *out is
 * the ruleset, left open for the threads started before (or -1). */
static int enter_landlock(const struct domain *d, int *out, char *err, size_t errlen)
{
	int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, 1u /* VERSION */);
	struct ll_ruleset_attr attr = {0};
	char state[PATH_MAX], run[PATH_MAX], why[256], reports[PATH_MAX];
	uint64_t file_rights;
	size_t size;
	int rs;

	*out = -1;
	if (abi < 1)
		return 0;
	attr.handled_access_fs = LL_FS_ABI1 | (abi >= 2 ? LL_FS_REFER : 0) |
				 (abi >= 3 ? LL_FS_TRUNCATE : 0) | (abi >= 5 ? LL_FS_IOCTL_DEV : 0);
	attr.handled_access_net = abi < 4 ? 0 : d->cfg.nvifs ? LL_NET_BIND : LL_NET_TCP;
	attr.scoped = abi >= 6 ? LL_SCOPE_ALL : 0;
	size = abi >= 6 ? sizeof attr : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (rs < 0) {
		snprintf(err, errlen, "sandbox: landlock_create_ruleset: %s", strerror(errno));
		return -1;
	}
	file_rights = LL_WRITE_FILE | LL_READ_FILE | LL_READ_DIR | LL_REMOVE_FILE | LL_MAKE_REG |
		      (abi >= 3 ? LL_FS_TRUNCATE : 0);
	snprintf(state, sizeof state, "%s", d->log_path);
	*strrchr(state, '/') = '\0';
	if (ll_add_dir(rs, state, file_rights) < 0 ||
	    runtime_dir(run, sizeof run, why, sizeof why) < 0 ||
	    ll_add_dir(rs, run, LL_READ_DIR | LL_REMOVE_FILE) < 0) {
		snprintf(err, errlen, "sandbox: landlock rules: %s", strerror(errno));
		close(rs);
		return -1;
	}
	if (d->cfg.nvifs)
		ll_add_file(rs, "/etc/resolv.conf", LL_READ_FILE); /* slirp's DNS; may be absent */
	if (strcmp(d->cfg.audio, "pulse") == 0)
		allow_pulse_config(rs);
	report_dir("ASAN_OPTIONS", reports, sizeof reports);
	if (SANDBOX_ASAN && reports[0])
		ll_add_dir(rs, reports, file_rights);
	report_dir("UBSAN_OPTIONS", reports, sizeof reports);
	if (SANDBOX_ASAN && reports[0])
		ll_add_dir(rs, reports, file_rights);
	if (SANDBOX_ASAN)
		ll_add_dir(rs, "/proc", LL_READ_FILE | LL_READ_DIR);
	if (syscall(SYS_landlock_restrict_self, rs, 0) != 0) {
		snprintf(err, errlen, "sandbox: landlock_restrict_self: %s", strerror(errno));
		close(rs);
		return -1;
	}
	*out = rs;
	return abi;
}

/* ---- capabilities and limits ---- */

/* Returns the number of capabilities that were held (0 when none). */
static int drop_capabilities(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {{0}};
	int held = 0;

	if (syscall(SYS_capget, &hdr, data) == 0)
		held =
		    __builtin_popcount(data[0].permitted) + __builtin_popcount(data[1].permitted);
	if (!held)
		return 0;
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(data, 0, sizeof data);
	if (syscall(SYS_capset, &hdr, data) != 0) {
		snprintf(err, errlen, "sandbox: capset: %s", strerror(errno));
		return -1;
	}
	return held;
}

/* ---- threads started before the sandbox ---- */

/* No-new-privileges, capabilities and Landlock belong to a thread, not
 * the process (seccomp's TSYNC is the exception): a thread a library
 * started before the sandbox (PulseAudio's) is confined by running this
 * on it. It also unblocks SIGSYS there, which such a library blocks: a
 * forbidden call on it is then logged like one on any other thread. */
struct confine {
	int ruleset; /* -1: no Landlock */
	char err[160];
};

static void confine_thread(void *arg)
{
	struct confine *c = arg;
	sigset_t sys;
	char why[128];

	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		snprintf(c->err, sizeof c->err, "prctl: %s", strerror(errno));
	else if (drop_capabilities(why, sizeof why) < 0)
		snprintf(c->err, sizeof c->err, "%s", why);
	else if (c->ruleset >= 0 && syscall(SYS_landlock_restrict_self, c->ruleset, 0) != 0)
		snprintf(c->err, sizeof c->err, "landlock_restrict_self: %s", strerror(errno));
}

static int confine_other_threads(struct domain *d, int ruleset, char *err, size_t errlen)
{
	struct confine c = {.ruleset = ruleset};

	if (audio_run_on_threads(d->audio, confine_thread, &c) < 0)
		snprintf(c.err, sizeof c.err, "the sound backend's thread does not answer");
	if (ruleset >= 0)
		close(ruleset);
	if (!c.err[0])
		return 0;
	snprintf(err, errlen, "sandbox: confining the sound backend's thread: %s", c.err);
	return -1;
}

/* Address space now (guest RAM is mapped already), from /proc. */
static uint64_t address_space_now(void)
{
	unsigned long long pages = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f) {
		if (fscanf(f, "%llu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

#define NOFILE_MAX  1024
#define AS_HEADROOM (1ull << 30) /* vCPU stack, malloc arenas, client buffers */

static void set_limits(char *desc, size_t len)
{
	struct rlimit nofile = {NOFILE_MAX, NOFILE_MAX}, core = {0, 0};
	uint64_t as = address_space_now();

	setrlimit(RLIMIT_NOFILE, &nofile);
	setrlimit(RLIMIT_CORE, &core);
	if (SANDBOX_ASAN || !as) {
		snprintf(desc, len, " nofile=%d as=unlimited(%s)", NOFILE_MAX,
			 SANDBOX_ASAN ? "asan" : "unknown");
		return;
	}
	as += AS_HEADROOM;
	setrlimit(RLIMIT_AS, &(struct rlimit){as, as});
	snprintf(desc, len, " nofile=%d as=%lluM", NOFILE_MAX, (unsigned long long)(as >> 20));
}

static bool wanted(const struct domain *d)
{
	const char *env = getenv("HV_SANDBOX");

	return d->cfg.sandbox && !(env && strcmp(env, "0") == 0);
}

int sandbox_enter(struct domain *d, char *err, size_t errlen)
{
	char limits[96], landlock[48];
	const char *selftest = getenv("HV_SANDBOX_SELFTEST");
	unsigned what = (d->cfg.nvifs ? SANDBOX_INET : 0) |
			(strcmp(d->cfg.audio, "pulse") == 0 ? SANDBOX_UNIX : 0);
	int caps, abi, ruleset = -1;

	if (!wanted(d)) {
		snprintf(d->sandbox, sizeof d->sandbox, "off (%s)",
			 d->cfg.sandbox ? "HV_SANDBOX=0" : "sandbox = 0");
		log_warn("sandbox off (%s): the domain process keeps every right of its user",
			 d->cfg.sandbox ? "HV_SANDBOX=0" : "sandbox = 0");
		return 0;
	}
	set_limits(limits, sizeof limits);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    (!SANDBOX_ASAN && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)) {
		snprintf(err, errlen, "sandbox: prctl: %s", strerror(errno));
		return -1;
	}
	caps = drop_capabilities(err, errlen);
	abi = caps < 0 ? -1 : enter_landlock(d, &ruleset, err, errlen);
	if (abi < 0 || confine_other_threads(d, ruleset, err, errlen) < 0 ||
	    install_sigsys(d) < 0 || install_filter(what, err, errlen) < 0)
		return -1;
	if (abi == 0)
		log_info("sandbox: this kernel has no Landlock; files are confined by seccomp and "
			 "permissions only");
	snprintf(landlock, sizeof landlock, abi ? "landlock=abi%d" : "landlock=unavailable", abi);
	snprintf(d->sandbox, sizeof d->sandbox, "seccomp(%zu calls%s%s) nnp %s %s caps=%s%s",
		 sandbox_allowed_count_with(what), d->cfg.nvifs ? ", inet" : "",
		 what & SANDBOX_UNIX ? ", unix" : "", SANDBOX_ASAN ? "dumpable(asan)" : "nodump",
		 landlock, caps > 0 ? "dropped" : "none", limits);
	log_info("sandbox: %s", d->sandbox);
	if (selftest && strcmp(selftest, "1") == 0) {
		log_info("sandbox: self-test: calling socket(), which the filter forbids");
		socket(AF_INET, SOCK_STREAM, 0);
	}
	return 0;
}
