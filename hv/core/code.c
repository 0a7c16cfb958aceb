/* Code-page tracking (code.h). */
#include "hv/core/code.h"

#include <stdlib.h>

#include "hv/core/memory.h"

/* Tracks the RAM a 32-bit guest reaches: the low part. */
int mem_code_enable(struct guest_mem *m)
{
	uint64_t low = m->ram_size < MEM_LOW_RAM_LIMIT ? m->ram_size : MEM_LOW_RAM_LIMIT;

	if (m->code.words)
		return 0;
	m->code.words = calloc(low / MEM_PAGE_SIZE, sizeof *m->code.words);
	if (!m->code.words)
		return -1;
	m->code.pages = low / MEM_PAGE_SIZE;
	return 0;
}

void mem_code_free(struct guest_mem *m)
{
	free(m->code.words);
	m->code.words = NULL;
	m->code.pages = 0;
}

atomic_uint *mem_code_word(struct guest_mem *m, uint64_t gpa)
{
	uint64_t page = gpa / MEM_PAGE_SIZE;

	return m->code.words && page < m->code.pages ? &m->code.words[page] : NULL;
}

uint32_t mem_code_mark(atomic_uint *word, bool *fresh)
{
	unsigned v = atomic_load_explicit(word, memory_order_relaxed);

	*fresh = false;
	while (!(v & 1)) {
		if (atomic_compare_exchange_weak_explicit(word, &v, v | 1, memory_order_relaxed,
							  memory_order_relaxed)) {
			*fresh = true;
			return v | 1;
		}
	}
	return v;
}

bool mem_code_marked(struct guest_mem *m, uint64_t gpa)
{
	atomic_uint *w = mem_code_word(m, gpa);

	return w && (atomic_load_explicit(w, memory_order_relaxed) & 1);
}

/* Odd (marked) becomes the next even value: unmarked, a new generation. */
static void invalidate(atomic_uint *word)
{
	unsigned v = atomic_load_explicit(word, memory_order_relaxed);

	while ((v & 1) && !atomic_compare_exchange_weak_explicit(
			      word, &v, v + 1, memory_order_release, memory_order_relaxed))
		;
}

void mem_code_written(struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t first = gpa / MEM_PAGE_SIZE, last;

	if (len == 0 || first >= m->code.pages)
		return;
	last = (gpa + len - 1) / MEM_PAGE_SIZE;
	if (last >= m->code.pages)
		last = m->code.pages - 1;
	for (uint64_t p = first; p <= last; p++)
		invalidate(&m->code.words[p]);
}
