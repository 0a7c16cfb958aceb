/* hv/domain/sandbox.c's seccomp filter, run by the same rules as the
 * kernel's: what a domain needs passes, what an attacker wants does not.
 * The filter installed for real is tested in integration.test_sandbox. */
#include <sched.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "hv/domain/sandbox.h"
#include "unit.h"

START_TEST(test_the_event_loop_and_vcpu_calls_pass)
{
	long needed[] = {SYS_read,     SYS_write,	 SYS_ppoll,	      SYS_poll,
			 SYS_futex,    SYS_accept4,	 SYS_sendmsg,	      SYS_recvmsg,
			 SYS_mmap,     SYS_munmap,	 SYS_openat,	      SYS_rename,
			 SYS_unlink,   SYS_ioctl,	 SYS_clock_nanosleep, SYS_exit_group,
			 SYS_tgkill,   SYS_rt_sigreturn, SYS_fallocate,	      SYS_pwritev,
			 SYS_fdatasync};

	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
		ck_assert_msg(sandbox_allows(needed[i], 0), "system call %ld refused", needed[i]);
}
END_TEST

/* The soft CPU's JIT maps its code buffer (hv/x86/jit_buf.c): a memfd
 * sized and mapped twice, one view executable (mmap's protection is not
 * filtered), unmapped at the end. */
START_TEST(test_the_jit_code_buffer_calls_pass)
{
	long needed[] = {SYS_memfd_create, SYS_ftruncate, SYS_mmap, SYS_munmap, SYS_close};

	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
		ck_assert_msg(sandbox_allows(needed[i], 0), "system call %ld refused", needed[i]);
}
END_TEST

START_TEST(test_new_programs_and_network_are_refused)
{
	long refused[] = {SYS_execve,	       SYS_execveat,	SYS_fork,	SYS_vfork,
			  SYS_socket,	       SYS_connect,	SYS_bind,	SYS_mount,
			  SYS_setuid,	       SYS_init_module, SYS_kexec_load, SYS_bpf,
			  SYS_perf_event_open, SYS_seccomp};

	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		ck_assert_msg(!sandbox_allows(refused[i], 0), "system call %ld allowed",
			      refused[i]);
	ck_assert(!sandbox_allows(0x40000000 + SYS_read, 0)); /* x32 */
}
END_TEST

/* A domain with a vif: IPv4 sockets for libslirp, nothing else new. */
START_TEST(test_a_network_adds_ipv4_sockets_only)
{
	long net[] = {SYS_connect, SYS_bind,	   SYS_listen,	    SYS_sendto,	 SYS_recvfrom,
		      SYS_accept,  SYS_setsockopt, SYS_getsockname, SYS_shutdown};
	long still_refused[] = {SYS_execve, SYS_fork, SYS_mount, SYS_socketpair, SYS_bpf};

	for (size_t i = 0; i < sizeof net / sizeof net[0]; i++)
		ck_assert_msg(sandbox_allows_net(net[i], 0), "system call %ld refused", net[i]);
	ck_assert(sandbox_allows_net(SYS_socket, AF_INET));
	ck_assert(!sandbox_allows_net(SYS_socket, AF_INET6));
	ck_assert(!sandbox_allows_net(SYS_socket, AF_UNIX));
	ck_assert(!sandbox_allows_net(SYS_socket, AF_NETLINK));
	ck_assert(!sandbox_allows_net(SYS_socket, AF_PACKET));
	for (size_t i = 0; i < sizeof still_refused / sizeof still_refused[0]; i++)
		ck_assert_msg(!sandbox_allows_net(still_refused[i], 0), "system call %ld allowed",
			      still_refused[i]);
	/* Without a vif nothing of it. */
	ck_assert(!sandbox_allows(SYS_socket, AF_INET));
	ck_assert(!sandbox_allows(SYS_listen, 0));
	ck_assert(sandbox_allows_net(SYS_read, 0) && sandbox_allows_net(SYS_ppoll, 0));
	ck_assert_uint_eq(sandbox_allowed_count_net(), sandbox_allowed_count() + 4);
}
END_TEST

/* A domain playing through PulseAudio: its client connects again after
 * the server went away (local sockets, connect, and what a new context
 * asks: uname, readlink of /proc/self/exe), nothing else new. */
START_TEST(test_pulseaudio_adds_local_sockets_only)
{
	long pulse[] = {SYS_connect, SYS_uname,	  SYS_readlink,
			SYS_sendmsg, SYS_recvmsg, SYS_getsockopt};
	long still_refused[] = {SYS_bind, SYS_listen, SYS_execve, SYS_fork, SYS_socketpair};

	for (size_t i = 0; i < sizeof pulse / sizeof pulse[0]; i++)
		ck_assert_msg(sandbox_allows_with(SANDBOX_UNIX, pulse[i], 0),
			      "system call %ld refused", pulse[i]);
	ck_assert(sandbox_allows_with(SANDBOX_UNIX, SYS_socket, AF_UNIX));
	ck_assert(!sandbox_allows_with(SANDBOX_UNIX, SYS_socket, AF_INET));
	ck_assert(!sandbox_allows_with(SANDBOX_UNIX, SYS_socket, AF_INET6));
	ck_assert(!sandbox_allows_with(SANDBOX_UNIX, SYS_socket, AF_NETLINK));
	for (size_t i = 0; i < sizeof still_refused / sizeof still_refused[0]; i++)
		ck_assert_msg(!sandbox_allows_with(SANDBOX_UNIX, still_refused[i], 0),
			      "system call %ld allowed", still_refused[i]);
	/* Without it, none of it (readlink only for ASan's own needs). */
	ck_assert(!sandbox_allows(SYS_socket, AF_UNIX));
	ck_assert(!sandbox_allows(SYS_connect, 0));
#ifndef __SANITIZE_ADDRESS__
	ck_assert(!sandbox_allows(SYS_uname, 0));
	ck_assert(!sandbox_allows(SYS_readlink, 0));
	ck_assert(!sandbox_allows(SYS_access, 0));
#endif
	ck_assert(!sandbox_allows(SYS_umask, 0));
	ck_assert(!sandbox_allows(SYS_faccessat2, 0));
	/* libpulse's check for a legacy ~/.pulse, in any of its forms. */
	ck_assert(sandbox_allows_with(SANDBOX_UNIX, SYS_access, 0));
	ck_assert(sandbox_allows_with(SANDBOX_UNIX, SYS_faccessat, 0));
	ck_assert(sandbox_allows_with(SANDBOX_UNIX, SYS_faccessat2, 0));
	ck_assert_uint_eq(sandbox_allowed_count_with(SANDBOX_UNIX), sandbox_allowed_count() + 8);
	/* With a network as well: both families, connect once. */
	ck_assert(sandbox_allows_with(SANDBOX_UNIX | SANDBOX_INET, SYS_socket, AF_UNIX));
	ck_assert(sandbox_allows_with(SANDBOX_UNIX | SANDBOX_INET, SYS_socket, AF_INET));
	ck_assert(!sandbox_allows_with(SANDBOX_UNIX | SANDBOX_INET, SYS_socket, AF_INET6));
	ck_assert(sandbox_allows_with(SANDBOX_UNIX | SANDBOX_INET, SYS_bind, 0));
	ck_assert_uint_eq(sandbox_allowed_count_with(SANDBOX_UNIX | SANDBOX_INET),
			  sandbox_allowed_count() + 10);
}
END_TEST

START_TEST(test_clone_only_makes_threads)
{
	ck_assert(sandbox_allows(SYS_clone, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND));
#ifndef __SANITIZE_ADDRESS__
	ck_assert(!sandbox_allows(SYS_clone, CLONE_VM));
	ck_assert(!sandbox_allows(SYS_clone, 0));
#endif
	/* clone3 fails with ENOSYS, so it is not "allowed". */
	ck_assert(!sandbox_allows(SYS_clone3, 0));
}
END_TEST

START_TEST(test_prctl_only_names_threads)
{
	ck_assert(sandbox_allows(SYS_prctl, PR_SET_NAME));
#ifndef __SANITIZE_ADDRESS__
	ck_assert(!sandbox_allows(SYS_prctl, PR_SET_DUMPABLE));
	ck_assert(!sandbox_allows(SYS_prctl, PR_SET_SECCOMP));
#endif
}
END_TEST

START_TEST(test_the_list_is_small)
{
	ck_assert_uint_le(sandbox_allowed_count(), 120);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("filter");

	tcase_add_test(tc, test_the_event_loop_and_vcpu_calls_pass);
	tcase_add_test(tc, test_the_jit_code_buffer_calls_pass);
	tcase_add_test(tc, test_new_programs_and_network_are_refused);
	tcase_add_test(tc, test_pulseaudio_adds_local_sockets_only);
	tcase_add_test(tc, test_clone_only_makes_threads);
	tcase_add_test(tc, test_a_network_adds_ipv4_sockets_only);
	tcase_add_test(tc, test_prctl_only_names_threads);
	tcase_add_test(tc, test_the_list_is_small);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
