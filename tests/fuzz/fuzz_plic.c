/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes the emulated PLIC (emulators/irqchip/plic.c) the way guests and
 * Keel drive it: accesses of every width at every offset of its region
 * (the MMIO callbacks, as an exit calls them), register writes aimed at
 * priorities, enables and thresholds, claims and completions by any
 * context, interleaved with what devices and the arch do (lines, trigger
 * changes, resets). An input is as long as libFuzzer makes it.
 *
 * Input: byte 0 picks the vCPU count (1..GUEST_MAX_VCPUS), byte 1 the
 * source count (1..PLIC_MAX_SOURCES, scaled); then operations, each an
 * opcode byte and its arguments (a truncated one ends the input):
 *
 *   0 write  off:u24 size:u8 value:u32     4 claim     ctx:u8
 *   1 read   off:u24 size:u8               5 complete  ctx:u8 source:u16
 *   2 line   source:u16 level:u8           6 reset
 *   3 edge   source:u16 edge:u8            7 register  kind:u8 index:u16 value:u32
 *
 * What must hold: an access returns 0 or -KEEL_EINVAL and a read's value
 * fits its width; a claim returns 0 or a source that exists and that no
 * context holds; what the PLIC last told the arch for each vCPU is what
 * plic_vcpu_pending() says, and a vCPU is pending exactly when a claim by
 * its S context would return a source.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/vcpu.h>
#include <irqchip/plic.h>
#include <string.h>
#include "virtio_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PLIC_BASE 0x0c000000ULL

static struct guest *fuzz_plic_guest;
static struct vcpu fuzz_vcpus[GUEST_MAX_VCPUS];
static bool fuzz_external[GUEST_MAX_VCPUS];
/* Which context holds each source (its claim not yet completed), +1. */
static unsigned int fuzz_holder[PLIC_MAX_SOURCES + 1];

static void fuzz_set_external(void *arg, unsigned int vcpu_id, bool pending)
{
	fuzz_promise(vcpu_id < GUEST_MAX_VCPUS);
	fuzz_external[vcpu_id] = pending;
}

static const struct plic_notify fuzz_notify = { .set_external = fuzz_set_external };

static void fuzz_plic_setup(void)
{
	fuzz_platform_init();
	fuzz_plic_guest = fuzz_guest_new("plic");
	for (unsigned int i = 0; i < GUEST_MAX_VCPUS; i++) {
		fuzz_vcpus[i].guest = fuzz_plic_guest;
		fuzz_vcpus[i].id = i;
		fuzz_vcpus[i].power = VCPU_POWER_ON;
		fuzz_plic_guest->vcpus[i] = &fuzz_vcpus[i];
	}
}

static int mmio_access(gpa_t addr, unsigned int size, bool write, uint64_t *value)
{
	const struct mmio_region *r = mmio_table_find(&fuzz_plic_guest->mmio, addr);

	fuzz_promise(r != NULL);
	if (write)
		return r->ops->write(r->state, &fuzz_vcpus[0], addr - r->base, size, *value);
	return r->ops->read(r->state, &fuzz_vcpus[0], addr - r->base, size, value);
}

static void forget_claims(void)
{
	memset(fuzz_holder, 0, sizeof(fuzz_holder));
}

/* A read of a context's claim register, wherever it came from. */
static void check_claim(unsigned int ctx, unsigned int sources, uint64_t value)
{
	fuzz_promise(value <= sources);
	if (!value)
		return;
	fuzz_promise(fuzz_holder[value] == 0);
	fuzz_holder[value] = ctx + 1;
}

/* A write to a context's claim register, wherever it came from. */
static void note_complete(unsigned int ctx, uint64_t value)
{
	if (value <= PLIC_MAX_SOURCES && fuzz_holder[value] == ctx + 1)
		fuzz_holder[value] = 0;
}

/* If addr is a context's claim/complete register, that context. */
static bool claim_register(uint64_t offset, unsigned int contexts, unsigned int *ctx)
{
	if (offset < PLIC_CONTEXT_BASE ||
	    (offset - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE != PLIC_CONTEXT_CLAIM)
		return false;
	*ctx = (unsigned int)((offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
	return *ctx < contexts;
}

static void check_outputs(struct plic *plic, unsigned int vcpus)
{
	for (unsigned int n = 0; n < vcpus; n++)
		fuzz_promise(plic_vcpu_pending(plic, n) == fuzz_external[n]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int vcpus, sources, contexts;
	struct plic *plic;
	uint8_t b0, b1, op;

	if (!fuzz_plic_guest)
		fuzz_plic_setup();
	if (!fuzz_take(&in, &b0, 1) || !fuzz_take(&in, &b1, 1))
		return 0;
	vcpus = 1 + b0 % GUEST_MAX_VCPUS;
	sources = 1 + (unsigned int)b1 * 4 % PLIC_MAX_SOURCES;
	contexts = vcpus * PLIC_CONTEXTS_PER_VCPU;
	fuzz_plic_guest->vcpu_count = vcpus;
	mmio_table_init(&fuzz_plic_guest->mmio);
	memset(fuzz_external, 0, sizeof(fuzz_external));
	forget_claims();
	plic = plic_create(fuzz_plic_guest, FUZZ_PLIC_BASE, vcpus, sources, &fuzz_notify);
	fuzz_promise(plic != NULL);

	while (fuzz_take(&in, &op, 1)) {
		uint8_t s8 = 0, c8 = 0, off3[3];
		uint16_t u16 = 0;
		uint32_t u32 = 0;
		uint64_t value = 0, offset;
		unsigned int width, ctx;
		int ret;

		switch (op % 8) {
		case 0:
		case 1:
			if (!fuzz_take(&in, off3, 3) || !fuzz_take(&in, &s8, 1) ||
			    (op % 8 == 0 && !fuzz_take(&in, &u32, 4)))
				goto out;
			offset = (off3[0] | off3[1] << 8 | (uint64_t)off3[2] << 16) %
				 PLIC_SIZE(vcpus);
			width = fuzz_access_size(s8);
			value = u32;
			ret = mmio_access(FUZZ_PLIC_BASE + offset, width, op % 8 == 0, &value);
			fuzz_promise(ret == 0 || ret == -KEEL_EINVAL);
			if (ret)
				break;
			if (op % 8 == 1)
				fuzz_promise(width == 8 || value >> (width * 8) == 0);
			if (claim_register(offset, contexts, &ctx)) {
				if (op % 8 == 1)
					check_claim(ctx, sources, value);
				else
					note_complete(ctx, value);
			}
			break;
		case 2:
		case 3:
			if (!fuzz_take(&in, &u16, 2) || !fuzz_take(&in, &s8, 1))
				goto out;
			if (op % 8 == 2)
				plic_set_level(plic, u16 % (sources + 3), s8 & 1);
			else
				plic_set_edge(plic, u16 % (sources + 3), s8 & 1);
			break;
		case 4:
			if (!fuzz_take(&in, &c8, 1))
				goto out;
			ctx = c8 % contexts;
			offset = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx + PLIC_CONTEXT_CLAIM;
			fuzz_promise(mmio_access(FUZZ_PLIC_BASE + offset, 4, false, &value) == 0);
			check_claim(ctx, sources, value);
			break;
		case 5:
			if (!fuzz_take(&in, &c8, 1) || !fuzz_take(&in, &u16, 2))
				goto out;
			ctx = c8 % contexts;
			/* Mostly a held source, at times anything. */
			value = u16 & 0x8000 ? u16 & 0x7fff : u16 % (sources + 1);
			offset = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx + PLIC_CONTEXT_CLAIM;
			fuzz_promise(mmio_access(FUZZ_PLIC_BASE + offset, 4, true, &value) == 0);
			note_complete(ctx, value);
			break;
		case 6:
			plic_reset(plic);
			forget_claims();
			break;
		case 7:
			if (!fuzz_take(&in, &s8, 1) || !fuzz_take(&in, &u16, 2) || !fuzz_take(&in, &u32, 4))
				goto out;
			switch (s8 % 3) {
			case 0:
				offset = PLIC_PRIORITY_BASE + 4 * (u16 % (sources + 2));
				break;
			case 1:
				offset = PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * ((u16 >> 5) % contexts) +
					 4 * (u16 & 31);
				break;
			default:
				offset = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (u16 % contexts);
				break;
			}
			value = u32;
			fuzz_promise(mmio_access(FUZZ_PLIC_BASE + offset, 4, true, &value) == 0);
			break;
		}
		check_outputs(plic, vcpus);
	}
out:
	/* Pending exactly when the S context's claim finds something. */
	for (unsigned int n = 0; n < vcpus; n++) {
		uint64_t offset = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * PLIC_S_CONTEXT(n) +
				  PLIC_CONTEXT_CLAIM;
		bool pending = plic_vcpu_pending(plic, n);
		uint64_t value = 0;

		fuzz_promise(mmio_access(FUZZ_PLIC_BASE + offset, 4, false, &value) == 0);
		fuzz_promise(pending == (value != 0));
		check_claim(PLIC_S_CONTEXT(n), sources, value);
	}
	plic_destroy(plic);
	fuzz_promise(mmio_table_find(&fuzz_plic_guest->mmio, FUZZ_PLIC_BASE) == NULL);
	return 0;
}
