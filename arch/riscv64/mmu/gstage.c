// SPDX-License-Identifier: GPL-2.0-only
/*
 * G-stage translation: which guest-physical addresses a guest reaches
 * and which host RAM backs them. Everything not mapped here is a
 * guest-page fault to HS-mode, which is how Keel sees MMIO.
 *
 * Sv39x4: a 41-bit guest-physical space, three levels, the root 2048
 * entries (16 KiB, 16 KiB aligned). A guest whose RAM reaches above that
 * (2 TiB) gets Sv48x4 instead, where the harts have it (probed): 50 bits,
 * one level more, the same root size. Level 0 is the root either way. Leaves are read/write/execute, with
 * U set (G-stage treats every guest access as a user one) and A and D
 * set, so no hart that leaves those bits to software faults on them.
 * Table pages are host RAM, which Keel maps 1:1.
 *
 * VMIDs: as many as hgatp.VMID holds (probed), at most VMID_MAX; a guest
 * keeps its own while it exists. HFENCE.GVMA acts on the calling hart
 * only, so each CPU remembers, per VMID, the generation of the mappings
 * its TLB may hold: a VMID's generation changes when one of its mappings
 * goes and when it changes hands, and a CPU about to enter a guest whose
 * generation it has not seen fences that VMID first. Mappings only go
 * while the guest's vCPUs are off their CPUs (destroy), so no CPU runs
 * the guest on stale entries meanwhile. With no VMID bits at all, every
 * guest shares VMID 0 and a CPU fences whenever it switches guests.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/platform.h>
#include <keel/spinlock.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/stage2.h>
#include <arch/virt.h>

#include "gstage_mode.h"

#define ENTRIES 512
#define ROOT_ENTRIES 2048

#define PTE_V (1ULL << 0)
#define PTE_R (1ULL << 1)
#define PTE_W (1ULL << 2)
#define PTE_X (1ULL << 3)
#define PTE_U (1ULL << 4)
#define PTE_A (1ULL << 6)
#define PTE_D (1ULL << 7)
#define PTE_LEAF_RAM (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK (((1ULL << 44) - 1) << PTE_PPN_SHIFT)

#define HGATP_MODE_MASK (0xfULL << 60)
#define HGATP_VMID_SHIFT 44
#define HGATP_VMID_MASK (0x3fffULL << HGATP_VMID_SHIFT)
#define VMID_MAX 64

static spinlock_t vmid_lock = SPINLOCK_INIT;
static unsigned int vmid_count;          /* 1: none (all share 0) */
static bool sv48x4;                      /* the harts take hgatp mode 9 */
static bool vmid_used[VMID_MAX];
/* The generation each VMID's current owner is at; bumped on handover. */
static uint64_t vmid_generation[VMID_MAX];
/* Per CPU and VMID: the generation this CPU's TLB was fenced for. */
static uint64_t cpu_seen[KEEL_MAX_CPUS][VMID_MAX];
/* Per CPU: the guest it last entered (for VMID-less harts). */
static struct guest *cpu_last_guest[KEEL_MAX_CPUS];

static void hfence_gvma_vmid(unsigned int vmid)
{
	__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, %0" ::"r"((uint64_t)vmid) : "memory");
}

static void hfence_gvma_all(void)
{
	__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory");
}

void riscv_gstage_cpu_init(void)
{
	uint64_t old, probed;
	unsigned int bits = 0;

	if (vmid_count)
		return;         /* the boot CPU probed it; harts agree */
	/* VMIDLEN: the VMID bits that stick (with mode Bare, nothing is
	 * translated while this runs). */
	old = csr_read(hgatp);
	csr_write(hgatp, HGATP_VMID_MASK);
	probed = (csr_read(hgatp) & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;
	/* A write of a mode the hart lacks has no effect at all. */
	csr_write(hgatp, RISCV_HGATP_MODE_SV48X4);
	sv48x4 = (csr_read(hgatp) & HGATP_MODE_MASK) == RISCV_HGATP_MODE_SV48X4;
	csr_write(hgatp, old);
	while (probed & (1ULL << bits))
		bits++;
	vmid_count = bits >= 6 ? VMID_MAX : 1u << bits;
	hfence_gvma_all();
	log_info("virt: G-stage Sv39x4%s, %u VMID bits (%u used)",
		 sv48x4 ? " (Sv48x4 for guest RAM above 2 TiB)" : "", bits, vmid_count);
}

/* Level 0 is the root; the leaf level is levels - 1 (4 KiB). */
static unsigned int level_shift(const struct riscv64_gstage *s, unsigned int level)
{
	return 12 + 9 * (s->levels - 1 - level);
}

static uint64_t level_size(const struct riscv64_gstage *s, unsigned int level)
{
	return 1ULL << level_shift(s, level);
}

static bool is_leaf_level(const struct riscv64_gstage *s, unsigned int level)
{
	return level == s->levels - 1;
}

static unsigned int entry_index(const struct riscv64_gstage *s, unsigned int level, gpa_t gpa)
{
	return (unsigned int)((gpa >> level_shift(s, level)) &
			      (level == 0 ? ROOT_ENTRIES - 1 : ENTRIES - 1));
}

static uint64_t *table_of(uint64_t pte)
{
	return hpa_to_ptr(((pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << 12);
}

static uint64_t pte_table(void *table)
{
	return (ptr_to_hpa(table) >> 12) << PTE_PPN_SHIFT | PTE_V;
}

static uint64_t pte_leaf(hpa_t hpa)
{
	return (hpa >> 12) << PTE_PPN_SHIFT | PTE_LEAF_RAM;
}

static bool pte_is_table(uint64_t pte)
{
	return (pte & PTE_V) && !(pte & (PTE_R | PTE_W | PTE_X));
}

/* Maps [gpa, end) at level; *mapped advances past each mapped piece so a
 * failure can be undone exactly. */
static int map_level(const struct riscv64_gstage *s, uint64_t *table, unsigned int level,
		     gpa_t gpa, gpa_t end, hpa_t hpa, gpa_t *mapped)
{
	while (gpa < end) {
		uint64_t size = level_size(s, level);
		gpa_t next = MIN(ALIGN_DOWN(gpa, size) + size, end);
		uint64_t *entry = &table[entry_index(s, level, gpa)];
		uint64_t pte = *entry;

		if (is_leaf_level(s, level) ||
		    (IS_ALIGNED(gpa, size) && next - gpa == size && IS_ALIGNED(hpa, size))) {
			if (pte & PTE_V)
				return -KEEL_EEXIST;
			WRITE_ONCE(*entry, pte_leaf(hpa));
		} else {
			int err;

			if (!(pte & PTE_V)) {
				uint64_t *sub = page_zalloc(0);

				if (!sub)
					return -KEEL_ENOMEM;
				pte = pte_table(sub);
				WRITE_ONCE(*entry, pte);
			} else if (!pte_is_table(pte)) {
				return -KEEL_EEXIST;
			}
			err = map_level(s, table_of(pte), level + 1, gpa, next, hpa, mapped);
			if (err)
				return err;
		}
		hpa += next - gpa;
		gpa = next;
		*mapped = gpa;
	}
	return 0;
}

static bool table_is_empty(const uint64_t *table)
{
	for (unsigned int i = 0; i < ENTRIES; i++)
		if (table[i] & PTE_V)
			return false;
	return true;
}

/* Clears [gpa, end) at level; tables left empty are unhooked and chained
 * through their first entry on *to_free (freed after the fence). A
 * superpage only partly in the range is removed whole: leaving more
 * mapped than asked could hand the guest memory its owner reuses. */
static void unmap_level(const struct riscv64_gstage *s, uint64_t *table, unsigned int level,
			gpa_t gpa, gpa_t end, uint64_t **to_free)
{
	while (gpa < end) {
		uint64_t size = level_size(s, level);
		gpa_t next = MIN(ALIGN_DOWN(gpa, size) + size, end);
		uint64_t *entry = &table[entry_index(s, level, gpa)];
		uint64_t pte = *entry;

		if (pte_is_table(pte) && !is_leaf_level(s, level)) {
			uint64_t *sub = table_of(pte);

			unmap_level(s, sub, level + 1, gpa, next, to_free);
			if (table_is_empty(sub)) {
				WRITE_ONCE(*entry, 0);
				sub[0] = ptr_to_hpa(*to_free);
				*to_free = sub;
			}
		} else if (pte & PTE_V) {
			if (next - gpa != size)
				log_warn("gstage: unmapping all of the superpage at 0x%llx",
					 (unsigned long long)ALIGN_DOWN(gpa, size));
			WRITE_ONCE(*entry, 0);
		}
		gpa = next;
	}
}

static void free_tables(const struct riscv64_gstage *s, uint64_t *table, unsigned int level,
			unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		uint64_t pte = table[i];

		if (!is_leaf_level(s, level) && pte_is_table(pte)) {
			free_tables(s, table_of(pte), level + 1, ENTRIES);
			page_free(table_of(pte), 0);
		}
	}
}

static int vmid_alloc(unsigned int *vmid)
{
	unsigned long flags = spin_lock_irqsave(&vmid_lock);
	int err = -KEEL_ENOSPC;

	for (unsigned int i = 0; i < vmid_count; i++) {
		/* Without VMID bits, VMID 0 is shared (fenced per switch). */
		if (!vmid_used[i] || vmid_count == 1) {
			vmid_used[i] = true;
			*vmid = i;
			/* Whatever a CPU fenced for before is older now. */
			__atomic_add_fetch(&vmid_generation[i], 1, __ATOMIC_SEQ_CST);
			err = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&vmid_lock, flags);
	return err;
}

static void vmid_free(unsigned int vmid)
{
	unsigned long flags = spin_lock_irqsave(&vmid_lock);

	vmid_used[vmid] = false;
	spin_unlock_irqrestore(&vmid_lock, flags);
}

/* The end of g's highest RAM range. */
static gpa_t guest_ram_end(const struct guest *g)
{
	gpa_t end = 0;

	for (unsigned int i = 0; i < g->config.mem_count; i++)
		end = MAX(end, g->config.mem[i].base + g->config.mem[i].size);
	return end;
}

int arch_guest_init(struct guest *g)
{
	struct riscv64_gstage *s = &g->arch.gstage;
	struct riscv_gstage_mode mode;
	char why[160];
	uint64_t *root;
	int err;

	err = riscv_gstage_mode_pick(guest_ram_end(g), sv48x4, &mode, why, sizeof(why));
	if (err) {
		log_error("guest %s: %s", g->name, why);
		return err;
	}
	s->levels = mode.levels;
	s->gpa_limit = mode.gpa_limit;
	root = page_zalloc(RISCV_GSTAGE_ROOT_ORDER);
	if (!root)
		return -KEEL_ENOMEM;
	err = vmid_alloc(&s->vmid);
	if (err) {
		log_error("guest %s: all %u VMIDs are in use", g->name, vmid_count);
		page_free(root, RISCV_GSTAGE_ROOT_ORDER);
		return err;
	}
	s->root = root;
	s->hgatp = mode.hgatp_mode | (uint64_t)s->vmid << HGATP_VMID_SHIFT |
		   ptr_to_hpa(root) >> 12;
	s->lock = (spinlock_t)SPINLOCK_INIT;
	/* Guest time starts near 0. */
	g->arch.htimedelta = -arch_counter_read();
	g->arch.time_stopped_at = 0;
	return 0;
}

void arch_guest_destroy(struct guest *g)
{
	struct riscv64_gstage *s = &g->arch.gstage;

	if (!s->root)
		return;
	/* No vCPU of g runs any more. This CPU fences now; the others
	 * before they next enter any guest with this VMID (a new
	 * generation comes with it). */
	hfence_gvma_vmid(s->vmid);
	free_tables(s, s->root, 0, ROOT_ENTRIES);
	page_free(s->root, RISCV_GSTAGE_ROOT_ORDER);
	for (unsigned int i = 0; i < KEEL_MAX_CPUS; i++)
		__atomic_compare_exchange_n(&cpu_last_guest[i], &g, NULL, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	vmid_free(s->vmid);
	s->root = NULL;
	s->hgatp = 0;
}

int arch_stage2_map(struct guest *g, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	struct riscv64_gstage *s = &g->arch.gstage;
	gpa_t mapped = gpa;
	unsigned long flags;
	int err;

	if (!s->root)
		return -KEEL_EINVAL;
	if (!size)
		return 0;
	if (!IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || gpa >= s->gpa_limit ||
	    size > s->gpa_limit - gpa)
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&s->lock);
	err = map_level(s, s->root, 0, gpa, gpa + size, hpa, &mapped);
	/* New entries only replace invalid ones: no fence, but the walker
	 * must see them before the guest runs. */
	__asm__ volatile("fence rw, rw" ::: "memory");
	spin_unlock_irqrestore(&s->lock, flags);
	if (err && mapped > gpa)
		arch_stage2_unmap(g, gpa, mapped - gpa);
	return err;
}

void arch_stage2_unmap(struct guest *g, gpa_t gpa, uint64_t size)
{
	struct riscv64_gstage *s = &g->arch.gstage;
	uint64_t *to_free = NULL;
	unsigned long flags;
	gpa_t end;

	if (!s->root || !size || gpa >= s->gpa_limit)
		return;
	gpa = ALIGN_DOWN(gpa, PAGE_SIZE);
	end = size > s->gpa_limit - gpa ? s->gpa_limit : ALIGN_UP(gpa + size, PAGE_SIZE);

	flags = spin_lock_irqsave(&s->lock);
	unmap_level(s, s->root, 0, gpa, end, &to_free);
	__asm__ volatile("fence rw, rw" ::: "memory");
	/* Here now; elsewhere before the guest next runs there. */
	hfence_gvma_vmid(s->vmid);
	__atomic_add_fetch(&vmid_generation[s->vmid], 1, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&s->lock, flags);

	while (to_free) {
		uint64_t *table = to_free;

		to_free = hpa_to_ptr(table[0]);
		page_free(table, 0);
	}
}

void riscv_gstage_enter(struct guest *g)
{
	struct riscv64_gstage *s = &g->arch.gstage;
	unsigned int cpu = arch_cpu_id();
	uint64_t generation = __atomic_load_n(&vmid_generation[s->vmid], __ATOMIC_SEQ_CST);
	/* A VMID's generation only grows (new owner, removed mapping): a
	 * CPU that fenced for another value may hold stale entries. */
	bool fence = cpu_seen[cpu][s->vmid] != generation;

	if (vmid_count == 1 && cpu_last_guest[cpu] != g)
		fence = true;
	if (csr_read(hgatp) != s->hgatp)
		csr_write(hgatp, s->hgatp);
	if (fence) {
		hfence_gvma_vmid(s->vmid);
		/* VS-stage entries of the VMID's previous owner too. */
		__asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory");
		cpu_seen[cpu][s->vmid] = generation;
	}
	cpu_last_guest[cpu] = g;
}
