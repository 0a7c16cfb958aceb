#include "hv/core/keyname.h"

#include <ctype.h>
#include <linux/input-event-codes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct key_name {
	const char *name;
	unsigned short code;
};

/* Canonical names first (keys_name returns the first match), aliases
 * after. Letters and digits are handled apart. */
static const struct key_name names[] = {
    {"ret", KEY_ENTER},
    {"esc", KEY_ESC},
    {"tab", KEY_TAB},
    {"spc", KEY_SPACE},
    {"bksp", KEY_BACKSPACE},
    {"ctrl", KEY_LEFTCTRL},
    {"alt", KEY_LEFTALT},
    {"shift", KEY_LEFTSHIFT},
    {"meta", KEY_LEFTMETA},
    {"rctrl", KEY_RIGHTCTRL},
    {"ralt", KEY_RIGHTALT},
    {"rshift", KEY_RIGHTSHIFT},
    {"rmeta", KEY_RIGHTMETA},
    {"menu", KEY_COMPOSE},
    {"capslock", KEY_CAPSLOCK},
    {"numlock", KEY_NUMLOCK},
    {"scrolllock", KEY_SCROLLLOCK},
    {"up", KEY_UP},
    {"down", KEY_DOWN},
    {"left", KEY_LEFT},
    {"right", KEY_RIGHT},
    {"home", KEY_HOME},
    {"end", KEY_END},
    {"pgup", KEY_PAGEUP},
    {"pgdn", KEY_PAGEDOWN},
    {"ins", KEY_INSERT},
    {"delete", KEY_DELETE},
    {"pause", KEY_PAUSE},
    {"print", KEY_SYSRQ},
    {"f1", KEY_F1},
    {"f2", KEY_F2},
    {"f3", KEY_F3},
    {"f4", KEY_F4},
    {"f5", KEY_F5},
    {"f6", KEY_F6},
    {"f7", KEY_F7},
    {"f8", KEY_F8},
    {"f9", KEY_F9},
    {"f10", KEY_F10},
    {"f11", KEY_F11},
    {"f12", KEY_F12},
    {"minus", KEY_MINUS},
    {"equal", KEY_EQUAL},
    {"bracket_left", KEY_LEFTBRACE},
    {"bracket_right", KEY_RIGHTBRACE},
    {"semicolon", KEY_SEMICOLON},
    {"apostrophe", KEY_APOSTROPHE},
    {"grave_accent", KEY_GRAVE},
    {"backslash", KEY_BACKSLASH},
    {"comma", KEY_COMMA},
    {"dot", KEY_DOT},
    {"slash", KEY_SLASH},
    {"less", KEY_102ND},
    {"kp_0", KEY_KP0},
    {"kp_1", KEY_KP1},
    {"kp_2", KEY_KP2},
    {"kp_3", KEY_KP3},
    {"kp_4", KEY_KP4},
    {"kp_5", KEY_KP5},
    {"kp_6", KEY_KP6},
    {"kp_7", KEY_KP7},
    {"kp_8", KEY_KP8},
    {"kp_9", KEY_KP9},
    {"kp_add", KEY_KPPLUS},
    {"kp_subtract", KEY_KPMINUS},
    {"kp_multiply", KEY_KPASTERISK},
    {"kp_divide", KEY_KPSLASH},
    {"kp_enter", KEY_KPENTER},
    {"kp_decimal", KEY_KPDOT},
    /* Aliases. */
    {"enter", KEY_ENTER},
    {"return", KEY_ENTER},
    {"escape", KEY_ESC},
    {"space", KEY_SPACE},
    {"backspace", KEY_BACKSPACE},
    {"control", KEY_LEFTCTRL},
    {"lctrl", KEY_LEFTCTRL},
    {"lalt", KEY_LEFTALT},
    {"altgr", KEY_RIGHTALT},
    {"lshift", KEY_LEFTSHIFT},
    {"super", KEY_LEFTMETA},
    {"win", KEY_LEFTMETA},
    {"lmeta", KEY_LEFTMETA},
    {"caps", KEY_CAPSLOCK},
    {"pageup", KEY_PAGEUP},
    {"pagedown", KEY_PAGEDOWN},
    {"pgdown", KEY_PAGEDOWN},
    {"insert", KEY_INSERT},
    {"del", KEY_DELETE},
    {"sysrq", KEY_SYSRQ},
    {"prtsc", KEY_SYSRQ},
    {"compose", KEY_COMPOSE},
    {"period", KEY_DOT},
};

#define NNAMES (sizeof names / sizeof names[0])

static const unsigned short letters[26] = {
    KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L, KEY_M,
    KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
};
static const unsigned short digits[10] = {KEY_0, KEY_1, KEY_2, KEY_3, KEY_4,
					  KEY_5, KEY_6, KEY_7, KEY_8, KEY_9};
static const char *const digit_names[10] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
static const char *const letter_strs[26] = {"a", "b", "c", "d", "e", "f", "g", "h", "i",
					    "j", "k", "l", "m", "n", "o", "p", "q", "r",
					    "s", "t", "u", "v", "w", "x", "y", "z"};

int keys_code(const char *name)
{
	if (name[0] && !name[1]) {
		int c = tolower((unsigned char)name[0]);
		if (c >= 'a' && c <= 'z')
			return letters[c - 'a'];
		if (c >= '0' && c <= '9')
			return digits[c - '0'];
	}
	for (size_t i = 0; i < NNAMES; i++)
		if (strcasecmp(names[i].name, name) == 0)
			return names[i].code;
	return -1;
}

const char *keys_name(unsigned code)
{
	for (unsigned i = 0; i < 26; i++)
		if (letters[i] == code)
			return letter_strs[i];
	for (unsigned i = 0; i < 10; i++)
		if (digits[i] == code)
			return digit_names[i];
	for (size_t i = 0; i < NNAMES; i++)
		if (names[i].code == code)
			return names[i].name;
	return NULL;
}

/* Edit distance of two short lowercase strings, capped at 9. */
static unsigned distance(const char *a, const char *b)
{
	unsigned row[32], la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

	if (la > 30 || lb > 30)
		return 9;
	for (unsigned j = 0; j <= lb; j++)
		row[j] = j;
	for (unsigned i = 1; i <= la; i++) {
		unsigned diag = row[0], next;
		row[0] = i;
		for (unsigned j = 1; j <= lb; j++) {
			next = row[j];
			unsigned sub = diag + (tolower((unsigned char)a[i - 1]) != b[j - 1]);
			unsigned del = row[j] + 1, ins = row[j - 1] + 1;
			row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			diag = next;
		}
	}
	return row[lb] > 9 ? 9 : row[lb];
}

/* How near a name is to what was typed: its edit distance, 0 when the
 * typed text starts it; above 2 is not near. */
static unsigned nearness(const char *typed, const char *name)
{
	size_t n = strlen(typed);

	if (n >= 2 && strncasecmp(name, typed, n) == 0)
		return 0;
	return distance(typed, name);
}

/* "unknown key 'x'" and the names nearest to it, nearest first. */
static void unknown(const char *name, char *err, size_t errlen)
{
	size_t len = (size_t)snprintf(err, errlen, "unknown key '%s'", name), shown = 0;

	for (unsigned d = 0; d <= 2; d++) {
		for (size_t i = 0; i < NNAMES && shown < 6 && len < errlen; i++) {
			if (nearness(name, names[i].name) != d)
				continue;
			len += (size_t)snprintf(err + len, errlen - len, "%s%s",
						shown ? ", " : " (did you mean ", names[i].name);
			shown++;
		}
	}
	if (len < errlen)
		snprintf(err + len, errlen - len, "%s",
			 shown ? "?)"
			       : "; names: a-z 0-9 ret esc tab spc bksp f1-f12 up down left "
				 "right home end pgup pgdn ins del ctrl alt shift meta ...");
}

static int push(struct input_key *out, size_t max, size_t *n, unsigned code, bool down, char *err,
		size_t errlen)
{
	if (*n >= max) {
		snprintf(err, errlen, "too many keys at once (at most %zu events)", max);
		return -1;
	}
	out[(*n)++] = (struct input_key){.code = (uint16_t)code, .down = down};
	return 0;
}

int keys_parse(const char *spec, struct input_key *out, size_t max, size_t *n, char *err,
	       size_t errlen)
{
	int codes[KEYS_COMBO_MAX];
	unsigned count = 0;
	char part[32];
	const char *p = spec;

	do {
		size_t len = strcspn(p, "-+");
		if (len == 0 || len >= sizeof part) {
			snprintf(err, errlen,
				 "bad key '%s' (write combinations as ctrl-alt-delete)", spec);
			return -1;
		}
		if (count == KEYS_COMBO_MAX) {
			snprintf(err, errlen, "'%s': at most %d keys in a combination", spec,
				 KEYS_COMBO_MAX);
			return -1;
		}
		memcpy(part, p, len);
		part[len] = '\0';
		codes[count] = keys_code(part);
		if (codes[count] < 0) {
			unknown(part, err, errlen);
			return -1;
		}
		count++;
		p += len;
	} while (*p++);
	for (unsigned i = 0; i < count; i++)
		if (push(out, max, n, (unsigned)codes[i], true, err, errlen) < 0)
			return -1;
	for (unsigned i = count; i-- > 0;)
		if (push(out, max, n, (unsigned)codes[i], false, err, errlen) < 0)
			return -1;
	return 0;
}

/* US layout: the key of each printable character and whether it needs
 * Shift. */
static const char plain_syms[] = " '`,-./;=[\\]";
static const unsigned short plain_codes[] = {
    KEY_SPACE, KEY_APOSTROPHE, KEY_GRAVE, KEY_COMMA,	 KEY_MINUS,	KEY_DOT,
    KEY_SLASH, KEY_SEMICOLON,  KEY_EQUAL, KEY_LEFTBRACE, KEY_BACKSLASH, KEY_RIGHTBRACE};
static const char shift_syms[] = "\"~<_>?:+{|}!@#$%^&*()";
static const unsigned short shift_codes[] = {
    KEY_APOSTROPHE, KEY_GRAVE,	   KEY_COMMA,	  KEY_MINUS,	  KEY_DOT, KEY_SLASH, KEY_SEMICOLON,
    KEY_EQUAL,	    KEY_LEFTBRACE, KEY_BACKSLASH, KEY_RIGHTBRACE, KEY_1,   KEY_2,     KEY_3,
    KEY_4,	    KEY_5,	   KEY_6,	  KEY_7,	  KEY_8,   KEY_9,     KEY_0};

/* The key of character c and whether Shift goes with it; -1 if none. */
static int char_key(char c, bool *shift)
{
	const char *s;

	*shift = false;
	if (c >= 'a' && c <= 'z')
		return letters[c - 'a'];
	if (c >= 'A' && c <= 'Z')
		return *shift = true, letters[c - 'A'];
	if (c >= '0' && c <= '9')
		return digits[c - '0'];
	if (c == '\n')
		return KEY_ENTER;
	if (c == '\t')
		return KEY_TAB;
	if (c && (s = strchr(plain_syms, c)))
		return plain_codes[s - plain_syms];
	if (c && (s = strchr(shift_syms, c)))
		return *shift = true, shift_codes[s - shift_syms];
	return -1;
}

int keys_text(const char *text, struct input_key *out, size_t max, size_t *n, char *err,
	      size_t errlen)
{
	for (const char *p = text; *p; p++) {
		bool shift;
		int code = char_key(*p, &shift);
		if (code < 0) {
			snprintf(err, errlen, "cannot type byte %#04x ('%c') on a US keyboard",
				 (unsigned char)*p, isprint((unsigned char)*p) ? *p : '?');
			return -1;
		}
		if ((shift && push(out, max, n, KEY_LEFTSHIFT, true, err, errlen) < 0) ||
		    push(out, max, n, (unsigned)code, true, err, errlen) < 0 ||
		    push(out, max, n, (unsigned)code, false, err, errlen) < 0 ||
		    (shift && push(out, max, n, KEY_LEFTSHIFT, false, err, errlen) < 0))
			return -1;
	}
	return 0;
}
