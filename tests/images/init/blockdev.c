/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /dev/vda opened with O_DIRECT, so that every read and write goes through
 * the virtio-blk queue instead of being served from the page cache: a read
 * after a write then proves the device kept the data. O_DIRECT wants
 * page-aligned buffers and sizes and offsets in whole sectors.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "init.h"

#define BLOCKDEV_ALIGN 4096

int blockdev_open(struct blockdev *dev, size_t buf_size)
{
	int err;

	memset(dev, 0, sizeof(*dev));
	dev->fd = open(BLOCK_DEVICE, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (dev->fd < 0)
		return -errno;
	if (ioctl(dev->fd, BLKGETSIZE64, &dev->size)) {
		err = -errno;
		goto err_close;
	}
	err = -posix_memalign(&dev->buf, BLOCKDEV_ALIGN, buf_size);
	if (err)
		goto err_close;
	dev->buf_size = buf_size;
	return 0;

err_close:
	close(dev->fd);
	dev->fd = -1;
	return err;
}

void blockdev_close(struct blockdev *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	free(dev->buf);
	dev->fd = -1;
	dev->buf = NULL;
}

/* A word that depends on the seed and on its byte offset on the disk. */
static uint64_t blockdev_pattern_word(uint64_t seed, uint64_t offset)
{
	uint64_t x = seed ^ (offset * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

void blockdev_fill(struct blockdev *dev, size_t len, uint64_t seed, uint64_t offset)
{
	uint64_t *words = dev->buf;

	for (size_t i = 0; i < len / 8; i++)
		words[i] = blockdev_pattern_word(seed, offset + i * 8);
}

long blockdev_compare(const struct blockdev *dev, size_t len, uint64_t seed,
		      uint64_t offset)
{
	const uint64_t *words = dev->buf;

	for (size_t i = 0; i < len / 8; i++) {
		uint64_t want = blockdev_pattern_word(seed, offset + i * 8);

		if (words[i] != want) {
			const unsigned char *got = (const unsigned char *)&words[i];
			const unsigned char *exp = (const unsigned char *)&want;
			size_t byte = 0;

			while (got[byte] == exp[byte])
				byte++;
			return (long)(i * 8 + byte);
		}
	}
	return -1;
}

int blockdev_write(struct blockdev *dev, size_t len, uint64_t offset)
{
	ssize_t n = pwrite(dev->fd, dev->buf, len, (off_t)offset);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int blockdev_read(struct blockdev *dev, size_t len, uint64_t offset)
{
	ssize_t n = pread(dev->fd, dev->buf, len, (off_t)offset);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}
