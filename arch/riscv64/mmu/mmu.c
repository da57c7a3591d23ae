/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keel's own Sv39 page tables. Host memory is mapped 1:1 (virtual address
 * = physical address), so a host physical address is directly a pointer.
 * Permissions follow the image layout: code read-only and executable,
 * read-only data read-only, everything else writable and never
 * executable. Device windows are ordinary read/write mappings: on RISC-V
 * the platform's physical memory attributes, not the page table, make a
 * region I/O.
 */
#include <keel/errno.h>
#include <keel/idmap.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/early.h>
#include <arch/mmu.h>

#define ENTRIES 512
#define LEVELS 3                                 /* Sv39: 2 (root), 1, 0 */
#define LEVEL_SHIFT(level) (12 + 9 * (level))    /* 2: 30, 1: 21, 0: 12 */
#define LEVEL_SIZE(level) (1ULL << LEVEL_SHIFT(level))
#define PTE_LEAF_BITS (PTE_R | PTE_W | PTE_X)
/* Sv39 reaches 2^38 bytes with the lower half of the address space. */
#define SV39_LIMIT (1ULL << 38)

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];

uint64_t riscv_satp;

#define PROT_COMMON (PTE_V | PTE_G | PTE_A | PTE_D)
#define PROT_RAM (PROT_COMMON | PTE_R | PTE_W)
#define PROT_TEXT (PROT_COMMON | PTE_R | PTE_X)
#define PROT_RODATA (PROT_COMMON | PTE_R)
#define PROT_DEVICE (PROT_COMMON | PTE_R | PTE_W)

static uint64_t pte_to_pa(uint64_t pte)
{
	return (pte >> PTE_PPN_SHIFT) << 12;
}

static uint64_t pa_to_pte(uint64_t pa)
{
	return (pa >> 12) << PTE_PPN_SHIFT;
}

static bool pte_is_leaf(uint64_t pte)
{
	return (pte & PTE_V) && (pte & PTE_LEAF_BITS);
}

/* Replaces a leaf by a table of the same mapping one level down. */
static int split_leaf(uint64_t *entry, int level)
{
	uint64_t *table = page_zalloc(0);
	uint64_t base = pte_to_pa(*entry);
	uint64_t attrs = *entry & 0x3ff;

	if (!table)
		return -KEEL_ENOMEM;
	for (int i = 0; i < ENTRIES; i++)
		table[i] = pa_to_pte(base + (uint64_t)i * LEVEL_SIZE(level - 1)) | attrs;
	*entry = pa_to_pte(ptr_to_hpa(table)) | PTE_V;
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

		if (level == 0 || (IS_ALIGNED(addr, size) && next - addr == size)) {
			/* A whole leaf; any finer table below it is dropped
			 * (only happens while building, never live). */
			*entry = pa_to_pte(addr) | prot;
		} else {
			if (!(*entry & PTE_V)) {
				uint64_t *sub = page_zalloc(0);

				if (!sub)
					return -KEEL_ENOMEM;
				*entry = pa_to_pte(ptr_to_hpa(sub)) | PTE_V;
			} else if (pte_is_leaf(*entry)) {
				err = split_leaf(entry, level);
				if (err)
					return err;
			}
			err = map_level(hpa_to_ptr(pte_to_pa(*entry)), level - 1,
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

	if (end > SV39_LIMIT) {
		log_error("mmu: 0x%llx-0x%llx lies beyond Sv39's 256 GiB identity map",
			  (unsigned long long)base, (unsigned long long)end);
		return -KEEL_ERANGE;
	}
	return map_level(root, LEVELS - 1, ALIGN_DOWN(base, PAGE_SIZE),
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
	uint64_t *root;
	int err;

	if (riscv_isa.known && !riscv_isa.h) {
		log_error("riscv64: the boot hart has no H extension (riscv,isa \"%s\"); "
			  "Keel needs HS-mode (QEMU: -cpu rv64, where H is on by default)",
			  riscv_isa.string);
		arch_cpu_park();
	}
	if (!IS_ALIGNED(sym(__text_start), PAGE_SIZE)) {
		log_error("mmu: Keel was loaded at 0x%llx, not at a 4 KiB boundary",
			  (unsigned long long)sym(__text_start));
		return -KEEL_EINVAL;
	}
	root = page_zalloc(0);
	if (!root)
		return -KEEL_ENOMEM;
	err = idmap_build(root, &layout, map_range);
	if (err)
		return err;

	riscv_satp = SATP_MODE_SV39 | (ptr_to_hpa(root) >> 12);
	/* The table writes before the walker may see them. */
	__asm__ volatile("sfence.vma" ::: "memory");
	csr_write(satp, riscv_satp);
	__asm__ volatile("sfence.vma" ::: "memory");
	return 0;
}
