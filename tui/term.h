/* A minimal terminal for a guest's serial output: a ring of text lines that
 * understands \r, \n, \b and tab, and drops ANSI escape sequences and other
 * control bytes rather than showing them raw. Lines longer than
 * TERM_COLS wrap. Pure data: drawing is console_view.c's job. */
#ifndef TUI_TERM_H
#define TUI_TERM_H

#include <stddef.h>

#define TERM_LINES 2000 /* scrollback, in lines */
#define TERM_COLS  200	/* stored width of a line */

struct top_term {
	char text[TERM_LINES][TERM_COLS];
	unsigned short len[TERM_LINES]; /* used columns of each line */
	int first;			/* ring index of the oldest line */
	int count;			/* lines in use, the last one being written */
	int col;			/* cursor column on the last line */
	int esc;			/* escape-sequence parser state */
	unsigned long total;		/* lines ever started: scrolling keeps its place */
};

/* Empties t: one blank line, cursor at its start. */
void top_term_reset(struct top_term *t);

/* Feeds n bytes of guest output. */
void top_term_write(struct top_term *t, const char *p, size_t n);

/* Appends a line of our own (a notice such as "domain gone"). */
void top_term_notice(struct top_term *t, const char *text);

/* Line i, counting from the oldest (0) to top_term_lines(t) - 1; its length in
 * *len. */
const char *top_term_line(const struct top_term *t, int i, int *len);

/* The number of lines held. */
int top_term_lines(const struct top_term *t);

#endif
