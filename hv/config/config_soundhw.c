/* xl's soundhw key: "sb16", optionally with the card's resources,
 * "sb16,port=0x220,irq=5,dma=1,hdma=5" (hv's extension; those are the
 * defaults). A list of one such string is taken too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/config/config_int.h"

struct soundhw_opt {
	const char *name;
	unsigned min, max;
};

static const struct soundhw_opt opts[] = {
    {"port", 0x220, 0x280}, {"irq", 2, 10}, {"dma", 0, 3}, {"hdma", 5, 7}};

static unsigned *field(struct config_soundhw *s, size_t i)
{
	unsigned *f[] = {&s->port, &s->irq, &s->dma, &s->hdma};

	return f[i];
}

/* One "name=value" of the string; returns 0 or -1 (a message given). */
static int set_opt(struct parser *p, const struct key *k, int line, struct config_soundhw *s,
		   const char *item)
{
	const char *eq = strchr(item, '=');
	char *end;
	unsigned long v;

	for (size_t i = 0; eq && i < COUNT(opts); i++) {
		if (strlen(opts[i].name) != (size_t)(eq - item) ||
		    strncmp(item, opts[i].name, (size_t)(eq - item)) != 0)
			continue;
		v = strtoul(eq + 1, &end, 0);
		if (eq[1] < '0' || eq[1] > '9' || *end || v < opts[i].min || v > opts[i].max)
			return cfg_fail_at(p, line, "%s: %s: expected a number from %#x to %#x",
					   k->name, opts[i].name, opts[i].min, opts[i].max);
		*field(s, i) = (unsigned)v;
		return 0;
	}
	return cfg_fail_at(p, line,
			   "%s: \"%.32s\": expected port=, irq=, dma= or hdma= after \"sb16,\"",
			   k->name, item);
}

static int parse(struct parser *p, const struct key *k, int line, const char *text)
{
	struct config_soundhw s = {.sb16 = 1, .port = 0x220, .irq = 5, .dma = 1, .hdma = 5};
	char buf[128], *item, *save;

	if (!text[0])
		return 0;
	if (strlen(text) >= sizeof buf)
		return cfg_fail_at(p, line, "%s: value too long", k->name);
	strcpy(buf, text);
	item = strtok_r(buf, ",", &save);
	if (!item || strcmp(item, "sb16") != 0)
		return cfg_fail_at(p, line,
				   "%s: \"%.32s\": hv emulates \"sb16\" (a Sound Blaster 16), "
				   "optionally \"sb16,port=0x220,irq=5,dma=1,hdma=5\"",
				   k->name, text);
	while ((item = strtok_r(NULL, ",", &save)))
		if (set_opt(p, k, line, &s, item) < 0)
			return -1;
	if (s.port % 0x20 ||
	    (s.irq != 2 && s.irq != 5 && s.irq != 7 && s.irq != 9 && s.irq != 10) || s.dma == 2)
		return cfg_fail_at(p, line,
				   "%s: \"%.48s\": a Sound Blaster 16 takes port 0x220, 0x240, "
				   "0x260 or 0x280, irq 2, 5, 7, 9 or 10, dma 0, 1 or 3, hdma 5, 6 "
				   "or 7",
				   k->name, text);
	p->cfg->soundhw = s;
	return 0;
}

int cfg_set_soundhw(struct parser *p, const struct key *k, const struct value *v)
{
	if (v->type == VAL_INT && v->num == 0)
		return 0;
	if (v->type == VAL_STRING)
		return parse(p, k, v->line, v->text);
	if (v->type == VAL_LIST && v->count == 0)
		return 0;
	if (v->type == VAL_LIST && v->count == 1 && v->items[0].type == VAL_STRING)
		return parse(p, k, v->items[0].line, v->items[0].text);
	return cfg_bad_value(p, k, v);
}
