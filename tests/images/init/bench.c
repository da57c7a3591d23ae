/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keel.mode=bench and keel.mode=blkbench: numbers for tools/bench. Each
 * prints one line; the caller powers off. MB/s are 10^6 bytes a second,
 * as in the basic guest's benchmarks.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define BLKBENCH_BYTES MiB(32)
#define BLKBENCH_BLOCK MiB(1)

void bench_print_boot_time(void)
{
	struct timespec t;

	/* CLOCK_BOOTTIME is /proc/uptime's clock, to the nanosecond. */
	clock_gettime(CLOCK_BOOTTIME, &t);
	console_print("reached init at %ld.%03ld s (uptime)", (long)t.tv_sec,
		      t.tv_nsec / 1000000);
}

/* Moves `bytes` in BLKBENCH_BLOCK requests; returns MB/s, or -errno. */
static double blkbench_pass(struct blockdev *dev, uint64_t bytes, bool write)
{
	double start = time_now(), seconds;

	for (uint64_t at = 0; at < bytes; at += BLKBENCH_BLOCK) {
		int err = write ? blockdev_write(dev, BLKBENCH_BLOCK, at) :
				  blockdev_read(dev, BLKBENCH_BLOCK, at);

		if (err)
			return err;
	}
	/* Writes count only once the device has them. */
	if (write && fsync(dev->fd))
		return -errno;
	seconds = time_now() - start;
	return (double)bytes / 1e6 / (seconds > 0 ? seconds : 1e-9);
}

void bench_run_blk(void)
{
	struct blockdev dev;
	double write_rate, read_rate;
	uint64_t bytes;
	int err;

	err = blockdev_open(&dev, BLKBENCH_BLOCK);
	if (err) {
		console_print("blkbench: %s: %s", BLOCK_DEVICE, strerror(-err));
		return;
	}
	bytes = dev.size < BLKBENCH_BYTES ? dev.size / BLKBENCH_BLOCK * BLKBENCH_BLOCK :
					    BLKBENCH_BYTES;
	if (!bytes) {
		console_print("blkbench: %s is smaller than 1 MiB", BLOCK_DEVICE);
		blockdev_close(&dev);
		return;
	}
	blockdev_fill(&dev, BLKBENCH_BLOCK, 0x6b65656cULL, 0);
	write_rate = blkbench_pass(&dev, bytes, true);
	read_rate = write_rate < 0 ? write_rate : blkbench_pass(&dev, bytes, false);
	blockdev_close(&dev);
	if (write_rate < 0 || read_rate < 0) {
		console_print("blkbench: I/O on %s: %s", BLOCK_DEVICE,
			      strerror((int)-(write_rate < 0 ? write_rate : read_rate)));
		return;
	}
	console_print("blkbench write %.1f MB/s read %.1f MB/s", write_rate, read_rate);
}
