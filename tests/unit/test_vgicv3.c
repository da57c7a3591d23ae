/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated GICv3 (emulators/irqchip/vgicv3.c), driven through its MMIO
 * regions in a guest's table and through the injection and list-register
 * API, the way the arch part and device emulators use it.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/vcpu.h>
#include <string.h>
#include <irqchip/vgicv3.h>
#include <hw/gicv3.h>
#include "unit.h"

#define GICD VGIC_DIST_BASE
#define GICR(n) (VGIC_REDIST_BASE + (n) * VGIC_REDIST_STRIDE)
#define SGI_FRAME(n) (GICR(n) + 0x10000)


#define TEST_VCPUS 3
#define TEST_SPIS 64

static struct guest test_guest;
static struct vcpu test_vcpus[GUEST_MAX_VCPUS];

/* A created guest with vcpus vCPUs and a GIC of spi_count SPIs. */
static struct vgic *vgic_setup(unsigned int vcpus, unsigned int spi_count)
{
	memset(&test_guest, 0, sizeof(test_guest));
	test_guest.name = "vgic0";
	test_guest.lock = (spinlock_t)SPINLOCK_INIT;
	mmio_table_init(&test_guest.mmio);
	for (unsigned int i = 0; i < vcpus; i++) {
		memset(&test_vcpus[i], 0, sizeof(test_vcpus[i]));
		test_vcpus[i].guest = &test_guest;
		test_vcpus[i].id = i;
		test_vcpus[i].power = VCPU_POWER_ON;
		test_guest.vcpus[i] = &test_vcpus[i];
	}
	test_guest.vcpu_count = vcpus;
	return vgic_create(&test_guest, vcpus, spi_count);
}

static int mmio_access(gpa_t addr, unsigned int size, bool write, uint64_t *value)
{
	const struct mmio_region *r = mmio_table_find(&test_guest.mmio, addr);

	if (!r)
		return -KEEL_ENOENT;
	if (write)
		return r->ops->write(r->state, &test_vcpus[0], addr - r->base, size,
				     *value);
	return r->ops->read(r->state, &test_vcpus[0], addr - r->base, size, value);
}

static uint64_t mmio_read(gpa_t addr, unsigned int size)
{
	uint64_t value = 0xdeadbeef;

	CHECK_EQ(mmio_access(addr, size, false, &value), 0);
	return value;
}

static void mmio_write(gpa_t addr, unsigned int size, uint64_t value)
{
	CHECK_EQ(mmio_access(addr, size, true, &value), 0);
}

static uint64_t kicks(unsigned int vcpu)
{
	return test_vcpus[vcpu].kicks;
}

/* Enables the distributor (group 1) and SPI intid at priority prio. */
static void spi_enable(unsigned int intid, uint8_t prio)
{
	mmio_write(GICD + GICD_CTLR, 4, 0x12);
	mmio_write(GICD + GICD_IPRIORITYR + intid, 1, prio);
	mmio_write(GICD + GICD_ISENABLER + intid / 32 * 4, 4, 1u << (intid % 32));
}

static void private_enable(unsigned int vcpu, unsigned int intid, uint8_t prio)
{
	mmio_write(SGI_FRAME(vcpu) + GICD_IPRIORITYR + intid, 1, prio);
	mmio_write(SGI_FRAME(vcpu) + GICD_ISENABLER, 4, 1u << intid);
}

static void lrs_clear(struct vgic_lr *lrs, unsigned int n)
{
	memset(lrs, 0, n * sizeof(*lrs));
}

TEST(vgic_creates_regions_and_destroy_removes_them)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);

	REQUIRE(vgic);
	CHECK_EQ(test_guest.mmio.count, 1 + TEST_VCPUS);
	CHECK(mmio_table_find(&test_guest.mmio, GICD + 0xfffc));
	CHECK(mmio_table_find(&test_guest.mmio, GICR(TEST_VCPUS - 1) + 0x1ffff));
	CHECK(!mmio_table_find(&test_guest.mmio, GICR(TEST_VCPUS)));
	vgic_destroy(vgic);
	CHECK_EQ(test_guest.mmio.count, 0);
}

TEST(vgic_create_refuses_bad_sizes_and_overlaps)
{
	static const struct mmio_ops none = { 0 };

	struct vgic *vgic = vgic_setup(1, 0);

	REQUIRE(vgic);
	vgic_destroy(vgic);
	CHECK(!vgic_create(&test_guest, GUEST_MAX_VCPUS + 1, 32));
	CHECK(!vgic_create(&test_guest, 1, VGIC_MAX_SPIS + 1));
	CHECK(!vgic_create(&test_guest, 0, 32));
	CHECK(!vgic_create(NULL, 1, 32));
	CHECK_EQ(test_guest.mmio.count, 0);
	/* A device already where redistributor 1 goes: nothing is left. */
	REQUIRE(mmio_table_add(&test_guest.mmio, GICR(1), 0x1000, "dev", &none,
			       NULL) == 0);
	test_guest.vcpu_count = 2;
	test_guest.vcpus[1] = &test_vcpus[1];
	CHECK(!vgic_create(&test_guest, 2, 32));
	CHECK_EQ(test_guest.mmio.count, 1);
	CHECK_STR_EQ(test_guest.mmio.regions[0].name, "dev");
}

TEST(vgic_distributor_identification)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	uint64_t typer;

	REQUIRE(vgic);
	typer = mmio_read(GICD + GICD_TYPER, 4);
	CHECK_EQ(typer & 0x1f, (32 + TEST_SPIS) / 32 - 1);   /* ITLinesNumber */
	CHECK_EQ((typer >> 5) & 7, TEST_VCPUS - 1);           /* CPUNumber */
	CHECK_EQ((typer >> 19) & 0x1f, 9);                    /* IDbits: 10 */
	CHECK_EQ(typer & (1u << 17 | 1u << 16), 0);           /* no LPIs, MBIS */
	CHECK_EQ(mmio_read(GICD + GICD_TYPER2, 4), 0);
	CHECK_EQ((mmio_read(GICD + GIC_PIDR2, 4) >> 4) & 0xf, 3);
	CHECK_EQ((mmio_read(GICR(0) + GIC_PIDR2, 4) >> 4) & 0xf, 3);
	CHECK(mmio_read(GICD + GICD_IIDR, 4) != 0);
	/* ARE is always on; RWP reads 0; only the enables are kept. */
	CHECK_EQ(mmio_read(GICD + GICD_CTLR, 4) & (1u << 4 | 1u << 31), 1u << 4);
	mmio_write(GICD + GICD_CTLR, 4, 0xffffffff);
	CHECK_EQ(mmio_read(GICD + GICD_CTLR, 4) & ~(1u << 6), 0x13);
	mmio_write(GICD + GICD_CTLR, 4, 0);
	CHECK_EQ(mmio_read(GICD + GICD_CTLR, 4) & 3, 0);
	CHECK_EQ(mmio_read(GICD + GICD_CTLR, 4) & (1u << 4), 1u << 4);
	vgic_destroy(vgic);
}

TEST(vgic_enable_priority_pending_through_mmio)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	uint64_t before;

	REQUIRE(vgic);
	/* SPI 40: word 1, bit 8. */
	mmio_write(GICD + GICD_ISENABLER + 4, 4, 1u << 8);
	CHECK_EQ(mmio_read(GICD + GICD_ISENABLER + 4, 4), 1u << 8);
	CHECK_EQ(mmio_read(GICD + GICD_ICENABLER + 4, 4), 1u << 8);
	mmio_write(GICD + GICD_ICENABLER + 4, 4, 1u << 8);
	CHECK_EQ(mmio_read(GICD + GICD_ISENABLER + 4, 4), 0);

	/* Priorities by byte and by word; the low bits are not kept. */
	mmio_write(GICD + GICD_IPRIORITYR + 40, 1, 0xa7);
	CHECK_EQ(mmio_read(GICD + GICD_IPRIORITYR + 40, 1), 0xa0);
	mmio_write(GICD + GICD_IPRIORITYR + 44, 4, 0x10203040);
	CHECK_EQ(mmio_read(GICD + GICD_IPRIORITYR + 44, 4), 0x10203040);
	CHECK_EQ(mmio_read(GICD + GICD_IPRIORITYR + 46, 1), 0x20);
	CHECK_EQ(mmio_read(GICD + GICD_IPRIORITYR + 40, 4), 0xa0);

	/* Groups default to 1 and can be changed. */
	CHECK_EQ(mmio_read(GICD + GICD_IGROUPR + 4, 4), 0xffffffff);
	mmio_write(GICD + GICD_IGROUPR + 4, 4, 0xfffffffe);
	CHECK_EQ(mmio_read(GICD + GICD_IGROUPR + 4, 4), 0xfffffffe);

	/* Software pend: counted as raised by the guest, kicks the target. */
	before = test_guest.irq_window_count;
	spi_enable(40, 0x80);
	mmio_write(GICD + GICD_ISPENDR + 4, 4, 1u << 8);
	CHECK_EQ(test_guest.irq_window_count, before + 1);
	CHECK_EQ(mmio_read(GICD + GICD_ISPENDR + 4, 4), 1u << 8);
	CHECK(vgic_vcpu_pending(vgic, 0));
	CHECK(!vgic_vcpu_pending(vgic, 1));
	mmio_write(GICD + GICD_ICPENDR + 4, 4, 1u << 8);
	CHECK_EQ(mmio_read(GICD + GICD_ICPENDR + 4, 4), 0);
	CHECK(!vgic_vcpu_pending(vgic, 0));

	/* Active state through the registers. */
	mmio_write(GICD + GICD_ISACTIVER + 4, 4, 1u << 9);
	CHECK_EQ(mmio_read(GICD + GICD_ISACTIVER + 4, 4), 1u << 9);
	mmio_write(GICD + GICD_ICACTIVER + 4, 4, 1u << 9);
	CHECK_EQ(mmio_read(GICD + GICD_ICACTIVER + 4, 4), 0);

	/* Trigger mode: SPIs level by default, edge when asked. */
	CHECK_EQ(mmio_read(GICD + GICD_ICFGR + 8, 4), 0);
	mmio_write(GICD + GICD_ICFGR + 8, 4, 0x2 << 16);   /* INTID 40 */
	CHECK_EQ(mmio_read(GICD + GICD_ICFGR + 8, 4), 0x2 << 16);
	vgic_destroy(vgic);
}

TEST(vgic_redistributor_sgi_frame)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);

	REQUIRE(vgic);
	private_enable(1, 27, 0x40);
	CHECK_EQ(mmio_read(SGI_FRAME(1) + GICD_ISENABLER, 4), 1u << 27);
	CHECK_EQ(mmio_read(SGI_FRAME(0) + GICD_ISENABLER, 4), 0);
	CHECK_EQ(mmio_read(SGI_FRAME(1) + GICD_IPRIORITYR + 24, 4), 0x40u << 24);
	/* SGIs are edge-triggered, read-only; PPI configuration is kept. */
	CHECK_EQ(mmio_read(SGI_FRAME(1) + GICD_ICFGR, 4), 0xaaaaaaaa);
	mmio_write(SGI_FRAME(1) + GICD_ICFGR, 4, 0);
	CHECK_EQ(mmio_read(SGI_FRAME(1) + GICD_ICFGR, 4), 0xaaaaaaaa);
	mmio_write(SGI_FRAME(1) + GICD_ICFGR + 4, 4, 0x2u << 22);
	CHECK_EQ(mmio_read(SGI_FRAME(1) + GICD_ICFGR + 4, 4), 0x2u << 22);
	/* SGI/PPI registers in the distributor are RAZ/WI with ARE. */
	mmio_write(GICD + GICD_ISENABLER, 4, 0xffffffff);
	CHECK_EQ(mmio_read(GICD + GICD_ISENABLER, 4), 0);
	CHECK_EQ(mmio_read(SGI_FRAME(0) + GICD_ISENABLER, 4), 0);
	CHECK_EQ(mmio_read(GICD + GICD_IPRIORITYR, 4), 0);
	/* Software pend of a PPI through GICR_ISPENDR0. */
	mmio_write(GICD + GICD_CTLR, 4, 0x12);
	mmio_write(SGI_FRAME(1) + GICD_ISPENDR, 4, 1u << 27);
	CHECK_EQ(mmio_read(SGI_FRAME(1) + GICD_ISPENDR, 4), 1u << 27);
	CHECK(vgic_vcpu_pending(vgic, 1));
	CHECK(!vgic_vcpu_pending(vgic, 0));
	/* IGRPMODR0 is RAZ/WI. */
	mmio_write(SGI_FRAME(1) + 0x0d00, 4, 0xffffffff);
	CHECK_EQ(mmio_read(SGI_FRAME(1) + 0x0d00, 4), 0);
	vgic_destroy(vgic);
}

TEST(vgic_gicr_typer_and_waker)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);

	REQUIRE(vgic);
	for (unsigned int n = 0; n < TEST_VCPUS; n++) {
		uint64_t typer = mmio_read(GICR(n) + GICR_TYPER, 8);

		CHECK_EQ(typer >> 32, n);                 /* affinity 0.0.0.n */
		CHECK_EQ((typer >> 8) & 0xffff, n);       /* Processor_Number */
		CHECK_EQ((typer >> 4) & 1, n == TEST_VCPUS - 1);
		CHECK_EQ(typer & 1, 0);                   /* no LPIs */
		/* 32-bit halves. */
		CHECK_EQ(mmio_read(GICR(n) + GICR_TYPER, 4), typer & 0xffffffff);
		CHECK_EQ(mmio_read(GICR(n) + GICR_TYPER + 4, 4), typer >> 32);
	}
	/* Asleep at reset; waking clears ChildrenAsleep at once. */
	CHECK_EQ(mmio_read(GICR(1) + GICR_WAKER, 4), 0x6);
	mmio_write(GICR(1) + GICR_WAKER, 4, 0);
	CHECK_EQ(mmio_read(GICR(1) + GICR_WAKER, 4), 0);
	CHECK_EQ(mmio_read(GICR(0) + GICR_WAKER, 4), 0x6);
	mmio_write(GICR(1) + GICR_WAKER, 4, 0x2);
	CHECK_EQ(mmio_read(GICR(1) + GICR_WAKER, 4), 0x6);
	/* GICR_CTLR: RWP and everything else read 0. */
	mmio_write(GICR(1), 4, 0xffffffff);
	CHECK_EQ(mmio_read(GICR(1), 4), 0);
	vgic_destroy(vgic);
}

TEST(vgic_bad_widths_are_refused)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	uint64_t value = 0;

	REQUIRE(vgic);
	CHECK_EQ(mmio_access(GICD + GICD_CTLR, 8, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + GICD_CTLR, 2, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + GICD_CTLR, 1, true, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + GICD_ISENABLER + 4, 1, true, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + GICD_ISENABLER + 4, 8, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + GICD_ISENABLER + 5, 4, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + GICD_IPRIORITYR + 40, 2, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + GICD_IPRIORITYR + 41, 4, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + GICD_IPRIORITYR + 40, 8, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + GICD_ICFGR + 8, 1, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + GICD_IROUTER + 40 * 8, 1, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + GICD_IROUTER + 40 * 8 + 4, 8, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICR(0) + GICR_WAKER, 8, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICR(0) + GICR_TYPER, 2, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(SGI_FRAME(0) + GICD_ISENABLER, 1, false, &value), -KEEL_EINVAL);
	CHECK_EQ(mmio_access(GICD + 0x5000, 2, false, &value), -KEEL_EINVAL);
	/* Allowed: bytes of priorities and (RES0) targets, 64-bit routes. */
	CHECK_EQ(mmio_access(GICD + GICD_IPRIORITYR + 41, 1, false, &value), 0);
	CHECK_EQ(mmio_access(GICD + 0x0800 + 41, 1, false, &value), 0);
	CHECK_EQ(mmio_access(GICD + GICD_IROUTER + 40 * 8, 8, false, &value), 0);
	CHECK_EQ(mmio_access(SGI_FRAME(0) + GICD_IPRIORITYR + 3, 1, false, &value), 0);
	vgic_destroy(vgic);
}

TEST(vgic_out_of_range_offsets_are_raz_wi)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);

	REQUIRE(vgic);
	mmio_write(GICD + 0x5000, 4, 0xffffffff);
	CHECK_EQ(mmio_read(GICD + 0x5000, 4), 0);
	CHECK_EQ(mmio_read(GICD + 0x5000, 8), 0);
	CHECK_EQ(mmio_read(GICD + 0x0040, 4), 0);        /* SETSPI: no MBIS */
	CHECK_EQ(mmio_read(GICD + 0x0f00, 4), 0);        /* GICD_SGIR */
	/* INTIDs beyond the SPIs this guest has. */
	mmio_write(GICD + GICD_ISENABLER + 12, 4, 0xffffffff);
	CHECK_EQ(mmio_read(GICD + GICD_ISENABLER + 12, 4), 0);
	mmio_write(GICD + GICD_ISENABLER + 0x7c, 4, 0xffffffff);
	CHECK_EQ(mmio_read(GICD + GICD_ISENABLER + 0x7c, 4), 0);
	mmio_write(GICD + GICD_IPRIORITYR + 1019, 1, 0xff);
	CHECK_EQ(mmio_read(GICD + GICD_IPRIORITYR + 1019, 1), 0);
	mmio_write(GICD + GICD_IROUTER + 1000 * 8, 8, 1);
	CHECK_EQ(mmio_read(GICD + GICD_IROUTER + 1000 * 8, 8), 0);
	CHECK_EQ(mmio_read(GICD + GICD_IROUTER + 5 * 8, 8), 0);   /* an SGI */
	CHECK_EQ(mmio_read(GICD + 0x7fe0, 8), 0);
	/* Redistributor: reserved RD offsets, SGI frame beyond INTID 31. */
	mmio_write(GICR(0) + 0x70, 8, ~0ULL);                      /* PROPBASER */
	CHECK_EQ(mmio_read(GICR(0) + 0x70, 8), 0);
	mmio_write(SGI_FRAME(0) + GICD_ISENABLER + 4, 4, 0xffffffff);
	CHECK_EQ(mmio_read(SGI_FRAME(0) + GICD_ISENABLER + 4, 4), 0);
	CHECK_EQ(mmio_read(SGI_FRAME(0) + GICD_IPRIORITYR + 32, 4), 0);
	CHECK_EQ(mmio_read(SGI_FRAME(0) + 0x8000, 4), 0);
	vgic_destroy(vgic);
}

TEST(vgic_sgi_targets)
{
	struct vgic *vgic = vgic_setup(4, TEST_SPIS);
	struct vgic_lr lrs[4];
	uint64_t before, kicks0, kicks1;
	bool underflow;

	REQUIRE(vgic);
	mmio_write(GICD + GICD_CTLR, 4, 0x12);
	for (unsigned int n = 0; n < 4; n++)
		private_enable(n, 3, 0x80);

	/* SGI 3 from vCPU 0 to vCPUs 1 and 2 (TargetList bits 1, 2). */
	before = test_guest.irq_window_count;
	kicks0 = kicks(0);
	kicks1 = kicks(1);
	vgic_send_sgi(vgic, 0, 3ULL << 24 | 0x6);
	CHECK_EQ(test_guest.irq_window_count, before + 2);
	CHECK(!vgic_vcpu_pending(vgic, 0));
	CHECK(vgic_vcpu_pending(vgic, 1));
	CHECK(vgic_vcpu_pending(vgic, 2));
	CHECK(!vgic_vcpu_pending(vgic, 3));
	CHECK_EQ(kicks(1), kicks1 + 1);
	CHECK_EQ(kicks(0), kicks0);
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 2, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 3);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	CHECK(!lrs[0].eoi_notify);

	/* IRM: everyone but the sender. */
	vgic_send_sgi(vgic, 2, 3ULL << 24 | 1ULL << 40);
	CHECK(vgic_vcpu_pending(vgic, 0));
	CHECK(vgic_vcpu_pending(vgic, 3));
	CHECK_EQ(mmio_read(SGI_FRAME(2) + GICD_ISPENDR, 4), 1u << 3); /* in its LR */

	/* Affinities no vCPU has: Aff1, Aff2, Aff3, a second range. */
	vgic_destroy(vgic);
	vgic = vgic_setup(4, TEST_SPIS);
	REQUIRE(vgic);
	mmio_write(GICD + GICD_CTLR, 4, 0x12);
	private_enable(1, 5, 0x80);
	vgic_send_sgi(vgic, 0, 5ULL << 24 | 1ULL << 16 | 0x2);
	vgic_send_sgi(vgic, 0, 5ULL << 24 | 1ULL << 32 | 0x2);
	vgic_send_sgi(vgic, 0, 5ULL << 24 | 1ULL << 48 | 0x2);
	vgic_send_sgi(vgic, 0, 5ULL << 24 | 1ULL << 44 | 0x2);
	vgic_send_sgi(vgic, 7, 5ULL << 24 | 0x2);              /* no such sender */
	CHECK(!vgic_vcpu_pending(vgic, 1));
	/* The INTID is 4 bits; the target beyond the vCPUs is dropped. */
	vgic_send_sgi(vgic, 0, 0x15ULL << 24 | 0xff02);
	CHECK(vgic_vcpu_pending(vgic, 1));
	vgic_destroy(vgic);
}

TEST(vgic_flush_orders_by_priority)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow = true;

	REQUIRE(vgic);
	spi_enable(40, 0x80);
	spi_enable(41, 0x20);
	spi_enable(50, 0x20);
	private_enable(0, 27, 0x60);
	vgic_set_spi_level(vgic, 40, true);
	vgic_set_spi_level(vgic, 50, true);
	vgic_set_spi_level(vgic, 41, true);
	vgic_inject_private(vgic, 0, 27);
	CHECK(kicks(0) >= 4);
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK(!underflow);
	CHECK_EQ(lrs[0].intid, 41);
	CHECK_EQ(lrs[0].priority, 0x20);
	CHECK_EQ(lrs[1].intid, 50);
	CHECK_EQ(lrs[2].intid, 27);
	CHECK_EQ(lrs[2].priority, 0x60);
	CHECK(!lrs[2].eoi_notify);
	CHECK_EQ(lrs[3].intid, 40);
	for (unsigned int i = 0; i < 4; i++)
		CHECK_EQ(lrs[i].state, VGIC_LR_PENDING);
	CHECK(lrs[0].eoi_notify);    /* level-triggered SPI */
	/* Nothing goes to the other vCPUs; a second flush adds nothing. */
	{
		struct vgic_lr other[4];

		lrs_clear(other, 4);
		vgic_vcpu_flush(vgic, 1, other, 4, &underflow);
		CHECK_EQ(other[0].state, VGIC_LR_INVALID);
	}
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 41);
	CHECK_EQ(lrs[3].intid, 40);
	vgic_destroy(vgic);
}

TEST(vgic_flush_skips_disabled_group0_and_disabled_distributor)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;

	REQUIRE(vgic);
	spi_enable(40, 0x80);
	vgic_set_spi_level(vgic, 40, true);
	vgic_set_spi_level(vgic, 41, true);                     /* not enabled */
	mmio_write(GICD + GICD_ISENABLER + 4, 4, 1u << 10);     /* 42: group 0 */
	mmio_write(GICD + GICD_IGROUPR + 4, 4, ~(1u << 10));
	vgic_set_spi_level(vgic, 42, true);
	mmio_write(GICD + GICD_CTLR, 4, 0x10);                  /* disabled */
	CHECK(!vgic_vcpu_pending(vgic, 0));
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	mmio_write(GICD + GICD_CTLR, 4, 0x12);
	CHECK(vgic_vcpu_pending(vgic, 0));
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 40);
	CHECK_EQ(lrs[1].state, VGIC_LR_INVALID);
	CHECK(!underflow);
	vgic_destroy(vgic);
}

TEST(vgic_more_pending_than_lrs_underflows)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow = false;

	REQUIRE(vgic);
	for (unsigned int i = 0; i < 6; i++) {
		spi_enable(32 + i, (uint8_t)(0xa0 - i * 8));
		vgic_set_spi_level(vgic, 32 + i, true);
	}
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK(underflow);
	CHECK_EQ(lrs[0].intid, 37);     /* highest priority (lowest value) */
	CHECK_EQ(lrs[1].intid, 36);
	CHECK_EQ(lrs[2].intid, 35);
	CHECK_EQ(lrs[3].intid, 34);
	CHECK(vgic_vcpu_pending(vgic, 0));

	/* The guest completes two; their lines dropped meanwhile. */
	vgic_set_spi_level(vgic, 37, false);
	vgic_set_spi_level(vgic, 35, false);
	lrs[0].state = VGIC_LR_INVALID;
	lrs[2].state = VGIC_LR_INVALID;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK(!underflow);
	/* The two still held move down, in their order; the new ones
	 * follow by priority. */
	CHECK_EQ(lrs[0].intid, 36);
	CHECK_EQ(lrs[1].intid, 34);
	CHECK_EQ(lrs[2].intid, 33);
	CHECK_EQ(lrs[3].intid, 32);
	for (unsigned int i = 0; i < 4; i++)
		CHECK_EQ(lrs[i].state, VGIC_LR_PENDING);
	/* Held where they moved to: the guest completes 34 in slot 1. */
	vgic_set_spi_level(vgic, 34, false);
	lrs[1].state = VGIC_LR_INVALID;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 36);
	CHECK_EQ(lrs[1].intid, 33);
	CHECK_EQ(lrs[2].intid, 32);
	CHECK_EQ(lrs[3].state, VGIC_LR_INVALID);
	CHECK_EQ(mmio_read(GICD + GICD_ISPENDR + 4, 4), (1u << 4) | (1u << 1) | (1u << 0));
	vgic_destroy(vgic);
}

/* What a CPU interface that takes the lowest list register among those
 * of the best priority acknowledges (the emulated GICv3 does so on a
 * tie): the slot, or -1 when nothing is pending. */
static int guest_pick_lr(const struct vgic_lr *lrs, unsigned int n)
{
	int best = -1;

	for (unsigned int i = 0; i < n; i++)
		if (lrs[i].state == VGIC_LR_PENDING &&
		    (best < 0 || lrs[i].priority < lrs[best].priority))
			best = (int)i;
	return best;
}

TEST(vgic_interrupt_raised_again_does_not_starve_one_waiting_at_equal_priority)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;
	bool device_taken = false;

	REQUIRE(vgic);
	/* A timer PPI (level) and a device SPI, both at Linux's priority. */
	private_enable(0, 27, 0xa0);
	spi_enable(51, 0xa0);
	vgic_set_private_level(vgic, 0, 27, true);
	vgic_set_spi_level(vgic, 51, true);
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 27);
	CHECK_EQ(lrs[1].intid, 51);
	/* The timer's handler takes longer than its period: each time the
	 * guest completes it, its line is high again. The device's
	 * interrupt must still be taken, the second time at the latest. */
	for (unsigned int round = 0; round < 8 && !device_taken; round++) {
		int slot = guest_pick_lr(lrs, 4);

		REQUIRE(slot >= 0);
		if (lrs[slot].intid == 51) {
			device_taken = true;
			CHECK(round <= 1);
			break;
		}
		CHECK_EQ(lrs[slot].intid, 27);
		lrs[slot].state = VGIC_LR_ACTIVE;
		vgic_vcpu_sync(vgic, 0, lrs, 4);
		vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
		lrs[slot].state = VGIC_LR_INVALID;   /* EOI, line still high */
		vgic_vcpu_sync(vgic, 0, lrs, 4);
		vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	}
	CHECK(device_taken);
	vgic_destroy(vgic);
}

TEST(vgic_sync_edge_interrupt_completes)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;

	REQUIRE(vgic);
	spi_enable(40, 0x80);
	mmio_write(GICD + GICD_ICFGR + 8, 4, 0x2 << 16);         /* edge */
	vgic_set_spi_level(vgic, 40, true);
	vgic_set_spi_level(vgic, 40, false);
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 40);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	CHECK(!lrs[0].eoi_notify);

	/* Acknowledged: active, keeps its slot. */
	lrs[0].state = VGIC_LR_ACTIVE;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	CHECK_EQ(lrs[0].state, VGIC_LR_ACTIVE);
	CHECK_EQ(mmio_read(GICD + GICD_ISACTIVER + 4, 4), 1u << 8);
	CHECK_EQ(mmio_read(GICD + GICD_ISPENDR + 4, 4), 0);
	CHECK(!vgic_vcpu_pending(vgic, 0));

	/* A new edge while active: the image becomes pending+active. */
	vgic_set_spi_level(vgic, 40, true);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING_ACTIVE);
	CHECK_EQ(lrs[1].state, VGIC_LR_INVALID);

	/* EOI leaves it pending; the second acknowledge and EOI end it. */
	lrs[0].state = VGIC_LR_PENDING;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	CHECK(vgic_vcpu_pending(vgic, 0));
	lrs[0].state = VGIC_LR_INVALID;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	CHECK_EQ(mmio_read(GICD + GICD_ISACTIVER + 4, 4), 0);
	CHECK(!vgic_vcpu_pending(vgic, 0));
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	vgic_destroy(vgic);
}

TEST(vgic_sync_level_interrupt_repends_while_high)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;

	REQUIRE(vgic);
	spi_enable(45, 0x80);
	vgic_set_spi_level(vgic, 45, true);
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 45);
	CHECK(lrs[0].eoi_notify);

	/* Completed with the line still high: pending again. */
	lrs[0].state = VGIC_LR_INVALID;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	CHECK(vgic_vcpu_pending(vgic, 0));
	CHECK_EQ(mmio_read(GICD + GICD_ISPENDR + 4, 4), 1u << 13);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 45);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);

	/* Acknowledged, the device lowers the line, then completed. */
	lrs[0].state = VGIC_LR_ACTIVE;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	vgic_set_spi_level(vgic, 45, false);
	lrs[0].state = VGIC_LR_INVALID;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	CHECK(!vgic_vcpu_pending(vgic, 0));
	CHECK_EQ(mmio_read(GICD + GICD_ISPENDR + 4, 4), 0);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);

	/* A line that drops before the guest acknowledges is taken back. */
	vgic_set_spi_level(vgic, 45, true);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	vgic_set_spi_level(vgic, 45, false);
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	CHECK(!vgic_vcpu_pending(vgic, 0));
	vgic_destroy(vgic);
}

TEST(vgic_software_changes_reach_held_interrupts)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;

	REQUIRE(vgic);
	spi_enable(40, 0x80);
	mmio_write(GICD + GICD_ICFGR + 8, 4, 0x2 << 16);         /* edge */
	mmio_write(GICD + GICD_ISPENDR + 4, 4, 1u << 8);
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	/* Cleared before the guest took it: gone from the list register. */
	mmio_write(GICD + GICD_ICPENDR + 4, 4, 1u << 8);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	CHECK(!vgic_vcpu_pending(vgic, 0));

	/* Disabled while held: taken back, still pending, comes back when
	 * enabled again. */
	mmio_write(GICD + GICD_ISPENDR + 4, 4, 1u << 8);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	mmio_write(GICD + GICD_ICENABLER + 4, 4, 1u << 8);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	CHECK_EQ(mmio_read(GICD + GICD_ISPENDR + 4, 4), 1u << 8);
	mmio_write(GICD + GICD_ISENABLER + 4, 4, 1u << 8);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 40);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);

	/* Deactivated through ICACTIVER while held active. */
	lrs[0].state = VGIC_LR_ACTIVE;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	mmio_write(GICD + GICD_ICACTIVER + 4, 4, 1u << 8);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	CHECK_EQ(mmio_read(GICD + GICD_ISACTIVER + 4, 4), 0);
	vgic_destroy(vgic);
}

TEST(vgic_irouter_routes_spis)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;
	uint64_t before;

	REQUIRE(vgic);
	spi_enable(40, 0x80);
	CHECK_EQ(mmio_read(GICD + GICD_IROUTER + 40 * 8, 8), 0);
	mmio_write(GICD + GICD_IROUTER + 40 * 8, 8, 2);          /* vCPU 2 */
	CHECK_EQ(mmio_read(GICD + GICD_IROUTER + 40 * 8, 8), 2);
	before = kicks(2);
	vgic_set_spi_level(vgic, 40, true);
	CHECK_EQ(kicks(2), before + 1);
	CHECK(!vgic_vcpu_pending(vgic, 0));
	CHECK(vgic_vcpu_pending(vgic, 2));
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	vgic_vcpu_flush(vgic, 2, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 40);

	/* Rerouted while held pending: vCPU 2 gives it up, vCPU 1 takes it. */
	mmio_write(GICD + GICD_IROUTER + 40 * 8, 4, 1);
	CHECK_EQ(mmio_read(GICD + GICD_IROUTER + 40 * 8 + 4, 4), 0);
	vgic_vcpu_flush(vgic, 2, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	CHECK(vgic_vcpu_pending(vgic, 1));

	/* Interrupt_Routing_Mode 1: vCPU 0. */
	mmio_write(GICD + GICD_IROUTER + 40 * 8, 8, 1ULL << 31 | 2);
	CHECK_EQ(mmio_read(GICD + GICD_IROUTER + 40 * 8, 8), 1ULL << 31 | 2);
	CHECK(vgic_vcpu_pending(vgic, 0));
	CHECK(!vgic_vcpu_pending(vgic, 1));

	/* An affinity no vCPU has: nobody; Aff3 is not supported. */
	mmio_write(GICD + GICD_IROUTER + 40 * 8, 8, 0xffULL << 32 | 1ULL << 8);
	CHECK_EQ(mmio_read(GICD + GICD_IROUTER + 40 * 8, 8), 1ULL << 8);
	for (unsigned int n = 0; n < TEST_VCPUS; n++)
		CHECK(!vgic_vcpu_pending(vgic, n));
	mmio_write(GICD + GICD_IROUTER + 40 * 8 + 4, 4, 0);
	mmio_write(GICD + GICD_IROUTER + 40 * 8, 4, 7);          /* vCPU 7: none */
	CHECK(!vgic_vcpu_pending(vgic, 0));
	vgic_destroy(vgic);
}

TEST(vgic_private_injection_and_vcpu_pending)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;
	uint64_t before;

	REQUIRE(vgic);
	mmio_write(GICD + GICD_CTLR, 4, 0x12);
	/* Not enabled yet: pending, but no WFI ends. */
	vgic_inject_private(vgic, 1, VGIC_INTID_VTIMER);
	CHECK(!vgic_vcpu_pending(vgic, 1));
	before = kicks(1);
	private_enable(1, VGIC_INTID_VTIMER, 0xa0);
	CHECK(kicks(1) > before);
	CHECK(vgic_vcpu_pending(vgic, 1));
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 1, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, VGIC_INTID_VTIMER);
	/* Held pending in a list register still ends a WFI. */
	CHECK(vgic_vcpu_pending(vgic, 1));
	lrs[0].state = VGIC_LR_ACTIVE;
	vgic_vcpu_sync(vgic, 1, lrs, 4);
	CHECK(!vgic_vcpu_pending(vgic, 1));
	/* Out-of-range arguments are ignored. */
	vgic_inject_private(vgic, TEST_VCPUS, 27);
	vgic_inject_private(vgic, 0, 32);
	vgic_set_spi_level(vgic, 32 + TEST_SPIS, true);
	vgic_set_spi_level(vgic, 5, true);
	CHECK(!vgic_vcpu_pending(vgic, TEST_VCPUS));
	CHECK(!vgic_vcpu_pending(vgic, 0));
	vgic_vcpu_flush(vgic, TEST_VCPUS, lrs, 4, &underflow);
	vgic_destroy(vgic);
}

TEST(vgic_private_raised_again_while_active)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;

	REQUIRE(vgic);
	mmio_write(GICD + GICD_CTLR, 4, 0x12);
	/* The timer PPIs as Linux sets them up: level-sensitive. */
	mmio_write(SGI_FRAME(0) + GICD_ICFGR + 4, 4, 0);
	private_enable(0, VGIC_INTID_PTIMER, 0xa0);
	vgic_inject_private(vgic, 0, VGIC_INTID_PTIMER);
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, VGIC_INTID_PTIMER);
	lrs[0].state = VGIC_LR_ACTIVE;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	/* The timer fires again before the guest completes the first. */
	vgic_inject_private(vgic, 0, VGIC_INTID_PTIMER);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING_ACTIVE);
	lrs[0].state = VGIC_LR_PENDING;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	CHECK(vgic_vcpu_pending(vgic, 0));
	/* Taken back (disabled) before the second acknowledge: kept. */
	mmio_write(SGI_FRAME(0) + GICD_ICENABLER, 4, 1u << VGIC_INTID_PTIMER);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	CHECK_EQ(mmio_read(SGI_FRAME(0) + GICD_ISPENDR, 4), 1u << VGIC_INTID_PTIMER);
	private_enable(0, VGIC_INTID_PTIMER, 0xa0);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	lrs[0].state = VGIC_LR_INVALID;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	CHECK(!vgic_vcpu_pending(vgic, 0));
	CHECK_EQ(mmio_read(SGI_FRAME(0) + GICD_ISPENDR, 4), 0);
	vgic_destroy(vgic);
}

TEST(vgic_software_pend_of_level_spi_is_consumed)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;

	REQUIRE(vgic);
	spi_enable(44, 0x80);
	mmio_write(GICD + GICD_ISPENDR + 4, 4, 1u << 12);       /* line low */
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 44);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	/* Not acknowledged yet: it stays across exits. */
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	lrs[0].state = VGIC_LR_INVALID;
	vgic_vcpu_sync(vgic, 0, lrs, 4);
	CHECK(!vgic_vcpu_pending(vgic, 0));
	vgic_destroy(vgic);
}

TEST(vgic_reset_drops_everything)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;

	REQUIRE(vgic);
	spi_enable(40, 0x80);
	vgic_set_spi_level(vgic, 40, true);
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	mmio_write(GICR(0) + GICR_WAKER, 4, 0);
	vgic_reset(vgic);
	CHECK_EQ(mmio_read(GICD + GICD_CTLR, 4) & 3, 0);
	CHECK_EQ(mmio_read(GICD + GICD_ISENABLER + 4, 4), 0);
	CHECK_EQ(mmio_read(GICD + GICD_IPRIORITYR + 40, 1), 0);
	CHECK_EQ(mmio_read(GICR(0) + GICR_WAKER, 4), 0x6);
	/* The stale image is dropped; the line (the device's) stays high. */
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	spi_enable(40, 0x80);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 40);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	vgic_destroy(vgic);
}

TEST(vgic_lost_images_are_released)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;

	REQUIRE(vgic);
	spi_enable(40, 0x80);
	mmio_write(GICD + GICD_ISPENDR + 4, 4, 1u << 8);
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 40);
	/* The arch forgot its images (a vCPU reset): the next flush hands
	 * the interrupt out again instead of waiting for it forever. */
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 0, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, 40);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	vgic_destroy(vgic);
}

TEST(vgic_many_spis_scan)
{
	struct vgic *vgic = vgic_setup(2, VGIC_MAX_SPIS);
	struct vgic_lr lrs[VGIC_MAX_LRS];
	bool underflow;

	REQUIRE(vgic);
	CHECK_EQ(mmio_read(GICD + GICD_TYPER, 4) & 0x1f, 31);
	spi_enable(1019, 0x10);
	spi_enable(100, 0x10);
	spi_enable(999, 0x08);
	vgic_set_spi_level(vgic, 1019, true);
	vgic_set_spi_level(vgic, 100, true);
	vgic_set_spi_level(vgic, 999, true);
	lrs_clear(lrs, VGIC_MAX_LRS);
	vgic_vcpu_flush(vgic, 0, lrs, VGIC_MAX_LRS, &underflow);
	CHECK_EQ(lrs[0].intid, 999);
	CHECK_EQ(lrs[1].intid, 100);
	CHECK_EQ(lrs[2].intid, 1019);
	CHECK_EQ(lrs[3].state, VGIC_LR_INVALID);
	/* No list registers at all: everything waits. */
	vgic_set_spi_level(vgic, 1019, false);
	vgic_set_spi_level(vgic, 1019, true);
	vgic_vcpu_flush(vgic, 1, lrs, 0, &underflow);
	CHECK(!underflow);
	vgic_destroy(vgic);
}

/*
 * A timer's interrupt is a level (Arm ARM): when the timer is switched off
 * or masked, the line falls and the pending state goes, from the pending
 * registers at once and from a list register at the next flush; a
 * completion with the line still high makes it pending again.
 */
TEST(vgic_private_level_falls_and_takes_the_pending_state_back)
{
	struct vgic *vgic = vgic_setup(TEST_VCPUS, TEST_SPIS);
	struct vgic_lr lrs[4];
	bool underflow;
	uint64_t before;

	REQUIRE(vgic);
	mmio_write(GICD + GICD_CTLR, 4, 0x12);
	private_enable(1, VGIC_INTID_VTIMER, 0xa0);
	before = kicks(1);
	vgic_set_private_level(vgic, 1, VGIC_INTID_VTIMER, true);
	CHECK(kicks(1) > before);
	CHECK(vgic_vcpu_pending(vgic, 1));
	CHECK(mmio_read(SGI_FRAME(1) + GICD_ISPENDR, 4) & (1u << VGIC_INTID_VTIMER));
	/* Falls before it was delivered: nothing pending any more. */
	vgic_set_private_level(vgic, 1, VGIC_INTID_VTIMER, false);
	CHECK(!vgic_vcpu_pending(vgic, 1));
	CHECK(!(mmio_read(SGI_FRAME(1) + GICD_ISPENDR, 4) & (1u << VGIC_INTID_VTIMER)));

	/* In a list register: the image asks for notice of completion ... */
	vgic_set_private_level(vgic, 1, VGIC_INTID_VTIMER, true);
	lrs_clear(lrs, 4);
	vgic_vcpu_flush(vgic, 1, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].intid, VGIC_INTID_VTIMER);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	CHECK(lrs[0].eoi_notify);
	vgic_vcpu_sync(vgic, 1, lrs, 4);
	/* ... and loses its pending state when the line falls. */
	before = kicks(1);
	vgic_set_private_level(vgic, 1, VGIC_INTID_VTIMER, false);
	CHECK(kicks(1) > before);
	CHECK(!(mmio_read(SGI_FRAME(1) + GICD_ISPENDR, 4) & (1u << VGIC_INTID_VTIMER)));
	vgic_vcpu_flush(vgic, 1, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_INVALID);
	CHECK(!vgic_vcpu_pending(vgic, 1));

	/* Acknowledged and completed with the line still high: pending
	 * again, as a level is. */
	vgic_set_private_level(vgic, 1, VGIC_INTID_VTIMER, true);
	vgic_vcpu_flush(vgic, 1, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_PENDING);
	lrs[0].state = VGIC_LR_INVALID;         /* the guest's EOI */
	vgic_vcpu_sync(vgic, 1, lrs, 4);
	CHECK(vgic_vcpu_pending(vgic, 1));
	/* Active with the line falling: stays active, not pending. */
	vgic_vcpu_flush(vgic, 1, lrs, 4, &underflow);
	lrs[0].state = VGIC_LR_ACTIVE;
	vgic_vcpu_sync(vgic, 1, lrs, 4);
	vgic_set_private_level(vgic, 1, VGIC_INTID_VTIMER, false);
	vgic_vcpu_flush(vgic, 1, lrs, 4, &underflow);
	CHECK_EQ(lrs[0].state, VGIC_LR_ACTIVE);
	/* SGIs have no line; bad arguments are ignored. */
	vgic_set_private_level(vgic, 0, 3, true);
	vgic_set_private_level(vgic, TEST_VCPUS, VGIC_INTID_VTIMER, true);
	CHECK(!vgic_vcpu_pending(vgic, 0));
	vgic_destroy(vgic);
}
