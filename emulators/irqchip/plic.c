/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated RISC-V PLIC (see plic.h for the model and the register
 * map). Arch-neutral: it sees MMIO accesses and line levels, and tells the
 * arch through struct plic_notify which vCPUs have an external interrupt
 * pending, so it runs in host tests.
 *
 * State: per source a priority, a pending bit, the device's line, the
 * trigger, whether it is claimed (and by which context), and for an edge
 * source whether an edge came while it was claimed; per context the
 * enable bits, the threshold and the output last reported. Bitmaps are
 * 32-bit words as the registers are.
 *
 * Work per access is bounded by the source and context counts fixed at
 * create: after a change every context's output is recomputed (at most
 * GUEST_MAX_VCPUS * 2 contexts over source_count sources).
 *
 * One spinlock per PLIC guards it all; it is never held with another
 * guest's lock. The notify callback runs under it (it only records a
 * level); vCPUs are kicked after it is released (kicking takes the
 * scheduler's locks). Lock order: plic.lock, then nothing.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_config.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>
#include <string.h>
#include "plic.h"

#define PLIC_WORDS ((PLIC_MAX_SOURCES + 1 + 31) / 32)
#define PLIC_MAX_CONTEXTS (GUEST_MAX_VCPUS * PLIC_CONTEXTS_PER_VCPU)
#define PLIC_NO_CONTEXT 0xffff

_Static_assert(GUEST_MAX_VCPUS <= 32, "kick masks are 32 bits");

struct plic_context {
	uint32_t enable[PLIC_WORDS];
	uint32_t threshold;
	bool output;             /* last level reported for this context */
};

struct plic {
	struct guest *guest;
	spinlock_t lock;
	gpa_t base;
	uint64_t size;
	unsigned int vcpu_count;
	unsigned int source_count;
	unsigned int context_count;
	unsigned int words;                 /* bitmap words in use */
	struct plic_notify notify;
	uint32_t pending[PLIC_WORDS];
	uint32_t line[PLIC_WORDS];          /* the devices' lines */
	uint32_t edge[PLIC_WORDS];          /* edge-triggered sources */
	uint32_t claimed[PLIC_WORDS];
	uint32_t edge_seen[PLIC_WORDS];     /* an edge while claimed */
	uint8_t priority[PLIC_MAX_SOURCES + 1];
	uint16_t claimer[PLIC_MAX_SOURCES + 1];
	struct plic_context contexts[PLIC_MAX_CONTEXTS];
};

static bool bit_get(const uint32_t *map, unsigned int n)
{
	return (map[n / 32] >> (n % 32)) & 1;
}

static void bit_put(uint32_t *map, unsigned int n, bool value)
{
	if (value)
		map[n / 32] |= 1u << (n % 32);
	else
		map[n / 32] &= ~(1u << (n % 32));
}

/* Bits of word w that name sources (source 0 and those past source_count
 * are hardwired to zero). */
static uint32_t plic_word_mask(const struct plic *plic, unsigned int w)
{
	uint32_t mask = ~0u;
	unsigned int first = w * 32;

	if (w == 0)
		mask &= ~1u;
	if (first + 32 > plic->source_count + 1)
		mask &= plic->source_count + 1 <= first ?
			0 : (1u << (plic->source_count + 1 - first)) - 1;
	return mask;
}

/* ---- delivery (lock held) ---- */

/* The source context ctx would get from a claim now, 0 for none: the
 * pending enabled source of the highest priority above the threshold,
 * the lowest id among equals. */
static unsigned int plic_best(const struct plic *plic, unsigned int ctx)
{
	const struct plic_context *c = &plic->contexts[ctx];
	uint32_t best_priority = c->threshold;
	unsigned int best = 0;

	for (unsigned int w = 0; w < plic->words; w++) {
		uint32_t bits = plic->pending[w] & c->enable[w];

		while (bits) {
			unsigned int s = w * 32 + (unsigned int)__builtin_ctz(bits);

			bits &= bits - 1;
			if (plic->priority[s] > best_priority) {
				best_priority = plic->priority[s];
				best = s;
			}
		}
	}
	return best;
}

/* Recomputes every context's output, tells the arch about the S contexts
 * that changed and returns the vCPUs whose interrupt became pending. */
static uint32_t plic_update(struct plic *plic)
{
	uint32_t kick = 0;

	for (unsigned int ctx = 0; ctx < plic->context_count; ctx++) {
		struct plic_context *c = &plic->contexts[ctx];
		bool output = plic_best(plic, ctx) != 0;
		unsigned int vcpu = ctx / PLIC_CONTEXTS_PER_VCPU;

		if (output == c->output)
			continue;
		c->output = output;
		if (ctx != PLIC_S_CONTEXT(vcpu))
			continue;
		if (plic->notify.set_external)
			plic->notify.set_external(plic->notify.arg, vcpu, output);
		if (output)
			kick |= 1u << vcpu;
	}
	return kick;
}

/* With the lock released: makes the vCPUs in kick look again. */
static void plic_kick(struct plic *plic, uint32_t kick)
{
	struct guest *g = plic->guest;

	for (unsigned int n = 0; n < plic->vcpu_count; n++)
		if ((kick & (1u << n)) && g->vcpus[n])
			vcpu_kick(g->vcpus[n]);
}

/* A new request of source s (an edge, or a level line that is high). */
static void plic_request(struct plic *plic, unsigned int s)
{
	if (bit_get(plic->claimed, s))
		bit_put(plic->edge_seen, s, bit_get(plic->edge, s));
	else
		bit_put(plic->pending, s, true);
}

static unsigned int plic_claim(struct plic *plic, unsigned int ctx)
{
	unsigned int s = plic_best(plic, ctx);

	if (s) {
		bit_put(plic->pending, s, false);
		bit_put(plic->claimed, s, true);
		plic->claimer[s] = (uint16_t)ctx;
	}
	return s;
}

/* A completion of source s written to ctx's claim/complete register:
 * ignored unless ctx holds s. */
static void plic_complete(struct plic *plic, unsigned int ctx, uint32_t s)
{
	if (s == 0 || s > plic->source_count || !bit_get(plic->claimed, s) ||
	    plic->claimer[s] != ctx)
		return;
	bit_put(plic->claimed, s, false);
	plic->claimer[s] = PLIC_NO_CONTEXT;
	if (bit_get(plic->edge, s)) {
		if (bit_get(plic->edge_seen, s))
			bit_put(plic->pending, s, true);
		bit_put(plic->edge_seen, s, false);
	} else if (bit_get(plic->line, s)) {
		bit_put(plic->pending, s, true);
	}
}

/* ---- MMIO ---- */

/* One 32-bit register at offset; lock held. Offsets without a register
 * read as zero and ignore writes. */
static void plic_register(struct plic *plic, uint64_t offset, bool write,
			  uint32_t *value)
{
	uint64_t enable_end = PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * plic->context_count;
	uint64_t context_end = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * plic->context_count;
	uint32_t read = 0;

	if (offset < PLIC_PENDING_BASE) {
		unsigned int s = (unsigned int)(offset / 4);

		if (s >= 1 && s <= plic->source_count) {
			if (write)
				plic->priority[s] = (uint8_t)MIN(*value, (uint32_t)PLIC_PRIORITY_MAX);
			read = plic->priority[s];
		}
	} else if (offset < PLIC_ENABLE_BASE) {
		unsigned int w = (unsigned int)((offset - PLIC_PENDING_BASE) / 4);

		/* Read-only: requests come from the lines alone. */
		if (w < plic->words)
			read = plic->pending[w];
	} else if (offset < enable_end) {
		unsigned int ctx = (unsigned int)((offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE);
		unsigned int w = (unsigned int)((offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4);

		if (w < plic->words) {
			if (write)
				plic->contexts[ctx].enable[w] = *value & plic_word_mask(plic, w);
			read = plic->contexts[ctx].enable[w];
		}
	} else if (offset >= PLIC_CONTEXT_BASE && offset < context_end) {
		unsigned int ctx = (unsigned int)((offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
		uint64_t reg = (offset - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;
		struct plic_context *c = &plic->contexts[ctx];

		if (reg == PLIC_CONTEXT_THRESHOLD) {
			if (write)
				c->threshold = MIN(*value, (uint32_t)PLIC_PRIORITY_MAX);
			read = c->threshold;
		} else if (reg == PLIC_CONTEXT_CLAIM) {
			if (write)
				plic_complete(plic, ctx, *value);
			else
				read = plic_claim(plic, ctx);
		}
	}
	if (!write)
		*value = read;
}

static int plic_access(struct plic *plic, uint64_t offset, unsigned int size,
		       bool write, uint32_t *value)
{
	unsigned long flags;
	uint32_t kick;

	if (size != 4 || (offset & 3) || offset >= plic->size)
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&plic->lock);
	plic_register(plic, offset, write, value);
	kick = plic_update(plic);
	spin_unlock_irqrestore(&plic->lock, flags);
	plic_kick(plic, kick);
	return 0;
}

static int plic_mmio_read(void *state, struct vcpu *vcpu, uint64_t offset,
			  unsigned int size, uint64_t *value)
{
	uint32_t v = 0;
	int ret = plic_access(state, offset, size, false, &v);

	if (!ret)
		*value = v;
	return ret;
}

static int plic_mmio_write(void *state, struct vcpu *vcpu, uint64_t offset,
			   unsigned int size, uint64_t value)
{
	uint32_t v = (uint32_t)value;

	return plic_access(state, offset, size, true, &v);
}

static const struct mmio_ops plic_mmio_ops = {
	.read = plic_mmio_read,
	.write = plic_mmio_write,
};

/* ---- injection ---- */

void plic_set_level(struct plic *plic, unsigned int source, bool level)
{
	unsigned long flags;
	uint32_t kick = 0;

	if (!plic || source == 0 || source > plic->source_count)
		return;
	flags = spin_lock_irqsave(&plic->lock);
	if (bit_get(plic->line, source) != level) {
		bit_put(plic->line, source, level);
		if (level)
			plic_request(plic, source);
		else if (!bit_get(plic->edge, source))
			bit_put(plic->pending, source, false);
		kick = plic_update(plic);
	}
	spin_unlock_irqrestore(&plic->lock, flags);
	plic_kick(plic, kick);
}

void plic_set_edge(struct plic *plic, unsigned int source, bool edge)
{
	unsigned long flags;

	if (!plic || source == 0 || source > plic->source_count)
		return;
	flags = spin_lock_irqsave(&plic->lock);
	bit_put(plic->edge, source, edge);
	bit_put(plic->edge_seen, source, false);
	spin_unlock_irqrestore(&plic->lock, flags);
}

bool plic_vcpu_pending(struct plic *plic, unsigned int vcpu_id)
{
	unsigned long flags;
	bool pending;

	if (!plic || vcpu_id >= plic->vcpu_count)
		return false;
	flags = spin_lock_irqsave(&plic->lock);
	pending = plic->contexts[PLIC_S_CONTEXT(vcpu_id)].output;
	spin_unlock_irqrestore(&plic->lock, flags);
	return pending;
}

/* ---- life cycle ---- */

void plic_reset(struct plic *plic)
{
	unsigned long flags;
	uint32_t kick;

	flags = spin_lock_irqsave(&plic->lock);
	memset(plic->priority, 0, sizeof(plic->priority));
	memset(plic->claimed, 0, sizeof(plic->claimed));
	memset(plic->edge_seen, 0, sizeof(plic->edge_seen));
	for (unsigned int s = 0; s <= PLIC_MAX_SOURCES; s++)
		plic->claimer[s] = PLIC_NO_CONTEXT;
	for (unsigned int w = 0; w < PLIC_WORDS; w++)
		plic->pending[w] = plic->line[w] & ~plic->edge[w];
	for (unsigned int ctx = 0; ctx < plic->context_count; ctx++) {
		memset(plic->contexts[ctx].enable, 0, sizeof(plic->contexts[ctx].enable));
		plic->contexts[ctx].threshold = 0;
	}
	/* Nothing is enabled: every output falls, and the arch hears so. */
	kick = plic_update(plic);
	spin_unlock_irqrestore(&plic->lock, flags);
	plic_kick(plic, kick);
}

struct plic *plic_create(struct guest *g, gpa_t base, unsigned int vcpu_count,
			 unsigned int source_count, const struct plic_notify *notify)
{
	const char *guest_name = g && g->name ? g->name : "?";
	struct plic *plic;
	int err;

	if (!g || !vcpu_count || vcpu_count > GUEST_MAX_VCPUS || !source_count ||
	    source_count > PLIC_MAX_SOURCES) {
		log_error("guest %s: PLIC: %u vCPUs and %u sources are not supported "
			  "(1..%u vCPUs, 1..%u sources)", guest_name, vcpu_count,
			  source_count, GUEST_MAX_VCPUS, PLIC_MAX_SOURCES);
		return NULL;
	}
	plic = kzalloc(sizeof(*plic));
	if (!plic) {
		log_error("guest %s: PLIC: out of memory", guest_name);
		return NULL;
	}
	plic->guest = g;
	plic->lock = (spinlock_t)SPINLOCK_INIT;
	plic->base = base;
	plic->size = PLIC_SIZE(vcpu_count);
	plic->vcpu_count = vcpu_count;
	plic->source_count = source_count;
	plic->context_count = vcpu_count * PLIC_CONTEXTS_PER_VCPU;
	plic->words = (source_count + 1 + 31) / 32;
	if (notify)
		plic->notify = *notify;
	plic_reset(plic);

	err = mmio_table_add(&g->mmio, base, plic->size, "PLIC", &plic_mmio_ops, plic);
	if (err) {
		log_error("guest %s: PLIC at 0x%llx: %s", guest_name,
			  (unsigned long long)base, keel_strerror(err));
		kfree(plic);
		return NULL;
	}
	return plic;
}

void plic_destroy(struct plic *plic)
{
	const struct mmio_region *r;

	if (!plic)
		return;
	r = mmio_table_find(&plic->guest->mmio, plic->base);
	if (r && r->base == plic->base && r->ops == &plic_mmio_ops && r->state == plic)
		mmio_table_remove(&plic->guest->mmio, plic->base);
	kfree(plic);
}
