/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio-mmio transport through its registers, the way a driver sees
 * it: identification, feature negotiation, queue set-up, notifications,
 * interrupts, reset and config space, with a small fake device behind it.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/mm.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include <virtio/virtio.h>
#include <virtio/virtio_mmio_regs.h>
#include "guest_fixture.h"
#include "unit.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x20000ULL
#define BASE 0x0a000000ULL
#define IRQ 16

/* Each queue q: descriptors, available and used ring, 0x4000 apart. */
#define QDESC(q) (RAM_BASE + 0x4000ULL * (q))
#define QAVAIL(q) (QDESC(q) + 0x1000)
#define QUSED(q) (QDESC(q) + 0x2000)
#define DATA (RAM_BASE + 0x10000)

#define FEATURE_A (1ULL << 0)              /* the fake device's own bits */
#define FEATURE_B (1ULL << 3)              /* refused without FEATURE_A */

#define ACK VIRTIO_STATUS_ACKNOWLEDGE
#define DRV VIRTIO_STATUS_DRIVER
#define FOK VIRTIO_STATUS_FEATURES_OK
#define DOK VIRTIO_STATUS_DRIVER_OK
#define NEEDS_RESET VIRTIO_STATUS_DEVICE_NEEDS_RESET

/* ---- the fake device ---- */

struct fake_device {
	struct virtio_device *vdev;
	uint8_t config[6];
	unsigned int notifies[VIRTIO_MAX_QUEUES];
	unsigned int resets;
	unsigned int config_writes;
	uint32_t written_at, written_len;
	uint8_t written[4];
	int last_pop;
};

static struct fake_device fake;

static void fake_config_read(void *state, uint32_t offset, void *buf, uint32_t len)
{
	struct fake_device *f = state;

	memcpy(buf, f->config + offset, len);
}

static void fake_config_write(void *state, uint32_t offset, const void *buf, uint32_t len)
{
	struct fake_device *f = state;

	f->config_writes++;
	f->written_at = offset;
	f->written_len = len;
	memcpy(f->written, buf, len);
}

static bool fake_features_ok(void *state, uint64_t features)
{
	return !(features & FEATURE_B) || (features & FEATURE_A);
}

/* Hands every available request straight back (as virtio-rng would with
 * nothing written), with an interrupt when the driver wants one. */
static bool fake_notify(void *state, unsigned int q)
{
	struct fake_device *f = state;
	struct virtqueue *vq = virtio_queue(f->vdev, q);
	struct virtq_request req;
	bool interrupt = false;
	int ret;

	f->notifies[q]++;
	while ((ret = virtq_pop(vq, &req)) == 1)
		interrupt |= virtq_push(vq, &req, 0);
	f->last_pop = ret;
	if (interrupt)
		virtio_interrupt_used(f->vdev);
	return false;
}

static void fake_reset(void *state)
{
	struct fake_device *f = state;

	f->resets++;
}

static const struct virtio_device_ops fake_ops = {
	.name = "virtio-fake",
	.device_id = 4,
	.features = FEATURE_A | FEATURE_B,
	.queue_count = 2,
	.queue_max = 16,
	.config_size = sizeof(fake.config),
	.config_read = fake_config_read,
	.config_write = fake_config_write,
	.features_ok = fake_features_ok,
	.notify = fake_notify,
	.reset = fake_reset,
};

/* ---- a guest with RAM and the device ---- */

static struct fixture_ram_guest mmio_guest;
static struct guest_device_config fake_dev = {
	.name = "rng0", .compatible = "virtio,fake", .base = BASE, .size = 0x200,
	.has_irq = true, .irq = IRQ,
};

static struct guest *guest_with_device(void)
{
	struct guest *g = fixture_ram_guest_reset(&mmio_guest, "vt0", RAM_BASE, RAM_SIZE);

	mmio_table_init(&g->mmio);
	memset(&fake, 0, sizeof(fake));
	memcpy(fake.config, "\x11\x22\x33\x44\x55\x66", 6);
	fake.vdev = virtio_mmio_create(g, &fake_dev, &fake_ops, &fake);
	unit_console_clear();
	return fake.vdev ? g : NULL;
}

static void guest_done(void)
{
	virtio_mmio_destroy(fake.vdev);
	fake.vdev = NULL;
}

static int reg_access(uint64_t offset, unsigned int size, uint64_t *value, bool write)
{
	const struct mmio_region *r = mmio_table_find(&mmio_guest.g.mmio, BASE + offset);

	if (!r)
		return -KEEL_ENOENT;
	if (write)
		return r->ops->write(r->state, NULL, BASE + offset - r->base, size, *value);
	return r->ops->read(r->state, NULL, BASE + offset - r->base, size, value);
}

static uint32_t rd(uint64_t offset)
{
	uint64_t value = 0xdeadbeef;

	CHECK_EQ(reg_access(offset, 4, &value, false), 0);
	return (uint32_t)value;
}

static void wr(uint64_t offset, uint32_t value)
{
	uint64_t v = value;

	CHECK_EQ(reg_access(offset, 4, &v, true), 0);
}

static bool irq_level(void)
{
	return mmio_guest.g.arch.irq_level[IRQ];
}

static void ram_put(gpa_t gpa, uint64_t value, unsigned int bytes)
{
	fixture_guest_put_le(&mmio_guest.g, gpa, value, bytes);
}

static uint64_t ram_get(gpa_t gpa, unsigned int bytes)
{
	return fixture_guest_get_le(&mmio_guest.g, gpa, bytes);
}

static void write_features(uint64_t features)
{
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
}

static void setup_queue(unsigned int q, uint32_t num, gpa_t desc, gpa_t avail, gpa_t used)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

/* The driver's side of §3.1.1 up to FEATURES_OK; true when accepted. */
static bool negotiate(uint64_t features)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, ACK);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV);
	write_features(features);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK);
	return (rd(VIRTIO_MMIO_STATUS) & FOK) != 0;
}

/* Everything up to DRIVER_OK with queue 0 (and queue 1 when both). */
static bool driver_init(uint64_t features, bool both)
{
	if (!negotiate(features))
		return false;
	setup_queue(0, 8, QDESC(0), QAVAIL(0), QUSED(0));
	if (both)
		setup_queue(1, 16, QDESC(1), QAVAIL(1), QUSED(1));
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	return rd(VIRTIO_MMIO_STATUS) == (ACK | DRV | FOK | DOK);
}

/* The driver offers a one-buffer request on queue q (size num). */
static void offer_buffer(unsigned int q, unsigned int num, uint16_t head)
{
	uint16_t idx = (uint16_t)ram_get(QAVAIL(q) + 2, 2);

	ram_put(QDESC(q) + 16ULL * head, DATA, 8);
	ram_put(QDESC(q) + 16ULL * head + 8, 64, 4);
	ram_put(QDESC(q) + 16ULL * head + 12, 2, 2);          /* WRITE */
	ram_put(QAVAIL(q) + 4 + 2ULL * (idx % num), head, 2);
	ram_put(QAVAIL(q) + 2, (uint16_t)(idx + 1), 2);
}

static unsigned int count_text(const char *text, const char *what)
{
	unsigned int n = 0;

	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

/* ---- tests ---- */

TEST(virtio_mmio_create_registers_its_window_and_destroy_removes_it)
{
	struct heap_stats before, after;
	const struct mmio_region *r;

	heap_stats(&before);
	REQUIRE(guest_with_device());
	r = mmio_table_find(&mmio_guest.g.mmio, BASE);
	REQUIRE(r);
	CHECK_EQ(r->base, BASE);
	CHECK_EQ(r->size, VIRTIO_MMIO_SIZE);
	CHECK_STR_EQ(r->name, "rng0");
	CHECK(virtio_queue(fake.vdev, 0) != NULL);
	CHECK(virtio_queue(fake.vdev, 1) != NULL);
	CHECK(virtio_queue(fake.vdev, 2) == NULL);
	CHECK(!virtio_device_ready(fake.vdev));
	guest_done();
	CHECK(mmio_table_find(&mmio_guest.g.mmio, BASE) == NULL);
	heap_stats(&after);
	CHECK_EQ(after.allocations - after.frees, before.allocations - before.frees);
}

TEST(virtio_mmio_create_refuses_small_windows_and_bad_devices)
{
	struct guest_device_config small = fake_dev;
	struct virtio_device_ops ops = fake_ops;

	REQUIRE(guest_with_device());
	guest_done();
	small.size = 0x100;
	CHECK(virtio_mmio_create(&mmio_guest.g, &small, &fake_ops, &fake) == NULL);
	CHECK(strstr(unit_console_text(), "node /guests/vt0/devices/rng0: \"reg\" size 0x100 is too small"));
	CHECK(mmio_table_find(&mmio_guest.g.mmio, BASE) == NULL);
	ops.queue_count = VIRTIO_MAX_QUEUES + 1;
	CHECK(virtio_mmio_create(&mmio_guest.g, &fake_dev, &ops, &fake) == NULL);
	ops = fake_ops;
	ops.queue_max = 12;
	CHECK(virtio_mmio_create(&mmio_guest.g, &fake_dev, &ops, &fake) == NULL);
	ops = fake_ops;
	ops.config_size = 0x101;
	CHECK(virtio_mmio_create(&mmio_guest.g, &fake_dev, &ops, &fake) == NULL);
	CHECK(mmio_table_find(&mmio_guest.g.mmio, BASE) == NULL);
	/* The window is taken: a second device there is refused. */
	fake.vdev = virtio_mmio_create(&mmio_guest.g, &fake_dev, &fake_ops, &fake);
	REQUIRE(fake.vdev);
	CHECK(virtio_mmio_create(&mmio_guest.g, &fake_dev, &fake_ops, &fake) == NULL);
	guest_done();
}

TEST(virtio_mmio_identifies_itself)
{
	REQUIRE(guest_with_device());
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(rd(VIRTIO_MMIO_VERSION), 2);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), 4);
	CHECK_EQ(rd(VIRTIO_MMIO_VENDOR_ID), 0x4b45454c);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), (1u << 28) | (1u << 29) | FEATURE_A | FEATURE_B);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1);           /* VIRTIO_F_VERSION_1 */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 16);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 16);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	/* No shared memory regions: their length reads as all ones. */
	wr(VIRTIO_MMIO_SHM_SEL, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
	CHECK_EQ(rd(VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffffu);
	/* Read-only and unknown registers ignore writes; unknown read 0. */
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	wr(VIRTIO_MMIO_DEVICE_ID, 7);
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), 4);
	wr(0x0f0, 0x1234);
	CHECK_EQ(rd(0x0f0), 0);
	guest_done();
}

TEST(virtio_mmio_refuses_registers_accesses_that_are_not_32_bit)
{
	uint64_t v = 0;

	REQUIRE(guest_with_device());
	CHECK_EQ(reg_access(VIRTIO_MMIO_MAGIC_VALUE, 1, &v, false), -KEEL_EINVAL);
	CHECK_EQ(reg_access(VIRTIO_MMIO_MAGIC_VALUE, 2, &v, false), -KEEL_EINVAL);
	CHECK_EQ(reg_access(VIRTIO_MMIO_MAGIC_VALUE, 8, &v, false), -KEEL_EINVAL);
	CHECK_EQ(reg_access(VIRTIO_MMIO_MAGIC_VALUE + 2, 4, &v, false), -KEEL_EINVAL);
	v = ACK;
	CHECK_EQ(reg_access(VIRTIO_MMIO_STATUS, 1, &v, true), -KEEL_EINVAL);
	CHECK_EQ(reg_access(VIRTIO_MMIO_STATUS, 2, &v, true), -KEEL_EINVAL);
	CHECK_EQ(reg_access(VIRTIO_MMIO_STATUS, 8, &v, true), -KEEL_EINVAL);
	CHECK_EQ(reg_access(VIRTIO_MMIO_STATUS + 1, 4, &v, true), -KEEL_EINVAL);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	/* Config space: bytes, halfwords and words, naturally aligned. */
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG, 8, &v, false), -KEEL_EINVAL);
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG + 1, 2, &v, false), -KEEL_EINVAL);
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG + 2, 4, &v, false), -KEEL_EINVAL);
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG + 3, 2, &v, true), -KEEL_EINVAL);
	CHECK_EQ(fake.config_writes, 0);
	guest_done();
}

TEST(virtio_mmio_config_space_reads_and_writes_the_device)
{
	uint64_t v;

	REQUIRE(guest_with_device());
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG, 4, &v, false), 0);
	CHECK_EQ(v, 0x44332211);
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG + 4, 2, &v, false), 0);
	CHECK_EQ(v, 0x6655);
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG + 5, 1, &v, false), 0);
	CHECK_EQ(v, 0x66);
	/* A word that runs past the device's 6 bytes, and bytes after it. */
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG + 4, 4, &v, false), 0);
	CHECK_EQ(v, 0x6655);
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG + 6, 1, &v, false), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(reg_access(0x1fc, 4, &v, false), 0);
	CHECK_EQ(v, 0);
	v = 0xbeef;
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG + 2, 2, &v, true), 0);
	CHECK_EQ(fake.config_writes, 1);
	CHECK_EQ(fake.written_at, 2);
	CHECK_EQ(fake.written_len, 2);
	CHECK_EQ(fake.written[0], 0xef);
	CHECK_EQ(fake.written[1], 0xbe);
	v = 0x01020304;
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG + 4, 4, &v, true), 0);
	CHECK_EQ(fake.written_len, 2);               /* only the device's bytes */
	CHECK_EQ(reg_access(VIRTIO_MMIO_CONFIG + 8, 4, &v, true), 0);
	CHECK_EQ(fake.config_writes, 2);             /* past the end: ignored */
	guest_done();
}

TEST(virtio_mmio_config_change_bumps_the_generation_and_interrupts)
{
	REQUIRE(guest_with_device());
	CHECK(!irq_level());
	virtio_config_changed(fake.vdev);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 2);
	CHECK(irq_level());
	virtio_config_changed(fake.vdev);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 2);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK(!irq_level());
	guest_done();
}

TEST(virtio_mmio_negotiates_features)
{
	REQUIRE(guest_with_device());
	CHECK(negotiate(VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | FEATURE_A | FEATURE_B));
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), ACK | DRV | FOK);
	CHECK_EQ(virtio_driver_features(fake.vdev),
		 VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | FEATURE_A | FEATURE_B);
	/* Fixed once FEATURES_OK is in. */
	write_features(VIRTIO_F_VERSION_1);
	CHECK_EQ(virtio_driver_features(fake.vdev),
		 VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | FEATURE_A | FEATURE_B);
	/* Status bits are not taken back by writing fewer; the driver cannot
	 * set DEVICE_NEEDS_RESET, and such writes are not a reset either. */
	wr(VIRTIO_MMIO_STATUS, ACK);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), ACK | DRV | FOK);
	wr(VIRTIO_MMIO_STATUS, NEEDS_RESET);
	wr(VIRTIO_MMIO_STATUS, 0x100);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), ACK | DRV | FOK);
	CHECK_EQ(fake.resets, 1);
	guest_done();
}

TEST(virtio_mmio_refuses_features_ok_for_bad_feature_sets)
{
	REQUIRE(guest_with_device());
	/* Without VIRTIO_F_VERSION_1 (a legacy driver). */
	CHECK(!negotiate(FEATURE_A));
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), ACK | DRV);
	CHECK_EQ(virtio_driver_features(fake.vdev), 0);
	/* A bit the device did not offer. */
	CHECK(!negotiate(VIRTIO_F_VERSION_1 | (1ULL << 5)));
	CHECK(!negotiate(VIRTIO_F_VERSION_1 | (1ULL << 40)));
	/* A combination the device refuses. */
	CHECK(!negotiate(VIRTIO_F_VERSION_1 | FEATURE_B));
	CHECK_EQ(virtio_driver_features(fake.vdev), 0);
	/* DRIVER_OK without FEATURES_OK does not stick either. */
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | DOK);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), ACK | DRV);
	CHECK(!virtio_device_ready(fake.vdev));
	/* The driver may try again with a set the device takes. */
	write_features(VIRTIO_F_VERSION_1 | FEATURE_A | FEATURE_B);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), ACK | DRV | FOK);
	CHECK_EQ(virtio_driver_features(fake.vdev), VIRTIO_F_VERSION_1 | FEATURE_A | FEATURE_B);
	guest_done();
}

TEST(virtio_mmio_sets_up_queues)
{
	struct virtqueue *vq;

	REQUIRE(guest_with_device());
	REQUIRE(driver_init(VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | VIRTIO_F_INDIRECT_DESC, false));
	CHECK(virtio_device_ready(fake.vdev));
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM), 8);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), (uint32_t)QDESC(0));
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_DRIVER_LOW), (uint32_t)QAVAIL(0));
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_DEVICE_LOW), (uint32_t)QUSED(0));
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_DEVICE_HIGH), 0);
	vq = virtio_queue(fake.vdev, 0);
	REQUIRE(vq);
	CHECK(vq->ready);
	CHECK_EQ(vq->size, 8);
	CHECK(vq->event_idx);
	CHECK(vq->indirect);
	CHECK(!virtio_queue(fake.vdev, 1)->ready);
	/* A ready queue's registers cannot change under the device. */
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM), 8);
	CHECK_EQ(vq->desc, QDESC(0));
	CHECK_EQ(vq->size, 8);
	/* QueueReady 0 stops it; then it can be set up again. */
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(!vq->ready);
	setup_queue(0, 16, QDESC(1), QAVAIL(1), QUSED(1));
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	CHECK_EQ(vq->size, 16);
	CHECK_EQ(vq->desc, QDESC(1));
	/* Without the ring features the queue does without them. */
	REQUIRE(driver_init(VIRTIO_F_VERSION_1, false));
	CHECK(!vq->event_idx);
	CHECK(!vq->indirect);
	CHECK(!strstr(unit_console_text(), "needs reset"));
	guest_done();
}

/* Sets queue 0 up with (num, desc, avail, used) after FEATURES_OK and
 * expects it refused with a warning that contains why. */
static void queue_refused(bool features_ok, uint32_t num, gpa_t desc, gpa_t avail,
			  gpa_t used, const char *why)
{
	char expected[200];

	if (!CHECK(guest_with_device()))
		return;
	if (features_ok)
		CHECK(negotiate(VIRTIO_F_VERSION_1));
	else
		wr(VIRTIO_MMIO_STATUS, ACK | DRV);
	setup_queue(0, num, desc, avail, used);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(rd(VIRTIO_MMIO_STATUS) & NEEDS_RESET);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 2);
	CHECK(irq_level());
	snprintf(expected, sizeof(expected),
		 "guest vt0: device rng0 (virtio-fake): queue 0: %s; device needs reset", why);
	if (!CHECK(strstr(unit_console_text(), expected)))
		CHECK_STR_EQ(unit_console_text(), expected);
	/* DRIVER_OK does not make a device that needs reset ready. */
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	CHECK(!virtio_device_ready(fake.vdev));
	guest_done();
}

TEST(virtio_mmio_refuses_bad_rings_with_device_needs_reset)
{
	queue_refused(true, 8, QDESC(0) + 8, QAVAIL(0), QUSED(0),
		      "descriptor table is not 16-byte aligned");
	queue_refused(true, 8, QDESC(0), QAVAIL(0) + 1, QUSED(0),
		      "available ring is not 2-byte aligned");
	queue_refused(true, 8, QDESC(0), QAVAIL(0), RAM_BASE + RAM_SIZE - 8,
		      "used ring is not wholly in guest RAM");
	queue_refused(true, 8, 0x1000, QAVAIL(0), QUSED(0),
		      "descriptor table is not wholly in guest RAM");
	queue_refused(true, 8, QDESC(0) | (1ULL << 40), QAVAIL(0), QUSED(0),
		      "descriptor table is not wholly in guest RAM");
	queue_refused(true, 32, QDESC(0), QAVAIL(0), QUSED(0),
		      "QueueNum is larger than QueueNumMax");
	queue_refused(true, 0x10008, QDESC(0), QAVAIL(0), QUSED(0),
		      "QueueNum is larger than QueueNumMax");
	queue_refused(true, 12, QDESC(0), QAVAIL(0), QUSED(0),
		      "queue size is not a power of 2 between 1 and the maximum");
	queue_refused(true, 0, QDESC(0), QAVAIL(0), QUSED(0),
		      "queue size is not a power of 2 between 1 and the maximum");
	queue_refused(false, 8, QDESC(0), QAVAIL(0), QUSED(0),
		      "QueueReady set before FEATURES_OK");
}

TEST(virtio_mmio_notify_reaches_the_device_only_when_it_may_act)
{
	REQUIRE(guest_with_device());
	REQUIRE(negotiate(VIRTIO_F_VERSION_1));
	setup_queue(0, 8, QDESC(0), QAVAIL(0), QUSED(0));
	offer_buffer(0, 8, 3);
	/* Before DRIVER_OK: nothing. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(fake.notifies[0], 0);
	/* DRIVER_OK hands each ready queue over once: nothing is left behind. */
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	CHECK_EQ(fake.notifies[0], 1);
	CHECK_EQ(fake.notifies[1], 0);             /* not ready */
	CHECK_EQ(ram_get(QUSED(0) + 2, 2), 1);
	CHECK_EQ(ram_get(QUSED(0) + 4, 4), 3);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	CHECK(irq_level());
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK(!irq_level());

	offer_buffer(0, 8, 5);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(fake.notifies[0], 2);
	CHECK_EQ(fake.last_pop, 0);
	CHECK_EQ(ram_get(QUSED(0) + 2, 2), 2);
	CHECK_EQ(ram_get(QUSED(0) + 12, 4), 5);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	/* Queues that are not ready or do not exist. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	CHECK_EQ(fake.notifies[1], 0);
	CHECK_EQ(fake.notifies[0], 2);
	guest_done();
}

TEST(virtio_mmio_broken_ring_puts_the_device_in_needs_reset)
{
	REQUIRE(guest_with_device());
	REQUIRE(driver_init(VIRTIO_F_VERSION_1, true));
	/* A descriptor that chains to itself. */
	ram_put(QDESC(0) + 16 * 2, DATA, 8);
	ram_put(QDESC(0) + 16 * 2 + 8, 16, 4);
	ram_put(QDESC(0) + 16 * 2 + 12, 1, 2);       /* NEXT */
	ram_put(QDESC(0) + 16 * 2 + 14, 2, 2);
	ram_put(QAVAIL(0) + 4, 2, 2);
	ram_put(QAVAIL(0) + 2, 1, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(fake.notifies[0], 2);
	CHECK_EQ(fake.last_pop, -KEEL_EINVAL);
	CHECK(rd(VIRTIO_MMIO_STATUS) & NEEDS_RESET);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 2);
	CHECK(irq_level());
	CHECK(!virtio_device_ready(fake.vdev));
	CHECK(strstr(unit_console_text(),
		     "guest vt0: device rng0 (virtio-fake): queue 0: the descriptor chain loops; device needs reset"));
	/* No more notifications, on any queue, until reset. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK_EQ(fake.notifies[0], 2);
	CHECK_EQ(fake.notifies[1], 1);
	CHECK_EQ(count_text(unit_console_text(), "needs reset"), 1);
	/* The driver resets, clears its rings and starts over; the device
	 * works again. */
	ram_put(QAVAIL(0) + 2, 0, 2);
	REQUIRE(driver_init(VIRTIO_F_VERSION_1, true));
	CHECK(!(rd(VIRTIO_MMIO_STATUS) & NEEDS_RESET));
	offer_buffer(0, 8, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(fake.last_pop, 0);
	CHECK_EQ(ram_get(QUSED(0) + 2, 2), 1);
	guest_done();
}

TEST(virtio_mmio_interrupt_status_and_ack_drive_the_line)
{
	REQUIRE(guest_with_device());
	virtio_interrupt_used(fake.vdev);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	CHECK(irq_level());
	virtio_config_changed(fake.vdev);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 2);
	CHECK(irq_level());
	/* Writing InterruptStatus does nothing; ACK of unset bits neither. */
	wr(VIRTIO_MMIO_INTERRUPT_STATUS, 0);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 0xfffffff0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 2);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK(!irq_level());
	guest_done();
}

TEST(virtio_mmio_reset_returns_everything_to_power_on)
{
	struct virtqueue *vq;

	REQUIRE(guest_with_device());
	REQUIRE(driver_init(VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX, true));
	virtio_interrupt_used(fake.vdev);
	CHECK(irq_level());
	CHECK_EQ(fake.resets, 1);                    /* driver_init writes 0 first */
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(fake.resets, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK(!irq_level());
	CHECK_EQ(virtio_driver_features(fake.vdev), 0);
	CHECK(!virtio_device_ready(fake.vdev));
	for (unsigned int q = 0; q < 2; q++) {
		wr(VIRTIO_MMIO_QUEUE_SEL, q);
		CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
		CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM), 0);
		CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
		vq = virtio_queue(fake.vdev, q);
		CHECK(!vq->ready);
		CHECK_EQ(vq->size, 0);
	}
	/* The guest's reset does the same. */
	REQUIRE(driver_init(VIRTIO_F_VERSION_1, true));
	virtio_config_changed(fake.vdev);
	virtio_mmio_reset(fake.vdev);
	CHECK_EQ(fake.resets, 4);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK(!irq_level());
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	/* Notifications after a reset reach nobody. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(fake.notifies[0], 2);
	guest_done();
}

TEST(virtio_needs_reset_warns_a_few_times_per_device)
{
	REQUIRE(guest_with_device());
	for (unsigned int i = 0; i < 6; i++) {
		wr(VIRTIO_MMIO_STATUS, 0);
		virtio_needs_reset(fake.vdev, "testing");
		virtio_needs_reset(fake.vdev, "again");   /* already set: quiet */
		CHECK(rd(VIRTIO_MMIO_STATUS) & NEEDS_RESET);
	}
	CHECK_EQ(count_text(unit_console_text(),
			    "guest vt0: device rng0 (virtio-fake): testing; device needs reset"), 3);
	CHECK_EQ(count_text(unit_console_text(), "again"), 0);
	CHECK_EQ(count_text(unit_console_text(), "not shown"), 1);
	guest_done();
}

TEST(virtio_mmio_dt_emit_writes_a_virtio_mmio_node)
{
	static char fdt[4096];
	const fdt32_t *cells;
	int node, len;

	REQUIRE(fdt_create(fdt, sizeof(fdt)) == 0);
	REQUIRE(fdt_finish_reservemap(fdt) == 0);
	REQUIRE(fdt_begin_node(fdt, "") == 0);
	REQUIRE(virtio_mmio_dt_emit(fdt, &fake_dev, 0x8001) == 0);
	REQUIRE(fdt_end_node(fdt) == 0);
	REQUIRE(fdt_finish(fdt) == 0);
	node = fdt_path_offset(fdt, "/virtio_mmio@a000000");
	REQUIRE(node >= 0);
	CHECK_STR_EQ(fdt_getprop(fdt, node, "compatible", NULL), "virtio,mmio");
	cells = fdt_getprop(fdt, node, "reg", &len);
	REQUIRE(cells && len == 16);
	CHECK_EQ(fdt32_to_cpu(cells[0]), 0);
	CHECK_EQ(fdt32_to_cpu(cells[1]), 0x0a000000);
	CHECK_EQ(fdt32_to_cpu(cells[2]), 0);
	CHECK_EQ(fdt32_to_cpu(cells[3]), 0x200);
	cells = fdt_getprop(fdt, node, "interrupts", &len);
	REQUIRE(cells && len == 12);
	CHECK_EQ(fdt32_to_cpu(cells[0]), 0);
	CHECK_EQ(fdt32_to_cpu(cells[1]), IRQ);
	CHECK_EQ(fdt32_to_cpu(cells[2]), 1);
	cells = fdt_getprop(fdt, node, "interrupt-parent", &len);
	REQUIRE(cells && len == 4);
	CHECK_EQ(fdt32_to_cpu(cells[0]), 0x8001);
	CHECK(fdt_getprop(fdt, node, "dma-coherent", &len) != NULL);
	CHECK_EQ(len, 0);
	/* Too little room is an error, not a truncated node. */
	REQUIRE(fdt_create(fdt, 128) == 0);
	REQUIRE(fdt_finish_reservemap(fdt) == 0);
	REQUIRE(fdt_begin_node(fdt, "") == 0);
	CHECK_EQ(virtio_mmio_dt_emit(fdt, &fake_dev, 1), -KEEL_ENOSPC);
}
