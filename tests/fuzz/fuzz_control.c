/* The control protocol (docs/protocol.md) as a hostile local client
 * speaks it: a real domain in this process (a ROM that halts, COM1 to a
 * file, the soft CPU running), its control socket served by its own event
 * loop, and each input sent as the bytes of one connection: request
 * lines, arguments, NULs, CRs, unfinished lines, console streams. The
 * replies are read and dropped. A request that ends the domain (destroy,
 * or the guest's power-off) makes the next input build a new one.
 *
 * The runtime and state directories are a private temporary directory
 * (XDG_RUNTIME_DIR, XDG_STATE_HOME). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fuzz.h"
#include "hv/config/config.h"
#include "hv/core/evloop.h"
#include "hv/core/log.h"
#include "hv/core/runtime.h"
#include "hv/domain/domain.h"
#include "hv/domain/vcpu.h"

static char cfg_text[512];
static struct domain *d;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir;

	(void)argc, (void)argv;
	dir = fuzz_private_dir("control");
	snprintf(cfg_text, sizeof cfg_text,
		 "name = \"fuzz\"\nmemory = 16\nengine = \"soft\"\nfirmware = \"%s/rom.bin\"\n"
		 "serial = \"file:%s/com1.out\"\naudio = \"none\"\n",
		 dir, dir);
	log_set_level(LOG_ERROR);
	return 0;
}

static void end_domain(void)
{
	vcpu_stop(d);
	domain_free(d);
	d = NULL;
}

static void start_domain(void)
{
	struct domain_config cfg;
	char err[512];

	config_defaults(&cfg);
	if (config_parse(cfg_text, "fuzz.cfg", &cfg, err, sizeof err) < 0 ||
	    config_resolve(&cfg, err, sizeof err) < 0 ||
	    !(d = domain_create(&cfg, false, err, sizeof err)) ||
	    vcpu_start(d, err, sizeof err) < 0) {
		fprintf(stderr, "fuzz_control: %s\n", err);
		abort();
	}
	d->started_ns = host_now_ns();
}

static int connect_client(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char err[256];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0 ||
	    runtime_socket_path("fuzz", sa.sun_path, sizeof sa.sun_path, err, sizeof err) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		abort();
	return fd;
}

/* Event loop rounds, reading what the server sent so it never stalls on
 * a full socket. */
static void serve(int fd, int rounds)
{
	char buf[4096];

	for (int i = 0; i < rounds; i++) {
		evloop_run_once(d->loop, 0);
		while (read(fd, buf, sizeof buf) > 0) {
		}
	}
}

static bool domain_over(void)
{
	bool over;

	machine_lock_host(&d->machine);
	over = d->finished;
	machine_unlock_host(&d->machine);
	return over;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sent = 0;
	int fd;

	if (!d)
		start_domain();
	fd = connect_client();
	serve(fd, 2);
	/* The bytes in two writes, split where the first byte says: a request
	 * may arrive in pieces. */
	for (size_t cut = size ? data[0] % (size + 1) : 0, tries = 0; sent < size && tries < 64;
	     tries++) {
		size_t end = sent < cut ? cut : size;
		ssize_t n = write(fd, data + sent, end - sent);

		if (n < 0 && errno != EAGAIN)
			break;
		if (n > 0)
			sent += (size_t)n;
		serve(fd, 2);
	}
	serve(fd, 4);
	close(fd);
	serve(-1, 2);
	if (domain_over())
		end_domain();
	return 0;
}
