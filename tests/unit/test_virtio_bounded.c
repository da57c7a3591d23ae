/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a hostile guest can make a virtio device do in one exit: the budget
 * of a notify and its continuation by the device's work item, the refusal
 * of device-writable buffers over a queue's own rings, and resets that
 * exclude every other path into the device, raced from real threads (the
 * host fake runs each thread as a CPU).
 */
#include <arch/cpu.h>
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/work.h>
#include <keel/l2switch.h>
#include <stdio.h>
#include <string.h>
#include <virtio/virtio.h>
#include <virtio/virtio_mmio_regs.h>
#include "guest_fixture.h"
#include "unit.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x100000ULL
#define DEV_BASE 0x0a000000ULL
#define IRQ 16

/* Queue q's rings from RINGS(q): descriptors, available ring at +0x1000,
 * used ring at +0x2000; buffers from DATA. */
#define RINGS(q) (RAM_BASE + 0x4000ULL * (q))
#define DATA (RAM_BASE + 0x10000)

#define F_INDIRECT (1ULL << 28)
#define F_EVENT_IDX (1ULL << 29)
#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u
#define DESC_F_INDIRECT 4u

/* The devices' budgets (emulators/virtio/rng.c, blk.c). */
#define RNG_BUDGET 16
#define BLK_BUDGET 32

#define ALL_UP (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
		VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)

/* ---- a device made by its emulator in a RAM-only guest ---- */

struct bdev {
	struct guest *g;
	struct guest_device_config cfg;
	const struct emulator *emu;
	void *state;
	const struct mmio_region *r;
};

static struct fixture_ram_guest ram_guests[2];

static struct guest *bounded_guest(unsigned int i, const char *name)
{
	struct guest *g = fixture_ram_guest_reset(&ram_guests[i], name, RAM_BASE, RAM_SIZE);

	mmio_table_init(&g->mmio);
	g->lock = (spinlock_t)SPINLOCK_INIT;
	g->state = GUEST_RUNNING;
	unit_console_clear();
	return g;
}

static bool bdev_create(struct bdev *d, struct guest *g, const char *compatible,
			const char *backend)
{
	memset(d, 0, sizeof(*d));
	d->g = g;
	snprintf(d->cfg.name, sizeof(d->cfg.name), "dev0");
	snprintf(d->cfg.compatible, sizeof(d->cfg.compatible), "%s", compatible);
	snprintf(d->cfg.backend, sizeof(d->cfg.backend), "%s", backend);
	d->cfg.base = DEV_BASE;
	d->cfg.size = 0x200;
	d->cfg.has_irq = true;
	d->cfg.irq = IRQ;
	d->emu = emulator_find(compatible);
	if (!d->emu || d->emu->create(g, &d->cfg, &d->state))
		return false;
	d->r = mmio_table_find(&g->mmio, DEV_BASE);
	return d->r != NULL;
}

static void bdev_destroy(struct bdev *d)
{
	d->emu->destroy(d->state);
	fixture_run_work();
}

static void reg_write(struct bdev *d, uint64_t offset, uint32_t value)
{
	CHECK_EQ(d->r->ops->write(d->r->state, NULL, offset, 4, value), 0);
}

static uint32_t reg_read(struct bdev *d, uint64_t offset)
{
	uint64_t value = 0;

	CHECK_EQ(d->r->ops->read(d->r->state, NULL, offset, 4, &value), 0);
	return (uint32_t)value;
}

static void put(struct guest *g, gpa_t at, uint64_t value, unsigned int bytes)
{
	fixture_guest_put_le(g, at, value, bytes);
}

static uint64_t get(struct guest *g, gpa_t at, unsigned int bytes)
{
	return fixture_guest_get_le(g, at, bytes);
}

/* Resets d and brings queues 0..queues-1 up with size entries each (rings
 * zeroed). True when the device took it all. */
static bool driver_start(struct bdev *d, unsigned int queues, uint16_t size, uint64_t features)
{
	static const uint8_t zero[0x3000];

	reg_write(d, VIRTIO_MMIO_STATUS, 0);
	reg_write(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	reg_write(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES, 1);             /* VERSION_1 */
	reg_write(d, VIRTIO_MMIO_STATUS, ALL_UP & ~VIRTIO_STATUS_DRIVER_OK);
	for (unsigned int q = 0; q < queues; q++) {
		gpa_t rings = RINGS(q);

		CHECK_EQ(guest_copy_to(d->g, rings, zero, sizeof(zero)), 0);
		reg_write(d, VIRTIO_MMIO_QUEUE_SEL, q);
		reg_write(d, VIRTIO_MMIO_QUEUE_NUM, size);
		reg_write(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)rings);
		reg_write(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(rings >> 32));
		reg_write(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(rings + 0x1000));
		reg_write(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)((rings + 0x1000) >> 32));
		reg_write(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(rings + 0x2000));
		reg_write(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)((rings + 0x2000) >> 32));
		reg_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	reg_write(d, VIRTIO_MMIO_STATUS, ALL_UP);
	return reg_read(d, VIRTIO_MMIO_STATUS) == ALL_UP;
}

static void put_desc(struct guest *g, gpa_t table, uint16_t index, gpa_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	gpa_t at = table + 16ULL * index;

	put(g, at, addr, 8);
	put(g, at + 8, len, 4);
	put(g, at + 12, flags, 2);
	put(g, at + 14, next, 2);
}

/* Makes head the next available entry of queue q (of size entries). */
static void publish(struct guest *g, unsigned int q, uint16_t size, uint16_t head)
{
	gpa_t avail = RINGS(q) + 0x1000;
	uint16_t idx = (uint16_t)get(g, avail + 2, 2);

	put(g, avail + 4 + 2ULL * (idx % size), head, 2);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	put(g, avail + 2, (uint16_t)(idx + 1), 2);
}

static uint16_t used_idx(struct guest *g, unsigned int q)
{
	return (uint16_t)get(g, RINGS(q) + 0x2000 + 2, 2);
}

static uint32_t used_id(struct guest *g, unsigned int q, uint16_t size, uint16_t i)
{
	return (uint32_t)get(g, RINGS(q) + 0x2000 + 4 + 8ULL * (i % size), 4);
}

/* ---- the budget and its continuation ---- */

/* count one-buffer rng requests of 64 bytes, descriptor i for request i. */
static void rng_offer(struct guest *g, uint16_t size, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		put_desc(g, RINGS(0), (uint16_t)i, DATA + 64ULL * i, 64, DESC_F_WRITE, 0);
		publish(g, 0, size, (uint16_t)i);
	}
}

TEST(virtio_notify_serves_a_budget_and_the_work_item_serves_the_rest)
{
	struct guest *g = bounded_guest(0, "bud0");
	struct bdev d;

	REQUIRE(bdev_create(&d, g, "virtio,rng", "entropy:"));
	REQUIRE(driver_start(&d, 1, 64, 0));
	rng_offer(g, 64, 40);
	reg_write(&d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	/* One exit serves one budget... */
	CHECK_EQ(used_idx(g, 0), RNG_BUDGET);
	CHECK(work_pending());
	/* ...and the work item the rest, each request once, in order. */
	fixture_run_work();
	CHECK_EQ(used_idx(g, 0), 40);
	for (uint16_t i = 0; i < 40; i++) {
		CHECK_EQ(used_id(g, 0, 64, i), i);
		CHECK_EQ(get(g, RINGS(0) + 0x2000 + 4 + 8ULL * i + 4, 4), 64);
	}
	CHECK(!work_pending());
	CHECK_EQ(reg_read(&d, VIRTIO_MMIO_STATUS), ALL_UP);
	bdev_destroy(&d);
}

TEST(virtio_budget_continuation_does_not_lose_the_interrupt)
{
	struct guest *g = bounded_guest(0, "bud1");
	struct bdev d;

	/* EVENT_IDX: the driver wants an interrupt once entry 30 is used,
	 * which only the continuation reaches. */
	REQUIRE(bdev_create(&d, g, "virtio,rng", "entropy:"));
	REQUIRE(driver_start(&d, 1, 64, F_EVENT_IDX));
	put(g, RINGS(0) + 0x1000 + 4 + 2 * 64, 30, 2);        /* used_event */
	rng_offer(g, 64, 40);
	reg_write(&d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(used_idx(g, 0), RNG_BUDGET);
	CHECK(!g->arch.irq_level[IRQ]);
	fixture_run_work();
	CHECK_EQ(used_idx(g, 0), 40);
	CHECK(g->arch.irq_level[IRQ]);
	CHECK_EQ(reg_read(&d, VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	reg_write(&d, VIRTIO_MMIO_INTERRUPT_ACK, 1);

	/* Without EVENT_IDX: an interrupt for the notify's part, acknowledged,
	 * and another for the continuation's. */
	REQUIRE(driver_start(&d, 1, 64, 0));
	rng_offer(g, 64, 40);
	reg_write(&d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(used_idx(g, 0), RNG_BUDGET);
	CHECK_EQ(reg_read(&d, VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	reg_write(&d, VIRTIO_MMIO_INTERRUPT_ACK, 1);
	CHECK(!g->arch.irq_level[IRQ]);
	fixture_run_work();
	CHECK_EQ(used_idx(g, 0), 40);
	CHECK(g->arch.irq_level[IRQ]);
	bdev_destroy(&d);
}

/* ---- a ring that feeds itself ---- */

#define BLK_HDR (DATA + 0x1000)
#define BLK_STATUS (DATA + 0x2000)
#define BLK_SECTOR (DATA + 0x3000)
#define BLK_CHAINS 41

/* One blk request of queue size 128 as descriptors 3i..3i+2: header
 * (type, sector), data (512 bytes at data, writable for IN), status. */
static void blk_chain(struct guest *g, unsigned int i, uint32_t type, uint64_t sector, gpa_t data)
{
	uint16_t first = (uint16_t)(3 * i);

	put(g, BLK_HDR + 16ULL * i, type, 4);
	put(g, BLK_HDR + 16ULL * i + 4, 0, 4);
	put(g, BLK_HDR + 16ULL * i + 8, sector, 8);
	put_desc(g, RINGS(0), first, BLK_HDR + 16ULL * i, 16, DESC_F_NEXT, (uint16_t)(first + 1));
	put_desc(g, RINGS(0), (uint16_t)(first + 1), data, 512,
		 (uint16_t)(DESC_F_NEXT | (type == 0 ? DESC_F_WRITE : 0)), (uint16_t)(first + 2));
	put_desc(g, RINGS(0), (uint16_t)(first + 2), BLK_STATUS + i, 1, DESC_F_WRITE, 0);
}

TEST(virtio_blk_read_over_its_own_available_ring_is_refused_not_served_forever)
{
	struct guest *g = bounded_guest(0, "feed0");
	struct bdev d;

	REQUIRE(bdev_create(&d, g, "virtio,blk", "ram:1M"));
	REQUIRE(driver_start(&d, 1, 128, 0));
	/* Sector i holds what a read over the available ring makes it: the
	 * index moved one further, and the ring naming every chain. */
	for (unsigned int i = 0; i < BLK_CHAINS; i++) {
		put(g, BLK_SECTOR, 0, 2);
		put(g, BLK_SECTOR + 2, i + 2, 2);
		for (unsigned int k = 0; k < 254; k++)
			put(g, BLK_SECTOR + 4 + 2ULL * k, k < 42 ? 3 * k : 0, 2);
		blk_chain(g, 0, 1, i, BLK_SECTOR);          /* OUT */
		publish(g, 0, 128, 0);
		reg_write(&d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		REQUIRE(used_idx(g, 0) == i + 1);
		REQUIRE(get(g, BLK_STATUS, 1) == 0);
	}

	/* Chain i reads sector i over the available ring; one is published. */
	REQUIRE(driver_start(&d, 1, 128, 0));
	for (unsigned int i = 0; i < BLK_CHAINS; i++)
		blk_chain(g, i, 0, i, RINGS(0) + 0x1000);
	for (unsigned int k = 0; k < 42; k++)
		put(g, RINGS(0) + 0x1000 + 4 + 2ULL * k, 3 * k, 2);
	put(g, RINGS(0) + 0x1000 + 2, 1, 2);
	unit_console_clear();
	reg_write(&d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	fixture_run_work();
	CHECK(used_idx(g, 0) <= BLK_BUDGET);
	CHECK_EQ(used_idx(g, 0), 0);
	CHECK_EQ(get(g, RINGS(0) + 0x1000 + 2, 2), 1);          /* never written */
	CHECK(reg_read(&d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	CHECK(strstr(unit_console_text(),
		     "queue 0: a device-writable buffer overlaps the queue's available ring; device needs reset") != NULL);
	bdev_destroy(&d);
}

/* ---- overlap with the queue's own rings ---- */

struct overlap_case {
	gpa_t addr;
	uint32_t len;
	const char *why;                 /* NULL: accepted */
};

/* One rng request with a writable buffer at addr: refused with why (the
 * area untouched), or served. */
static void check_overlap(const struct overlap_case *c)
{
	struct guest *g = bounded_guest(0, "ovl0");
	uint8_t before[64], after[64];
	struct bdev d;

	REQUIRE(bdev_create(&d, g, "virtio,rng", "entropy:"));
	REQUIRE(driver_start(&d, 1, 64, 0));
	put_desc(g, RINGS(0), 0, c->addr, c->len, DESC_F_WRITE, 0);
	publish(g, 0, 64, 0);
	CHECK_EQ(guest_copy_from(g, before, c->addr, sizeof(before)), 0);
	reg_write(&d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	fixture_run_work();
	CHECK_EQ(guest_copy_from(g, after, c->addr, sizeof(after)), 0);
	if (c->why) {
		char expect[160];

		snprintf(expect, sizeof(expect), "queue 0: %s; device needs reset", c->why);
		CHECK_EQ(used_idx(g, 0), 0);
		CHECK(memcmp(before, after, sizeof(before)) == 0);
		CHECK(reg_read(&d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
		CHECK(strstr(unit_console_text(), expect) != NULL);
	} else {
		CHECK_EQ(used_idx(g, 0), 1);
		CHECK_EQ(reg_read(&d, VIRTIO_MMIO_STATUS), ALL_UP);
	}
	bdev_destroy(&d);
}

TEST(virtio_writable_buffer_over_the_queues_own_rings_breaks_the_queue)
{
	/* Queue size 64: descriptors 1 KiB, available ring 134 bytes, used
	 * ring 518 bytes. */
	static const struct overlap_case cases[] = {
		{ RINGS(0) + 16, 64, "a device-writable buffer overlaps the queue's descriptor table" },
		{ RINGS(0) + 1023, 2, "a device-writable buffer overlaps the queue's descriptor table" },
		{ RINGS(0) + 0x1000 + 2, 2, "a device-writable buffer overlaps the queue's available ring" },
		{ RINGS(0) + 0x1000 + 133, 64, "a device-writable buffer overlaps the queue's available ring" },
		{ RINGS(0) + 0x2000 + 8, 8, "a device-writable buffer overlaps the queue's used ring" },
		{ RINGS(0) + 0x2000 - 8, 9, "a device-writable buffer overlaps the queue's used ring" },
		/* Right after each: accepted. */
		{ RINGS(0) + 1024, 64, NULL },
		{ RINGS(0) + 0x1000 + 134, 64, NULL },
		{ RINGS(0) + 0x2000 + 518, 64, NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_overlap(&cases[i]);
}

TEST(virtio_writable_buffer_over_its_indirect_table_breaks_the_queue)
{
	struct guest *g = bounded_guest(0, "ovl1");
	gpa_t table = DATA + 0x4000;
	struct bdev d;

	REQUIRE(bdev_create(&d, g, "virtio,rng", "entropy:"));
	REQUIRE(driver_start(&d, 1, 64, F_INDIRECT));
	/* The table's second entry is a writable buffer over the table. */
	put_desc(g, table, 0, DATA, 16, DESC_F_WRITE | DESC_F_NEXT, 1);
	put_desc(g, table, 1, table, 32, DESC_F_WRITE, 0);
	put_desc(g, RINGS(0), 0, table, 32, DESC_F_INDIRECT, 0);
	publish(g, 0, 64, 0);
	reg_write(&d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	fixture_run_work();
	CHECK_EQ(used_idx(g, 0), 0);
	CHECK_EQ(get(g, table + 16, 8), table);                  /* untouched */
	CHECK(reg_read(&d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	CHECK(strstr(unit_console_text(),
		     "queue 0: a device-writable buffer overlaps the request's indirect table; device needs reset") != NULL);

	/* The same table with the buffer beside it is served. */
	unit_console_clear();
	REQUIRE(driver_start(&d, 1, 64, F_INDIRECT));
	put_desc(g, table, 1, table + 32, 32, DESC_F_WRITE, 0);
	put_desc(g, RINGS(0), 0, table, 32, DESC_F_INDIRECT, 0);
	publish(g, 0, 64, 0);
	reg_write(&d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(used_idx(g, 0), 1);
	CHECK_EQ(get(g, RINGS(0) + 0x2000 + 8, 4), 48);
	bdev_destroy(&d);
}

/* ---- races, with real threads ---- */

/* A second vCPU keeps publishing while the first one's notify runs: that
 * notify still returns after one budget, and every request is served
 * exactly once in the end. */
#define PUBLISHED_TOTAL 600

struct publish_race {
	struct bdev *d;
	uint16_t served_in_one_notify;
	unsigned int published;
};

static void publish_race_cpu(unsigned int cpu, void *arg)
{
	struct publish_race *r = arg;
	struct guest *g = r->d->g;

	if (cpu == 0) {
		uint16_t before = used_idx(g, 0);

		reg_write(r->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		r->served_in_one_notify = (uint16_t)(used_idx(g, 0) - before);
		return;
	}
	/* The publisher: up to a queue's worth outstanding at any time. */
	while (r->published < PUBLISHED_TOTAL) {
		uint16_t slot = (uint16_t)(r->published % 64);

		if ((uint16_t)(r->published - used_idx(g, 0)) >= 64) {
			arch_cpu_relax();
			if (!work_run(1))
				break;   /* nobody serves: the notify ended */
			continue;
		}
		put_desc(g, RINGS(0), slot, DATA + 64ULL * slot, 64, DESC_F_WRITE, 0);
		publish(g, 0, 64, slot);
		r->published++;
	}
}

TEST(virtio_second_vcpu_publishing_during_a_notify_cannot_extend_it)
{
	struct guest *g = bounded_guest(0, "race0");
	struct publish_race r = { 0 };
	struct bdev d;

	REQUIRE(bdev_create(&d, g, "virtio,rng", "entropy:"));
	REQUIRE(driver_start(&d, 1, 64, 0));
	/* More than a budget is there before the notify. */
	rng_offer(g, 64, 20);
	r.d = &d;
	r.published = 20;
	unit_run_cpus(2, publish_race_cpu, &r);
	CHECK(r.served_in_one_notify <= RNG_BUDGET);
	/* What was published is all served, each once, in order. */
	while (used_idx(g, 0) != (uint16_t)r.published && fixture_run_work())
		;
	if (used_idx(g, 0) != (uint16_t)r.published) {
		reg_write(&d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		fixture_run_work();
	}
	CHECK_EQ(used_idx(g, 0), (uint16_t)r.published);
	for (unsigned int i = 0; i < r.published; i++)
		if (!CHECK_EQ(used_id(g, 0, 64, (uint16_t)i), i % 64))
			break;
	CHECK_EQ(reg_read(&d, VIRTIO_MMIO_STATUS), ALL_UP);
	bdev_destroy(&d);
}

/* A device whose reset takes its time, to catch any other path that runs
 * into the device while it resets. */
struct slow_device {
	struct virtio_device *vdev;
	struct guest *guest;
	int in_reset;
	int in_notify;
	int hold_notify;                 /* notify waits for other_started */
	int reset_done;
	int reset_during_notify;         /* the reset finished under a notify */
	int other_started;
	int stop_queue_instead;          /* QueueReady 0 rather than a reset */
	int violations;                  /* a callback ran inside a reset */
	unsigned int notifies;
};

static struct slow_device slow;

static void slow_check(struct slow_device *s)
{
	if (__atomic_load_n(&s->in_reset, __ATOMIC_SEQ_CST))
		__atomic_add_fetch(&s->violations, 1, __ATOMIC_SEQ_CST);
}

static void slow_config_read(void *state, uint32_t offset, void *buf, uint32_t len)
{
	slow_check(state);
	memset(buf, 0x5a, len);
}

static bool slow_features_ok(void *state, uint64_t features)
{
	slow_check(state);
	return true;
}

static bool slow_notify(void *state, unsigned int q)
{
	struct slow_device *s = state;
	struct virtqueue *vq = virtio_queue(s->vdev, q);
	struct virtq_request req;

	slow_check(s);
	s->notifies++;
	__atomic_store_n(&s->in_notify, 1, __ATOMIC_SEQ_CST);
	if (s->hold_notify) {
		for (unsigned int i = 0; i < 1000000 &&
		     !__atomic_load_n(&s->other_started, __ATOMIC_SEQ_CST); i++)
			arch_cpu_relax();
		for (unsigned int i = 0; i < 20000; i++)
			arch_cpu_relax();
		if (__atomic_load_n(&s->reset_done, __ATOMIC_SEQ_CST))
			s->reset_during_notify++;
		/* Nor was the queue stopped under the notify. */
		if (!vq->ready)
			__atomic_add_fetch(&s->violations, 1, __ATOMIC_SEQ_CST);
	}
	/* A queue seen inside a notify is never half reset. */
	if (!vq || vq->guest != s->guest || !vq->size)
		__atomic_add_fetch(&s->violations, 1, __ATOMIC_SEQ_CST);
	while (virtq_pop(vq, &req) == 1)
		virtq_push(vq, &req, 0);
	slow_check(s);
	__atomic_store_n(&s->in_notify, 0, __ATOMIC_SEQ_CST);
	return false;
}

static void slow_reset(void *state)
{
	struct slow_device *s = state;

	__atomic_store_n(&s->in_reset, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->in_notify, __ATOMIC_SEQ_CST))
		__atomic_add_fetch(&s->violations, 1, __ATOMIC_SEQ_CST);
	if (s->hold_notify) {
		__atomic_store_n(&s->in_reset, 0, __ATOMIC_SEQ_CST);
		return;
	}
	/* Wait (bounded) for the other CPU to try its access, then give it
	 * time to get in, were the device open. */
	for (unsigned int i = 0; i < 1000000 && !__atomic_load_n(&s->other_started, __ATOMIC_SEQ_CST); i++)
		arch_cpu_relax();
	for (unsigned int i = 0; i < 20000; i++)
		arch_cpu_relax();
	__atomic_store_n(&s->in_reset, 0, __ATOMIC_SEQ_CST);
}

static const struct virtio_device_ops slow_ops = {
	.name = "virtio-slow",
	.device_id = 4,
	.queue_count = 1,
	.queue_max = 64,
	.config_size = 4,
	.config_read = slow_config_read,
	.features_ok = slow_features_ok,
	.notify = slow_notify,
	.reset = slow_reset,
};

static struct guest_device_config slow_dev = {
	.name = "slow0", .compatible = "virtio,slow", .base = DEV_BASE, .size = 0x200,
	.has_irq = true, .irq = IRQ,
};

static void slow_reset_race_cpu(unsigned int cpu, void *arg)
{
	struct bdev *d = arg;

	if (cpu == 0) {
		reg_write(d, VIRTIO_MMIO_STATUS, 0);
		return;
	}
	while (!__atomic_load_n(&slow.in_reset, __ATOMIC_SEQ_CST))
		arch_cpu_relax();
	__atomic_store_n(&slow.other_started, 1, __ATOMIC_SEQ_CST);
	/* The driver on another vCPU: config space, then a status write. */
	(void)reg_read(d, VIRTIO_MMIO_CONFIG);
	reg_write(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
}

TEST(virtio_reset_excludes_a_status_write_and_config_access_from_another_vcpu)
{
	struct guest *g = bounded_guest(0, "race1");
	struct bdev d = { .g = g };

	memset(&slow, 0, sizeof(slow));
	slow.guest = g;
	slow.vdev = virtio_mmio_create(g, &slow_dev, &slow_ops, &slow);
	REQUIRE(slow.vdev != NULL);
	d.r = mmio_table_find(&g->mmio, DEV_BASE);
	REQUIRE(d.r != NULL);
	unit_run_cpus(2, slow_reset_race_cpu, &d);
	CHECK_EQ(slow.violations, 0);
	/* The status write came after the reset, not into its middle (where
	 * the reset's end would have wiped it). */
	CHECK_EQ(reg_read(&d, VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_mmio_destroy(slow.vdev);
}

/* A notify inside the device while another vCPU resets it: the reset
 * waits for it, and the notify sees its queue whole throughout. */
static void slow_notify_race_cpu(unsigned int cpu, void *arg)
{
	struct bdev *d = arg;

	if (cpu == 0) {
		reg_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		return;
	}
	while (!__atomic_load_n(&slow.in_notify, __ATOMIC_SEQ_CST))
		arch_cpu_relax();
	__atomic_store_n(&slow.other_started, 1, __ATOMIC_SEQ_CST);
	if (slow.stop_queue_instead) {
		reg_write(d, VIRTIO_MMIO_QUEUE_SEL, 0);
		reg_write(d, VIRTIO_MMIO_QUEUE_READY, 0);
	} else {
		reg_write(d, VIRTIO_MMIO_STATUS, 0);
	}
	__atomic_store_n(&slow.reset_done, 1, __ATOMIC_SEQ_CST);
}

TEST(virtio_reset_from_another_vcpu_waits_for_a_notify_inside)
{
	struct guest *g = bounded_guest(0, "race2");
	struct bdev d = { .g = g };

	memset(&slow, 0, sizeof(slow));
	slow.guest = g;
	slow.vdev = virtio_mmio_create(g, &slow_dev, &slow_ops, &slow);
	REQUIRE(slow.vdev != NULL);
	d.r = mmio_table_find(&g->mmio, DEV_BASE);
	REQUIRE(d.r != NULL);
	REQUIRE(driver_start(&d, 1, 64, 0));
	rng_offer(g, 64, 4);
	slow.hold_notify = 1;
	unit_run_cpus(2, slow_notify_race_cpu, &d);
	CHECK_EQ(slow.notifies, 2);          /* DRIVER_OK hands each queue over once */
	CHECK_EQ(slow.violations, 0);
	CHECK_EQ(slow.reset_during_notify, 0);
	CHECK_EQ(used_idx(g, 0), 4);
	CHECK_EQ(reg_read(&d, VIRTIO_MMIO_STATUS), 0);
	virtio_mmio_destroy(slow.vdev);
}

TEST(virtio_queue_ready_0_from_another_vcpu_waits_for_a_notify_inside)
{
	struct guest *g = bounded_guest(0, "race3");
	struct bdev d = { .g = g };

	memset(&slow, 0, sizeof(slow));
	slow.guest = g;
	slow.vdev = virtio_mmio_create(g, &slow_dev, &slow_ops, &slow);
	REQUIRE(slow.vdev != NULL);
	d.r = mmio_table_find(&g->mmio, DEV_BASE);
	REQUIRE(d.r != NULL);
	REQUIRE(driver_start(&d, 1, 64, 0));
	rng_offer(g, 64, 4);
	slow.hold_notify = 1;
	slow.stop_queue_instead = 1;
	unit_run_cpus(2, slow_notify_race_cpu, &d);
	CHECK_EQ(slow.violations, 0);
	CHECK_EQ(slow.reset_during_notify, 0);
	CHECK_EQ(used_idx(g, 0), 4);
	CHECK_EQ(reg_read(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	virtio_mmio_destroy(slow.vdev);
}

/* ---- the switch delivering into a device that resets ---- */

#define SWITCH_FRAMES 300
#define NET_HDR 12
#define FRAME_LEN 60
#define NET_QSIZE 64

struct switch_race {
	struct bdev *x, *y;
	unsigned int writes_after_reset;   /* Y's rings written after its reset */
	unsigned int resets;
};

/* The source address of the frames X sends: its port's own (the switch
 * drops frames from any other). */
static uint8_t net_tx_source[6];

/* Copies the address of the port labelled label on switch name. */
static bool switch_port_mac(const char *name, const char *label, uint8_t mac[6])
{
	struct l2switch_info info;

	for (unsigned int i = 0; l2switch_info_at(i, &info); i++) {
		if (strcmp(info.name, name))
			continue;
		for (unsigned int p = 0; p < info.port_count; p++) {
			if (!strcmp(info.ports[p].label, label)) {
				memcpy(mac, info.ports[p].mac, 6);
				return true;
			}
		}
	}
	return false;
}

static void net_tx_frame(struct bdev *x, unsigned int i)
{
	uint16_t slot = (uint16_t)(i % NET_QSIZE);
	gpa_t buf = DATA + 0x100ULL * slot;
	uint8_t frame[NET_HDR + FRAME_LEN] = { 0 };

	memset(frame + NET_HDR, 0xff, 6);                 /* broadcast */
	memcpy(frame + NET_HDR + 6, net_tx_source, 6);
	frame[NET_HDR + 12] = 0x08;
	frame[NET_HDR + 14] = (uint8_t)i;
	CHECK_EQ(guest_copy_to(x->g, buf, frame, sizeof(frame)), 0);
	put_desc(x->g, RINGS(1), slot, buf, sizeof(frame), 0, 0);
	publish(x->g, 1, NET_QSIZE, slot);
	reg_write(x, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
}

static void net_rx_fill(struct bdev *y)
{
	for (uint16_t slot = 0; slot < NET_QSIZE; slot++) {
		put_desc(y->g, RINGS(0), slot, DATA + 0x100ULL * slot, 0x100, DESC_F_WRITE, 0);
		publish(y->g, 0, NET_QSIZE, slot);
	}
	reg_write(y, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static void switch_race_cpu(unsigned int cpu, void *arg)
{
	struct switch_race *r = arg;

	if (cpu == 0) {
		for (unsigned int i = 0; i < SWITCH_FRAMES; i++)
			net_tx_frame(r->x, i);
		return;
	}
	for (unsigned int round = 0; round < 40; round++) {
		/* Once the reset is done, the device writes nothing more into
		 * the rings it had. */
		reg_write(r->y, VIRTIO_MMIO_STATUS, 0);
		put(r->y->g, RINGS(0) + 0x2000 + 2, 0xaaaa, 2);
		for (unsigned int i = 0; i < 200; i++)
			arch_cpu_relax();
		if (get(r->y->g, RINGS(0) + 0x2000 + 2, 2) != 0xaaaa)
			r->writes_after_reset++;
		if (!driver_start(r->y, 2, NET_QSIZE, 0))
			break;
		net_rx_fill(r->y);
		r->resets++;
		for (unsigned int i = 0; i < 500; i++)
			arch_cpu_relax();
	}
}

TEST(virtio_net_frames_from_the_switch_racing_a_reset_never_land_in_it)
{
	struct guest *gx = bounded_guest(0, "swx");
	struct guest *gy = bounded_guest(1, "swy");
	struct switch_race r = { 0 };
	struct l2switch_info info;
	uint64_t delivered = 0;
	struct bdev x, y;

	REQUIRE(bdev_create(&x, gx, "virtio,net", "switch:brrace"));
	REQUIRE(bdev_create(&y, gy, "virtio,net", "switch:brrace"));
	REQUIRE(driver_start(&x, 2, NET_QSIZE, 0));
	REQUIRE(driver_start(&y, 2, NET_QSIZE, 0));
	net_rx_fill(&y);
	REQUIRE(switch_port_mac("brrace", "swx/dev0", net_tx_source));
	r.x = &x;
	r.y = &y;
	unit_run_cpus(2, switch_race_cpu, &r);
	fixture_run_work();
	CHECK_EQ(r.resets, 40);
	CHECK_EQ(r.writes_after_reset, 0);
	CHECK_EQ(used_idx(gx, 1), SWITCH_FRAMES % 65536);
	/* Every frame reached Y or was dropped and counted; none vanished. */
	for (unsigned int i = 0; l2switch_info_at(i, &info); i++) {
		if (strcmp(info.name, "brrace"))
			continue;
		for (unsigned int p = 0; p < info.port_count; p++)
			if (!strcmp(info.ports[p].label, "swy/dev0"))
				delivered = info.ports[p].stats.rx_frames + info.ports[p].stats.rx_full;
	}
	CHECK_EQ(delivered, SWITCH_FRAMES);
	/* What Y's last incarnation received is whole. */
	for (uint16_t i = 0; i < used_idx(gy, 0) && i < NET_QSIZE; i++)
		CHECK_EQ(get(gy, RINGS(0) + 0x2000 + 4 + 8ULL * i + 4, 4), NET_HDR + FRAME_LEN);
	bdev_destroy(&x);
	bdev_destroy(&y);
}
