/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keel's own EL2 page tables. Host memory is mapped 1:1 (virtual address =
 * physical address), so a host physical address is directly a pointer.
 * Permissions follow the image layout: code read-only and executable,
 * read-only data read-only, everything else writable and never executable.
 */
#include <keel/errno.h>
#include <keel/idmap.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/mmu.h>

#define ENTRIES 512
#define LEVEL_SHIFT(level) (39 - 9 * (level)) /* level 1: 30, 2: 21, 3: 12 */
#define LEVEL_SIZE(level) (1ULL << LEVEL_SHIFT(level))
#define PTE_ADDR_MASK 0x0000fffffffff000ULL
#define ATTR_MASK (~PTE_ADDR_MASK & ~3ULL)

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __image_start[], __image_end[];

uint64_t hyp_ttbr0;

#define PROT_RAM (PTE_ATTR(MT_NORMAL) | PTE_AP_RW | PTE_SH_INNER | PTE_AF | PTE_XN)
#define PROT_TEXT (PTE_ATTR(MT_NORMAL) | PTE_AP_RO | PTE_SH_INNER | PTE_AF)
#define PROT_RODATA (PTE_ATTR(MT_NORMAL) | PTE_AP_RO | PTE_SH_INNER | PTE_AF | PTE_XN)
#define PROT_DEVICE (PTE_ATTR(MT_DEVICE_nGnRE) | PTE_AP_RW | PTE_AF | PTE_XN)

/* Replaces a block entry by a table of the same mapping one level down. */
static int split_block(uint64_t *entry, int level)
{
	uint64_t *table = page_zalloc(0);
	uint64_t base = *entry & PTE_ADDR_MASK;
	uint64_t attrs = *entry & ATTR_MASK;
	uint64_t type = level + 1 == 3 ? (PTE_VALID | PTE_PAGE) : PTE_VALID;

	if (!table)
		return -KEEL_ENOMEM;
	for (int i = 0; i < ENTRIES; i++)
		table[i] = (base + (uint64_t)i * LEVEL_SIZE(level + 1)) | attrs | type;
	*entry = ptr_to_hpa(table) | PTE_VALID | PTE_TABLE;
	return 0;
}

static int map_level(uint64_t *table, int level, uint64_t addr, uint64_t end,
		     uint64_t prot)
{
	while (addr < end) {
		uint64_t size = LEVEL_SIZE(level);
		uint64_t next = MIN(ALIGN_DOWN(addr, size) + size, end);
		uint64_t *entry = &table[(addr >> LEVEL_SHIFT(level)) & (ENTRIES - 1)];
		int err;

		if (level == 3) {
			*entry = addr | prot | PTE_VALID | PTE_PAGE;
		} else if (IS_ALIGNED(addr, size) && next - addr == size) {
			/* A whole block; any finer table below it is dropped
			 * (only happens while building, never live). */
			*entry = addr | prot | PTE_VALID;
		} else {
			if (!(*entry & PTE_VALID)) {
				uint64_t *sub = page_zalloc(0);

				if (!sub)
					return -KEEL_ENOMEM;
				*entry = ptr_to_hpa(sub) | PTE_VALID | PTE_TABLE;
			} else if (!(*entry & PTE_TABLE)) {
				err = split_block(entry, level);
				if (err)
					return err;
			}
			err = map_level(hpa_to_ptr(*entry & PTE_ADDR_MASK), level + 1,
					addr, next, prot);
			if (err)
				return err;
		}
		addr = next;
	}
	return 0;
}

/* The idmap_map_fn hook: maps [base, end), widened to whole pages. */
static int map_range(void *root, uint64_t base, uint64_t end, enum idmap_prot prot)
{
	static const uint64_t bits[] = {
		[IDMAP_RAM] = PROT_RAM,
		[IDMAP_TEXT] = PROT_TEXT,
		[IDMAP_RODATA] = PROT_RODATA,
		[IDMAP_DEVICE] = PROT_DEVICE,
	};

	return map_level(root, 1, ALIGN_DOWN(base, PAGE_SIZE),
			 ALIGN_UP(end, PAGE_SIZE), bits[prot]);
}

static uint64_t sym(const char *s)
{
	return (uint64_t)(uintptr_t)s;
}

int arch_mmu_init(void)
{
	const struct idmap_layout layout = {
		.text_start = sym(__text_start), .text_end = sym(__text_end),
		.rodata_start = sym(__rodata_start), .rodata_end = sym(__rodata_end),
	};
	uint64_t *root = page_zalloc(0);
	int err;

	if (!root)
		return -KEEL_ENOMEM;
	err = idmap_build(root, &layout, map_range);
	if (err)
		return err;

	hyp_ttbr0 = ptr_to_hpa(root);
	dsb(ish);
	write_sysreg(ttbr0_el2, hyp_ttbr0);
	isb();
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb(ish);
	/* Writable memory is never executable from now on. */
	write_sysreg(sctlr_el2, read_sysreg(sctlr_el2) | SCTLR_WXN);
	isb();
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb(ish);
	isb();
	/* Secondary CPUs read hyp_ttbr0 with their caches off. */
	__asm__ volatile("dc civac, %0" ::"r"(&hyp_ttbr0) : "memory");
	dsb(sy);
	return 0;
}
