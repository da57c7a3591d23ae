/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest RAM: each memory region of a guest node is backed by naturally
 * aligned chunks from the page allocator (4 MiB, the last one smaller when
 * the region is), mapped into the guest's stage-2 tables. Every access Keel
 * makes on a guest's behalf goes through the range checks here.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_internal.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <string.h>

/* Order of chunk i of a region of `size` bytes. */
static unsigned int chunk_order(uint64_t size, unsigned int i)
{
	uint64_t left = size - (uint64_t)i * GUEST_MEM_CHUNK_SIZE;
	unsigned int order = 0;

	if (left >= GUEST_MEM_CHUNK_SIZE)
		return GUEST_MEM_CHUNK_ORDER;
	while ((PAGE_SIZE << order) < left)
		order++;
	return order;
}

static uint64_t chunk_bytes(uint64_t size, unsigned int i)
{
	return MIN(size - (uint64_t)i * GUEST_MEM_CHUNK_SIZE, GUEST_MEM_CHUNK_SIZE);
}

void guest_mem_free(struct guest *g)
{
	for (unsigned int r = 0; r < g->mem_count; r++) {
		struct guest_mem *m = &g->mem[r];

		if (!m->chunks)
			continue;
		for (unsigned int i = 0; i < m->chunk_count; i++) {
			if (!m->chunks[i])
				continue;
			arch_stage2_unmap(g, m->base + (uint64_t)i * GUEST_MEM_CHUNK_SIZE,
					  chunk_bytes(m->size, i));
			page_free(m->chunks[i], chunk_order(m->size, i));
		}
		kfree(m->chunks);
		m->chunks = NULL;
	}
	g->mem_count = 0;
}

int guest_mem_alloc(struct guest *g, char *err, size_t err_len)
{
	for (unsigned int r = 0; r < g->config.mem_count; r++) {
		const struct guest_mem_config *mc = &g->config.mem[r];
		struct guest_mem *m = &g->mem[r];

		m->base = mc->base;
		m->size = mc->size;
		m->chunk_count = (unsigned int)((mc->size + GUEST_MEM_CHUNK_SIZE - 1) /
						GUEST_MEM_CHUNK_SIZE);
		m->chunks = kzalloc(m->chunk_count * sizeof(*m->chunks));
		g->mem_count = r + 1;
		if (!m->chunks)
			goto err_nomem;
		for (unsigned int i = 0; i < m->chunk_count; i++) {
			gpa_t gpa = m->base + (uint64_t)i * GUEST_MEM_CHUNK_SIZE;
			int ret;

			m->chunks[i] = page_zalloc(chunk_order(m->size, i));
			if (!m->chunks[i])
				goto err_nomem;
			/* The zeros, not a previous owner's data, for a
			 * guest that starts with its caches off. */
			arch_guest_memory_written(m->chunks[i], chunk_bytes(m->size, i));
			ret = arch_stage2_map(g, gpa, ptr_to_hpa(m->chunks[i]),
					      ALIGN_UP(chunk_bytes(m->size, i), PAGE_SIZE));
			if (ret) {
				guest_error(err, err_len, g, "cannot map guest memory at 0x%llx: %s",
					    (unsigned long long)gpa, keel_strerror(ret));
				guest_mem_free(g);
				return ret;
			}
		}
	}
	return 0;

err_nomem:
	guest_error(err, err_len, g, "not enough free host memory for %llu MiB of guest RAM (see `mem`)",
		    (unsigned long long)(guest_config_ram_bytes(&g->config) >> 20));
	guest_mem_free(g);
	return -KEEL_ENOMEM;
}

void guest_mem_clear(struct guest *g)
{
	for (unsigned int r = 0; r < g->mem_count; r++)
		for (unsigned int i = 0; i < g->mem[r].chunk_count; i++) {
			memset(g->mem[r].chunks[i], 0, chunk_bytes(g->mem[r].size, i));
			arch_guest_memory_written(g->mem[r].chunks[i],
						  chunk_bytes(g->mem[r].size, i));
		}
}

uint64_t guest_config_ram_bytes(const struct guest_config *cfg)
{
	uint64_t total = 0;

	for (unsigned int r = 0; r < cfg->mem_count; r++)
		total += cfg->mem[r].size;
	return total;
}

static struct guest_mem *guest_mem_find(struct guest *g, gpa_t gpa)
{
	for (unsigned int r = 0; r < g->mem_count; r++)
		if (gpa >= g->mem[r].base && gpa - g->mem[r].base < g->mem[r].size)
			return &g->mem[r];
	return NULL;
}

void *guest_gpa_to_hva(struct guest *g, gpa_t gpa, size_t len)
{
	struct guest_mem *m = guest_mem_find(g, gpa);
	uint64_t offset, in_chunk;

	if (!m || !m->chunks)
		return NULL;
	offset = gpa - m->base;
	if (len > m->size - offset)
		return NULL;
	in_chunk = offset % GUEST_MEM_CHUNK_SIZE;
	if (len > GUEST_MEM_CHUNK_SIZE - in_chunk)
		return NULL;
	return (uint8_t *)m->chunks[offset / GUEST_MEM_CHUNK_SIZE] + in_chunk;
}

bool guest_range_is_ram(struct guest *g, gpa_t gpa, uint64_t len)
{
	struct guest_mem *m = guest_mem_find(g, gpa);

	return m && len <= m->size - (gpa - m->base);
}

/* Calls copy for each piece of [gpa, gpa+len) that lies in one chunk. */
static int guest_copy(struct guest *g, gpa_t gpa, size_t len,
		      void (*copy)(void *hva, void *buf, size_t n), void *buf)
{
	struct guest_mem *m = guest_mem_find(g, gpa);

	if (!m || !guest_range_is_ram(g, gpa, len))
		return -KEEL_EFAULT;
	while (len) {
		uint64_t in_chunk = (gpa - m->base) % GUEST_MEM_CHUNK_SIZE;
		size_t piece = (size_t)MIN((uint64_t)len, GUEST_MEM_CHUNK_SIZE - in_chunk);
		void *hva = guest_gpa_to_hva(g, gpa, piece);

		if (!hva)
			return -KEEL_EFAULT;
		copy(hva, buf, piece);
		buf = (uint8_t *)buf + piece;
		gpa += piece;
		len -= piece;
	}
	return 0;
}

static void copy_in(void *hva, void *buf, size_t n)
{
	memcpy(hva, buf, n);
}

static void copy_out(void *hva, void *buf, size_t n)
{
	memcpy(buf, hva, n);
}

int guest_copy_to(struct guest *g, gpa_t gpa, const void *src, size_t len)
{
	return guest_copy(g, gpa, len, copy_in, (void *)(uintptr_t)src);
}

static void load_in(void *hva, void *buf, size_t n)
{
	memcpy(hva, buf, n);
	arch_guest_memory_written(hva, n);
}

int guest_load_to(struct guest *g, gpa_t gpa, const void *src, size_t len)
{
	return guest_copy(g, gpa, len, load_in, (void *)(uintptr_t)src);
}

int guest_copy_from(struct guest *g, void *dst, gpa_t gpa, size_t len)
{
	return guest_copy(g, gpa, len, copy_out, dst);
}
