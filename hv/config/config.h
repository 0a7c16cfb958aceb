/* Domain configuration in xl.cfg syntax (see xl.cfg(5)):
 *
 *   # comment
 *   name = "dos"            strings in double or single quotes
 *   memory = 16             integers (decimal or 0x hex)
 *   disk = [ 'a', 'b', ]    lists, which may span lines
 *
 * Statements end at a newline or ';'. Every error names the file, the line
 * and what was expected: "dos.cfg:3: memory: expected an integer from 1 to
 * 65536 (MiB), got "lots"". Relative paths in the file are taken relative
 * to the file's directory. */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "hv/config/diskspec.h"
#include "hv/config/vifspec.h"
#include "hv/core/runtime.h"

#define CONFIG_SERIAL_PORTS 2 /* COM1, COM2 */
#define CONFIG_NAME_MAX	    RUNTIME_NAME_MAX
#define CONFIG_VIFS_MAX	    4	  /* vif = [...] entries */
#define CONFIG_EXTRA_MAX    2048  /* kernel command line, NUL included */
#define BOOT_MENU_WAIT_MAX  65535 /* ms: fw_cfg's etc/boot-menu-wait is 16 bits */

enum config_engine { CONFIG_ENGINE_AUTO, CONFIG_ENGINE_SOFT, CONFIG_ENGINE_KVM };

enum chardev_kind {
	CHARDEV_NONE,  /* "none": the device is absent */
	CHARDEV_STDIO, /* "stdio": the terminal of `hv run` */
	CHARDEV_PTY,   /* "pty": a pseudo-terminal, its path in `hv list -l` */
	CHARDEV_FILE,  /* "file:PATH": output appended to PATH */
};

struct chardev_config {
	enum chardev_kind kind;
	char path[PATH_MAX]; /* CHARDEV_FILE: absolute path */
};

/* xl's type=: what the domain boots (default: SeaBIOS unless kernel=). */
enum config_type {
	CONFIG_TYPE_DEFAULT, /* not given */
	CONFIG_TYPE_HVM,     /* "hvm": SeaBIOS (or firmware=) on the emulated PC */
	CONFIG_TYPE_PVH,     /* "pvh": a kernel booted directly; kernel= required */
};

/* SeaBIOS from Debian's seabios package: firmware for HVM domains without
 * firmware= or kernel=, and what firmware = "seabios" names. The
 * environment variable HV_SEABIOS overrides the path. */
#define CONFIG_SEABIOS_PATH "/usr/share/seabios/bios.bin"

#define CONFIG_VIDEORAM_MIB  16 /* hv's VGA memory (legacy/vga_access.h) */
#define CONFIG_UUID_CHARS    36 /* 8-4-4-4-12 hex digits */
#define CONFIG_ERRORS_MAX    16 /* refused statements reported at once */
#define CONFIG_ERRORS_CHARS  4096
#define CONFIG_WARNINGS_MAX  32
#define CONFIG_WARNING_CHARS 256

enum config_action {
	CONFIG_ACTION_DESTROY,	/* "destroy" */
	CONFIG_ACTION_RESTART,	/* "restart" */
	CONFIG_ACTION_PRESERVE, /* "preserve": keep the domain, shut down */
	/* on_crash only: a core file in the state directory
	 * (hv/domain/coredump.c), then destroy or restart. */
	CONFIG_ACTION_COREDUMP_DESTROY, /* "coredump-destroy" */
	CONFIG_ACTION_COREDUMP_RESTART, /* "coredump-restart" */
};

struct domain_config {
	char file[PATH_MAX];	      /* the config file as given */
	char name[CONFIG_NAME_MAX];   /* [A-Za-z0-9_.-], not starting with '.' or '-' */
	unsigned memory_mib;	      /* default 32 */
	unsigned vcpus;		      /* default 1 */
	enum config_engine engine;    /* default auto */
	char firmware[PATH_MAX];      /* absolute path, "" if unset */
	char kernel[PATH_MAX];	      /* Linux bzImage: absolute path, "" if unset */
	char ramdisk[PATH_MAX];	      /* initrd for kernel=: absolute path, "" if unset */
	char extra[CONFIG_EXTRA_MAX]; /* kernel command line for kernel= */
	/* Serial port i+1's host end: `serial` (COM1, default stdio),
	 * `serial2` (COM2, default none). */
	struct chardev_config serial[CONFIG_SERIAL_PORTS];
	struct chardev_config debugcon;	     /* port E9h; default none */
	enum config_action on_poweroff;	     /* default destroy */
	struct disk_config disks[DISKS_MAX]; /* disk = [...]; targets made absolute */
	unsigned ndisks;
	char boot[4];		 /* boot = "c", "d", "a" or an order such as "dc"; default "cd" */
	unsigned boot_menu;	 /* boot_menu = 0 or 1: SeaBIOS's ESC prompt; default 1 */
	unsigned boot_menu_wait; /* ms the prompt waits for ESC; 0: SeaBIOS's own (2500) */
	unsigned jit;		 /* jit = 0: the soft CPU without its JIT; default 1 */
	unsigned kernel_decompress; /* 0: a kernel= decompresses itself; default 1 (hv does) */
	unsigned virtio_rng;	    /* virtio_rng = 1: an entropy device (hv's key; xl has none) */
	unsigned vfb_virtio;	    /* vfb = [ 'type=virtio' ]: a virtio-gpu beside the VGA */
	unsigned vga_none;	    /* vga = "none": no emulated VGA (nor its BIOS) */
	unsigned sdl;		    /* sdl = 1: hv create/run/restore open `hv view NAME` */
	/* virtio_console = 1: a virtio-console (the guest's hvc0); console =
	 * "ttyS0" (default: COM1) or "hvc0" (implies virtio_console) names
	 * the primary console: `hv console`, `hv top`, `hv run`'s terminal
	 * (hv's keys; xl has none, its `xl console -t` picks per call). */
	unsigned virtio_console;
	unsigned console_hvc0;
	/* xl.cfg keys (README's table says what hv does with each). */
	enum config_type type;
	char uuid[CONFIG_UUID_CHARS + 1]; /* lower case; "" if unset */
	unsigned maxmem_mib;		  /* 0: unset (= memory) */
	unsigned maxvcpus;		  /* 0: unset (= vcpus) */
	enum config_action on_reboot;	  /* default restart */
	enum config_action on_crash;	  /* default destroy; "preserve" is refused */
	unsigned localtime;		  /* 1: the RTC starts at the host's local time */
	unsigned hpet;			  /* 0: the PC has no HPET (nor ACPI table); default 1 */
	/* Keys accepted with a difference the user should know of: one line
	 * each ("FILE:LINE: key: ..."), one per key; `hv` prints them on
	 * stderr and --dry-run as comments. */
	char warnings[CONFIG_WARNINGS_MAX][CONFIG_WARNING_CHARS];
	unsigned nwarnings;
	/* audio = "pulse" (default), "none" or "wav:PATH" (PATH made
	 * absolute); audio_latency_ms = 10-1000, default 30 (hv keys). */
	char audio[PATH_MAX + 8];
	unsigned audio_latency_ms;
	/* soundhw = "sb16[,port=N,irq=N,dma=N,hdma=N]" (xl's key):
	 * defaults 0x220, 5, 1, 5 (hv/config/config_soundhw.c). */
	struct config_soundhw {
		unsigned sb16; /* 1: the PC gets a Sound Blaster 16 */
		unsigned port, irq, dma, hdma;
	} soundhw;
	unsigned log_max_kb; /* cap of each log and serial file, KiB; default 1024 */
	unsigned sandbox;    /* 1 (default): confine the domain process; 0: debugging */
	/* vif = [...]: virtio-net NICs on user-mode networks (xl's key). */
	struct vif_config vifs[CONFIG_VIFS_MAX];
	unsigned nvifs;
	/* Line each file-naming key was set on, for messages; 0: the command
	 * line (or unset). */
	struct config_lines {
		int firmware, kernel, ramdisk, serial, serial2, debugcon;
		int disks[DISKS_MAX];
		int vifs[CONFIG_VIFS_MAX];
	} line;
};

/* Where a key was set, for messages: "FILE:LINE", or "command line" when
 * line is 0. Writes into out and returns out. */
const char *config_where(const struct domain_config *cfg, int line, char *out, size_t len);

/* Fills cfg with the defaults. */
void config_defaults(struct domain_config *cfg);

/* Parses the file at path into cfg (which it first resets to defaults) and
 * checks that the required keys are there. Returns 0, or -1 with a message
 * in err ("FILE:LINE: ..."; "FILE: ..." for a file-level problem such as a
 * missing file or a missing required key): one line per problem, since
 * every refused key or value is reported (up to CONFIG_ERRORS_MAX); a
 * syntax error ends the parse. */
int config_load(const char *path, struct domain_config *cfg, char *err, size_t errlen);

/* Parses text as the contents of a file called `filename` (used in
 * messages and to resolve relative paths) on top of what cfg holds already,
 * without the required-key check. Returns 0 or -1 with err set. */
int config_parse(const char *text, const char *filename, struct domain_config *cfg, char *err,
		 size_t errlen);

/* Applies one "key=value" override from the command line, as `xl create
 * cfg key=value` does; relative paths are taken from the working directory.
 * Returns 0 or -1 with err set ("command line: ..."). */
int config_override(struct domain_config *cfg, const char *assignment, char *err, size_t errlen);

/* Checks what config_load checks after parsing (required keys present).
 * Returns 0 or -1 with err set. */
int config_validate(const struct domain_config *cfg, char *err, size_t errlen);

/* Settles what depends on several keys, once the file and the command
 * line are read: type = "pvh" needs kernel=; without firmware= or kernel=
 * the firmware is SeaBIOS (an error naming Debian's seabios package if it
 * is not installed); maxmem above memory is a warning. Returns 0 or -1
 * with err set. */
int config_resolve(struct domain_config *cfg, char *err, size_t errlen);

/* The SeaBIOS image hv uses: $HV_SEABIOS or CONFIG_SEABIOS_PATH. */
const char *config_seabios_path(void);

/* Writes cfg as a config file hv reads back to the same domain: one
 * "key = value" line per setting, the warnings first as comments. */
void config_write(const struct domain_config *cfg, FILE *out);

/* Names for messages and `hv list -l`. */
const char *config_engine_name(enum config_engine e);
const char *config_action_name(enum config_action a);
const char *config_type_name(enum config_type t); /* "" for the default */

#endif
