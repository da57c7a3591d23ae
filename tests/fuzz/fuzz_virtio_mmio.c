/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes the virtio-mmio register state machine (emulators/virtio/mmio.c)
 * with a real device behind it (virtio-blk on a small RAM disk: it has
 * config space, one queue and features of its own): arbitrary sequences
 * of reads and writes of every width at every offset of the window, mixed
 * with the steps that move it between states (status values, queue set-up
 * and QueueReady, requests and notifications, the guest's reset, deferred
 * work), and checks what the transport promises after each step.
 *
 * Input: commands until it ends, little-endian; command byte % 8:
 *   0 READ    u8 size code (1 << (v & 3)), u16 offset (any: past the
 *             window too)
 *   1 WRITE   u8 size code, u16 offset, u64 value
 *   2 STATUS  u8 value written to Status (0 resets)
 *   3 QUEUE   u8 queue, u8 log2 size (% 9), u8 ring placement: the queue
 *             set up with rings in guest RAM (bit 0: overlapping rings),
 *             then QueueReady 1
 *   4 REQUEST u8 sector, u8 flags (1 IN else OUT, 2 data buffer over the
 *             available ring): one blk request published on queue 0
 *   5 NOTIFY  u8 queue (any value)
 *   6 RESET   the guest's reset of the device (its emulator's reset)
 *   7 WORK    u8 n: up to n deferred work items run
 */
#include <keel/work.h>
#include <stdlib.h>
#include <string.h>
#include <virtio/virtio.h>
#include <virtio/virtio_mmio_regs.h>

#include "virtio_driver.h"

#define RAM_SIZE (64u << 10)
#define RINGS 0x0000u
#define AVAIL 0x1000u
#define USED 0x2000u
#define DATA 0x4000u
#define WINDOW 0x200u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

static void ram_put(uint8_t *ram, uint32_t at, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes && at + i < RAM_SIZE; i++)
		ram[at + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t reg32(struct fuzz_device *d, uint64_t offset)
{
	return (uint32_t)fuzz_reg_read(d, offset, 4);
}

/* What holds in every state the driver can reach. */
static void check_state(struct fuzz_device *d)
{
	uint32_t status = reg32(d, VIRTIO_MMIO_STATUS);

	fuzz_promise(reg32(d, VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC);
	fuzz_promise(reg32(d, VIRTIO_MMIO_VERSION) == 2);
	fuzz_promise(status <= 0xff);
	fuzz_promise(!(status & VIRTIO_STATUS_DRIVER_OK) || (status & VIRTIO_STATUS_FEATURES_OK));
	fuzz_promise((reg32(d, VIRTIO_MMIO_INTERRUPT_STATUS) & ~3u) == 0);
}

/* After a reset, the device is as at power-on. */
static void check_reset(struct fuzz_device *d)
{
	fuzz_promise(reg32(d, VIRTIO_MMIO_STATUS) == 0);
	fuzz_promise(reg32(d, VIRTIO_MMIO_INTERRUPT_STATUS) == 0);
	fuzz_promise(reg32(d, VIRTIO_MMIO_QUEUE_SEL) == 0);
	fuzz_promise(reg32(d, VIRTIO_MMIO_QUEUE_READY) == 0);
}

static void command_queue(struct fuzz_device *d, struct input *in)
{
	uint32_t q = (uint32_t)take(in, 1);
	uint32_t num = 1u << (take(in, 1) % 9);
	uint8_t placement = (uint8_t)take(in, 1);
	uint64_t base = FUZZ_RAM_BASE + RINGS;
	uint64_t used = FUZZ_RAM_BASE + ((placement & 1) ? AVAIL : USED);
	bool was_ready;

	fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_SEL, 4, q);
	was_ready = reg32(d, VIRTIO_MMIO_QUEUE_READY) != 0;
	fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_NUM, 4, num);
	fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DESC_LOW, 4, (uint32_t)base);
	fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, 4, (uint32_t)(base >> 32));
	fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, 4, (uint32_t)(FUZZ_RAM_BASE + AVAIL));
	fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 4, (uint32_t)((FUZZ_RAM_BASE + AVAIL) >> 32));
	fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, 4, (uint32_t)used);
	fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 4, (uint32_t)(used >> 32));
	fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_READY, 4, 1);
	/* Overlapping rings are refused. */
	if ((placement & 1) && !was_ready)
		fuzz_promise(reg32(d, VIRTIO_MMIO_QUEUE_READY) == 0);
}

/* One blk request (3 descriptors from index 3 * k) on queue 0, whose
 * size the driver may not know: indices are taken modulo 256 and the
 * device checks them. */
static void command_request(uint8_t *ram, uint16_t *avail_idx, struct input *in)
{
	uint8_t sector = (uint8_t)take(in, 1), flags = (uint8_t)take(in, 1);
	uint16_t first = (uint16_t)((*avail_idx * 3u) % 255u);
	uint32_t header = DATA + 16u * (*avail_idx % 64u);
	uint64_t buffer = FUZZ_RAM_BASE + ((flags & 2) ? AVAIL : DATA + 0x1000);
	uint16_t write = (flags & 1) ? 2 : 0;

	ram_put(ram, header, (flags & 1) ? 0 : 1, 4);
	ram_put(ram, header + 8, sector, 8);
	ram_put(ram, RINGS + 16u * first, FUZZ_RAM_BASE + header, 8);
	ram_put(ram, RINGS + 16u * first + 8, 16, 4);
	ram_put(ram, RINGS + 16u * first + 12, 1, 2);
	ram_put(ram, RINGS + 16u * first + 14, (uint16_t)(first + 1), 2);
	ram_put(ram, RINGS + 16u * (first + 1), buffer, 8);
	ram_put(ram, RINGS + 16u * (first + 1) + 8, 512, 4);
	ram_put(ram, RINGS + 16u * (first + 1) + 12, (uint16_t)(1 | write), 2);
	ram_put(ram, RINGS + 16u * (first + 1) + 14, (uint16_t)(first + 2), 2);
	ram_put(ram, RINGS + 16u * (first + 2), FUZZ_RAM_BASE + DATA + 0x3000, 8);
	ram_put(ram, RINGS + 16u * (first + 2) + 8, 1, 4);
	ram_put(ram, RINGS + 16u * (first + 2) + 12, 2, 2);
	ram_put(ram, AVAIL + 4 + 2u * (*avail_idx % 256u), first, 2);
	(*avail_idx)++;
	ram_put(ram, AVAIL + 2, *avail_idx, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_device blk;
	static bool ready;
	static void *chunks[1];
	struct input in = { data, size };
	struct guest *g;
	uint16_t avail_idx = 0;
	uint8_t *ram;

	if (!ready) {
		fuzz_platform_init();
		fuzz_device_create(&blk, fuzz_guest_new("fuzz"), "virtio,blk", "vblk0",
				   "ram:64K", 0x0a000000, 16, 1);
		ready = true;
	}
	g = blk.guest;
	ram = calloc(1, RAM_SIZE);
	if (!ram)
		return 0;
	chunks[0] = ram;
	g->mem[0] = (struct guest_mem){ .base = FUZZ_RAM_BASE, .size = RAM_SIZE,
					.chunk_count = 1, .chunks = chunks };
	g->mem_count = 1;
	blk.emulator->reset(blk.state);
	while (in.left) {
		uint8_t op = (uint8_t)take(&in, 1);
		unsigned int width;
		uint64_t offset, value;

		switch (op % 8) {
		case 0:
			width = 1u << (take(&in, 1) & 3);
			offset = take(&in, 2);
			(void)fuzz_reg_read(&blk, offset % (WINDOW + 0x40), width);
			break;
		case 1:
			width = 1u << (take(&in, 1) & 3);
			offset = take(&in, 2);
			value = take(&in, 8);
			(void)fuzz_reg_write(&blk, offset % (WINDOW + 0x40), width, value);
			if (offset % (WINDOW + 0x40) == VIRTIO_MMIO_STATUS && width == 4 &&
			    !(uint32_t)value)
				check_reset(&blk);
			break;
		case 2:
			value = take(&in, 1);
			fuzz_reg_write(&blk, VIRTIO_MMIO_STATUS, 4, value);
			if (!value)
				check_reset(&blk);
			break;
		case 3:
			command_queue(&blk, &in);
			break;
		case 4:
			command_request(ram, &avail_idx, &in);
			break;
		case 5:
			fuzz_reg_write(&blk, VIRTIO_MMIO_QUEUE_NOTIFY, 4, take(&in, 1));
			break;
		case 6:
			blk.emulator->reset(blk.state);
			check_reset(&blk);
			avail_idx = 0;
			break;
		default:
			work_run((unsigned int)take(&in, 1));
			break;
		}
		check_state(&blk);
	}
	fuzz_work_drain();
	/* Nothing the device keeps may point into this input's RAM. */
	blk.emulator->reset(blk.state);
	fuzz_promise(!work_pending());
	g->mem_count = 0;
	g->mem[0] = (struct guest_mem){ 0 };
	free(ram);
	return 0;
}
