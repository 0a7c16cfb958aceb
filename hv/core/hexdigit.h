/* The value of one hexadecimal digit, for the parsers of text from users
 * and peers (config strings, MAC addresses, JSON escapes and numbers). */
#ifndef HV_HEXDIGIT_H
#define HV_HEXDIGIT_H

/* 0..15, or -1 when c is not a hex digit (c may be any int, e.g. EOF). */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
