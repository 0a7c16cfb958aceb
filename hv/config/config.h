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

#include "hv/config/diskspec.h"

#define CONFIG_NAME_MAX	 64
#define CONFIG_EXTRA_MAX 2048 /* kernel command line, NUL included */

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

enum config_action {
	CONFIG_ACTION_DESTROY,	/* "destroy" */
	CONFIG_ACTION_RESTART,	/* "restart" */
	CONFIG_ACTION_PRESERVE, /* "preserve": keep the domain, shut down */
};

struct domain_config {
	char file[PATH_MAX];		     /* the config file as given */
	char name[CONFIG_NAME_MAX];	     /* [A-Za-z0-9_.-], not starting with '.' or '-' */
	unsigned memory_mib;		     /* default 32 */
	unsigned vcpus;			     /* default 1 */
	enum config_engine engine;	     /* default auto */
	char firmware[PATH_MAX];	     /* absolute path, "" if unset */
	char kernel[PATH_MAX];		     /* Linux bzImage: absolute path, "" if unset */
	char ramdisk[PATH_MAX];		     /* initrd for kernel=: absolute path, "" if unset */
	char extra[CONFIG_EXTRA_MAX];	     /* kernel command line for kernel= */
	struct chardev_config serial;	     /* COM1; default stdio */
	struct chardev_config serial2;	     /* COM2; default none */
	struct chardev_config debugcon;	     /* port E9h; default none */
	enum config_action on_poweroff;	     /* default destroy */
	struct disk_config disks[DISKS_MAX]; /* disk = [...]; targets made absolute */
	unsigned ndisks;
	char boot[4];	     /* boot = "c", "d", "a" or an order such as "dc"; default "cd" */
	unsigned boot_menu;  /* boot_menu = 0 or 1: SeaBIOS's ESC prompt; default 1 */
	unsigned log_max_kb; /* cap of each log and serial file, KiB; default 1024 */
	unsigned sandbox;    /* 1 (default): confine the domain process; 0: debugging */
	/* Line each file-naming key was set on, for messages; 0: the command
	 * line (or unset). */
	struct config_lines {
		int firmware, kernel, ramdisk, serial, serial2, debugcon;
		int disks[DISKS_MAX];
	} line;
};

/* Where a key was set, for messages: "FILE:LINE", or "command line" when
 * line is 0. Writes into out and returns out. */
const char *config_where(const struct domain_config *cfg, int line, char *out, size_t len);

/* Fills cfg with the defaults. */
void config_defaults(struct domain_config *cfg);

/* Parses the file at path into cfg (which it first resets to defaults) and
 * checks that the required keys are there. Returns 0, or -1 with a one-line
 * message in err ("FILE:LINE: ..."; "FILE: ..." for a file-level problem
 * such as a missing file or a missing required key). */
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

/* Names for messages and `hv list -l`. */
const char *config_engine_name(enum config_engine e);
const char *config_action_name(enum config_action a);

#endif
