// SPDX-License-Identifier: GPL-2.0-only
/*
 * The attack mode (basic.mode=attack basic.attack=<name>, see attacks.h and
 * docs/basic-guest.md): the runner, and the attacks on the guest's own
 * virtio devices, its disk and its console. Each virtio attack ends by
 * resetting the device and checking that it works again.
 */
#include "attacks.h"
#include "virtio.h"

#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_QUEUE_DESC_LOW 0x080
#define REG_QUEUE_DESC_HIGH 0x084
#define REG_QUEUE_DRIVER_LOW 0x090
#define REG_QUEUE_DRIVER_HIGH 0x094
#define REG_QUEUE_DEVICE_LOW 0x0a0
#define REG_QUEUE_DEVICE_HIGH 0x0a4

#define STATUS_ACKNOWLEDGE 1U
#define STATUS_DRIVER 2U
#define STATUS_DRIVER_OK 4U
#define STATUS_FEATURES_OK 8U
#define STATUS_NEEDS_RESET 64U

#define DESC_F_NEXT 1U
#define DESC_F_WRITE 2U

#define BLK_T_IN 0U
#define BLK_T_OUT 1U
#define BLK_SECTOR 512U
#define BLOCK 4096U

static char attack[32];

/* ------------------------------------------------------------ reporting --- */

static void attack_line(const char *verdict, const char *fmt, va_list ap)
{
	char text[224];

	format_string_va(text, sizeof(text), fmt, ap);
	print_line("attack %s: %s%s", attack, verdict, text);
}

void attack_pass(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	attack_line("PASS ", fmt, ap);
	va_end(ap);
}

void attack_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	attack_line("FAIL ", fmt, ap);
	va_end(ap);
}

void attack_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	attack_line("", fmt, ap);
	va_end(ap);
}

bool attack_second_passed(uint64_t *last)
{
	uint64_t now = arch_counter_read();

	if (now - *last < counter_hz)
		return false;
	*last = now;
	return true;
}

uint64_t attack_random(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

uint64_t attack_ms(uint64_t ms)
{
	return counter_hz * ms / 1000;
}

/* ---------------------------------------------------------- the 2nd vCPU --- */

static void (*volatile secondary_fn)(void *);
static void *volatile secondary_arg;
static volatile uint32_t secondary_running;

bool attack_secondary_running(void)
{
	return secondary_running != 0;
}

void attack_secondary_run(void *arg)
{
	(void)arg;
	secondary_running = 1;
	arch_memory_barrier();
	secondary_fn(secondary_arg);
	arch_memory_barrier();
	secondary_running = 0;
	arch_memory_barrier();
}

static const char *secondary_start(void (*fn)(void *), void *arg)
{
	uint64_t end;
	const char *why;

	secondary_fn = fn;
	secondary_arg = arg;
	secondary_running = 0;
	arch_memory_barrier();
	why = arch_attack_cpu_on(attack_secondary_run, NULL);
	if (why)
		return why;
	end = arch_counter_read() + counter_hz;
	while (!secondary_running && arch_counter_read() < end)
		;
	return secondary_running ? NULL : "vCPU 1 did not start within 1 s";
}

/* Waits up to 1 s for vCPU 1 to leave its function. */
static bool secondary_wait(void)
{
	uint64_t end = arch_counter_read() + counter_hz;

	while (secondary_running && arch_counter_read() < end)
		;
	return !secondary_running;
}

/* ------------------------------------------------------ virtio plumbing --- */

/* A queue with room after it: a buffer the guest points over its rings may
 * run past the struct without hitting anything else. */
static struct {
	struct virtq vq;
	uint8_t after[1024];
} area __attribute__((aligned(4096)));
#define VQ (area.vq)

static uint8_t data_buf[BLOCK] __attribute__((aligned(16)));
static uint8_t craft_buf[BLOCK] __attribute__((aligned(16)));
static struct {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
} blk_header __attribute__((aligned(16)));
static uint8_t blk_status __attribute__((aligned(16)));
/* Where status-race points queues: its own, never the guest's code. */
static uint8_t scratch[65536] __attribute__((aligned(4096)));

static void reg_write(const struct virtio_device *dev, uint32_t reg, uint32_t value)
{
	arch_mmio_write32(dev->base + reg, value);
}

static uint32_t reg_read(const struct virtio_device *dev, uint32_t reg)
{
	return arch_mmio_read32(dev->base + reg);
}

static bool device_find(uint32_t id, struct virtio_device *dev)
{
	if (virtio_find(id, dev))
		return true;
	attack_fail("needs its virtio device (ID %u): %s", id, dev->error);
	return false;
}

static const char *queue_up(struct virtio_device *dev, uint32_t config_size)
{
	const char *why = virtio_start(dev, 0, config_size);

	if (!why)
		why = virtio_queue_start(dev, &VQ, 0);
	if (!why)
		why = virtio_driver_ok(dev);
	return why;
}

/* Finds the device and sets up its queue 0; an attack that cannot start
 * says why and fails. */
static bool device_up(uint32_t id, struct virtio_device *dev)
{
	const char *why;

	if (!device_find(id, dev))
		return false;
	why = queue_up(dev, id == VIRTIO_ID_BLOCK ? 24 : 0);
	if (why)
		attack_fail("set-up: %s", why);
	return !why;
}

/* Waits up to ms for DEVICE_NEEDS_RESET. */
static bool needs_reset_within(const struct virtio_device *dev, uint64_t ms)
{
	uint64_t end = arch_counter_read() + attack_ms(ms);

	do {
		if (virtio_status(dev) & STATUS_NEEDS_RESET)
			return true;
	} while (arch_counter_read() < end);
	return false;
}

/* Notifies queue 0; returns how long the notify took, in us. */
static uint64_t timed_notify(const struct virtio_device *dev)
{
	uint64_t start = arch_counter_read();

	virtio_notify(dev, 0);
	return ticks_to_us(arch_counter_read() - start);
}

static void publish_head0(uint16_t count)
{
	for (uint16_t i = 0; i < count; i++)
		VQ.avail.ring[(uint16_t)(VQ.avail_idx + i) % VQ.size] = 0;
	arch_memory_barrier();
	VQ.avail_idx = (uint16_t)(VQ.avail_idx + count);
	VQ.avail.idx = VQ.avail_idx;
}

static void set_desc(unsigned int i, const volatile void *addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	VQ.desc[i].addr = (uintptr_t)addr;
	VQ.desc[i].len = len;
	VQ.desc[i].flags = flags;
	VQ.desc[i].next = next;
}

static bool blk_io(struct virtio_device *dev, uint32_t type, uint64_t sector,
		   void *buf, uint32_t len, const char **why)
{
	struct virtq_buffer bufs[3] = {
		{ &blk_header, sizeof(blk_header), false },
		{ buf, len, type == BLK_T_IN },
		{ &blk_status, 1, true },
	};
	uint32_t written;

	blk_header.type = type;
	blk_header.reserved = 0;
	blk_header.sector = sector;
	blk_status = 0xff;
	*why = virtq_transfer(dev, &VQ, bufs, 3, counter_hz, &written);
	return !*why && blk_status == 0;
}

/* The device works again after a reset: rng gives bytes, blk writes and
 * reads back a block. */
static void device_recovers(struct virtio_device *dev)
{
	const char *why;
	uint32_t written = 0;

	virtio_stop(dev);
	why = queue_up(dev, dev->device_id == VIRTIO_ID_BLOCK ? 24 : 0);
	if (!why && dev->device_id == VIRTIO_ID_RNG) {
		struct virtq_buffer b = { data_buf, 64, true };

		why = virtq_transfer(dev, &VQ, &b, 1, counter_hz, &written);
		if (!why && !written)
			why = "the device returned the buffer with nothing written";
	} else if (!why) {
		for (unsigned int i = 0; i < BLOCK; i++)
			data_buf[i] = (uint8_t)(i * 7 + 3);
		if (!blk_io(dev, BLK_T_OUT, 64, data_buf, BLOCK, &why)) {
			why = why ? why : "write of sector 64 failed";
		} else {
			memset(data_buf, 0, BLOCK);
			if (!blk_io(dev, BLK_T_IN, 64, data_buf, BLOCK, &why))
				why = why ? why : "read of sector 64 failed";
			for (unsigned int i = 0; !why && i < BLOCK; i++)
				if (data_buf[i] != (uint8_t)(i * 7 + 3))
					why = "the block read back differs from the one written";
		}
	}
	if (why)
		attack_fail("after a reset %s does not work again: %s", dev->name, why);
	else
		attack_pass("%s works again after a reset", dev->name);
	virtio_stop(dev);
}

/* The verdict for an attack the device must refuse with NEEDS_RESET. */
static void expect_refused(struct virtio_device *dev, const char *what,
			   uint64_t notify_us)
{
	if (needs_reset_within(dev, 1000))
		attack_pass("%s refused: DEVICE_NEEDS_RESET (the notify took %lu us)",
			    what, notify_us);
	else
		attack_fail("expected %s to be refused with DEVICE_NEEDS_RESET within 1 s; status 0x%x, used.idx %u, the notify took %lu us",
			    what, virtio_status(dev), VQ.used.idx, notify_us);
}

/* ----------------------------------------------------------- self-feeding --- */

/* rng writes random bytes over its own avail ring: avail.idx becomes
 * whatever the device wrote, and the device would pop forever. */
static void attack_feed_avail(void)
{
	struct virtio_device dev;

	if (!device_up(VIRTIO_ID_RNG, &dev))
		return;
	set_desc(0, &VQ.avail, sizeof(VQ.avail), DESC_F_WRITE, 0);
	publish_head0(1);
	expect_refused(&dev, "a writable buffer over the queue's own avail ring",
		       timed_notify(&dev));
	device_recovers(&dev);
}

/* rng writes over its own used ring. */
static void attack_feed_used(void)
{
	struct virtio_device dev;

	if (!device_up(VIRTIO_ID_RNG, &dev))
		return;
	set_desc(0, &VQ.used, sizeof(VQ.used), DESC_F_WRITE, 0);
	publish_head0(1);
	expect_refused(&dev, "a writable buffer over the queue's own used ring",
		       timed_notify(&dev));
	device_recovers(&dev);
}

/*
 * blk reads a sector into the queue's own descriptor table and avail ring:
 * the sector holds a table whose every descriptor is this same request and
 * an avail ring 200 entries ahead, so each pop re-reads the header from
 * disk and publishes itself again.
 */
static void attack_feed_desc(void)
{
	struct virtio_device dev;
	uint8_t *image = (uint8_t *)&VQ;
	size_t avail_off = (size_t)((uintptr_t)&VQ.avail - (uintptr_t)&VQ);
	const char *why;
	volatile struct virtq_avail *avail;

	if (!device_up(VIRTIO_ID_BLOCK, &dev))
		return;
	/* The three descriptors the request will use, as they will be. */
	set_desc(0, &blk_header, sizeof(blk_header), DESC_F_NEXT, 1);
	set_desc(1, &VQ.desc[0], BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT, 2);
	set_desc(2, &blk_status, 1, DESC_F_WRITE, 0);
	for (size_t i = 0; i < BLK_SECTOR; i++)
		craft_buf[i] = image[i];
	avail = (volatile struct virtq_avail *)(craft_buf + avail_off);
	avail->idx = 200;
	for (unsigned int i = 0; i < VIRTQ_SIZE_MAX; i++)
		avail->ring[i] = 0;
	/* Put the crafted sector on disk with an ordinary request (through
	 * descriptors 3.., the driver's own), then start over. */
	if (!blk_io(&dev, BLK_T_OUT, 0, craft_buf, BLK_SECTOR, &why)) {
		attack_fail("writing the crafted sector: %s", why ? why : "status not OK");
		virtio_stop(&dev);
		return;
	}
	virtio_stop(&dev);
	why = queue_up(&dev, 24);
	if (why) {
		attack_fail("set-up again: %s", why);
		return;
	}
	blk_header.type = BLK_T_IN;
	blk_header.reserved = 0;
	blk_header.sector = 0;
	set_desc(0, &blk_header, sizeof(blk_header), DESC_F_NEXT, 1);
	set_desc(1, &VQ.desc[0], BLK_SECTOR, DESC_F_WRITE | DESC_F_NEXT, 2);
	set_desc(2, &blk_status, 1, DESC_F_WRITE, 0);
	publish_head0(1);
	expect_refused(&dev, "a blk read into the queue's own descriptor table and avail ring",
		       timed_notify(&dev));
	device_recovers(&dev);
}

/* The used ring placed over the descriptor table: every used entry the
 * device writes rewrites a descriptor. */
static void attack_ring_overlap(void)
{
	struct virtio_device dev;
	const char *why;
	uint32_t ready;

	if (!device_find(VIRTIO_ID_RNG, &dev))
		return;
	why = virtio_start(&dev, 0, 0);
	if (why) {
		attack_fail("set-up: %s", why);
		return;
	}
	memset((void *)&VQ, 0, sizeof(VQ));
	VQ.size = 16;
	reg_write(&dev, REG_QUEUE_SEL, 0);
	reg_write(&dev, REG_QUEUE_NUM, VQ.size);
	reg_write(&dev, REG_QUEUE_DESC_LOW, (uint32_t)(uintptr_t)VQ.desc);
	reg_write(&dev, REG_QUEUE_DESC_HIGH, (uint32_t)((uint64_t)(uintptr_t)VQ.desc >> 32));
	reg_write(&dev, REG_QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)&VQ.avail);
	reg_write(&dev, REG_QUEUE_DRIVER_HIGH, 0);
	reg_write(&dev, REG_QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)VQ.desc);
	reg_write(&dev, REG_QUEUE_DEVICE_HIGH, 0);
	reg_write(&dev, REG_QUEUE_READY, 1);
	ready = reg_read(&dev, REG_QUEUE_READY);
	if (!ready || (virtio_status(&dev) & STATUS_NEEDS_RESET)) {
		attack_pass("a used ring over the descriptor table refused at QueueReady (reads %u, status 0x%x)",
			    ready, virtio_status(&dev));
		device_recovers(&dev);
		return;
	}
	reg_write(&dev, REG_STATUS, reg_read(&dev, REG_STATUS) | STATUS_DRIVER_OK);
	for (unsigned int i = 0; i < VQ.size; i++)
		set_desc(i, data_buf, 64, DESC_F_WRITE | DESC_F_NEXT,
			 (uint16_t)((i + 1) % VQ.size));
	set_desc(VQ.size - 1, data_buf, 64, DESC_F_WRITE, 0);
	publish_head0(1);
	expect_refused(&dev, "a used ring that overlaps the descriptor table",
		       timed_notify(&dev));
	device_recovers(&dev);
}

/* ------------------------------------------------------------ two vCPUs --- */

static volatile uint32_t race_stop;
static volatile uint64_t race_count;
static struct virtio_device race_dev;

/* vCPU 1: keeps the queue full, until told or for 3 s at most (so that a
 * notify that never ends while it publishes is measured, not hung). */
static void race_publisher(void *arg)
{
	uint16_t idx = VQ.avail_idx;
	uint64_t end = arch_counter_read() + 3 * counter_hz;

	(void)arg;
	while (!race_stop && arch_counter_read() < end) {
		if ((uint16_t)(idx - VQ.used.idx) >= VQ.size)
			continue;
		VQ.avail.ring[idx % VQ.size] = 0;
		arch_memory_barrier();
		idx++;
		VQ.avail.idx = idx;
		race_count++;
	}
}

static void attack_publish_race(void)
{
	uint64_t end, max_us = 0, notifies = 0;
	const char *why;

	if (!device_up(VIRTIO_ID_RNG, &race_dev))
		return;
	set_desc(0, data_buf, 16, DESC_F_WRITE, 0);
	race_stop = 0;
	race_count = 0;
	why = secondary_start(race_publisher, NULL);
	if (why) {
		attack_fail("%s", why);
		return;
	}
	end = arch_counter_read() + counter_hz;
	while (arch_counter_read() < end) {
		uint64_t us = timed_notify(&race_dev);

		if (us > max_us)
			max_us = us;
		notifies++;
	}
	race_stop = 1;
	arch_memory_barrier();
	if (!secondary_wait())
		attack_fail("vCPU 1 did not stop publishing within 1 s");
	if (max_us > 1000000)
		attack_fail("expected each notify to return within 1 s while vCPU 1 kept publishing; the longest took %lu us",
			    max_us);
	else
		attack_pass("%lu notifies while vCPU 1 published %lu buffers; the longest notify took %lu us, used.idx %u",
			    notifies, race_count, max_us, VQ.used.idx);
	device_recovers(&race_dev);
}

/* vCPU 1: resets the device and sets it up again, over and over. */
static void race_resetter(void *arg)
{
	const struct virtio_device *dev = &race_dev;

	(void)arg;
	while (!race_stop) {
		reg_write(dev, REG_STATUS, 0);
		reg_write(dev, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
		reg_write(dev, REG_DRIVER_FEATURES_SEL, 1);
		reg_write(dev, REG_DRIVER_FEATURES, 1);		/* VERSION_1 */
		reg_write(dev, REG_DRIVER_FEATURES_SEL, 0);
		reg_write(dev, REG_DRIVER_FEATURES, 0);
		reg_write(dev, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER |
			  STATUS_FEATURES_OK);
		reg_write(dev, REG_QUEUE_SEL, 0);
		reg_write(dev, REG_QUEUE_NUM, VQ.size);
		reg_write(dev, REG_QUEUE_DESC_LOW, (uint32_t)(uintptr_t)VQ.desc);
		reg_write(dev, REG_QUEUE_DESC_HIGH, 0);
		reg_write(dev, REG_QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)&VQ.avail);
		reg_write(dev, REG_QUEUE_DRIVER_HIGH, 0);
		reg_write(dev, REG_QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)&VQ.used);
		reg_write(dev, REG_QUEUE_DEVICE_HIGH, 0);
		reg_write(dev, REG_QUEUE_READY, 1);
		reg_write(dev, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER |
			  STATUS_FEATURES_OK | STATUS_DRIVER_OK);
		race_count++;
	}
}

/* vCPU 0 publishes blk writes and notifies while vCPU 1 resets. */
static void attack_reset_during_notify(void)
{
	uint64_t end, notifies = 0;
	const char *why;

	if (!device_up(VIRTIO_ID_BLOCK, &race_dev))
		return;
	blk_header.type = BLK_T_OUT;
	blk_header.sector = 128;
	set_desc(0, &blk_header, sizeof(blk_header), DESC_F_NEXT, 1);
	set_desc(1, data_buf, BLOCK, DESC_F_NEXT, 2);
	set_desc(2, &blk_status, 1, DESC_F_WRITE, 0);
	race_stop = 0;
	race_count = 0;
	why = secondary_start(race_resetter, NULL);
	if (why) {
		attack_fail("%s", why);
		return;
	}
	end = arch_counter_read() + counter_hz;
	while (arch_counter_read() < end) {
		publish_head0(1);
		virtio_notify(&race_dev, 0);
		notifies++;
	}
	race_stop = 1;
	arch_memory_barrier();
	if (!secondary_wait())
		attack_fail("vCPU 1 did not stop resetting within 1 s");
	else
		attack_pass("%lu notifies on vCPU 0 against %lu resets on vCPU 1; both vCPUs went on",
			    notifies, race_count);
	device_recovers(&race_dev);
}

/* vCPU 1: notifies queue 0 as fast as it can. */
static void race_notifier(void *arg)
{
	(void)arg;
	while (!race_stop) {
		reg_write(&race_dev, REG_QUEUE_NOTIFY, 0);
		race_count++;
	}
}

/* vCPU 0 resets and sets up the device a thousand times while vCPU 1
 * notifies. */
static void attack_virtio_reset_storm(void)
{
	unsigned int resets = 0, refused = 0;
	uint64_t end;
	const char *why;

	if (!device_find(VIRTIO_ID_RNG, &race_dev))
		return;
	race_stop = 0;
	race_count = 0;
	why = secondary_start(race_notifier, NULL);
	if (why) {
		attack_fail("%s", why);
		return;
	}
	end = arch_counter_read() + 2 * counter_hz;
	while (resets < 1000 && arch_counter_read() < end) {
		why = queue_up(&race_dev, 0);
		if (why) {
			refused++;
		} else {
			set_desc(0, data_buf, 64, DESC_F_WRITE, 0);
			publish_head0(1);
		}
		virtio_stop(&race_dev);
		resets++;
	}
	race_stop = 1;
	arch_memory_barrier();
	if (!secondary_wait())
		attack_fail("vCPU 1 did not stop notifying within 1 s");
	else
		attack_pass("%u resets and set-ups (%u refused) against %lu notifies from vCPU 1",
			    resets, refused, race_count);
	device_recovers(&race_dev);
}

static const uint32_t race_registers[] = {
	REG_STATUS, REG_QUEUE_SEL, REG_QUEUE_NUM, REG_QUEUE_READY,
	REG_QUEUE_NOTIFY, REG_INTERRUPT_ACK, REG_DRIVER_FEATURES,
	REG_DRIVER_FEATURES_SEL, REG_DEVICE_FEATURES_SEL, REG_QUEUE_DESC_LOW,
	REG_QUEUE_DRIVER_LOW, REG_QUEUE_DEVICE_LOW,
};

/* Until race_stop, or the counter passes end (0: no end). */
static void race_random_writes(uint64_t seed, uint64_t *count, uint64_t end)
{
	uint64_t rng = seed;

	while (!race_stop && (!end || arch_counter_read() < end)) {
		uint64_t r = attack_random(&rng);
		uint32_t reg = race_registers[r % ARRAY_SIZE(race_registers)];
		uint32_t value = (uint32_t)(r >> 32);

		if (reg == REG_QUEUE_DESC_LOW || reg == REG_QUEUE_DRIVER_LOW ||
		    reg == REG_QUEUE_DEVICE_LOW)
			value = (uint32_t)(uintptr_t)scratch + (value % 60000 & ~15U);
		else if (reg == REG_QUEUE_SEL || reg == REG_QUEUE_NOTIFY)
			value %= 4;
		else if (reg == REG_QUEUE_NUM)
			value = 1U << (value % 6);
		else if (reg != REG_STATUS)
			value &= 1;
		reg_write(&race_dev, reg, value);
		(*count)++;
	}
}

static void race_status_writer(void *arg)
{
	uint64_t count = 0;

	(void)arg;
	race_random_writes(0x5eed0001, &count, 0);
	race_count = count;
}

/* Both vCPUs write random values to the transport's registers at once. */
static void attack_status_race(void)
{
	static const uint32_t ids[] = { VIRTIO_ID_BLOCK, VIRTIO_ID_RNG };

	for (unsigned int d = 0; d < ARRAY_SIZE(ids); d++) {
		uint64_t end, mine = 0;
		const char *why;

		if (!device_find(ids[d], &race_dev))
			return;
		race_stop = 0;
		race_count = 0;
		why = secondary_start(race_status_writer, NULL);
		if (why) {
			attack_fail("%s", why);
			return;
		}
		end = arch_counter_read() + counter_hz;
		race_random_writes(0x5eed0002, &mine, end);
		race_stop = 1;
		arch_memory_barrier();
		if (!secondary_wait())
			attack_fail("vCPU 1 did not stop within 1 s");
		else
			attack_pass("%s: %lu + %lu random register writes from both vCPUs at once; both went on",
				    race_dev.name, mine, race_count);
		device_recovers(&race_dev);
	}
}

/* ------------------------------------------------------------- cow-fill --- */

/* Writes every 4 KiB block of its (file-backed) disk: the copy-on-write
 * blocks grow until the disk is whole or a limit refuses them. */
static void attack_cow_fill(void)
{
	struct virtio_device dev;
	uint64_t capacity, blocks, ok = 0, refused = 0, bad = 0;
	const char *why = NULL;

	if (!device_up(VIRTIO_ID_BLOCK, &dev))
		return;
	capacity = virtio_config_read64(&dev, 0);
	blocks = capacity / (BLOCK / BLK_SECTOR);
	attack_note("writing all %lu blocks of %s", blocks, dev.name);
	for (uint64_t b = 0; b < blocks; b++) {
		for (unsigned int i = 0; i < BLOCK; i += 8)
			*(uint64_t *)(data_buf + i) = b * 0x9e3779b97f4a7c15ULL + i;
		if (blk_io(&dev, BLK_T_OUT, b * (BLOCK / BLK_SECTOR), data_buf,
			   BLOCK, &why))
			ok++;
		else if (why)
			break;
		else
			refused++;
	}
	if (why) {
		attack_fail("a write did not come back: %s", why);
		virtio_stop(&dev);
		return;
	}
	/* Every block written with OK must read back as written. */
	for (uint64_t b = 0; b < blocks && b < ok; b++) {
		if (!blk_io(&dev, BLK_T_IN, b * (BLOCK / BLK_SECTOR), data_buf,
			    BLOCK, &why)) {
			bad++;
			continue;
		}
		for (unsigned int i = 0; i < BLOCK; i += 8)
			if (*(uint64_t *)(data_buf + i) != b * 0x9e3779b97f4a7c15ULL + i) {
				bad++;
				break;
			}
	}
	if (bad)
		attack_fail("%lu of the %lu blocks written with status OK did not read back as written",
			    bad, ok);
	else
		attack_pass("%lu blocks written and read back, %lu refused (IOERR)", ok,
			    refused);
	virtio_stop(&dev);
}

/* -------------------------------------------------------------- console --- */

/* Prints as fast as it can for 3 s of its own time. */
static void attack_console_flood(void)
{
	uint64_t end = arch_counter_read() + 3 * counter_hz;
	uint64_t lines = 0;

	while (arch_counter_read() < end) {
		print_line("attack console-flood: line %lu ................................................................",
			   ++lines);
	}
	attack_pass("%lu lines (%lu KiB) in 3 s", lines, lines * 100 / 1024);
}

/* Terminal control sequences on its UART, then a vsock answer that holds
 * them (its name, from basic.name=, is in the answer). */
static void attack_escape_output(void)
{
	static const char *const sequences[] = {
		"\033]0;keel-pwned\007",	/* set the window title */
		"\033[2J\033[H",		/* clear the screen, home */
		"\033[6n",			/* ask for the cursor position */
		"\033P+q544e\033\\",		/* DCS request */
		"\033[?1049h",			/* alternate screen */
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(sequences); i++)
		print_line("attack escape-output: sequence %u: %s", i, sequences[i]);
	print_line("\033[?1049l\033[0m");
	attack_note("now answering on vsock port 1234 with its name");
	virtio_vsock_listen();
	attack_pass("escape sequences written to its UART and its vsock answer");
}

/* ----------------------------------------------------------- mmio-sweep --- */

static uint64_t sweep_accesses, sweep_refused, sweep_other;
static uint64_t sweep_other_syndrome;
static uintptr_t sweep_other_addr;

static void sweep_one(const struct sweep_range *r)
{
	uint64_t before = sweep_refused;

	for (unsigned int w = 0; w < 4; w++) {
		unsigned int bytes = 1U << w;

		if (!(r->widths & (1U << w)))
			continue;
		for (uint64_t off = 0; off + bytes <= r->size; off += bytes) {
			uintptr_t addr = r->base + off;
			uint64_t value, syndrome = 0;
			bool faulted = arch_attack_read(addr, bytes, &value, &syndrome);

			for (unsigned int write = 0; write < 2; write++) {
				sweep_accesses++;
				if (faulted) {
					if (arch_attack_refused(syndrome, write)) {
						sweep_refused++;
					} else if (!sweep_other++) {
						sweep_other_syndrome = syndrome;
						sweep_other_addr = addr;
					}
				}
				if (!write)
					faulted = arch_attack_write(addr, bytes, value, &syndrome);
			}
		}
	}
	attack_note("%s at 0x%lx (+0x%lx): %lu refused", r->name, r->base, r->size,
		    sweep_refused - before);
}

void attack_mmio_sweep(const struct sweep_range *ranges, unsigned int n)
{
	sweep_accesses = sweep_refused = sweep_other = 0;
	for (unsigned int i = 0; i < n; i++)
		sweep_one(&ranges[i]);
	if (sweep_other)
		attack_fail("%lu of %lu accesses raised something other than %s (the first: syndrome 0x%lx at 0x%lx)",
			    sweep_other, sweep_accesses, arch_attack_refusal, sweep_other_syndrome,
			    sweep_other_addr);
	else
		attack_pass("%lu loads and stores of every width over %u windows; %lu got %s, the rest were served",
			    sweep_accesses, n, sweep_refused, arch_attack_refusal);
}

/* ---------------------------------------------------------------- runner --- */

static const struct attack_entry attacks[] = {
	{ "ring-self-feed-avail", attack_feed_avail },
	{ "ring-self-feed-used", attack_feed_used },
	{ "blk-self-feed-desc", attack_feed_desc },
	{ "ring-overlap", attack_ring_overlap },
	{ "publish-race", attack_publish_race },
	{ "reset-during-notify", attack_reset_during_notify },
	{ "virtio-reset-storm", attack_virtio_reset_storm },
	{ "status-race", attack_status_race },
	{ "mac-spoof", attack_mac_spoof },
	{ "mac-flood", attack_mac_flood },
	{ "vsock-flood", attack_vsock_flood },
	{ "cow-fill", attack_cow_fill },
	{ "console-flood", attack_console_flood },
	{ "escape-output", attack_escape_output },
	{ "pmu-probe", arch_attack_pmu_probe },
	{ "debug-probe", arch_attack_debug_probe },
	{ "sgi-storm", arch_attack_sgi_storm },
	{ "timer-storm", arch_attack_timer_storm },
	{ "psci-storm", arch_attack_psci_storm },
	{ "reset-storm", arch_attack_reset_storm },
	{ "timer-reset-race", arch_attack_timer_reset_race },
	{ "mmio-sweep", arch_attack_mmio_sweep },
	{ "fetch-unmapped", arch_attack_fetch_unmapped },
	{ "vgic-abuse", arch_attack_vgic_abuse },
	{ "timer-level", arch_attack_timer_level },
};

static void __attribute__((noreturn)) attack_run(const struct attack_entry *a)
{
	attack_note("start");
	a->run();
	attack_note("done");
	arch_halt();
}

void mode_attack(void)
{
	const struct attack_entry *own;
	unsigned int own_count = 0;

	bootargs_option(board.bootargs, "basic.attack=", attack, sizeof(attack));
	for (unsigned int i = 0; i < ARRAY_SIZE(attacks); i++)
		if (string_equal(attack, attacks[i].name))
			attack_run(&attacks[i]);
	own = arch_attacks(&own_count);
	for (unsigned int i = 0; own && i < own_count; i++)
		if (string_equal(attack, own[i].name))
			attack_run(&own[i]);
	print_line("FAIL attack: unknown attack \"%s\" (basic.attack=)", attack);
	arch_halt();
}
