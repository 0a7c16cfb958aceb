/* What `hv restore` does with a save file past hv/core's reader
 * (fuzz_savefile): the config section's text (domain_saved_config), then
 * domain_restore into a real domain of this process, built once and never
 * run (the soft CPU; the legacy PC with an IDE disk, COM1 to a file, the
 * SB16 and a vif): the disk list, the clock, RAM into the memfd, the
 * vCPU's state through the engine's vcpu_set_state, every device of the
 * registry from its section, the user network's libslirp state, the
 * consoles' scrollback. No domain process is
 * started.
 *
 * Checksums stop random bytes at the first section, so the input is used
 * two ways: as a file as it stands, and as sections that replace those of
 * a real save of the same domain (made at start), written with good
 * checksums: a byte picks the section, three give the length, one the
 * version. A restore that fails leaves the domain half-loaded; the next
 * input loads over it (every load sets what it reads, as into a new
 * domain).
 *
 * With FUZZ_RESTORE_SEEDS=DIR set, the start writes each small section of
 * the base into DIR in the second form, as seeds; the corpus's save file
 * of the counter guest (tests/guests/counter.asm), running, is hv save's
 * of the same config.
 * The runtime and state directories are a private temporary directory. */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "hv/config/config.h"
#include "hv/core/log.h"
#include "hv/core/savefile.h"
#include "hv/domain/domain.h"
#include "hv/domain/domain_save.h"

#define SECTIONS_MAX 64
#define HEADER	     5 /* a section of the second form: index, le24 length, version */

struct section {
	char name[SAVEFILE_NAME_MAX];
	uint32_t version;
	uint8_t *bytes;
	size_t len;
};

static const char *dir;
static struct domain *d;
static struct section base[SECTIONS_MAX];
static size_t nbase;

static void build_domain(void)
{
	struct domain_config cfg;
	char path[128], text[1024], err[512];

	snprintf(path, sizeof path, "%s/disk.img", dir);
	fuzz_write_file(path, "", 0);
	if (truncate(path, 1 << 20) < 0)
		abort();
	snprintf(text, sizeof text,
		 "name = \"fuzz\"\nmemory = 16\nengine = \"soft\"\nfirmware = \"%s/rom.bin\"\n"
		 "serial = \"file:%s/com1.out\"\nsoundhw = \"sb16\"\naudio = \"none\"\n"
		 "disk = [ 'format=raw,vdev=hda,access=rw,target=%s' ]\nvif = [ '' ]\n",
		 dir, dir, path);
	config_defaults(&cfg);
	if (config_parse(text, "fuzz.cfg", &cfg, err, sizeof err) < 0 ||
	    config_resolve(&cfg, err, sizeof err) < 0 ||
	    !(d = domain_create(&cfg, false, err, sizeof err))) {
		fprintf(stderr, "fuzz_restore: %s\n", err);
		abort();
	}
}

/* The domain's own save, kept section by section. */
static void save_base(void)
{
	struct savefile_reader r;
	char err[512];
	int fd = memfd_create("base", 0);

	if (fd < 0 || domain_save(d, fd, err, sizeof err) < 0 ||
	    savefile_open(&r, fd, err, sizeof err) < 0) {
		fprintf(stderr, "fuzz_restore: %s\n", fd < 0 ? "memfd" : err);
		abort();
	}
	for (size_t i = 0; i < r.n && strcmp(r.s[i].name, "end") != 0; i++) {
		struct section *s = &base[nbase++];

		if (nbase > SECTIONS_MAX ||
		    savefile_load(&r, &r.s[i], 1 << 26, &s->bytes, err, sizeof err) < 0)
			abort();
		memcpy(s->name, r.s[i].name, sizeof s->name);
		s->version = r.s[i].version;
		s->len = (size_t)r.s[i].length;
	}
	savefile_close(&r);
	close(fd);
}

/* Each section of the base that is small, in the second form. */
static void write_seeds(const char *to)
{
	static uint8_t buf[HEADER + 4096];
	char path[512];

	for (size_t i = 0; i < nbase; i++) {
		if (base[i].len > sizeof buf - HEADER || strcmp(base[i].name, "ram") == 0)
			continue;
		buf[0] = (uint8_t)i;
		buf[1] = (uint8_t)base[i].len;
		buf[2] = (uint8_t)(base[i].len >> 8);
		buf[3] = 0;
		buf[4] = (uint8_t)base[i].version;
		memcpy(buf + HEADER, base[i].bytes, base[i].len);
		snprintf(path, sizeof path, "%s/%s", to, base[i].name);
		fuzz_write_file(path, buf, HEADER + base[i].len);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_RESTORE_SEEDS");

	(void)argc, (void)argv;
	dir = fuzz_private_dir("restore");
	log_set_level(seeds ? LOG_INFO : LOG_ERROR);
	build_domain();
	save_base();
	if (seeds)
		write_seeds(seeds);
	return 0;
}

static void restore(int fd)
{
	static struct domain_config cfg;
	struct savefile_reader r;
	char err[CONFIG_ERRORS_CHARS];

	if (savefile_open(&r, fd, err, sizeof err) < 0)
		return;
	if (domain_saved_config(&r, "/fuzz/dir/fuzz.sav", &cfg, err, sizeof err) == 0)
		config_validate(&cfg, err, sizeof err);
	domain_restore(d, &r, err, sizeof err);
	savefile_close(&r);
}

/* The base's sections, each replaced by the input's last section of its
 * name. */
static void write_sections(int fd, const uint8_t *data, size_t size)
{
	const uint8_t *bytes[SECTIONS_MAX] = {0};
	size_t len[SECTIONS_MAX] = {0};
	uint32_t version[SECTIONS_MAX] = {0};
	struct savefile_writer w;
	char err[256];

	while (size >= HEADER) {
		size_t i = data[0] % nbase;
		size_t n = (size_t)(data[1] | data[2] << 8 | data[3] << 16);

		version[i] = data[4];
		data += HEADER;
		size -= HEADER;
		if (n > size)
			n = size;
		bytes[i] = data;
		len[i] = n;
		data += n;
		size -= n;
	}
	if (savefile_start(&w, fd, err, sizeof err) < 0)
		return;
	for (size_t i = 0; i < nbase; i++) {
		const struct section *s = &base[i];
		int rc =
		    bytes[i]
			? savefile_put(&w, s->name, version[i], bytes[i], len[i], err, sizeof err)
			: savefile_put(&w, s->name, s->version, s->bytes, s->len, err, sizeof err);

		if (rc < 0)
			return;
	}
	savefile_finish(&w, err, sizeof err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_file_two_ways(data, size, restore, write_sections);
	return 0;
}
