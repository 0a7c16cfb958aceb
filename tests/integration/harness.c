#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char home[256];
static char path_buf[512];

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static char base[200];

const char *h_setup(void)
{
	char dir[300];

	snprintf(home, sizeof home, "%s/t-XXXXXX", base[0] ? base : "/tmp");
	if (!mkdtemp(home))
		abort();
	snprintf(dir, sizeof dir, "%s/run", home);
	mkdir(dir, 0700);
	setenv("XDG_RUNTIME_DIR", dir, 1);
	snprintf(dir, sizeof dir, "%s/state", home);
	setenv("XDG_STATE_HOME", dir, 1);
	signal(SIGPIPE, SIG_IGN);
	return home;
}

const char *h_setup_dir(void)
{
	return home;
}

/* Destroys the domains registered under dir (a runtime directory). */
static void kill_domains_in(const char *dir)
{
	DIR *d;
	struct dirent *e;

	setenv("XDG_RUNTIME_DIR", dir, 1);
	/* dir ends in "/hv"; XDG_RUNTIME_DIR is its parent. */
	*strrchr(getenv("XDG_RUNTIME_DIR"), '/') = '\0';
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char name[128];
		if (n <= 5 || strcmp(e->d_name + n - 5, ".sock") != 0 || n - 5 >= sizeof name)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(n - 5), e->d_name);
		h_hv(NULL, 30, (const char *const[]){"destroy", name, NULL});
	}
	closedir(d);
}

static void kill_domains(void)
{
	char dir[300];

	snprintf(dir, sizeof dir, "%s/run/hv", home);
	kill_domains_in(dir);
}

void h_teardown(void)
{
	char cmd[400];

	kill_domains();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	if (system(cmd) != 0) {
		/* Left behind in /tmp: harmless. */
	}
}

/* Stops the process a pid file names (a server a test started:
 * pulse.c's PulseAudio writes DIR/pulse/pid). */
static void kill_pid_file(const char *path)
{
	char line[32] = "";
	FILE *f = fopen(path, "r");
	long pid;

	if (!f)
		return;
	if (!fgets(line, sizeof line, f))
		line[0] = '\0';
	fclose(f);
	pid = strtol(line, NULL, 10);
	if (pid > 1)
		kill((pid_t)pid, SIGTERM);
}

/* After the suite, from the parent: a test that failed an assertion ended
 * its process before its teardown ran, so its domains and servers are
 * found and stopped here. */
static void cleanup_base(void)
{
	DIR *d = opendir(base);
	struct dirent *e;
	char cmd[300];

	while (d && (e = readdir(d))) {
		char dir[600];
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof dir, "%s/%s/run/hv", base, e->d_name);
		kill_domains_in(dir);
		snprintf(dir, sizeof dir, "%s/%s/pulse/pid", base, e->d_name);
		kill_pid_file(dir);
	}
	if (d)
		closedir(d);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	if (system(cmd) != 0) {
		/* Left behind in /tmp: harmless. */
	}
}

int h_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	snprintf(base, sizeof base, "/tmp/hv-test-XXXXXX");
	if (!mkdtemp(base))
		abort();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	cleanup_base();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static void fixture_setup(void)
{
	h_setup();
}

void h_fixture(TCase *t)
{
	tcase_add_checked_fixture(t, fixture_setup, h_teardown);
}

const char *h_guest_cfg(const char *name, const char *guest, const char *extra)
{
	char text[2048];

	snprintf(text, sizeof text,
		 "name = \"%s\"\nmemory = 16\nengine = \"soft\"\nfirmware = \"%s\"\n%s", name,
		 h_guest(guest), extra);
	return h_write_file("guest.cfg", text);
}

const char *h_guest(const char *name)
{
	snprintf(path_buf, sizeof path_buf, "%s/%s.bin", HV_GUEST_DIR, name);
	return path_buf;
}

const char *h_write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", home, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

static void exec_prog(const char *prog, const char *const *args)
{
	const char *argv[64] = {prog};
	int n = 1;

	for (; args[n - 1] && n < 63; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	execvp(prog, (char *const *)argv);
	_exit(127);
}

static pid_t spawn_prog(const char *prog, const char *const *args, int *in, int *out, int *err)
{
	int pi[2], po[2], pe[2];
	pid_t pid;

	if (pipe(pi) < 0 || pipe(po) < 0 || pipe(pe) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		dup2(pi[0], 0);
		dup2(po[1], 1);
		dup2(err ? pe[1] : po[1], 2);
		close(pi[0]), close(pi[1]), close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
		exec_prog(prog, args);
	}
	close(pi[0]), close(po[1]), close(pe[1]);
	*in = pi[1];
	*out = po[0];
	if (err)
		*err = pe[0];
	else
		close(pe[0]);
	return pid;
}

static int wait_status(pid_t pid, long deadline)
{
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		usleep(2000);
	}
}

static void drain(int fd, char *buf, size_t cap, size_t *len, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (fd < 0 || poll(&p, 1, ms) <= 0)
		return;
	ssize_t n = read(fd, buf + *len, cap - 1 - *len);
	if (n > 0)
		*len += (size_t)n;
	buf[*len] = '\0';
}

static bool exited(pid_t pid)
{
	siginfo_t si = {0};

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

struct h_result *h_hv(const char *input, int timeout_s, const char *const *args)
{
	static struct h_result r;
	int in, out, err;
	size_t no = 0, ne = 0;
	long deadline = now_ms() + timeout_s * 1000L;
	pid_t pid = spawn_prog(HV_BIN, args, &in, &out, &err);

	memset(&r, 0, sizeof r);
	if (input && write(in, input, strlen(input)) < 0) {
		/* hv exited before reading: its status tells. */
	}
	close(in);
	r.status = -2;
	while (r.status == -2) {
		drain(out, r.out, sizeof r.out, &no, 5);
		drain(err, r.err, sizeof r.err, &ne, 5);
		if (exited(pid) || now_ms() > deadline)
			r.status = wait_status(pid, deadline);
	}
	for (int i = 0; i < 50; i++) {
		drain(out, r.out, sizeof r.out, &no, 1);
		drain(err, r.err, sizeof r.err, &ne, 1);
	}
	close(out);
	close(err);
	return &r;
}

void h_spawn_prog(struct h_proc *p, const char *prog, const char *const *args)
{
	memset(p, 0, sizeof *p);
	p->pid = spawn_prog(prog, args, &p->in, &p->out, NULL);
}

void h_spawn(struct h_proc *p, const char *const *args)
{
	h_spawn_prog(p, HV_BIN, args);
}

bool h_expect(struct h_proc *p, const char *needle, int timeout_s)
{
	long deadline = now_ms() + timeout_s * 1000L;

	while (!strstr(p->buf, needle)) {
		size_t before = p->len;
		if (now_ms() > deadline || p->len + 1 >= sizeof p->buf)
			return false;
		drain(p->out, p->buf, sizeof p->buf, &p->len, 50);
		if (p->len == before && exited(p->pid)) {
			drain(p->out, p->buf, sizeof p->buf, &p->len, 50);
			return strstr(p->buf, needle) != NULL;
		}
	}
	return true;
}

void h_send(struct h_proc *p, const char *text)
{
	if (write(p->in, text, strlen(text)) < 0) {
		/* The process is gone; the next expectation fails. */
	}
}

int h_wait(struct h_proc *p, int timeout_s)
{
	int st;

	close(p->in);
	st = wait_status(p->pid, now_ms() + timeout_s * 1000L);
	close(p->out);
	return st;
}

void h_power_off(struct h_proc *p, const char *command, int timeout_s)
{
	int status;

	h_send(p, command);
	ck_assert_msg(h_expect(p, "guest powered off (exit status 0)", timeout_s),
		      "no power-off:\n%s", p->buf);
	status = h_wait(p, timeout_s);
	ck_assert_msg(status == 0, "hv run ended with %d after the guest's power-off", status);
}

const char *h_info(const char *name, const char *key)
{
	static char value[512];
	struct h_result *r = h_hv(NULL, 30, (const char *const[]){"list", "-l", name, NULL});
	char pattern[80];
	const char *p;

	snprintf(pattern, sizeof pattern, "\n    %s ", key);
	p = strstr(r->out, pattern);
	if (r->status != 0 || !p)
		return NULL;
	p += strlen(pattern);
	while (*p == ' ')
		p++;
	snprintf(value, sizeof value, "%.*s", (int)strcspn(p, "\n"), p);
	return value;
}

/* Appends to out (of size n) the lines of `hv list -l` output `list`
 * whose key is one of `keys` (each followed by a space). */
static void add_lines(char *out, size_t n, const char *list, const char *keys)
{
	for (const char *l = list; *l;) {
		const char *k = l + strspn(l, " ");
		size_t klen = strcspn(k, " \n"), llen = strcspn(l, "\n"), len = strlen(out);
		char key[40];

		snprintf(key, sizeof key, "%.*s ", (int)(klen < 38 ? klen : 38), k);
		if (klen > 0 && strstr(keys, key) && len + 1 < n)
			snprintf(out + len, n - len, "%.*s\n", (int)llen, l);
		l += llen + (l[llen] == '\n');
	}
}

const char *h_describe(const char *name)
{
	static char out[8192];
	static const char keys[] = "state insns cpu_time uptime jit_blocks jit_invalidations "
				   "jit_flushes pic0 pit0 com1 serial_dropped ";
	struct h_result *r;

	out[0] = '\0';
	for (int i = 0; i < 2; i++) { /* twice: does the vCPU run, do the timers fire? */
		if (i)
			sleep(2);
		r = h_hv(NULL, 30, (const char *const[]){"list", "-l", name, NULL});
		add_lines(out, sizeof out, r->out, keys);
	}
	r = h_hv(NULL, 30, (const char *const[]){"regs", name, NULL});
	snprintf(out + strlen(out), sizeof out - strlen(out), "%.2000s", r->out);
	return out;
}

int h_runtime_entries(void)
{
	char dir[300];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(dir, sizeof dir, "%s/run/hv", home);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

const char *h_slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* The status of one thread: NULL when confined, else which field is not. */
static const char *thread_unconfined(const char *status)
{
	if (!strstr(status, "\nNoNewPrivs:\t1\n"))
		return "NoNewPrivs";
	if (!strstr(status, "\nSeccomp:\t2\n"))
		return "Seccomp";
	if (getuid() == 0 && !strstr(status, "\nCapEff:\t0000000000000000\n"))
		return "CapEff";
	return NULL;
}

const char *h_threads_confined(const char *name, int *threads)
{
	static char why[512];
	const char *pid = h_info(name, "pid");
	char dir[64], path[400];
	struct dirent *e;
	DIR *d;

	*threads = 0;
	snprintf(dir, sizeof dir, "/proc/%s/task", pid ? pid : "none");
	d = opendir(dir);
	if (!d) {
		snprintf(why, sizeof why, "%s: %s", dir, strerror(errno));
		return why;
	}
	why[0] = '\0';
	while ((e = readdir(d)) && !why[0]) {
		const char *bad;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s/status", dir, e->d_name);
		bad = thread_unconfined(h_slurp(path));
		if (bad)
			snprintf(why, sizeof why, "thread %s (%s): %s", e->d_name,
				 strtok((char *)h_slurp(path) + 6, "\n"), bad);
		(*threads)++;
	}
	closedir(d);
	return why[0] ? why : NULL;
}

int h_run_tool(const char *command, const char **out)
{
	static char text[8192];
	char cmd[1800];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof cmd, "PATH=\"$PATH:/sbin:/usr/sbin\" %s 2>&1", command);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(text, 1, sizeof text - 1, p);
	text[n] = '\0';
	*out = text;
	return pclose(p);
}

void h_check_ext4_file(const char *image, const char *path, const char *text)
{
	const char *out;
	char cmd[1200], line[512];
	int status;

	snprintf(line, sizeof line, "%s\n", text);
	snprintf(cmd, sizeof cmd, "e2fsck -fn '%s'", image);
	status = h_run_tool(cmd, &out);
	ck_assert_msg(status == 0, "e2fsck -fn on %s: status %d:\n%s", image, status, out);
	snprintf(cmd, sizeof cmd, "debugfs -R 'cat %s' '%s'", path, image);
	status = h_run_tool(cmd, &out);
	ck_assert_msg(status == 0 && strstr(out, line), "no '%s' in %s (debugfs status %d):\n%s",
		      text, path, status, out);
}

const char *h_path(const char *name)
{
	static char paths[4][600];
	static unsigned next;
	char *s = paths[next++ % 4];

	snprintf(s, sizeof paths[0], "%s/%s", h_setup_dir(), name);
	return s;
}

void h_consume(struct h_proc *p)
{
	p->len = 0;
	p->buf[0] = '\0';
}

long h_last_tick(const char *name)
{
	struct h_proc p;
	long last = -1;

	h_spawn(&p, (const char *const[]){"console", name, NULL});
	h_expect(&p, "\n__never__", 3);
	for (const char *s = p.buf; (s = strstr(s, "tick ")); s += 5)
		if (s[5] >= '0' && s[5] <= '9')
			last = strtol(s + 5, NULL, 10);
	kill(p.pid, SIGTERM);
	h_wait(&p, 10);
	return last;
}

void h_run_cmd(struct h_proc *p, const char *command, const char *marker, int timeout_s)
{
	h_consume(p);
	h_send(p, command);
	ck_assert_msg(h_expect(p, marker, timeout_s), "no '%s' after %s:\n%s", marker, command,
		      p->buf);
}

const char *h_linux_cfg(const char *dir, const char *name, const char *serial)
{
	char text[2048], files[2][600], cfg[80];

	snprintf(files[0], sizeof files[0], "%s/vmlinuz", dir);
	snprintf(files[1], sizeof files[1], "%s/initramfs.cpio.gz", dir);
	for (int i = 0; i < 2; i++)
		ck_assert_msg(access(files[i], R_OK) == 0,
			      "%s is missing: run bash assets/guests/linux/build.sh", files[i]);
	snprintf(text, sizeof text,
		 "name = \"%s\"\nmemory = 128\nengine = \"soft\"\n"
		 "kernel = \"%s\"\nramdisk = \"%s\"\n"
		 "extra = \"console=ttyS0,115200 quiet panic=-1 cryptomgr.notests\"\n"
		 "serial = \"%s\"\n",
		 name, files[0], files[1], serial);
	snprintf(cfg, sizeof cfg, "%s.cfg", name);
	return h_write_file(cfg, text);
}

/* The number after the last `key` in p's output that is followed by " E",
 * or -1. */
static double last_number(const struct h_proc *p, const char *key)
{
	size_t klen = strlen(key);
	double v = -1;

	for (const char *s = p->buf; (s = strstr(s, key)); s += klen) {
		char *end;
		double x;

		if (s[klen] < '0' || s[klen] > '9')
			continue;
		x = strtod(s + klen, &end);
		if (strncmp(end, " E", 2) == 0)
			v = x;
	}
	return v;
}

double h_wait_number(struct h_proc *p, int timeout_s, const char *key)
{
	for (int i = 0; i < timeout_s; i++) {
		double v = last_number(p, key);

		if (v >= 0)
			return v;
		h_expect(p, "\n__never__", 1);
	}
	ck_abort_msg("no %s in:\n%s", key, p->buf);
	return -1;
}

void h_modern_check(const char *dir)
{
	char root[600];

	snprintf(root, sizeof root, "%s/root.img", dir);
	ck_assert_msg(access(root, R_OK) == 0,
		      "%s is missing: run bash assets/guests/modern/build.sh", root);
}

const char *h_modern_root(const char *dir)
{
	const char *copy = h_path("root.img");
	char cmd[1400];

	h_modern_check(dir);
	snprintf(cmd, sizeof cmd, "cp '%s/root.img' '%s'", dir, copy);
	ck_assert_int_eq(system(cmd), 0);
	return copy;
}

const char *h_modern_cfg(const char *dir, const char *name, const char *args, const char *keys)
{
	char text[4000], file[128];

	snprintf(text, sizeof text,
		 "name = \"%s\"\nmemory = 128\nengine = \"soft\"\n"
		 "kernel = \"%s/vmlinuz\"\nramdisk = \"%s/initramfs.cpio.gz\"\n"
		 "extra = \"console=ttyS0,115200 root=/dev/vda panic=-1 "
		 "cryptomgr.notests%s%s\"\nserial = \"stdio\"\n%s",
		 name, dir, dir, *args ? " " : "", args, keys);
	snprintf(file, sizeof file, "%s.cfg", name);
	return h_write_file(file, text);
}

void h_modern_wait(struct h_proc *p, int timeout_s)
{
	bool up = false, gave_up = false;

	for (int waited = 0; waited < timeout_s && !up && !gave_up; waited += 5) {
		up = h_expect(p, "HV-MODERN-READY", 5);
		gave_up = !up && strstr(p->buf, "initramfs: a shell here");
	}
	ck_assert_msg(up, "no ready marker on COM1; output ends:\n%s",
		      p->buf + (p->len > 3000 ? p->len - 3000 : 0));
	/* hv's ACPI tables (hv/boot/acpi.h): the kernel took the PCI root
	 * bridge and the interrupt routing from them, and its interpreter
	 * found nothing wrong in the AML. */
	ck_assert_msg(strstr(p->buf, "ACPI: PCI Root Bridge [PCI0]") &&
			  strstr(p->buf, "PCI: Using ACPI for IRQ routing"),
		      "the kernel did not use the ACPI PCI root bridge:\n%s", p->buf);
	for (const char *bad = strstr(p->buf, "ACPI"); bad; bad = strstr(bad + 4, "ACPI"))
		ck_assert_msg(
		    strncmp(bad, "ACPI Error", 10) && strncmp(bad, "ACPI BIOS Error", 15) &&
			strncmp(bad, "ACPI Warning", 12) && strncmp(bad, "ACPI BIOS Warning", 17),
		    "the kernel complains about hv's ACPI tables: %.200s", bad);
}

void h_load_left(const char *path, size_t skip, int16_t **samples, size_t *n)
{
	FILE *f = fopen(path, "rb");
	int16_t fr[2];

	ck_assert_msg(f != NULL, "%s missing", path);
	free(*samples);
	*samples = NULL;
	*n = 0;
	fseek(f, (long)skip, SEEK_SET);
	for (size_t cap = 0; fread(fr, sizeof fr, 1, f) == 1; (*n)++) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 65536;
			*samples = realloc(*samples, cap * sizeof **samples);
			ck_assert_ptr_nonnull(*samples);
		}
		(*samples)[*n] = fr[0];
	}
	fclose(f);
}
