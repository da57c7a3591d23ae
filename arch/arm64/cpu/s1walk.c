/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The level of a guest's stage-1 table walk that read outside guest RAM.
 * Stage 2 only reports the IPA of the descriptor it could not read; an
 * abort on a walk tells the guest the level of the lookup (ESR_EL1 FSC
 * 0b0101LL), so Keel repeats the guest's walk in its tables, down to the
 * table that lies in that page. At most four descriptor reads, each
 * checked to be guest RAM; another vCPU changing the tables meanwhile can
 * only make the level reported wrong, never Keel's access.
 */
#include <keel/guest.h>
#include <keel/vcpu.h>
#include <arch/cpu_context.h>
#include <arch/virt.h>

#define TCR_T0SZ_SHIFT 0
#define TCR_TG0_SHIFT 14
#define TCR_T1SZ_SHIFT 16
#define TCR_TG1_SHIFT 30
#define DESC_VALID 1UL
#define DESC_TABLE 2UL
#define ADDR_MASK_48 0x0000ffffffffffffUL
#define PAGE_OF(ipa) ((ipa) & ~0xfffUL)

/* log2 of the translation granule TTBR0 (tg0) or TTBR1 (tg1) uses. */
static unsigned int granule_shift(uint64_t tcr, bool upper)
{
	unsigned int tg = (unsigned int)(tcr >> (upper ? TCR_TG1_SHIFT : TCR_TG0_SHIFT)) & 3;

	if (upper)
		return tg == 1 ? 14 : tg == 3 ? 16 : 12;        /* 16K, 64K, 4K */
	return tg == 2 ? 14 : tg == 1 ? 16 : 12;                /* 16K, 64K, 4K */
}

unsigned int arm64_stage1_walk_level(struct vcpu *v, uint64_t va, gpa_t descriptor_ipa)
{
	const struct arm64_el1_sysregs *r = &v->arch.ctx.el1;
	bool upper = (va >> 55) & 1;
	unsigned int g = granule_shift(r->tcr_el1, upper), stride = g - 3;
	unsigned int tsz = (unsigned int)(r->tcr_el1 >> (upper ? TCR_T1SZ_SHIFT : TCR_T0SZ_SHIFT)) & 0x3f;
	unsigned int va_bits = 64 - MIN(MAX(tsz, 16U), 48U);
	unsigned int level = 4 - (va_bits - g + stride - 1) / stride;
	uint64_t table = (upper ? r->ttbr1_el1 : r->ttbr0_el1) & ADDR_MASK_48 & ~1UL;

	for (; level < 4; level++) {
		unsigned int shift = g + (3 - level) * stride;
		/* At the start level only the bits below va_bits index. */
		unsigned int bits = MIN(stride, va_bits - shift);
		uint64_t index = (va >> shift) & ((1UL << bits) - 1);
		gpa_t at = table + index * 8;
		const uint64_t *desc;
		uint64_t d;

		if (PAGE_OF(at) == PAGE_OF(descriptor_ipa))
			return level;
		desc = guest_gpa_to_hva(v->guest, at, 8);
		if (!desc)
			return level;
		d = __atomic_load_n(desc, __ATOMIC_RELAXED);
		if (!(d & DESC_VALID) || !(d & DESC_TABLE) || level == 3)
			break;
		table = d & ADDR_MASK_48 & ~((1UL << g) - 1);
	}
	/* The tables changed under the walk: the level it started at. */
	return 4 - (va_bits - g + stride - 1) / stride;
}
