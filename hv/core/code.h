/* Code-page tracking: which RAM pages hold code a soft CPU has decoded,
 * so that decoded blocks are invalidated by a write to their page instead
 * of being compared with the code bytes on every execution. Each tracked
 * page has a word: a generation (bits 1-31) and "holds decoded code"
 * (bit 0). A block remembers the word it saw when it was decoded and is
 * valid while the word is unchanged. Whatever writes RAM calls
 * mem_mark_written() (memory.h), which comes here: a write to a page that
 * holds code clears bit 0 and advances the generation; a write to any
 * other page costs one load. The soft TLB keeps no write pointer to a
 * page holding code (hv/x86/block.c drops them when it marks a page), so
 * guest stores through the TLB come here too.
 *
 * Threads: a vCPU marks pages; DMA and the host may clear them from other
 * threads, so the words are atomic. */
#ifndef HV_CODE_H
#define HV_CODE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct guest_mem;

struct mem_code {
	atomic_uint *words; /* one per tracked page; NULL while nothing is tracked */
	uint64_t pages;	    /* pages tracked, from guest-physical 0 */
};

/* Starts tracking the low RAM of m (idempotent). Returns 0, or -1 when
 * out of memory (then nothing is tracked and blocks are not cached). */
int mem_code_enable(struct guest_mem *m);

/* Frees the tracking words (mem_destroy). */
void mem_code_free(struct guest_mem *m);

/* The word of the page holding gpa, or NULL if it is not tracked. */
atomic_uint *mem_code_word(struct guest_mem *m, uint64_t gpa);

/* Marks the page of `word` as holding decoded code. Returns its word now
 * (bit 0 set); *fresh tells whether it was not marked before. */
uint32_t mem_code_mark(atomic_uint *word, bool *fresh);

/* Whether the page holding gpa holds decoded code. */
bool mem_code_marked(struct guest_mem *m, uint64_t gpa);

/* A write to [gpa, gpa+len): invalidates the code of the pages it touches. */
void mem_code_written(struct guest_mem *m, uint64_t gpa, uint64_t len);

#endif
