/* Helpers for integration suites: run the real hv binary in a private
 * runtime and state directory, feed it input, read its output with
 * deadlines (generous ones: a slow CI machine only waits longer, it never
 * fails a test that would pass). */
#ifndef HV_TEST_HARNESS_H
#define HV_TEST_HARNESS_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Runs the suite with every test's directory under one base directory,
 * then destroys any domain a failed test left and removes the base.
 * Returns the exit status for main. */
int h_main(Suite *s);

/* Makes a fresh temporary home for this test: XDG_RUNTIME_DIR and
 * XDG_STATE_HOME point inside it. Returns its path. */
const char *h_setup(void);

/* Gives the test case a fresh h_setup() home per test and h_teardown()
 * after it. */
void h_fixture(TCase *t);

/* Writes a config booting guest program `guest` as domain `name` (16 MiB,
 * soft engine) with `extra` lines appended; returns its path. */
const char *h_guest_cfg(const char *name, const char *guest, const char *extra);

/* The directory h_setup made. */
const char *h_setup_dir(void);

/* Removes what h_setup made and kills domains it may have left. */
void h_teardown(void);

/* The path of a built guest program, e.g. h_guest("hello"). */
const char *h_guest(const char *name);

/* Writes text to a file in the test directory; returns its path. */
const char *h_write_file(const char *name, const char *text);

struct h_result {
	int status; /* exit status, or 128+signal */
	char out[65536];
	char err[16384];
};

/* Runs hv with args (NULL-terminated), stdin from `input` (NULL: empty),
 * waits at most timeout_s. Returns the result (static storage). */
struct h_result *h_hv(const char *input, int timeout_s, const char *const *args);

/* A running hv process with pipes. */
struct h_proc {
	pid_t pid;
	int in;	 /* its stdin */
	int out; /* its stdout and stderr */
	char buf[65536];
	size_t len;
};

void h_spawn(struct h_proc *p, const char *const *args);

/* The same for another program (looked up in PATH), e.g. socat. */
void h_spawn_prog(struct h_proc *p, const char *prog, const char *const *args);

/* Reads the process's output until `needle` appears (true) or timeout_s
 * passes (false). The output so far stays in p->buf. */
bool h_expect(struct h_proc *p, const char *needle, int timeout_s);

void h_send(struct h_proc *p, const char *text);

/* Waits for the process to end; returns its status, or -1 on timeout
 * (after which it is killed). */
int h_wait(struct h_proc *p, int timeout_s);

/* Types `command` (the guest shell's power-off, with its newline) and
 * asserts that the guest powers off with status 0 and hv run exits with
 * 0. It waits for hv's own line: the kernel's "Power down" can be cut in
 * two by a log line of hv's on the same pipe. */
void h_power_off(struct h_proc *p, const char *command, int timeout_s);

/* A value from `hv list -l NAME` ("state", "clock_ns", ...), or NULL. */
const char *h_info(const char *name, const char *key);

/* For a failure's message: what `hv list -l NAME` says of the vCPU, the
 * timer, the interrupt controller and COM1, twice 2 s apart (whether the
 * guest runs and its timer ticks), then `hv regs NAME` (static storage). */
const char *h_describe(const char *name);

/* Number of entries in the runtime directory. */
int h_runtime_entries(void);

/* Runs a shell command with e2fsprogs' /sbin on PATH; returns its exit
 * status and its output (static storage) in *out. */
int h_run_tool(const char *command, const char **out);

/* After a guest's power-off: e2fsck finds the ext4 file system in image
 * clean without fixing anything, and its file `path` holds the line
 * `text`. */
void h_check_ext4_file(const char *image, const char *path, const char *text);

/* Contents of a file (static storage), "" if missing. */
const char *h_slurp(const char *path);

/* Checks that every thread of domain `name` is confined like its main
 * thread (no_new_privs, a seccomp filter, and no capabilities when the
 * test runs as root): NULL, or what is not (static storage). *threads is
 * how many were checked. */
const char *h_threads_confined(const char *name, int *threads);

/* Reads the left channel of the interleaved stereo S16LE frames in path,
 * after its first `skip` bytes (44: a WAV header), into *samples (freed
 * first; realloc'ed) and their count into *n. */
void h_load_left(const char *path, size_t skip, int16_t **samples, size_t *n);

/* h_setup_dir()/name (static storage: the last four results stay valid). */
const char *h_path(const char *name);

/* The last "tick N" that `hv console name` shows of domain name's
 * scrollback (the counter guests of test_save and test_migrate), or -1. */
long h_last_tick(const char *name);

/* Forgets the output read so far: p->buf holds what comes next. */
void h_consume(struct h_proc *p);

/* Forgets the output so far, types `command` and asserts that `marker`
 * (which the command prints last) follows within timeout_s; its output
 * is then in p->buf. */
void h_run_cmd(struct h_proc *p, const char *command, const char *marker, int timeout_s);

/* Writes NAME.cfg for the Linux test guest in dir (assets/guests/linux:
 * vmlinuz and initramfs.cpio.gz, which must be there) booted on the soft
 * CPU with 128 MiB and COM1 as `serial` ("stdio", "pty"); returns its path.
 * quiet keeps the boot log short; cryptomgr.notests skips the kernel's
 * crypto self-tests, which take minutes on the soft CPU. */
const char *h_linux_cfg(const char *dir, const char *name, const char *serial);

/* Waits up to timeout_s for a whole "KEY<number> E" in p's output (the
 * guest printed all of it: the E follows) and returns the last such
 * number; fails the test if none comes. */
double h_wait_number(struct h_proc *p, int timeout_s, const char *key);

/* The modern guest of assets/guests/modern, built into the directory
 * `dir` (the suites get it as HV_MODERN_GUEST_DIR). */

/* Asserts that dir holds the guest's root.img (else: how to build it). */
void h_modern_check(const char *dir);

/* Copies the guest's root.img into the test directory; returns the
 * copy's path. */
const char *h_modern_root(const char *dir);

/* Writes name.cfg and returns its path: domain `name` with 128 MiB on the
 * soft engine, booting the guest's kernel and initramfs directly with
 * root=/dev/vda and its console on COM1 (serial on stdio); `args` are
 * more kernel arguments ("" for none) and `keys` more config lines (the
 * disks, at least the root as xvda). */
const char *h_modern_cfg(const char *dir, const char *name, const char *args, const char *keys);

/* Waits at most timeout_s until COM1 says the root is up
 * (HV-MODERN-READY) and asserts it did, showing the end of the output if
 * not; fails at once if the initramfs gave up finding its root disk.
 * Then asserts that the kernel found the PCI root bridge and the interrupt
 * routing in hv's ACPI tables and logged no ACPI error or warning. */
void h_modern_wait(struct h_proc *p, int timeout_s);

#endif
