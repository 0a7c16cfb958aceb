#include "tui/term.h"

#include <string.h>

/* Parser states for escape sequences, which are dropped whole. */
enum { ESC_NONE, ESC_START, ESC_CSI, ESC_OSC, ESC_OSC_END };

void top_term_reset(struct top_term *t)
{
	t->first = 0;
	t->count = 1;
	t->col = 0;
	t->esc = ESC_NONE;
	t->len[0] = 0;
	t->total = 0;
}

static int ring(const struct top_term *t, int i)
{
	return (t->first + i) % TERM_LINES;
}

static void new_line(struct top_term *t)
{
	if (t->count == TERM_LINES)
		t->first = (t->first + 1) % TERM_LINES;
	else
		t->count++;
	t->len[ring(t, t->count - 1)] = 0;
	t->col = 0;
	t->total++;
}

static void put(struct top_term *t, char ch)
{
	int cur;

	if (t->col >= TERM_COLS)
		new_line(t);
	cur = ring(t, t->count - 1);
	while (t->len[cur] < t->col)
		t->text[cur][t->len[cur]++] = ' ';
	t->text[cur][t->col++] = ch;
	if (t->len[cur] < t->col)
		t->len[cur] = (unsigned short)t->col;
}

static void control(struct top_term *t, unsigned char ch)
{
	switch (ch) {
	case '\r': t->col = 0; break;
	case '\n': new_line(t); break;
	case '\b': t->col -= t->col > 0; break;
	case '\t':
		do
			put(t, ' ');
		while (t->col % 8 && t->col < TERM_COLS);
		break;
	case 0x1b: t->esc = ESC_START; break;
	default: break; /* bell and the rest: nothing to show */
	}
}

/* Returns true while ch belongs to an escape sequence. */
static int escape(struct top_term *t, unsigned char ch)
{
	switch (t->esc) {
	case ESC_START:
		/* ESC ( B and friends take one more byte: ESC_OSC_END eats it. */
		t->esc = ch == '[' ? ESC_CSI : ch == ']' ? ESC_OSC : ESC_NONE;
		if (ch == '(' || ch == ')' || ch == '#')
			t->esc = ESC_OSC_END;
		return 1;
	case ESC_CSI:
		if (ch >= 0x40 && ch <= 0x7e)
			t->esc = ESC_NONE;
		return 1;
	case ESC_OSC:
		if (ch == 0x07)
			t->esc = ESC_NONE;
		else if (ch == 0x1b)
			t->esc = ESC_OSC_END;
		return 1;
	case ESC_OSC_END: t->esc = ESC_NONE; return 1;
	default: return 0;
	}
}

void top_term_write(struct top_term *t, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (escape(t, ch))
			continue;
		if (ch < 0x20 || ch == 0x7f)
			control(t, ch);
		else
			put(t, ch < 0x80 ? (char)ch : '?');
	}
}

void top_term_notice(struct top_term *t, const char *text)
{
	if (t->len[ring(t, t->count - 1)] > 0)
		new_line(t);
	top_term_write(t, text, strlen(text));
	new_line(t);
}

const char *top_term_line(const struct top_term *t, int i, int *len)
{
	int r = ring(t, i);

	*len = t->len[r];
	return t->text[r];
}

int top_term_lines(const struct top_term *t)
{
	return t->count;
}
