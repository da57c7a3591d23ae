/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-blk: a pattern written with O_DIRECT at the start, the end and two
 * places between, flushed, read back with O_DIRECT and compared. The seed
 * changes each run, so data left on the disk by a previous run (or a
 * device that ignores writes) cannot pass.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define BLK_CHECK_CHUNK (64 * 1024)	/* several descriptors per request */
#define BLK_CHECK_PLACES 4

enum check_result check_virtio_blk(const struct params *p, char *detail, size_t size)
{
	uint64_t offsets[BLK_CHECK_PLACES], seed, size_mib;
	struct blockdev dev;
	struct timespec t;
	int err;

	err = blockdev_open(&dev, BLK_CHECK_CHUNK);
	if (err)
		return check_fail(detail, size, "%s: %s", BLOCK_DEVICE, strerror(-err));
	if (dev.size < BLK_CHECK_PLACES * BLK_CHECK_CHUNK) {
		blockdev_close(&dev);
		return check_fail(detail, size, "%s has only %llu bytes", BLOCK_DEVICE,
				  (unsigned long long)dev.size);
	}
	size_mib = dev.size >> 20;
	/* 0, 1/3, 2/3 and the last chunk, each chunk-aligned. */
	for (int i = 0; i < BLK_CHECK_PLACES; i++) {
		uint64_t at = (dev.size - BLK_CHECK_CHUNK) * (uint64_t)i / (BLK_CHECK_PLACES - 1);

		offsets[i] = at / BLK_CHECK_CHUNK * BLK_CHECK_CHUNK;
	}
	clock_gettime(CLOCK_REALTIME, &t);
	seed = (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 32) ^ (uint64_t)getpid();

	for (int i = 0; i < BLK_CHECK_PLACES; i++) {
		blockdev_fill(&dev, BLK_CHECK_CHUNK, seed, offsets[i]);
		err = blockdev_write(&dev, BLK_CHECK_CHUNK, offsets[i]);
		if (err)
			goto err_io;
	}
	if (fsync(dev.fd)) {
		err = -errno;
		goto err_io;
	}
	for (int i = 0; i < BLK_CHECK_PLACES; i++) {
		long bad;

		memset(dev.buf, 0, BLK_CHECK_CHUNK);
		err = blockdev_read(&dev, BLK_CHECK_CHUNK, offsets[i]);
		if (err)
			goto err_io;
		bad = blockdev_compare(&dev, BLK_CHECK_CHUNK, seed, offsets[i]);
		if (bad >= 0) {
			blockdev_close(&dev);
			return check_fail(detail, size, "byte %llu read back differs from what was written",
					  (unsigned long long)(offsets[i] + (uint64_t)bad));
		}
	}
	blockdev_close(&dev);
	return check_pass(detail, size, "%d x %d KiB at 0, 1/3, 2/3 and the end of %llu MiB written, read back, equal",
			  BLK_CHECK_PLACES, BLK_CHECK_CHUNK / 1024,
			  (unsigned long long)size_mib);

err_io:
	blockdev_close(&dev);
	return check_fail(detail, size, "I/O on %s: %s", BLOCK_DEVICE, strerror(-err));
}
