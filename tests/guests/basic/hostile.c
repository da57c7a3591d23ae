// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hostile mode (basic.mode=hostile): the guest attacks its own
 * virtio-rng device with one malformed virtqueue after another, written by
 * hand into the rings. A hypervisor must refuse each one by setting
 * DEVICE_NEEDS_RESET (and stay up, and keep its other guests running);
 * after a reset the device must work again. One line per case, a summary,
 * then power off.
 */
#include "arch.h"
#include "virtio.h"

#define VIRTQ_DESC_F_NEXT 1U
#define VIRTQ_DESC_F_WRITE 2U
#define VIRTQ_DESC_F_INDIRECT 4U
#define STATUS_NEEDS_RESET 64U

/* Far past the end of this guest's RAM (wherever the arch puts RAM: on
 * riscv64 it starts at 0x80000000), and an address that wraps. */
#define OUTSIDE_RAM_GAP 0x10000000ULL
#define WRAPPING 0xfffffffffffff000ULL

static struct virtq hostile_vq;
static uint8_t hostile_buf[64] __attribute__((aligned(16)));
static struct virtq_desc hostile_table[4] __attribute__((aligned(16)));

static void set_desc(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	hostile_vq.desc[i].addr = addr;
	hostile_vq.desc[i].len = len;
	hostile_vq.desc[i].flags = flags;
	hostile_vq.desc[i].next = next;
}

/* Publishes `count` new heads (all 0) by moving avail.idx that far. */
static void publish(uint16_t count)
{
	for (uint16_t i = 0; i < count && i < hostile_vq.size; i++)
		hostile_vq.avail.ring[(uint16_t)(hostile_vq.avail_idx + i) % hostile_vq.size] = 0;
	arch_memory_barrier();
	hostile_vq.avail_idx = (uint16_t)(hostile_vq.avail_idx + count);
	hostile_vq.avail.idx = hostile_vq.avail_idx;
}

static void case_avail_jump(void)
{
	set_desc(0, (uintptr_t)hostile_buf, sizeof(hostile_buf), VIRTQ_DESC_F_WRITE, 0);
	publish((uint16_t)(hostile_vq.size + 1));
}

static void case_next_out_of_range(void)
{
	set_desc(0, (uintptr_t)hostile_buf, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
		 (uint16_t)(hostile_vq.size + 5));
	publish(1);
}

static void case_loop(void)
{
	set_desc(0, (uintptr_t)hostile_buf, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, (uintptr_t)hostile_buf + 16, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	publish(1);
}

static void case_outside_ram(void)
{
	set_desc(0, board_ram_end() + OUTSIDE_RAM_GAP, 64, VIRTQ_DESC_F_WRITE, 0);
	publish(1);
}

static void case_wrapping(void)
{
	set_desc(0, WRAPPING, 0x2000, VIRTQ_DESC_F_WRITE, 0);
	publish(1);
}

static void case_indirect_not_negotiated(void)
{
	hostile_table[0].addr = (uintptr_t)hostile_buf;
	hostile_table[0].len = 16;
	hostile_table[0].flags = VIRTQ_DESC_F_WRITE;
	hostile_table[0].next = 0;
	set_desc(0, (uintptr_t)hostile_table, sizeof(hostile_table[0]),
		 VIRTQ_DESC_F_INDIRECT, 0);
	publish(1);
}

static void case_readable_after_writable(void)
{
	set_desc(0, (uintptr_t)hostile_buf, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, (uintptr_t)hostile_buf + 16, 16, 0, 0);
	publish(1);
}

static void case_huge_length(void)
{
	set_desc(0, (uintptr_t)hostile_buf, 0xffffffffU, VIRTQ_DESC_F_WRITE, 0);
	publish(1);
}

static const struct hostile_case {
	const char *name;
	void (*attack)(void);
} hostile_cases[] = {
	{ "avail-index-jump", case_avail_jump },
	{ "next-out-of-range", case_next_out_of_range },
	{ "descriptor-loop", case_loop },
	{ "buffer-outside-ram", case_outside_ram },
	{ "address-wraps", case_wrapping },
	{ "indirect-not-negotiated", case_indirect_not_negotiated },
	{ "readable-after-writable", case_readable_after_writable },
	{ "length-past-ram", case_huge_length },
};

/* Brings the rng device up with one fresh queue; NULL or why not. */
static const char *hostile_start(struct virtio_device *dev)
{
	const char *why;

	memset((void *)&hostile_vq, 0, sizeof(hostile_vq));
	why = virtio_start(dev, 0, 0);
	if (!why)
		why = virtio_queue_start(dev, &hostile_vq, 0);
	if (!why)
		why = virtio_driver_ok(dev);
	return why;
}

/* Waits up to 1 s for the device to ask for a reset. */
static bool hostile_refused(struct virtio_device *dev)
{
	uint64_t end = arch_counter_read() + counter_hz;

	while (arch_counter_read() < end)
		if (virtio_status(dev) & STATUS_NEEDS_RESET)
			return true;
	return false;
}

void mode_hostile(void)
{
	struct virtio_device dev;
	unsigned int passed = 0, failed = 0;
	struct virtq_buffer buf = { hostile_buf, sizeof(hostile_buf), true };
	uint32_t written = 0;
	const char *why;

	print_line("misbehaving: malformed virtqueues for virtio-rng");
	if (!virtio_find(VIRTIO_ID_RNG, &dev)) {
		print_line("FAIL hostile: %s", dev.error);
		arch_power_off();
		arch_halt();
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(hostile_cases); i++) {
		why = hostile_start(&dev);
		if (why) {
			print_line("FAIL hostile-%s: could not set the device up: %s",
				   hostile_cases[i].name, why);
			failed++;
			continue;
		}
		hostile_cases[i].attack();
		virtio_notify(&dev, 0);
		if (hostile_refused(&dev)) {
			print_line("PASS hostile-%s (device needs reset)", hostile_cases[i].name);
			passed++;
		} else {
			print_line("FAIL hostile-%s: expected the device to set DEVICE_NEEDS_RESET within 1 s; status 0x%x",
				   hostile_cases[i].name, virtio_status(&dev));
			failed++;
		}
		virtio_stop(&dev);
	}
	/* After all that, a reset device works again. */
	why = hostile_start(&dev);
	if (!why)
		why = virtq_transfer(&dev, &hostile_vq, &buf, 1, counter_hz, &written);
	if (why || written == 0) {
		print_line("FAIL hostile-recovers: %s", why ? why : "the device wrote nothing");
		failed++;
	} else {
		print_line("PASS hostile-recovers (%u bytes after a reset)", written);
		passed++;
	}
	virtio_stop(&dev);
	print_line("%u passed, %u failed", passed, failed);
	arch_power_off();
	arch_halt();
}
