/* hv view: the Ctrl+Alt+H help overlay, drawn with the 8x16 font of the
 * machine's VGA BIOS (the seabios package hv boots with), found by its
 * well-known glyph for character 1. No font file of our own is needed. */
#include <SDL2/SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display/sdl_view.h"

#define VGA_BIOS_PATH "/usr/share/seabios/vgabios-stdvga.bin"
#define FONT_BYTES    (256 * 16)

/* Character 1 (the smiling face) of the PC's 8x16 font. */
static const unsigned char smiley[16] = {0x00, 0x00, 0x7e, 0x81, 0xa5, 0x81, 0x81, 0xbd,
					 0x99, 0x81, 0x81, 0x7e, 0x00, 0x00, 0x00, 0x00};

unsigned char *overlay_load_font(void)
{
	FILE *f = fopen(VGA_BIOS_PATH, "rb");
	unsigned char *rom = malloc(256 * 1024), *font = NULL;
	size_t n;

	if (!f || !rom) {
		if (f)
			fclose(f);
		free(rom);
		return NULL;
	}
	n = fread(rom, 1, 256 * 1024, f);
	fclose(f);
	for (size_t i = 16; i + sizeof smiley + FONT_BYTES - 16 <= n; i++) {
		if (memcmp(rom + i, smiley, sizeof smiley) == 0) {
			font = malloc(FONT_BYTES);
			if (font)
				memcpy(font, rom + i - 16, FONT_BYTES);
			break;
		}
	}
	free(rom);
	return font;
}

static void draw_text(SDL_Renderer *r, const unsigned char *font, int x, int y, const char *s)
{
	for (; *s; s++, x += 8) {
		const unsigned char *glyph = font + (unsigned char)*s * 16;
		for (int row = 0; row < 16; row++)
			for (int col = 0; col < 8; col++)
				if (glyph[row] & (0x80 >> col))
					SDL_RenderDrawPoint(r, x + col, y + row);
	}
}

void overlay_draw_help(struct viewer *v, struct guest_view *g)
{
	int lines = 0, width = 0;
	SDL_Rect box;

	if (!v->font)
		return; /* `hv view --help` lists the same keys */
	for (; view_hotkey_help[lines]; lines++) {
		int w = (int)strlen(view_hotkey_help[lines]) * 8;
		width = w > width ? w : width;
	}
	box = (SDL_Rect){16, 16, width + 32, lines * 18 + 32};
	SDL_SetRenderDrawBlendMode(g->ren, SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(g->ren, 0, 0, 64, 220);
	SDL_RenderFillRect(g->ren, &box);
	SDL_SetRenderDrawColor(g->ren, 255, 255, 160, 255);
	for (int i = 0; i < lines; i++)
		draw_text(g->ren, v->font, box.x + 16, box.y + 16 + i * 18, view_hotkey_help[i]);
}
