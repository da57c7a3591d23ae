/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stage-2 translation: what guest-physical addresses (IPAs) a guest can
 * reach and which host RAM backs them. Everything not mapped here traps to
 * EL2, which is how Keel sees MMIO. Mappings are normal write-back memory,
 * read/write/execute; the guest's own stage 1 picks the final attributes.
 *
 * The IPA space is 40 bits (VTCR_EL2.T0SZ = 24) with walks starting at
 * level 1, so the root is two concatenated level-1 tables (1024 entries,
 * 8 KiB, 8 KiB aligned). Table pages are host RAM, which Keel maps 1:1.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <arch/cpu.h>
#include <arch/stage2.h>
#include <arch/sysreg.h>

#define ENTRIES 512
#define ROOT_ENTRIES 1024
#define LEVEL_SHIFT(level) (39 - 9 * (level)) /* level 1: 30, 2: 21, 3: 12 */
#define LEVEL_SIZE(level) (1ULL << LEVEL_SHIFT(level))
#define IPA_LIMIT (1ULL << ARM64_STAGE2_IPA_BITS)

/* Stage-2 descriptor bits. */
#define S2_VALID (1ULL << 0)
#define S2_TABLE (1ULL << 1)            /* levels 1-2: next-level table */
#define S2_PAGE (1ULL << 1)             /* level 3: page */
#define S2_MEMATTR_NORMAL_WB (0xfULL << 2) /* outer and inner write-back */
#define S2_AP_RW (3ULL << 6)
#define S2_SH_INNER (3ULL << 8)
#define S2_AF (1ULL << 10)
#define S2_ADDR_MASK 0x0000fffffffff000ULL
#define S2_ATTR_MASK (~S2_ADDR_MASK & ~3ULL)
#define S2_RAM (S2_MEMATTR_NORMAL_WB | S2_AP_RW | S2_SH_INNER | S2_AF)

#define VTTBR_VMID_SHIFT 48
#define VMID_COUNT 256                  /* 8-bit VMIDs; 0 is never handed out */

/* Up to this many pages are invalidated one by one; beyond, the VMID. */
#define TLBI_PAGE_LIMIT 64

static spinlock_t vmid_lock = SPINLOCK_INIT;
static uint64_t vmid_bitmap[VMID_COUNT / 64];

static unsigned int vmid_alloc(void)
{
	unsigned long flags = spin_lock_irqsave(&vmid_lock);
	unsigned int vmid = 0;

	for (unsigned int i = 1; i < VMID_COUNT; i++) {
		if (!(vmid_bitmap[i / 64] & (1ULL << (i % 64)))) {
			vmid_bitmap[i / 64] |= 1ULL << (i % 64);
			vmid = i;
			break;
		}
	}
	spin_unlock_irqrestore(&vmid_lock, flags);
	return vmid;
}

static void vmid_free(unsigned int vmid)
{
	unsigned long flags = spin_lock_irqsave(&vmid_lock);

	vmid_bitmap[vmid / 64] &= ~(1ULL << (vmid % 64));
	spin_unlock_irqrestore(&vmid_lock, flags);
}

/*
 * TLB maintenance for EL1&0 acts on the VMID in VTTBR_EL2, so these run
 * with the guest's VTTBR loaded for a moment (interrupts masked) and the
 * previous value put back: the next guest entry on this CPU loads its own
 * anyway, but nothing here should depend on that.
 */
static uint64_t vttbr_switch(uint64_t vttbr)
{
	uint64_t old = read_sysreg(vttbr_el2);

	write_sysreg(vttbr_el2, vttbr);
	isb();
	return old;
}

static void tlbi_ipa(gpa_t ipa)
{
	__asm__ volatile("tlbi ipas2e1is, %0" ::"r"(ipa >> 12) : "memory");
}

static void tlbi_vmid_all(void)
{
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
}

/* Forgets every stage-1 and stage-2 TLB entry tagged with the VMID of
 * vttbr, on all CPUs. */
static void tlb_flush_vmid(uint64_t vttbr)
{
	unsigned long flags = arch_irq_save();
	uint64_t old = vttbr_switch(vttbr);

	dsb(ishst);
	tlbi_vmid_all();
	dsb(ish);
	isb();
	vttbr_switch(old);
	arch_irq_restore(flags);
}

static unsigned int entry_index(unsigned int level, gpa_t ipa)
{
	/* The root (level 1) has 1024 entries; IPAs are below 2^40. */
	return (unsigned int)((ipa >> LEVEL_SHIFT(level)) &
			      (level == 1 ? ROOT_ENTRIES - 1 : ENTRIES - 1));
}

static uint64_t *table_of(uint64_t desc)
{
	return hpa_to_ptr(desc & S2_ADDR_MASK);
}

/* Maps [ipa, end) at level; *mapped advances past each mapped piece so a
 * failure can be undone exactly. */
static int map_level(uint64_t *table, unsigned int level, gpa_t ipa, gpa_t end,
		     hpa_t hpa, gpa_t *mapped)
{
	while (ipa < end) {
		uint64_t size = LEVEL_SIZE(level);
		gpa_t next = MIN(ALIGN_DOWN(ipa, size) + size, end);
		uint64_t *entry = &table[entry_index(level, ipa)];
		uint64_t desc = *entry;

		if (level == 3) {
			if (desc & S2_VALID)
				return -KEEL_EEXIST;
			WRITE_ONCE(*entry, hpa | S2_RAM | S2_VALID | S2_PAGE);
		} else if (IS_ALIGNED(ipa, size) && next - ipa == size &&
			   IS_ALIGNED(hpa, size)) {
			if (desc & S2_VALID)
				return -KEEL_EEXIST;
			WRITE_ONCE(*entry, hpa | S2_RAM | S2_VALID);
		} else {
			int err;

			if (!(desc & S2_VALID)) {
				uint64_t *sub = page_zalloc(0);

				if (!sub)
					return -KEEL_ENOMEM;
				desc = ptr_to_hpa(sub) | S2_VALID | S2_TABLE;
				WRITE_ONCE(*entry, desc);
			} else if (!(desc & S2_TABLE)) {
				return -KEEL_EEXIST;
			}
			err = map_level(table_of(desc), level + 1, ipa, next, hpa, mapped);
			if (err)
				return err;
		}
		hpa += next - ipa;
		ipa = next;
		*mapped = ipa;
	}
	return 0;
}

static bool table_is_empty(const uint64_t *table)
{
	for (unsigned int i = 0; i < ENTRIES; i++)
		if (table[i] & S2_VALID)
			return false;
	return true;
}

/*
 * Turns a live block into a table of the same mapping one level down,
 * break-before-make: the block is removed and its TLB entries invalidated
 * before the table appears. The caller has the guest's VTTBR loaded.
 */
static int split_block(uint64_t *entry, unsigned int level, gpa_t block_ipa)
{
	uint64_t desc = *entry;
	uint64_t *sub = page_zalloc(0);
	uint64_t child_size = LEVEL_SIZE(level + 1);
	uint64_t type = level + 1 == 3 ? (S2_VALID | S2_PAGE) : S2_VALID;

	if (!sub)
		return -KEEL_ENOMEM;
	for (unsigned int i = 0; i < ENTRIES; i++)
		sub[i] = ((desc & S2_ADDR_MASK) + i * child_size) |
			 (desc & S2_ATTR_MASK) | type;
	WRITE_ONCE(*entry, 0);
	dsb(ishst);
	tlbi_ipa(block_ipa);
	dsb(ish);
	WRITE_ONCE(*entry, ptr_to_hpa(sub) | S2_VALID | S2_TABLE);
	dsb(ishst);
	return 0;
}

/*
 * Clears [ipa, end) at level. Tables left empty are unhooked and chained
 * through their first entry (a page address, so never a valid descriptor)
 * on *to_free, to be freed after the TLB invalidation.
 */
static void unmap_level(uint64_t *table, unsigned int level, gpa_t ipa,
			gpa_t end, uint64_t **to_free)
{
	while (ipa < end) {
		uint64_t size = LEVEL_SIZE(level);
		gpa_t block_ipa = ALIGN_DOWN(ipa, size);
		gpa_t next = MIN(block_ipa + size, end);
		uint64_t *entry = &table[entry_index(level, ipa)];
		uint64_t desc = *entry;

		if (!(desc & S2_VALID)) {
			ipa = next;
			continue;
		}
		if (level < 3 && (desc & S2_TABLE)) {
			uint64_t *sub = table_of(desc);

			unmap_level(sub, level + 1, ipa, next, to_free);
			if (table_is_empty(sub)) {
				WRITE_ONCE(*entry, 0);
				sub[0] = ptr_to_hpa(*to_free);
				*to_free = sub;
			}
		} else if (ipa == block_ipa && next - ipa == size) {
			WRITE_ONCE(*entry, 0);
		} else if (split_block(entry, level, block_ipa) == 0) {
			continue;       /* same range again, now through a table */
		} else {
			/* Leaving more mapped than asked could hand the guest
			 * memory its owner is about to reuse: take it all. */
			log_warn("stage2: no memory to split the block at IPA 0x%llx; unmapping all of it",
				 (unsigned long long)block_ipa);
			WRITE_ONCE(*entry, 0);
		}
		ipa = next;
	}
}

static void free_tables(uint64_t *table, unsigned int level, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		uint64_t desc = table[i];

		if (level < 3 && (desc & S2_VALID) && (desc & S2_TABLE)) {
			free_tables(table_of(desc), level + 1, ENTRIES);
			page_free(table_of(desc), 0);
		}
	}
}

int arch_guest_init(struct guest *g)
{
	struct arm64_stage2 *s2 = &g->arch.stage2;
	uint64_t *root = page_zalloc(ARM64_STAGE2_ROOT_ORDER);
	unsigned int vmid;

	if (!root)
		return -KEEL_ENOMEM;
	vmid = vmid_alloc();
	if (!vmid) {
		log_error("guest %s: all %u VMIDs are in use", g->name, VMID_COUNT - 1);
		page_free(root, ARM64_STAGE2_ROOT_ORDER);
		return -KEEL_ENOSPC;
	}
	s2->root = root;
	s2->vmid = vmid;
	s2->vttbr = ((uint64_t)vmid << VTTBR_VMID_SHIFT) | ptr_to_hpa(root);
	s2->lock = (spinlock_t)SPINLOCK_INIT;
	/* A VMID used before may still have TLB entries of its old guest. */
	tlb_flush_vmid(s2->vttbr);
	return 0;
}

void arch_guest_destroy(struct guest *g)
{
	struct arm64_stage2 *s2 = &g->arch.stage2;

	if (!s2->root)
		return;
	/* No vCPU of g runs any more; drop every cached walk before the
	 * table pages go back to the allocator. */
	tlb_flush_vmid(s2->vttbr);
	free_tables(s2->root, 1, ROOT_ENTRIES);
	page_free(s2->root, ARM64_STAGE2_ROOT_ORDER);
	vmid_free(s2->vmid);
	s2->root = NULL;
	s2->vmid = 0;
	s2->vttbr = 0;
}

int arch_stage2_map(struct guest *g, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	struct arm64_stage2 *s2 = &g->arch.stage2;
	gpa_t mapped = gpa;
	unsigned long flags;
	int err;

	if (!s2->root)
		return -KEEL_EINVAL;
	if (!size)
		return 0;
	if (!IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || gpa >= IPA_LIMIT ||
	    size > IPA_LIMIT - gpa)
		return -KEEL_EINVAL;

	flags = spin_lock_irqsave(&s2->lock);
	err = map_level(s2->root, 1, gpa, gpa + size, hpa, &mapped);
	/* New entries only replace invalid ones: no TLB maintenance, but
	 * the walker must see them before the guest runs. */
	dsb(ishst);
	spin_unlock_irqrestore(&s2->lock, flags);
	if (err && mapped > gpa)
		arch_stage2_unmap(g, gpa, mapped - gpa);
	return err;
}

void arch_stage2_unmap(struct guest *g, gpa_t gpa, uint64_t size)
{
	struct arm64_stage2 *s2 = &g->arch.stage2;
	uint64_t *to_free = NULL;
	unsigned long flags;
	uint64_t old_vttbr;
	gpa_t end;

	if (!s2->root || !size || gpa >= IPA_LIMIT)
		return;
	gpa = ALIGN_DOWN(gpa, PAGE_SIZE);
	end = size > IPA_LIMIT - gpa ? IPA_LIMIT : ALIGN_UP(gpa + size, PAGE_SIZE);

	flags = spin_lock_irqsave(&s2->lock);
	old_vttbr = vttbr_switch(s2->vttbr);
	unmap_level(s2->root, 1, gpa, end, &to_free);
	dsb(ishst);
	if (to_free || (end - gpa) / PAGE_SIZE > TLBI_PAGE_LIMIT) {
		/* Freed tables may sit in walk caches for any IPA they
		 * covered: drop everything of this VMID. */
		tlbi_vmid_all();
	} else {
		for (gpa_t ipa = gpa; ipa < end; ipa += PAGE_SIZE)
			tlbi_ipa(ipa);
		dsb(ish);
		/* Stage-1 entries may hold combined stage-1+2 results. */
		__asm__ volatile("tlbi vmalle1is" ::: "memory");
	}
	dsb(ish);
	isb();
	vttbr_switch(old_vttbr);
	spin_unlock_irqrestore(&s2->lock, flags);

	while (to_free) {
		uint64_t *table = to_free;

		to_free = hpa_to_ptr(table[0]);
		page_free(table, 0);
	}
}
