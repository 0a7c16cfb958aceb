/* A domain_config written back as a config file: what `hv create
 * --dry-run` prints. Every value hv resolved (absolute paths, SeaBIOS for
 * an HVM domain) is spelled out, so the output loads to the same domain. */
#include "hv/config/config.h"

#include <string.h>

/* s in double quotes, escaped as the parser reads it back. */
static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *named = c == '"'	? "\\\""
				    : c == '\\' ? "\\\\"
				    : c == '\n' ? "\\n"
				    : c == '\t' ? "\\t"
				    : c == '\r' ? "\\r"
						: NULL;
		if (named)
			fputs(named, out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void put_key_string(FILE *out, const char *key, const char *value)
{
	fprintf(out, "%s = ", key);
	put_string(out, value);
	fputc('\n', out);
}

static void put_chardev(FILE *out, const char *key, const struct chardev_config *c)
{
	static const char *const words[] = {
	    [CHARDEV_NONE] = "none", [CHARDEV_STDIO] = "stdio", [CHARDEV_PTY] = "pty"};
	char text[PATH_MAX + 8];

	if (c->kind == CHARDEV_FILE)
		snprintf(text, sizeof text, "file:%s", c->path);
	else
		snprintf(text, sizeof text, "%s", words[c->kind]);
	put_key_string(out, key, text);
}

/* One disk in key=value form, target= last since it takes the rest. */
static void put_disk(FILE *out, const struct disk_config *d)
{
	char spec[PATH_MAX + 64];
	int n = snprintf(spec, sizeof spec, "vdev=%s,access=%s", diskspec_vdev_name(d->vdev),
			 d->readonly ? "ro" : "rw");

	if (d->cdrom)
		n += snprintf(spec + n, sizeof spec - n, ",devtype=cdrom");
	if (d->target[0])
		snprintf(spec + n, sizeof spec - n, ",target=%s", d->target);
	fputs("    ", out);
	put_string(out, spec);
	fputs(",\n", out);
}

static void put_disks(FILE *out, const struct domain_config *cfg)
{
	fputs("disk = [\n", out);
	for (unsigned i = 0; i < cfg->ndisks; i++)
		put_disk(out, &cfg->disks[i]);
	fputs("]\n", out);
}

static void put_vifs(FILE *out, const struct domain_config *cfg)
{
	char spec[VIF_SPEC_MAX];

	if (!cfg->nvifs)
		return;
	fputs("vif = [\n", out);
	for (unsigned i = 0; i < cfg->nvifs; i++) {
		vifspec_format(&cfg->vifs[i], spec, sizeof spec);
		fputs("    ", out);
		put_string(out, spec);
		fputs(",\n", out);
	}
	fputs("]\n", out);
}

static void put_boot(FILE *out, const struct domain_config *cfg)
{
	if (cfg->firmware[0])
		put_key_string(out, "firmware", cfg->firmware);
	if (cfg->kernel[0])
		put_key_string(out, "kernel", cfg->kernel);
	if (cfg->ramdisk[0])
		put_key_string(out, "ramdisk", cfg->ramdisk);
	if (cfg->extra[0])
		put_key_string(out, "extra", cfg->extra);
	put_key_string(out, "boot", cfg->boot);
	fprintf(out, "boot_menu = %u\n", cfg->boot_menu);
	if (cfg->boot_menu_wait)
		fprintf(out, "boot_menu_wait = %u\n", cfg->boot_menu_wait);
	if (!cfg->jit)
		fprintf(out, "jit = 0\n");
	if (!cfg->kernel_decompress)
		fprintf(out, "kernel_decompress = 0\n");
	if (cfg->virtio_rng)
		fprintf(out, "virtio_rng = 1\n");
	put_vifs(out, cfg);
	if (cfg->vfb_virtio)
		fprintf(out, "vfb = [ \"type=virtio\" ]\n");
	if (cfg->vga_none)
		fprintf(out, "vga = \"none\"\n");
	if (cfg->sdl)
		fprintf(out, "sdl = 1\n");
	if (cfg->virtio_console)
		fprintf(out, "virtio_console = 1\n");
	if (cfg->console_hvc0)
		fprintf(out, "console = \"hvc0\"\n");
	put_key_string(out, "audio", cfg->audio);
	fprintf(out, "audio_latency_ms = %u\n", cfg->audio_latency_ms);
	if (cfg->soundhw.sb16)
		fprintf(out, "soundhw = \"sb16,port=%#x,irq=%u,dma=%u,hdma=%u\"\n",
			cfg->soundhw.port, cfg->soundhw.irq, cfg->soundhw.dma, cfg->soundhw.hdma);
}

/* Writes cfg as a config file that loads to the same domain. */
void config_write(const struct domain_config *cfg, FILE *out)
{
	for (unsigned i = 0; i < cfg->nwarnings; i++)
		fprintf(out, "# warning: %s\n", cfg->warnings[i]);
	put_key_string(out, "name", cfg->name);
	if (cfg->type != CONFIG_TYPE_DEFAULT)
		put_key_string(out, "type", config_type_name(cfg->type));
	if (cfg->uuid[0])
		put_key_string(out, "uuid", cfg->uuid);
	fprintf(out, "memory = %u\nvcpus = %u\n", cfg->memory_mib, cfg->vcpus);
	put_key_string(out, "engine", config_engine_name(cfg->engine));
	put_boot(out, cfg);
	put_disks(out, cfg);
	put_chardev(out, "serial", &cfg->serial[0]);
	put_chardev(out, "serial2", &cfg->serial[1]);
	put_chardev(out, "debugcon", &cfg->debugcon);
	fprintf(out, "localtime = %u\n", cfg->localtime);
	if (!cfg->hpet)
		fputs("hpet = 0\n", out);
	put_key_string(out, "on_poweroff", config_action_name(cfg->on_poweroff));
	put_key_string(out, "on_reboot", config_action_name(cfg->on_reboot));
	put_key_string(out, "on_crash", config_action_name(cfg->on_crash));
}
