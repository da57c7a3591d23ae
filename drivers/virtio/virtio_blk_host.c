/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host virtio-blk driver (VIRTIO 1.2 §5.2): the machine's virtio disks as
 * Keel host disks (keel/hostdisk.h), for the hostdisk: backend.
 *
 * Names: vda, vdb, ... in probe order, which is the order of the
 * "virtio,mmio" nodes in the host device tree (QEMU's virt machine lists
 * its transports by address, and a -device lands in a transport chosen by
 * QEMU, not by the command line's order). So a name alone does not say
 * which disk is which: each disk is logged with its size and serial
 * (QEMU's -device virtio-blk-device,serial=..., read with GET_ID), and
 * `disk list` shows both, so U-Boot's boot disk (no serial from
 * tools/run) stays distinguishable from data disks (serial keel-dataN).
 */
#include <keel/errno.h>
#include <keel/hostdisk.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <lib/format.h>
#include <string.h>

#include "virtio_mmio_host.h"

#define VIRTIO_BLK_F_RO (1ULL << 5)
#define VIRTIO_BLK_F_FLUSH (1ULL << 9)

#define VIRTIO_BLK_T_IN 0u
#define VIRTIO_BLK_T_OUT 1u
#define VIRTIO_BLK_T_FLUSH 4u
#define VIRTIO_BLK_T_GET_ID 8u

#define VIRTIO_BLK_S_OK 0u
#define VIRTIO_BLK_S_UNSUPP 2u

#define BLK_CONFIG_CAPACITY 0u
#define BLK_STATUS_UNSET 0xffu
#define BLK_NAMES ('z' - 'a' + 1)

struct blk_host_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct blk_host {
	struct hostdisk disk;
	struct virtio_mmio_host *dev;
	bool read_only;
	/* The device reads and writes these (Keel memory, 1:1 mapped). */
	struct blk_host_header header __attribute__((aligned(16)));
	uint8_t status __attribute__((aligned(16)));
	char id[HOSTDISK_SERIAL_MAX] __attribute__((aligned(16)));
};

static unsigned int blk_host_count;

/* Disk lock held (or probe time). One request: header, data, status. */
static int blk_host_request(struct blk_host *b, uint32_t type, uint64_t sector,
			    const void *data, uint32_t len, bool device_writes)
{
	struct virtio_host_buffer buffers[3];
	unsigned int n = 0;
	uint32_t used;
	int err;

	b->header.type = type;
	b->header.reserved = 0;
	b->header.sector = sector;
	b->status = BLK_STATUS_UNSET;
	buffers[n++] = (struct virtio_host_buffer){ &b->header, sizeof(b->header), false };
	if (len)
		buffers[n++] = (struct virtio_host_buffer){ data, len, device_writes };
	buffers[n++] = (struct virtio_host_buffer){ &b->status, 1, true };
	err = virtio_mmio_host_transfer(b->dev, buffers, n, &used);
	if (err)
		return err;
	if (READ_ONCE(b->status) == VIRTIO_BLK_S_UNSUPP)
		return -KEEL_ENOTSUP;
	return READ_ONCE(b->status) == VIRTIO_BLK_S_OK ? 0 : -KEEL_EIO;
}

/* Requests larger than this are split (QEMU takes more, but a bounded
 * request keeps the time a disk lock is held bounded too). */
#define BLK_HOST_MAX_SECTORS 256u

static int blk_host_rw(struct hostdisk *disk, uint64_t sector, void *buf, size_t count,
		       bool write)
{
	struct blk_host *b = disk->driver_data;

	if (write && b->read_only)
		return -KEEL_EPERM;
	while (count) {
		size_t n = count < BLK_HOST_MAX_SECTORS ? count : BLK_HOST_MAX_SECTORS;
		int err = blk_host_request(b, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
					   sector, buf, (uint32_t)(n * HOSTDISK_SECTOR_SIZE),
					   !write);

		if (err) {
			log_error("%s: %s of %zu sectors at sector %llu failed: %s", disk->name,
				  write ? "write" : "read", n, (unsigned long long)sector,
				  keel_strerror(err));
			return err;
		}
		sector += n;
		count -= n;
		buf = (uint8_t *)buf + n * HOSTDISK_SECTOR_SIZE;
	}
	return 0;
}

static int blk_host_read(struct hostdisk *disk, uint64_t sector, void *buf, size_t count)
{
	return blk_host_rw(disk, sector, buf, count, false);
}

static int blk_host_write(struct hostdisk *disk, uint64_t sector, const void *buf,
			  size_t count)
{
	return blk_host_rw(disk, sector, (void *)(uintptr_t)buf, count, true);
}

static int blk_host_flush(struct hostdisk *disk)
{
	struct blk_host *b = disk->driver_data;

	/* Without VIRTIO_BLK_F_FLUSH the device writes through (§5.2.6.2). */
	if (!(b->dev->features & VIRTIO_BLK_F_FLUSH))
		return 0;
	return blk_host_request(b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, false);
}

static const struct hostdisk_ops blk_host_ops = {
	.read = blk_host_read,
	.write = blk_host_write,
	.flush = blk_host_flush,
};

/* The serial from GET_ID: up to 20 bytes, NUL-padded; printable only. */
static void blk_host_read_serial(struct blk_host *b)
{
	char *serial = b->disk.serial;
	size_t n = 0;

	memset(b->id, 0, sizeof(b->id));
	if (blk_host_request(b, VIRTIO_BLK_T_GET_ID, 0, b->id, sizeof(b->id), true))
		return;
	for (size_t i = 0; i < sizeof(b->id) && b->id[i]; i++)
		serial[n++] = b->id[i] >= 0x20 && b->id[i] < 0x7f ? b->id[i] : '?';
	serial[n] = '\0';
}

int virtio_blk_host_probe(struct virtio_mmio_host *dev)
{
	struct blk_host *b;
	uint64_t bytes;
	int err;

	if (blk_host_count >= BLK_NAMES) {
		log_warn("virtio-blk: %s: more than %d host disks; this one is not used",
			 dev->where, BLK_NAMES);
		return -KEEL_ENOSPC;
	}
	b = kzalloc(sizeof(*b));
	if (!b)
		return -KEEL_ENOMEM;
	b->dev = dev;
	err = virtio_mmio_host_start(dev, VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_RO);
	if (err)
		goto err_free;
	b->read_only = dev->features & VIRTIO_BLK_F_RO;
	fmt_snprintf(b->disk.name, sizeof(b->disk.name), "vd%c", 'a' + blk_host_count);
	fmt_snprintf(b->disk.where, sizeof(b->disk.where), "%s", dev->where);
	b->disk.sectors = virtio_mmio_host_config_read64(dev, BLK_CONFIG_CAPACITY);
	b->disk.ops = &blk_host_ops;
	b->disk.driver_data = b;
	blk_host_read_serial(b);
	err = hostdisk_register(&b->disk);
	if (err)
		goto err_free;
	blk_host_count++;
	bytes = hostdisk_capacity(&b->disk);
	log_info("%s: %s, %llu sectors (%llu MiB%s), %s%s%s%s%s", b->disk.name,
		 dev->where, (unsigned long long)b->disk.sectors,
		 (unsigned long long)(bytes >> 20),
		 bytes % (1 << 20) ? " and a part" : "",
		 b->disk.serial[0] ? "serial \"" : "no serial",
		 b->disk.serial, b->disk.serial[0] ? "\"" : "",
		 b->read_only ? ", read-only" : "",
		 dev->features & VIRTIO_BLK_F_FLUSH ? ", write cache (flushed on FLUSH)" : "");
	return 0;

err_free:
	kfree(b);
	return err;
}
