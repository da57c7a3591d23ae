/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated PLIC (emulators/irqchip/plic.c), driven through its MMIO
 * region in a guest's table and through its line API, the way a guest,
 * the device emulators and the arch use it.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/vcpu.h>
#include <string.h>
#include <irqchip/plic.h>
#include "unit.h"

#define BASE 0x0c000000ULL
#define TEST_VCPUS 3
#define TEST_SOURCES 95

#define PRIORITY(s) (BASE + PLIC_PRIORITY_BASE + 4 * (s))
#define PENDING(w) (BASE + PLIC_PENDING_BASE + 4 * (w))
#define ENABLE(ctx, w) (BASE + PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * (ctx) + 4 * (w))
#define THRESHOLD(ctx) (BASE + PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (ctx))
#define CLAIM(ctx) (THRESHOLD(ctx) + PLIC_CONTEXT_CLAIM)
#define S(n) PLIC_S_CONTEXT(n)

static struct guest test_guest;
static struct vcpu test_vcpus[GUEST_MAX_VCPUS];
/* What the notify callback last said, per vCPU, and how often. */
static bool external[GUEST_MAX_VCPUS];
static unsigned int notifications;

static void record_external(void *arg, unsigned int vcpu_id, bool pending)
{
	CHECK(arg == &test_guest);
	CHECK(vcpu_id < GUEST_MAX_VCPUS);
	if (vcpu_id < GUEST_MAX_VCPUS)
		external[vcpu_id] = pending;
	notifications++;
}

static const struct plic_notify test_notify = {
	.set_external = record_external, .arg = &test_guest,
};

static struct plic *plic_setup(unsigned int vcpus, unsigned int sources)
{
	memset(&test_guest, 0, sizeof(test_guest));
	test_guest.name = "plic0";
	test_guest.lock = (spinlock_t)SPINLOCK_INIT;
	mmio_table_init(&test_guest.mmio);
	for (unsigned int i = 0; i < vcpus && i < GUEST_MAX_VCPUS; i++) {
		memset(&test_vcpus[i], 0, sizeof(test_vcpus[i]));
		test_vcpus[i].guest = &test_guest;
		test_vcpus[i].id = i;
		test_vcpus[i].power = VCPU_POWER_ON;
		test_guest.vcpus[i] = &test_vcpus[i];
	}
	test_guest.vcpu_count = vcpus;
	memset(external, 0, sizeof(external));
	notifications = 0;
	return plic_create(&test_guest, BASE, vcpus, sources, &test_notify);
}

static int mmio_access(gpa_t addr, unsigned int size, bool write, uint64_t *value)
{
	const struct mmio_region *r = mmio_table_find(&test_guest.mmio, addr);

	if (!r)
		return -KEEL_ENOENT;
	if (write)
		return r->ops->write(r->state, &test_vcpus[0], addr - r->base, size, *value);
	return r->ops->read(r->state, &test_vcpus[0], addr - r->base, size, value);
}

static uint32_t rd(gpa_t addr)
{
	uint64_t value = 0xdeadbeef;

	CHECK_EQ(mmio_access(addr, 4, false, &value), 0);
	return (uint32_t)value;
}

static void wr(gpa_t addr, uint32_t value)
{
	uint64_t v = value;

	CHECK_EQ(mmio_access(addr, 4, true, &v), 0);
}

/* Source s at priority prio, enabled for context ctx. */
static void source_enable(unsigned int ctx, unsigned int s, uint32_t prio)
{
	wr(PRIORITY(s), prio);
	wr(ENABLE(ctx, s / 32), rd(ENABLE(ctx, s / 32)) | 1u << (s % 32));
}

TEST(plic_creates_region_and_destroy_removes_it)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);
	const struct mmio_region *r;

	REQUIRE(plic);
	r = mmio_table_find(&test_guest.mmio, BASE);
	REQUIRE(r);
	CHECK_EQ(r->base, BASE);
	CHECK_EQ(r->size, PLIC_SIZE(TEST_VCPUS));
	CHECK_EQ(PLIC_SIZE(TEST_VCPUS), 0x200000 + 6 * 0x1000);
	CHECK(!mmio_table_find(&test_guest.mmio, BASE + PLIC_SIZE(TEST_VCPUS)));
	plic_destroy(plic);
	CHECK(!mmio_table_find(&test_guest.mmio, BASE));
	plic_destroy(NULL);
}

TEST(plic_create_refuses_bad_sizes_and_overlaps)
{
	CHECK(!plic_setup(0, TEST_SOURCES));
	CHECK(!plic_setup(GUEST_MAX_VCPUS + 1, TEST_SOURCES));
	CHECK(!plic_setup(1, 0));
	CHECK(!plic_setup(1, PLIC_MAX_SOURCES + 1));
	CHECK(!plic_create(NULL, BASE, 1, 1, NULL));
	/* Something already in the way: nothing is left behind. */
	{
		struct plic *first = plic_setup(1, 1), *big;

		REQUIRE(first);
		CHECK(!plic_create(&test_guest, BASE + 0x1000, 1, 8, NULL));
		CHECK_EQ(test_guest.mmio.count, 1);
		plic_destroy(first);
		CHECK_EQ(test_guest.mmio.count, 0);
		/* The largest configuration works, with its last registers. */
		big = plic_create(&test_guest, BASE, GUEST_MAX_VCPUS, PLIC_MAX_SOURCES, NULL);
		REQUIRE(big);
		wr(PRIORITY(PLIC_MAX_SOURCES), 5);
		CHECK_EQ(rd(PRIORITY(PLIC_MAX_SOURCES)), 5);
		wr(ENABLE(2 * GUEST_MAX_VCPUS - 1, 31), ~0u);
		CHECK_EQ(rd(ENABLE(2 * GUEST_MAX_VCPUS - 1, 31)), 0xffffffffu);
		wr(THRESHOLD(2 * GUEST_MAX_VCPUS - 1), 3);
		CHECK_EQ(rd(THRESHOLD(2 * GUEST_MAX_VCPUS - 1)), 3);
		plic_set_level(big, PLIC_MAX_SOURCES, true);
		CHECK_EQ(rd(PENDING(31)), 0x80000000u);
		CHECK_EQ(rd(CLAIM(2 * GUEST_MAX_VCPUS - 1)), PLIC_MAX_SOURCES);
		plic_destroy(big);
	}
}

TEST(plic_priority_registers)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);

	REQUIRE(plic);
	/* Source 0 does not exist: hardwired zero. */
	wr(PRIORITY(0), 7);
	CHECK_EQ(rd(PRIORITY(0)), 0);
	for (unsigned int s = 1; s <= TEST_SOURCES; s++) {
		wr(PRIORITY(s), s % 8);
		CHECK_EQ(rd(PRIORITY(s)), s % 8);
	}
	/* WARL: beyond the 3 priority bits reads back the maximum. */
	wr(PRIORITY(1), 0xffffffff);
	CHECK_EQ(rd(PRIORITY(1)), PLIC_PRIORITY_MAX);
	wr(PRIORITY(2), 8);
	CHECK_EQ(rd(PRIORITY(2)), PLIC_PRIORITY_MAX);
	/* Sources beyond ndev: RAZ/WI. */
	wr(PRIORITY(TEST_SOURCES + 1), 3);
	CHECK_EQ(rd(PRIORITY(TEST_SOURCES + 1)), 0);
	wr(PRIORITY(1023), 3);
	CHECK_EQ(rd(PRIORITY(1023)), 0);
	plic_destroy(plic);
}

TEST(plic_enable_registers_per_context)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);

	REQUIRE(plic);
	for (unsigned int ctx = 0; ctx < 2 * TEST_VCPUS; ctx++) {
		wr(ENABLE(ctx, 0), 0xffffffff);
		/* Source 0's bit is hardwired to zero. */
		CHECK_EQ(rd(ENABLE(ctx, 0)), 0xfffffffe);
		wr(ENABLE(ctx, 1), 0x12345678 + ctx);
		CHECK_EQ(rd(ENABLE(ctx, 1)), 0x12345678 + ctx);
		/* Sources 64..95 exist, 96 and up do not. */
		wr(ENABLE(ctx, 2), 0xffffffff);
		CHECK_EQ(rd(ENABLE(ctx, 2)), 0xffffffff);
		wr(ENABLE(ctx, 3), 0xffffffff);
		CHECK_EQ(rd(ENABLE(ctx, 3)), 0);
		wr(ENABLE(ctx, 31), 0xffffffff);
		CHECK_EQ(rd(ENABLE(ctx, 31)), 0);
	}
	/* Contexts are independent. */
	wr(ENABLE(0, 1), 0);
	CHECK_EQ(rd(ENABLE(1, 1)), 0x12345679);
	/* A context past the last vCPU's: RAZ/WI. */
	wr(ENABLE(2 * TEST_VCPUS, 0), 0xffffffff);
	CHECK_EQ(rd(ENABLE(2 * TEST_VCPUS, 0)), 0);
	plic_destroy(plic);
}

TEST(plic_pending_is_read_only_and_follows_the_lines)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);

	REQUIRE(plic);
	CHECK_EQ(rd(PENDING(0)), 0);
	plic_set_level(plic, 1, true);
	plic_set_level(plic, 33, true);
	plic_set_level(plic, TEST_SOURCES, true);
	CHECK_EQ(rd(PENDING(0)), 2);
	CHECK_EQ(rd(PENDING(1)), 2);
	CHECK_EQ(rd(PENDING(2)), 1u << (TEST_SOURCES - 64));
	/* Writes do not make or take requests. */
	wr(PENDING(0), 0xffffffff);
	CHECK_EQ(rd(PENDING(0)), 2);
	wr(PENDING(1), 0);
	CHECK_EQ(rd(PENDING(1)), 2);
	/* A level source whose line falls before it is claimed withdraws. */
	plic_set_level(plic, 33, false);
	CHECK_EQ(rd(PENDING(1)), 0);
	/* Lines that do not exist are ignored. */
	plic_set_level(plic, 0, true);
	plic_set_level(plic, TEST_SOURCES + 1, true);
	plic_set_level(plic, 5000, true);
	CHECK_EQ(rd(PENDING(0)), 2);
	CHECK_EQ(rd(PENDING(3)), 0);
	plic_destroy(plic);
}

TEST(plic_claim_returns_highest_priority_then_lowest_id)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);

	REQUIRE(plic);
	source_enable(S(0), 3, 2);
	source_enable(S(0), 7, 5);
	source_enable(S(0), 40, 5);
	source_enable(S(0), 9, 1);
	/* Nothing pending: ID 0, and nothing is claimed by asking. */
	CHECK_EQ(rd(CLAIM(S(0))), 0);
	plic_set_level(plic, 3, true);
	plic_set_level(plic, 40, true);
	plic_set_level(plic, 7, true);
	plic_set_level(plic, 9, true);
	CHECK(external[0]);
	CHECK(plic_vcpu_pending(plic, 0));
	CHECK_EQ(rd(CLAIM(S(0))), 7);          /* 5, lowest id of the two */
	CHECK_EQ(rd(PENDING(0)) & (1u << 7), 0);
	CHECK_EQ(rd(CLAIM(S(0))), 40);
	CHECK_EQ(rd(CLAIM(S(0))), 3);
	CHECK_EQ(rd(CLAIM(S(0))), 9);
	/* All claimed: nothing deliverable, though the lines are high. */
	CHECK_EQ(rd(CLAIM(S(0))), 0);
	CHECK(!external[0]);
	CHECK(!plic_vcpu_pending(plic, 0));
	/* A source of priority 0 never interrupts. */
	source_enable(S(0), 11, 0);
	plic_set_level(plic, 11, true);
	CHECK_EQ(rd(CLAIM(S(0))), 0);
	CHECK(!external[0]);
	plic_destroy(plic);
}

TEST(plic_threshold_masks_priorities_at_or_below_it)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);

	REQUIRE(plic);
	source_enable(S(1), 4, 3);
	plic_set_level(plic, 4, true);
	CHECK(external[1]);
	wr(THRESHOLD(S(1)), 3);
	CHECK_EQ(rd(THRESHOLD(S(1))), 3);
	CHECK(!external[1]);
	CHECK_EQ(rd(CLAIM(S(1))), 0);
	CHECK_EQ(rd(PENDING(0)), 1u << 4);     /* still pending */
	wr(THRESHOLD(S(1)), 2);
	CHECK(external[1]);
	CHECK_EQ(rd(CLAIM(S(1))), 4);
	/* WARL like the priorities. */
	wr(THRESHOLD(S(1)), 0xffff);
	CHECK_EQ(rd(THRESHOLD(S(1))), PLIC_PRIORITY_MAX);
	/* The threshold is per context. */
	CHECK_EQ(rd(THRESHOLD(S(0))), 0);
	CHECK_EQ(rd(THRESHOLD(0)), 0);
	plic_destroy(plic);
}

TEST(plic_level_source_pends_again_after_complete_while_high)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);

	REQUIRE(plic);
	source_enable(S(0), 10, 1);
	plic_set_level(plic, 10, true);
	CHECK_EQ(rd(CLAIM(S(0))), 10);
	CHECK(!external[0]);
	/* Still high at completion: a new request at once. */
	wr(CLAIM(S(0)), 10);
	CHECK(external[0]);
	CHECK_EQ(rd(PENDING(0)), 1u << 10);
	CHECK_EQ(rd(CLAIM(S(0))), 10);
	/* Low by completion: nothing more. */
	plic_set_level(plic, 10, false);
	wr(CLAIM(S(0)), 10);
	CHECK(!external[0]);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK_EQ(rd(CLAIM(S(0))), 0);
	/* While claimed, a line that falls and rises asks nothing new until
	 * the completion. */
	plic_set_level(plic, 10, true);
	CHECK_EQ(rd(CLAIM(S(0))), 10);
	plic_set_level(plic, 10, false);
	plic_set_level(plic, 10, true);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK_EQ(rd(CLAIM(S(0))), 0);
	wr(CLAIM(S(0)), 10);
	CHECK_EQ(rd(CLAIM(S(0))), 10);
	plic_destroy(plic);
}

TEST(plic_edge_source_latches_one_edge_while_claimed)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);

	REQUIRE(plic);
	plic_set_edge(plic, 5, true);
	source_enable(S(2), 5, 4);
	plic_set_level(plic, 5, true);
	/* An edge stays pending though the line falls. */
	plic_set_level(plic, 5, false);
	CHECK_EQ(rd(PENDING(0)), 1u << 5);
	CHECK(external[2]);
	CHECK_EQ(rd(CLAIM(S(2))), 5);
	/* Completed with no new edge: nothing more. */
	wr(CLAIM(S(2)), 5);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK_EQ(rd(CLAIM(S(2))), 0);
	CHECK(!external[2]);
	/* Edges while claimed: one request after the completion. */
	plic_set_level(plic, 5, false);
	plic_set_level(plic, 5, true);
	CHECK_EQ(rd(CLAIM(S(2))), 5);
	plic_set_level(plic, 5, false);
	plic_set_level(plic, 5, true);
	plic_set_level(plic, 5, false);
	plic_set_level(plic, 5, true);
	CHECK_EQ(rd(PENDING(0)), 0);
	wr(CLAIM(S(2)), 5);
	CHECK_EQ(rd(PENDING(0)), 1u << 5);
	CHECK_EQ(rd(CLAIM(S(2))), 5);
	wr(CLAIM(S(2)), 5);
	CHECK_EQ(rd(CLAIM(S(2))), 0);
	plic_destroy(plic);
}

TEST(plic_complete_by_another_context_or_of_another_source_is_ignored)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);

	REQUIRE(plic);
	source_enable(S(0), 6, 1);
	source_enable(S(1), 6, 1);
	plic_set_level(plic, 6, true);
	CHECK(external[0] && external[1]);
	CHECK_EQ(rd(CLAIM(S(1))), 6);
	/* Claimed once for both: the other context sees nothing. */
	CHECK(!external[0]);
	CHECK_EQ(rd(CLAIM(S(0))), 0);
	/* Completions that do not match the claim change nothing. */
	wr(CLAIM(S(0)), 6);
	wr(CLAIM(0), 6);
	wr(CLAIM(S(1)), 7);
	wr(CLAIM(S(1)), 0);
	wr(CLAIM(S(1)), TEST_SOURCES + 1);
	wr(CLAIM(S(1)), 0xffffffff);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK_EQ(rd(CLAIM(S(0))), 0);
	/* The claimer's completion counts, enabled or not. */
	wr(ENABLE(S(1), 0), 0);
	wr(CLAIM(S(1)), 6);
	CHECK_EQ(rd(PENDING(0)), 1u << 6);
	CHECK_EQ(rd(CLAIM(S(0))), 6);
	/* A second completion of the same claim is ignored. */
	wr(CLAIM(S(0)), 6);
	wr(CLAIM(S(0)), 6);
	CHECK_EQ(rd(CLAIM(S(0))), 6);
	plic_destroy(plic);
}

TEST(plic_m_contexts_hold_registers_but_drive_no_vcpu)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);
	unsigned int before;

	REQUIRE(plic);
	source_enable(0, 8, 3);               /* vCPU 0's M context */
	before = notifications;
	plic_set_level(plic, 8, true);
	CHECK_EQ(notifications, before);
	CHECK(!plic_vcpu_pending(plic, 0));
	CHECK_EQ(test_vcpus[0].kicks, 0);
	CHECK_EQ(rd(CLAIM(0)), 8);
	wr(CLAIM(0), 8);
	plic_destroy(plic);
}

TEST(plic_kicks_the_vcpu_whose_interrupt_becomes_pending)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);
	uint64_t kicks1;

	REQUIRE(plic);
	source_enable(S(1), 2, 1);
	kicks1 = test_vcpus[1].kicks;
	plic_set_level(plic, 2, true);
	CHECK_EQ(test_vcpus[1].kicks, kicks1 + 1);
	CHECK_EQ(test_vcpus[0].kicks, 0);
	CHECK_EQ(test_vcpus[2].kicks, 0);
	/* Enabling a pending source delivers too. */
	source_enable(S(2), 2, 1);
	CHECK(external[2]);
	CHECK_EQ(test_vcpus[2].kicks, 1);
	CHECK(!plic_vcpu_pending(plic, TEST_VCPUS));
	plic_destroy(plic);
}

TEST(plic_bad_widths_and_offsets)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);
	static const unsigned int sizes[] = { 1, 2, 8 };
	static const uint64_t offsets[] = {
		PLIC_PRIORITY_BASE + 4, PLIC_PENDING_BASE, PLIC_ENABLE_BASE,
		PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE, PLIC_CONTEXT_BASE + PLIC_CONTEXT_CLAIM,
	};
	uint64_t value;

	REQUIRE(plic);
	source_enable(S(0), 1, 1);
	plic_set_level(plic, 1, true);
	for (unsigned int i = 0; i < ARRAY_SIZE(offsets); i++) {
		for (unsigned int j = 0; j < ARRAY_SIZE(sizes); j++) {
			value = 0x55;
			CHECK_EQ(mmio_access(BASE + offsets[i], sizes[j], false, &value),
				 -KEEL_EINVAL);
			CHECK_EQ(value, 0x55);
			CHECK_EQ(mmio_access(BASE + offsets[i], sizes[j], true, &value),
				 -KEEL_EINVAL);
		}
		/* Misaligned 32-bit accesses too. */
		CHECK_EQ(mmio_access(BASE + offsets[i] + 2, 4, false, &value), -KEEL_EINVAL);
		CHECK_EQ(mmio_access(BASE + offsets[i] + 1, 4, true, &value), -KEEL_EINVAL);
	}
	/* None of that claimed or changed anything. */
	CHECK_EQ(rd(PRIORITY(1)), 1);
	CHECK_EQ(rd(CLAIM(S(0))), 1);
	/* Reserved offsets: RAZ/WI. */
	wr(BASE + PLIC_PENDING_BASE + 0x80, 1);
	CHECK_EQ(rd(BASE + PLIC_PENDING_BASE + 0x80), 0);
	wr(BASE + 0x1ffffc, 1);
	CHECK_EQ(rd(BASE + 0x1ffffc), 0);
	wr(THRESHOLD(S(0)) + 8, 1);
	CHECK_EQ(rd(THRESHOLD(S(0)) + 8), 0);
	CHECK_EQ(rd(THRESHOLD(S(0)) + 0xffc), 0);
	CHECK_EQ(rd(THRESHOLD(S(0))), 0);
	/* Past the region: not the PLIC's. */
	CHECK_EQ(mmio_access(BASE + PLIC_SIZE(TEST_VCPUS), 4, false, &value), -KEEL_ENOENT);
	plic_destroy(plic);
}

/* Every offset of the window, at every width, read and written: only
 * aligned 32-bit accesses are taken (a refused read leaves the value
 * alone), nothing goes wrong, and the PLIC still delivers afterwards. */
TEST(plic_every_offset_at_every_width)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	uint64_t size = PLIC_SIZE(TEST_VCPUS), value;
	unsigned long wrong = 0;

	REQUIRE(plic);
	plic_set_level(plic, 3, true);
	for (uint64_t off = 0; off < size; off++) {
		for (unsigned int j = 0; j < ARRAY_SIZE(sizes); j++) {
			bool taken = sizes[j] == 4 && !(off & 3);

			value = 0x5a5a;
			if (mmio_access(BASE + off, sizes[j], false, &value) != (taken ? 0 : -KEEL_EINVAL) ||
			    (!taken && value != 0x5a5a))
				wrong++;
			if (taken)
				continue;
			value = ~0ULL;
			wrong += mmio_access(BASE + off, sizes[j], true, &value) != -KEEL_EINVAL;
		}
		/* Every register written with all ones, then zero (a claim
		 * completes nothing that was not claimed). */
		if (!(off & 3)) {
			value = 0xffffffff;
			wrong += mmio_access(BASE + off, 4, true, &value) != 0;
			value = 0;
			wrong += mmio_access(BASE + off, 4, true, &value) != 0;
		}
	}
	CHECK_EQ(wrong, 0);
	/* Still a PLIC: source 3 raised and enabled for vCPU 1's S context
	 * is claimed there and completes. */
	source_enable(S(1), 3, 2);
	CHECK_EQ(rd(CLAIM(S(1))), 3);
	wr(CLAIM(S(1)), 3);
	plic_set_level(plic, 3, false);
	CHECK_EQ(rd(CLAIM(S(1))), 0);
	plic_destroy(plic);
}

TEST(plic_reset_keeps_lines_and_drops_the_rest)
{
	struct plic *plic = plic_setup(TEST_VCPUS, TEST_SOURCES);

	REQUIRE(plic);
	plic_set_edge(plic, 3, true);
	source_enable(S(0), 3, 1);
	source_enable(S(0), 4, 1);
	wr(THRESHOLD(S(0)), 0);
	plic_set_level(plic, 3, true);
	plic_set_level(plic, 4, true);
	CHECK_EQ(rd(CLAIM(S(0))), 3);
	CHECK(external[0]);
	plic_reset(plic);
	CHECK(!external[0]);
	CHECK_EQ(rd(PRIORITY(4)), 0);
	CHECK_EQ(rd(ENABLE(S(0), 0)), 0);
	/* The level line still high is pending; the edge is not. */
	CHECK_EQ(rd(PENDING(0)), 1u << 4);
	/* The old claim is gone: its completion does nothing, and the edge
	 * source is still edge-triggered. */
	wr(CLAIM(S(0)), 3);
	CHECK_EQ(rd(PENDING(0)), 1u << 4);
	plic_set_level(plic, 3, false);
	plic_set_level(plic, 3, true);
	plic_set_level(plic, 3, false);
	CHECK_EQ(rd(PENDING(0)), 1u << 4 | 1u << 3);
	plic_destroy(plic);
}

/* ---- several CPUs at once ---- */

#define RACE_SOURCES 6
#define RACE_ROUNDS 2000

struct race {
	struct plic *plic;
	unsigned int claimed[RACE_SOURCES + 1];
	int done;
};

/* CPU 0 is the vCPU: it claims and completes. The others are devices
 * raising and dropping their lines (level) or pulsing them (edge). */
static void race_cpu(unsigned int cpu, void *arg)
{
	struct race *r = arg;

	if (cpu == 0) {
		unsigned int spins = 0;

		while (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) < 2 || spins++ < 100) {
			uint32_t s = rd(CLAIM(S(0))), again;

			CHECK(s <= RACE_SOURCES);
			if (!s || s > RACE_SOURCES)
				continue;
			r->claimed[s]++;
			/* A second claim never hands out one still claimed. */
			again = rd(CLAIM(S(0)));
			CHECK(again != s && again <= RACE_SOURCES);
			if (again && again <= RACE_SOURCES) {
				r->claimed[again]++;
				wr(CLAIM(S(0)), again);
			}
			wr(CLAIM(S(0)), s);
		}
		return;
	}
	for (unsigned int i = 0; i < RACE_ROUNDS; i++) {
		unsigned int s = 1 + (cpu - 1 + i) % RACE_SOURCES;

		plic_set_level(r->plic, s, true);
		plic_set_level(r->plic, s, false);
	}
	__atomic_fetch_add(&r->done, 1, __ATOMIC_RELEASE);
}

TEST(plic_lines_race_a_claiming_vcpu)
{
	struct plic *plic = plic_setup(2, TEST_SOURCES);
	static struct race r;

	REQUIRE(plic);
	memset(&r, 0, sizeof(r));
	r.plic = plic;
	for (unsigned int s = 1; s <= RACE_SOURCES; s++) {
		plic_set_edge(plic, s, s % 2 == 0);
		source_enable(S(0), s, 1 + s % 3);
	}
	unit_run_cpus(3, race_cpu, &r);
	/* Whatever the interleaving, the end state is consistent: every line
	 * is low and the vCPU claimed until nothing was left. */
	CHECK_EQ(rd(CLAIM(S(0))), 0);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK(!external[0]);
	CHECK(!plic_vcpu_pending(plic, 0));
	/* Edges were seen: every edge source was claimed at least once. */
	for (unsigned int s = 2; s <= RACE_SOURCES; s += 2)
		CHECK(r.claimed[s] > 0);
	plic_destroy(plic);
}
