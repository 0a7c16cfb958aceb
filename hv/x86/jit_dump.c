/* The JIT's code dump: see jit_dump.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/x86/jit_dump.h"

static void put(const char *dir, uint64_t gpa, const char *kind, const void *p, size_t n)
{
	char path[512];
	int fd;

	if (snprintf(path, sizeof path, "%s/%llx.%s", dir, (unsigned long long)gpa, kind) >=
	    (int)sizeof path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, p, n) != (ssize_t)n)
		(void)0; /* a developer tool: a short file is all that is lost */
	close(fd);
}

char *x86_jit_dump_from_env(void)
{
	const char *dir = getenv("HV_JIT_DUMP");

	return dir && *dir ? strdup(dir) : NULL;
}

void x86_jit_dump(const char *dir, uint64_t gpa, const void *hot, size_t hot_len, const void *cold,
		  size_t cold_len)
{
	put(dir, gpa, "hot", hot, hot_len);
	put(dir, gpa, "cold", cold, cold_len);
}
