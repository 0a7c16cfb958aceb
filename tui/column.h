/* The domain list's columns: one table row each with its title, width,
 * formatter and sort order, so drawing, sorting and help share one
 * definition. */
#ifndef TUI_COLUMN_H
#define TUI_COLUMN_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/top_domain.h"

struct top_column {
	const char *title;
	int width; /* 0: takes the room the others leave */
	bool left; /* left-aligned */
	const char *help;
	void (*format)(const struct top_domain *d, char *out, size_t len);
	int (*compare)(const struct top_domain *a, const struct top_domain *b);
};

extern const struct top_column top_columns[];
extern const int top_ncolumns;

/* The width of the flexible (name) column on a screen `cols` wide. */
int top_column_flex_width(int cols);

/* Sorts ds by column `col`, descending when reverse. */
void top_columns_sort(struct top_domains *ds, int col, bool reverse);

/* Writes a number with a k/M/G suffix into out, at most 6 characters. */
void top_format_rate(double v, char *out, size_t len);

#endif
