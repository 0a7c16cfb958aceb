/* SDL scancodes (USB HID usages) to the Linux KEY_* codes that hv's input
 * path carries (hv/core/input.h). */
#ifndef HV_DISPLAY_SDL_KEYMAP_H
#define HV_DISPLAY_SDL_KEYMAP_H

#include <SDL2/SDL_scancode.h>

/* The KEY_* code for an SDL scancode, or 0 for keys a PC keyboard lacks. */
unsigned sdl_keymap_code(SDL_Scancode sc);

#endif
