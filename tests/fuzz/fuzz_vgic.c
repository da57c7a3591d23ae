/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes the emulated GICv3 (emulators/irqchip/vgicv3*.c) the way guests
 * and Keel drive it: arbitrary sequences of distributor and redistributor
 * accesses of every width at every offset (the MMIO callbacks, as an exit
 * calls them), interleaved with what devices and the arch do (SPI and
 * private lines, injections, SGIs from ICC_SGI1R_EL1 values, list-register
 * flushes and syncs with the guest acknowledging and completing at will,
 * resets). No cap on what the guest may do: an input is as long as
 * libFuzzer makes it.
 *
 * Input: byte 0 picks the vCPU count (1..GUEST_MAX_VCPUS), byte 1 the SPI
 * count (0..VGIC_MAX_SPIS, scaled); then operations, each an opcode byte
 * and its arguments (a truncated one ends the input):
 *
 *   0 dist write  off:u16 size:u8 value:u64      4 SPI line   intid:u16 level:u8
 *   1 dist read   off:u16 size:u8                5 PPI line   vcpu:u8 intid:u8 level:u8
 *   2 redist write vcpu:u8 off:u24 size:u8 value:u64  6 SGI   vcpu:u8 value:u64
 *   3 redist read vcpu:u8 off:u24 size:u8        7 run vcpu   vcpu:u8 nr:u8 states:u16
 *   8 inject private vcpu:u8 intid:u8            9 reset (the images too)
 *
 * What must hold: an access returns 0 or -KEEL_EINVAL and a read's value
 * fits its width; a flush hands out only INTIDs that exist, each at most
 * once per vCPU and never to two vCPUs at once, in states 1..3.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/vcpu.h>
#include <irqchip/vgicv3.h>
#include <string.h>
#include "virtio_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct guest *fuzz_gic_guest;
static struct vcpu fuzz_vcpus[GUEST_MAX_VCPUS];
/* Each vCPU's list-register images, kept across its runs like the arch's. */
static struct vgic_lr fuzz_lrs[GUEST_MAX_VCPUS][VGIC_MAX_LRS];
static unsigned int fuzz_nr_lrs[GUEST_MAX_VCPUS];

static void fuzz_gic_setup(void)
{
	fuzz_platform_init();
	fuzz_gic_guest = fuzz_guest_new("vgic");
	/* Self-raised interrupts are counted, never a storm stop here. */
	fuzz_gic_guest->config.max_irq_rate = 0;
	for (unsigned int i = 0; i < GUEST_MAX_VCPUS; i++) {
		fuzz_vcpus[i].guest = fuzz_gic_guest;
		fuzz_vcpus[i].id = i;
		fuzz_vcpus[i].power = VCPU_POWER_ON;
		fuzz_gic_guest->vcpus[i] = &fuzz_vcpus[i];
	}
}

static int mmio_access(struct vcpu *v, gpa_t addr, unsigned int size, bool write,
		       uint64_t *value)
{
	const struct mmio_region *r = mmio_table_find(&fuzz_gic_guest->mmio, addr);

	fuzz_promise(r != NULL);
	if (write)
		return r->ops->write(r->state, v, addr - r->base, size, *value);
	return r->ops->read(r->state, v, addr - r->base, size, value);
}

static void check_access(int ret, bool write, unsigned int size, uint64_t value)
{
	fuzz_promise(ret == 0 || ret == -KEEL_EINVAL);
	if (!write && ret == 0 && size < 8)
		fuzz_promise(value >> (size * 8) == 0);
}

/* The arch's part of a run: flush, the guest acts on the images, sync. */
static void run_vcpu(struct vgic *vgic, unsigned int vcpus, unsigned int spis,
		     unsigned int n, unsigned int nr, uint16_t states)
{
	struct vgic_lr *lrs = fuzz_lrs[n];
	bool underflow, seen[1020] = { false };

	/* The CPU's list-register count is fixed; a new count means the
	 * images start over (as on another host CPU after a reset). */
	if (fuzz_nr_lrs[n] != nr) {
		memset(lrs, 0, sizeof(fuzz_lrs[n]));
		fuzz_nr_lrs[n] = nr;
	}
	vgic_vcpu_flush(vgic, n, lrs, nr, &underflow);
	for (unsigned int i = 0; i < nr; i++) {
		if (lrs[i].state == VGIC_LR_INVALID)
			continue;
		fuzz_promise(lrs[i].state <= VGIC_LR_PENDING_ACTIVE);
		fuzz_promise(lrs[i].intid < VGIC_NR_PRIVATE + spis);
		fuzz_promise(!seen[lrs[i].intid]);
		seen[lrs[i].intid] = true;
		/* Not held by any other vCPU's images at the same time. */
		if (lrs[i].intid >= VGIC_NR_PRIVATE)
			for (unsigned int m = 0; m < vcpus; m++)
				for (unsigned int j = 0; m != n && j < fuzz_nr_lrs[m]; j++)
					fuzz_promise(fuzz_lrs[m][j].state == VGIC_LR_INVALID ||
						     fuzz_lrs[m][j].intid != lrs[i].intid);
	}
	(void)vgic_vcpu_pending(vgic, n);
	/* The guest: two bits of new state per image (acknowledge, complete,
	 * or leave it). */
	for (unsigned int i = 0; i < nr && i < 8; i++)
		if (lrs[i].state != VGIC_LR_INVALID && (states >> (2 * i) & 3) != 3)
			lrs[i].state = (uint8_t)(states >> (2 * i) & 3);
	vgic_vcpu_sync(vgic, n, lrs, nr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int vcpus, spis;
	struct vgic *vgic;
	uint8_t b0, b1, op;

	if (!fuzz_gic_guest)
		fuzz_gic_setup();
	if (!fuzz_take(&in, &b0, 1) || !fuzz_take(&in, &b1, 1))
		return 0;
	vcpus = 1 + b0 % GUEST_MAX_VCPUS;
	spis = (unsigned int)b1 * 4 > VGIC_MAX_SPIS ? VGIC_MAX_SPIS : (unsigned int)b1 * 4;
	fuzz_gic_guest->vcpu_count = vcpus;
	mmio_table_init(&fuzz_gic_guest->mmio);
	memset(fuzz_lrs, 0, sizeof(fuzz_lrs));
	memset(fuzz_nr_lrs, 0, sizeof(fuzz_nr_lrs));
	vgic = vgic_create(fuzz_gic_guest, vcpus, spis);
	fuzz_promise(vgic != NULL);

	while (fuzz_take(&in, &op, 1)) {
		uint8_t v8 = 0, s8 = 0, l8 = 0, off3[3];
		uint16_t u16 = 0;
		uint64_t value = 0;
		unsigned int n, width;
		gpa_t addr;
		int ret;

		switch (op % 10) {
		case 0:
		case 1:
			if (!fuzz_take(&in, &u16, 2) || !fuzz_take(&in, &s8, 1) ||
			    (op % 10 == 0 && !fuzz_take(&in, &value, 8)))
				goto out;
			width = fuzz_access_size(s8);
			addr = VGIC_DIST_BASE + (u16 & (VGIC_DIST_SIZE - 1));
			ret = mmio_access(&fuzz_vcpus[s8 % vcpus], addr, width,
					  op % 10 == 0, &value);
			check_access(ret, op % 10 == 0, width, value);
			break;
		case 2:
		case 3:
			if (!fuzz_take(&in, &v8, 1) || !fuzz_take(&in, off3, 3) || !fuzz_take(&in, &s8, 1) ||
			    (op % 10 == 2 && !fuzz_take(&in, &value, 8)))
				goto out;
			n = v8 % vcpus;
			width = fuzz_access_size(s8);
			addr = VGIC_REDIST_BASE + n * VGIC_REDIST_STRIDE +
			       ((off3[0] | off3[1] << 8 | (uint64_t)off3[2] << 16) &
				(VGIC_REDIST_STRIDE - 1));
			ret = mmio_access(&fuzz_vcpus[(v8 >> 4) % vcpus], addr, width,
					  op % 10 == 2, &value);
			check_access(ret, op % 10 == 2, width, value);
			break;
		case 4:
			if (!fuzz_take(&in, &u16, 2) || !fuzz_take(&in, &l8, 1))
				goto out;
			vgic_set_spi_level(vgic, u16 % 1100, l8 & 1);
			break;
		case 5:
			if (!fuzz_take(&in, &v8, 1) || !fuzz_take(&in, &s8, 1) || !fuzz_take(&in, &l8, 1))
				goto out;
			vgic_set_private_level(vgic, v8 % (vcpus + 1), s8 % 40, l8 & 1);
			break;
		case 6:
			if (!fuzz_take(&in, &v8, 1) || !fuzz_take(&in, &value, 8))
				goto out;
			vgic_send_sgi(vgic, v8 % (vcpus + 1), value);
			break;
		case 7:
			if (!fuzz_take(&in, &v8, 1) || !fuzz_take(&in, &s8, 1) || !fuzz_take(&in, &u16, 2))
				goto out;
			run_vcpu(vgic, vcpus, spis, v8 % vcpus, 1 + s8 % VGIC_MAX_LRS, u16);
			break;
		case 8:
			if (!fuzz_take(&in, &v8, 1) || !fuzz_take(&in, &s8, 1))
				goto out;
			vgic_inject_private(vgic, v8 % (vcpus + 1), s8 % 40);
			break;
		case 9:
			/* As arch_guest_platform_reset(): the images go too. */
			vgic_reset(vgic);
			memset(fuzz_lrs, 0, sizeof(fuzz_lrs));
			break;
		}
	}
out:
	vgic_destroy(vgic);
	/* Both regions and every redistributor are gone from the table. */
	fuzz_promise(mmio_table_find(&fuzz_gic_guest->mmio, VGIC_DIST_BASE) == NULL);
	return 0;
}
