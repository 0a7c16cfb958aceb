/* The toolstack against detached domains: create, list, console, pause,
 * unpause, destroy, and the registry's error cases. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "hv/x86/jit.h"

static const char *cfg_with(const char *name, const char *guest, const char *extra)
{
	char text[1024], file[80];

	snprintf(text, sizeof text,
		 "name = \"%s\"\nmemory = 16\nvcpus = 1\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"pty\"\n%s",
		 name, h_guest(guest), extra);
	snprintf(file, sizeof file, "%s.cfg", name);
	return h_write_file(file, text);
}

static const char *cfg(const char *name, const char *guest)
{
	return cfg_with(name, guest, "");
}

static void create_with(const char *name, const char *guest, const char *extra)
{
	struct h_result *r =
	    h_hv(NULL, 60, (const char *const[]){"create", cfg_with(name, guest, extra), NULL});
	char line[128];

	ck_assert_msg(r->status == 0, "hv create failed: %s", r->err);
	snprintf(line, sizeof line, "%s\n", name);
	ck_assert_str_eq(r->out, line);
}

static void create(const char *name, const char *guest)
{
	create_with(name, guest, "");
}

static void hv_ok(const char *const *args)
{
	struct h_result *r = h_hv(NULL, 60, args);

	ck_assert_msg(r->status == 0, "hv %s failed: %s", args[0], r->err);
}

START_TEST(test_created_domain_is_listed_like_xl_list)
{
	struct h_result *r;

	create("alpha", "counter");
	r = h_hv(NULL, 30, (const char *const[]){"list", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_ptr_nonnull(strstr(r->out, "Name"));
	ck_assert_ptr_nonnull(strstr(r->out, "Time(s)"));
	ck_assert_ptr_nonnull(strstr(r->out, "alpha"));
	ck_assert_ptr_nonnull(strstr(r->out, "r-----"));
	ck_assert_str_eq(h_info("alpha", "engine"), "soft");
	ck_assert_str_eq(h_info("alpha", "mem"), "16");
	ck_assert_ptr_nonnull(strstr(h_info("alpha", "serial"), "pty:/dev/pts/"));
}
END_TEST

/* `hv` alone: the orientation, naming what runs (nothing, then a domain),
 * the demo and where configs live; exit status 0. */
START_TEST(test_hv_alone_orients_a_first_time_user)
{
	struct h_result *r = h_hv(NULL, 30, (const char *const[]){NULL});

	ck_assert_msg(r->status == 0, "%d %s", r->status, r->err);
	ck_assert_msg(strstr(r->out, "Domains:  none running."), "%s", r->out);
	ck_assert_msg(strstr(r->out, "'hv demo'") && strstr(r->out, "guests/*/*.cfg") &&
			  strstr(r->out, "hv --help"),
		      "%s", r->out);
	create("first", "counter");
	create("second", "counter");
	r = h_hv(NULL, 30, (const char *const[]){NULL});
	ck_assert_msg(r->status == 0 && strstr(r->out, "Domains:  2 running:") &&
			  strstr(r->out, " first") && strstr(r->out, " second"),
		      "%s", r->out);
}
END_TEST

/* hv vcpu-list: xl's columns, one vCPU (0) with its host CPU, its state
 * from the domain's (running, then paused) and the thread's affinity. */
START_TEST(test_vcpu_list_shows_one_vcpu_per_domain_like_xl)
{
	struct h_result *r;
	char name[40], state[8], aff[64];
	int id, vcpu, cpu;
	double t;

	create("vc", "counter");
	hv_ok((const char *const[]){"pause", "vc", NULL});
	r = h_hv(NULL, 30, (const char *const[]){"vcpu-list", NULL});
	ck_assert_msg(r->status == 0, "%s", r->err);
	ck_assert_msg(strstr(r->out, "Name") && strstr(r->out, "VCPU") && strstr(r->out, "CPU") &&
			  strstr(r->out, "Time(s)") && strstr(r->out, "Affinity (Hard / Soft)"),
		      "%s", r->out);
	ck_assert_msg(strstr(r->out, "\nvc "), "%s", r->out);
	ck_assert_int_eq(sscanf(strstr(r->out, "\nvc ") + 1, "%39s %d %d %d %7s %lf %63s", name,
				&id, &vcpu, &cpu, state, &t, aff),
			 7);
	ck_assert_str_eq(name, "vc");
	ck_assert_int_eq(vcpu, 0);
	ck_assert_int_ge(cpu, 0);
	ck_assert_str_eq(state, "--p");
	ck_assert_str_eq(aff, "all");
	r = h_hv(NULL, 30, (const char *const[]){"vcpu-list", "nosuch", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_msg(strstr(r->err, "no domain named 'nosuch'"), "%s", r->err);
}
END_TEST

START_TEST(test_console_shows_output_and_takes_input_then_detaches)
{
	struct h_proc p;

	create("echoer", "echo");
	h_spawn(&p, (const char *const[]){"console", "echoer", NULL});
	ck_assert_msg(h_expect(&p, "ready> ", 60), "no prompt: %s", p.buf);
	h_send(&p, "console input\r");
	ck_assert_msg(h_expect(&p, "you said: CONSOLE INPUT", 60), "no answer: %s", p.buf);
	h_send(&p, "\x1d");
	ck_assert_int_eq(h_wait(&p, 30), 0);
	/* Detaching left the domain running. */
	ck_assert_ptr_nonnull(h_info("echoer", "state"));
}
END_TEST

START_TEST(test_pause_stops_the_clock_and_unpause_resumes_it)
{
	long long c1, c2, c3;

	create("ticker", "counter");
	hv_ok((const char *const[]){"pause", "ticker", NULL});
	ck_assert_str_eq(h_info("ticker", "state"), "paused");
	c1 = atoll(h_info("ticker", "clock_ns"));
	usleep(300 * 1000);
	c2 = atoll(h_info("ticker", "clock_ns"));
	ck_assert_int_eq(c1, c2);
	ck_assert_ptr_nonnull(
	    strstr(h_hv(NULL, 30, (const char *const[]){"list", NULL})->out, "--p---"));
	hv_ok((const char *const[]){"unpause", "ticker", NULL});
	usleep(300 * 1000);
	c3 = atoll(h_info("ticker", "clock_ns"));
	ck_assert_int_gt(c3, c2);
	ck_assert_str_ne(h_info("ticker", "state"), "paused");
}
END_TEST

START_TEST(test_paused_guest_makes_no_progress)
{
	long long i1, i2;

	create("frozen", "counter");
	hv_ok((const char *const[]){"pause", "frozen", NULL});
	i1 = atoll(h_info("frozen", "insns"));
	usleep(300 * 1000);
	i2 = atoll(h_info("frozen", "insns"));
	ck_assert_int_eq(i1, i2);
	hv_ok((const char *const[]){"unpause", "frozen", NULL});
}
END_TEST

/* A number of `hv list -l`, or -1 when the key is missing. */
static long long info_num(const char *name, const char *key)
{
	const char *v = h_info(name, key);

	return v ? atoll(v) : -1;
}

/* The soft CPU's JIT in `hv list -l`: the counter guest's loop gets
 * translated; a domain with `jit = 0` says off and has no counters. */
START_TEST(test_list_shows_the_jit_counters)
{
	long long blocks = 0;

	const char *env = getenv("HV_JIT");

	create("hot", "counter");
	create_with("cold", "counter", "jit = 0\n");
	ck_assert_str_eq(h_info("cold", "jit"), "off");
	ck_assert_ptr_null(h_info("cold", "jit_blocks"));
	if (env && strcmp(env, "0") == 0) {
		/* A run with the JIT off everywhere. */
		ck_assert_str_eq(h_info("hot", "jit"), "off");
		return;
	}
	ck_assert_str_eq(h_info("hot", "jit"), "on");
	for (int i = 0; i < 300 && blocks <= 0; i++) {
		usleep(100 * 1000);
		blocks = info_num("hot", "jit_blocks");
	}
	ck_assert_int_gt(blocks, 0);
	ck_assert_int_gt(info_num("hot", "jit_code_bytes"), 0);
	ck_assert_int_eq(info_num("hot", "jit_code_size"), X86_JIT_BUF_SIZE);
	ck_assert_double_gt(atof(h_info("hot", "jit_time_ms")), 0);
	ck_assert_int_ge(info_num("hot", "jit_invalidations"), 0);
	ck_assert_int_eq(info_num("hot", "jit_flushes"), 0);
}
END_TEST

START_TEST(test_halted_guest_is_blocked_and_uses_no_cpu)
{
	struct h_proc p;
	double t1, t2, h1, h2;

	create("sleeper", "idle");
	h_spawn(&p, (const char *const[]){"console", "sleeper", NULL});
	ck_assert(h_expect(&p, "idle now", 60));
	kill(p.pid, SIGTERM);
	h_wait(&p, 10);
	ck_assert_str_eq(h_info("sleeper", "state"), "blocked");
	ck_assert_str_eq(h_info("sleeper", "post"), "0x42");
	ck_assert_str_eq(h_info("sleeper", "post_count"), "2");
	ck_assert_ptr_nonnull(strstr(h_slurp(h_info("sleeper", "log")), "POST code 0x42"));
	t1 = atof(h_info("sleeper", "cpu_time"));
	h1 = atof(h_info("sleeper", "halted_time"));
	sleep(1);
	t2 = atof(h_info("sleeper", "cpu_time"));
	h2 = atof(h_info("sleeper", "halted_time"));
	/* A sleeping vCPU thread accrues no CPU time at all; 10 ms of slack
	 * covers the wake-ups of the control socket's own requests. Its
	 * time asleep in HLT grows with the host's clock, the sleep under
	 * way included: the second of sleep(1), less the same slack. */
	ck_assert_double_lt(t2 - t1, 0.01);
	ck_assert_double_ge(h2 - h1, 0.99);
}
END_TEST

/* Whether another domain could open the image read-write now: the write
 * lock hv takes on its disks (an open file description lock) is free. */
static bool image_unlocked(const char *path)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	int fd = open(path, O_RDWR | O_CLOEXEC);
	bool free_ = fd >= 0 && fcntl(fd, F_OFD_SETLK, &fl) == 0;

	if (fd >= 0)
		close(fd);
	return free_;
}

/* hv destroy returns once the domain is gone, its disks' locks with it
 * (snapshot-revert and restore start the next domain on them at once). */
START_TEST(test_destroy_removes_the_domain_and_leaves_the_runtime_dir_clean)
{
	struct h_result *r;
	char img[512], extra[600];

	snprintf(img, sizeof img, "%s", h_write_file("gone.img", ""));
	ck_assert_int_eq(truncate(img, 1 << 20), 0);
	snprintf(extra, sizeof extra, "disk = [ '%s,raw,hda,rw' ]\n", img);
	create_with("gone", "counter", extra);
	ck_assert_int_eq(h_runtime_entries(), 1);
	ck_assert(!image_unlocked(img));
	hv_ok((const char *const[]){"destroy", "gone", NULL});
	ck_assert_msg(image_unlocked(img), "hv destroy returned with the disk still locked");
	ck_assert_int_eq(h_runtime_entries(), 0);
	r = h_hv(NULL, 30, (const char *const[]){"list", NULL});
	ck_assert_ptr_null(strstr(r->out, "gone"));
	r = h_hv(NULL, 30, (const char *const[]){"pause", "gone", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_str_eq(r->err, "hv: no domain named 'gone'\n");
}
END_TEST

START_TEST(test_second_domain_with_a_name_in_use_is_refused)
{
	struct h_result *r;

	create("twin", "counter");
	r = h_hv(NULL, 60, (const char *const[]){"create", cfg("twin", "counter"), NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_str_eq(r->err, "hv: a domain named 'twin' already exists (id 1)\n");
	ck_assert_int_eq(h_runtime_entries(), 1);
}
END_TEST

START_TEST(test_two_domains_get_distinct_ids)
{
	create("one", "counter");
	create("two", "counter");
	ck_assert_str_eq(h_info("one", "id"), "1");
	ck_assert_str_eq(h_info("two", "id"), "2");
}
END_TEST

/* A dead domain's socket: bound, then its owner gone. */
static void make_stale_socket(const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	char dir[400];

	snprintf(dir, sizeof dir, "%s/run/hv", h_setup_dir());
	mkdir(dir, 0700);
	ck_assert_int_lt(snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%s.sock", dir, name),
			 (int)sizeof sa.sun_path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	close(fd);
}

START_TEST(test_stale_socket_of_a_dead_domain_is_cleaned_up)
{
	struct h_result *r;

	make_stale_socket("ghost");
	r = h_hv(NULL, 30, (const char *const[]){"list", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_ptr_null(strstr(r->out, "ghost"));
	ck_assert_int_eq(h_runtime_entries(), 0);
	make_stale_socket("ghost");
	create("ghost", "counter");
	ck_assert_str_eq(h_info("ghost", "state"), "running");
}
END_TEST

START_TEST(test_console_client_vanishing_mid_stream_harms_nothing)
{
	static const char *const names[] = {"noisy", "noisy1", "noisy2"};

	for (int i = 0; i < 3; i++) {
		struct h_proc p;
		create(names[i], "counter");
		h_spawn(&p, (const char *const[]){"console", names[i], NULL});
		ck_assert(h_expect(&p, "tick", 60));
		kill(p.pid, SIGKILL);
		h_wait(&p, 10);
	}
	ck_assert_str_eq(h_info("noisy", "state"), "running");
	ck_assert_str_eq(h_info("noisy2", "state"), "running");
}
END_TEST

/* A domain "proto" and a protocol session with it through socat, the
 * documented way to script a domain. */
static void open_session(struct h_proc *p)
{
	char sock[512];

	create("proto", "counter");
	snprintf(sock, sizeof sock, "UNIX-CONNECT:%s/run/hv/proto.sock", h_setup_dir());
	h_spawn_prog(p, "socat", (const char *const[]){"-", sock, NULL});
	ck_assert_msg(h_expect(p, "hv-control 1 id=1 name=proto", 30), "%s", p->buf);
}

START_TEST(test_protocol_answers_unknown_commands_with_an_error)
{
	struct h_proc p;

	open_session(&p);
	h_send(&p, "frobnicate\n");
	ck_assert(h_expect(&p, "error unknown command 'frobnicate'", 30));
	h_send(&p, "version\n");
	ck_assert(h_expect(&p, "ok protocol=1", 30));
	h_send(&p, "quit\n");
	h_wait(&p, 30);
}
END_TEST

START_TEST(test_protocol_help_comes_from_the_request_table_and_arguments_are_checked)
{
	struct h_proc p;

	open_session(&p);
	h_send(&p, "help\n");
	ck_assert_msg(
	    h_expect(&p,
		     "ok commands=\"info pause unpause reboot destroy save disks overlay snapshot "
		     "migrate-send migrate-status migrate-cancel trigger cd-insert "
		     "cd-eject floppy-insert "
		     "audio console display send-keys send-text screen regs version help quit\"",
		     30),
	    "%s", p.buf);
	h_send(&p, "help console\n");
	ck_assert_msg(
	    h_expect(
		&p,
		"ok request=console usage=\"[port=N|port=hvc0|type=serial|type=pv] [live]\" what=",
		30),
	    "%s", p.buf);
	/* A request that takes no argument refuses one and does nothing. */
	h_send(&p, "pause extra\n");
	ck_assert_msg(h_expect(&p, "error pause takes no argument, not 'extra'", 30), "%s", p.buf);
	ck_assert_str_ne(h_info("proto", "state"), "paused");
	/* A NUL byte inside a request is refused, not read as "pause". */
	ck_assert_int_eq(write(p.in, "pause\0 now\n", 11), 11);
	ck_assert_msg(h_expect(&p, "error a request holds a NUL byte", 30), "%s", p.buf);
	ck_assert_str_ne(h_info("proto", "state"), "paused");
	h_send(&p, "quit\n");
	h_wait(&p, 30);
}
END_TEST

START_TEST(test_a_runtime_dir_too_long_for_a_socket_is_named_as_such)
{
	char dir[300], hv[320];
	struct h_result *r;

	snprintf(dir, sizeof dir, "%s/%0120d", h_setup_dir(), 0);
	snprintf(hv, sizeof hv, "%s/hv", dir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(mkdir(hv, 0700), 0);
	setenv("XDG_RUNTIME_DIR", dir, 1);
	r = h_hv(NULL, 60, (const char *const[]){"create", cfg("longdir", "counter"), NULL});
	ck_assert_int_ne(r->status, 0);
	ck_assert_msg(strstr(r->err, "path too long for a socket (at most 107 bytes)"), "%s",
		      r->err);
}
END_TEST

/* The legacy guest's VGA screen, polled until it shows needle (SYSLINUX
 * on the soft CPU beside a booting Linux: generous, only a hang waits
 * this long). */
static bool legacy_screen_has(const char *needle)
{
	for (int i = 0; i < 3000; i++) {
		struct h_result *r =
		    h_hv(NULL, 30, (const char *const[]){"screen", "legacy", "--text", NULL});
		if (r->status == 0 && strstr(r->out, needle))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

START_TEST(test_demo_starts_a_legacy_and_a_modern_guest)
{
	struct h_result *r = h_hv(NULL, 120, (const char *const[]){"demo", NULL});
	bool have_modern = access(HV_SOURCE_DIR "/assets/guests/modern/out/vmlinuz", R_OK) == 0 &&
			   access(HV_SOURCE_DIR "/assets/guests/modern/out/root.img", R_OK) == 0;
	char copy[600];
	const char *log;

	ck_assert_msg(r->status == 0, "status %d: %s", r->status, r->err);
	/* SYSLINUX (the syslinux recipe's floppy) drew its whole menu on the
	 * VGA screen, and mirrored it on COM1 (the console log). */
	ck_assert(legacy_screen_has("Press [Tab] to edit options"));
	ck_assert(legacy_screen_has("hv SYSLINUX test floppy"));
	ck_assert(legacy_screen_has("Hardware Detection Tool"));
	log = h_info("legacy", "log");
	ck_assert_ptr_nonnull(log);
	snprintf(copy, sizeof copy, "%.*s.console.log", (int)(strlen(log) - 4), log);
	ck_assert_msg(strstr(h_slurp(copy), "hv SYSLINUX test floppy"), "%s: %s", copy,
		      h_slurp(copy));
	/* Its second entry chainloads the IDE disk, our BIOS typewriter,
	 * which takes keys and then sleeps in HLT. */
	ck_assert_int_eq(
	    h_hv(NULL, 30, (const char *const[]){"send-keys", "legacy", "down", NULL})->status, 0);
	ck_assert_int_eq(
	    h_hv(NULL, 30, (const char *const[]){"send-keys", "legacy", "ret", NULL})->status, 0);
	ck_assert(legacy_screen_has("hv legacy demo: SeaBIOS, VGA"));
	ck_assert_int_eq(
	    h_hv(NULL, 60, (const char *const[]){"send-keys", "legacy", "--text", "hv!", NULL})
		->status,
	    0);
	ck_assert(legacy_screen_has("\nhv!"));
	for (int i = 0; i < 300 && strcmp(h_info("legacy", "state"), "blocked") != 0; i++)
		usleep(100 * 1000);
	ck_assert_str_eq(h_info("legacy", "state"), "blocked");
	if (have_modern) {
		/* The modern recipe: virtio-blk root (a copy in the state
		 * directory), virtio-rng, its primary console on hvc0. */
		ck_assert_str_eq(h_info("modern", "engine"), "soft");
		ck_assert_str_eq(h_info("modern", "primary_console"), "hvc0");
		ck_assert_ptr_nonnull(h_info("modern", "hvc0"));
		ck_assert_ptr_nonnull(h_info("modern", "rng0"));
		ck_assert_ptr_nonnull(h_info("modern", "vda"));
		ck_assert_ptr_nonnull(h_info("modern", "disk_read_bytes"));
		/* The root is a copy beside the domain's log, not the recipe's. */
		log = h_info("modern", "log");
		ck_assert_ptr_nonnull(log);
		ck_assert_ptr_nonnull(strrchr(log, '/'));
		snprintf(copy, sizeof copy, "%.*s/demo-modern-root.img",
			 (int)(strrchr(log, '/') - log), log);
		ck_assert_msg(access(copy, R_OK) == 0, "no %s", copy);
	} else {
		ck_assert_ptr_nonnull(strstr(r->err, "assets/guests/modern/build.sh"));
	}
	/* A second `hv demo` starts nothing new. */
	r = h_hv(NULL, 120, (const char *const[]){"demo", NULL});
	ck_assert_int_eq(r->status, 0);
	ck_assert_int_eq(h_runtime_entries(), have_modern ? 2 : 1);
	h_hv(NULL, 30, (const char *const[]){"destroy", "legacy", NULL});
	h_hv(NULL, 30, (const char *const[]){"destroy", "modern", NULL});
	ck_assert_int_eq(h_runtime_entries(), 0);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *t = tcase_create("lifecycle");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_created_domain_is_listed_like_xl_list);
	tcase_add_test(t, test_hv_alone_orients_a_first_time_user);
	tcase_add_test(t, test_vcpu_list_shows_one_vcpu_per_domain_like_xl);
	tcase_add_test(t, test_console_shows_output_and_takes_input_then_detaches);
	tcase_add_test(t, test_pause_stops_the_clock_and_unpause_resumes_it);
	tcase_add_test(t, test_paused_guest_makes_no_progress);
	tcase_add_test(t, test_list_shows_the_jit_counters);
	tcase_add_test(t, test_halted_guest_is_blocked_and_uses_no_cpu);
	tcase_add_test(t, test_destroy_removes_the_domain_and_leaves_the_runtime_dir_clean);
	tcase_add_test(t, test_second_domain_with_a_name_in_use_is_refused);
	tcase_add_test(t, test_two_domains_get_distinct_ids);
	tcase_add_test(t, test_stale_socket_of_a_dead_domain_is_cleaned_up);
	tcase_add_test(t, test_console_client_vanishing_mid_stream_harms_nothing);
	tcase_add_test(t, test_protocol_answers_unknown_commands_with_an_error);
	tcase_add_test(t, test_a_runtime_dir_too_long_for_a_socket_is_named_as_such);
	tcase_add_test(t,
		       test_protocol_help_comes_from_the_request_table_and_arguments_are_checked);
	tcase_add_test(t, test_demo_starts_a_legacy_and_a_modern_guest);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(cli_suite());
}
