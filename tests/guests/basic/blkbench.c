// SPDX-License-Identifier: GPL-2.0-only
/*
 * The blkbench mode (basic.mode=blkbench): sequential write, then read, of
 * the whole virtio-blk disk in 64 KiB requests, one request in flight,
 * timed with the virtual counter. Prints MB/s for each direction (a
 * benchmark for tools/bench, not a check), then powers off.
 */
#include "arch.h"
#include "virtio.h"

#define BLK_T_IN 0U
#define BLK_T_OUT 1U
#define BLK_S_OK 0U
#define BENCH_REQUEST_BYTES (64U * 1024U)
#define SECTOR_BYTES 512U
/* Bigger disks are measured over their first 64 MiB. */
#define BENCH_MAX_BYTES (64ULL << 20)

struct bench_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct virtq bench_vq;
static struct bench_header bench_hdr __attribute__((aligned(16)));
static uint8_t bench_data[BENCH_REQUEST_BYTES] __attribute__((aligned(16)));
static uint8_t bench_status __attribute__((aligned(16)));

/* One request of BENCH_REQUEST_BYTES at sector; NULL or why it failed. */
static const char *bench_request(struct virtio_device *dev, uint32_t type,
				 uint64_t sector)
{
	struct virtq_buffer bufs[3] = {
		{ &bench_hdr, sizeof(bench_hdr), false },
		{ bench_data, BENCH_REQUEST_BYTES, type == BLK_T_IN },
		{ &bench_status, 1, true },
	};
	uint32_t written = 0;
	const char *why;

	bench_hdr.type = type;
	bench_hdr.reserved = 0;
	bench_hdr.sector = sector;
	bench_status = 0xff;
	why = virtq_transfer(dev, &bench_vq, bufs, 3, counter_hz, &written);
	if (!why && bench_status != BLK_S_OK)
		why = "the device reported an error";
	return why;
}

/* Moves `bytes` in one direction; returns MB/s x 10, or 0 on failure. */
static uint64_t bench_pass(struct virtio_device *dev, uint32_t type, uint64_t bytes)
{
	uint64_t start = arch_counter_read(), ticks;
	const char *why;

	for (uint64_t done = 0; done < bytes; done += BENCH_REQUEST_BYTES) {
		why = bench_request(dev, type, done / SECTOR_BYTES);
		if (why) {
			print_line("FAIL blkbench: %s at byte %lu: %s",
				   type == BLK_T_IN ? "read" : "write", done, why);
			return 0;
		}
	}
	ticks = arch_counter_read() - start;
	if (!ticks)
		ticks = 1;
	/* bytes / seconds / 1e6, in tenths. */
	return bytes * 10 * counter_hz / ticks / 1000000;
}

void mode_blkbench(void)
{
	struct virtio_device dev;
	uint64_t bytes, write_rate, read_rate;
	const char *why;

	if (!virtio_find(VIRTIO_ID_BLOCK, &dev)) {
		print_line("FAIL blkbench: %s", dev.error);
		arch_power_off();
		arch_halt();
	}
	why = virtio_start(&dev, 0, 8);
	if (!why)
		why = virtio_queue_start(&dev, &bench_vq, 0);
	if (!why)
		why = virtio_driver_ok(&dev);
	if (why) {
		print_line("FAIL blkbench: %s", why);
		arch_power_off();
		arch_halt();
	}
	bytes = virtio_config_read64(&dev, 0) * SECTOR_BYTES;
	if (bytes > BENCH_MAX_BYTES)
		bytes = BENCH_MAX_BYTES;
	bytes -= bytes % BENCH_REQUEST_BYTES;
	for (uint32_t i = 0; i < BENCH_REQUEST_BYTES; i++)
		bench_data[i] = (uint8_t)(i * 31);
	write_rate = bench_pass(&dev, BLK_T_OUT, bytes);
	read_rate = write_rate ? bench_pass(&dev, BLK_T_IN, bytes) : 0;
	if (write_rate && read_rate)
		print_line("blk sequential: write %lu.%lu MB/s, read %lu.%lu MB/s, %lu MiB in %u KiB requests",
			   write_rate / 10, write_rate % 10, read_rate / 10, read_rate % 10,
			   bytes >> 20, BENCH_REQUEST_BYTES / 1024);
	virtio_stop(&dev);
	arch_power_off();
	arch_halt();
}
