/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-blk (VIRTIO 1.2 §5.2): one request queue, 512-byte sectors,
 * FLUSH, BLK_SIZE and SEG_MAX; requests IN, OUT, FLUSH and GET_ID,
 * anything else UNSUPP.
 *
 * The disk is RAM: for ram:<size> zeroed chunks from the page allocator;
 * for file:<path> the image-fs file (read-only, served in place) with a
 * copy-on-write table of 4 KiB blocks copied to RAM on their first write.
 * A guest reset keeps the disk's contents; destroy frees all of it.
 *
 * For hostdisk:<disk>[@offset+length] the disk is a window on a host disk
 * (keel/hostdisk.h): the whole disk, or length bytes from offset. The
 * window is claimed at create, so a second guest asking for an overlapping
 * range of the same disk is refused; requests are checked against the
 * window and served through a bounce buffer in Keel memory, and writes go
 * to the host disk, so they outlive the guest and Keel itself.
 *
 * Every request is checked before it is served: a header of 16 readable
 * bytes, the status byte as the last writable byte, data in the direction
 * and size (a multiple of 512) the type needs, sectors inside the disk. A
 * malformed request fails with IOERR and a rate-limited warning.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/fs.h>
#include <keel/guest.h>
#include <keel/hostdisk.h>
#include <keel/kconfig.h>
#include <keel/log.h>
#include <keel/log_ratelimit.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <lib/format.h>
#include <stdarg.h>
#include <string.h>

#include "blk_cow.h"
#include "device_node.h"
#include "virtio.h"

#define VIRTIO_ID_BLOCK 2
#define VIRTIO_BLK_F_SEG_MAX (1ULL << 2)
#define VIRTIO_BLK_F_BLK_SIZE (1ULL << 6)
#define VIRTIO_BLK_F_FLUSH (1ULL << 9)

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define BLK_SECTOR_SIZE 512u
#define BLK_HEADER_SIZE 16u              /* le32 type, le32 reserved, le64 sector */
#define BLK_ID_BYTES 20u
#define BLK_QUEUE_SIZE 128
/* Buffers besides the header and the status byte. */
#define BLK_SEG_MAX (VIRTQ_MAX_BUFFERS - 2)

/* Config space (§5.2.4) up to blk_size: le64 capacity, le32 size_max,
 * le32 seg_max, geometry (4 bytes), le32 blk_size. */
#define BLK_CONFIG_CAPACITY 0
#define BLK_CONFIG_SEG_MAX 12
#define BLK_CONFIG_BLK_SIZE 20
#define BLK_CONFIG_SIZE 24

#define BLK_RAM_CHUNK_ORDER 8            /* ram: disks in 1 MiB chunks */
#define BLK_RAM_CHUNK_SIZE (PAGE_SIZE << BLK_RAM_CHUNK_ORDER)
#define BLK_COW_BLOCK PAGE_SIZE          /* file: copy-on-write unit */
#define BLK_COW_LEAF_ENTRIES (PAGE_SIZE / sizeof(void *))

#define BLK_BOUNCE_ORDER 4               /* hostdisk: 64 KiB per host request */
#define BLK_BOUNCE_SIZE (PAGE_SIZE << BLK_BOUNCE_ORDER)

/* One notify serves at most this many requests, and stops once this many
 * bytes were moved; the rest waits for the device's work item. A request
 * carries at most BLK_REQUEST_MAX data bytes (more is IOERR: Linux asks
 * for at most seg_max x 64 KiB), so one notify moves at most
 * BLK_NOTIFY_BYTES + BLK_REQUEST_MAX. */
#define BLK_NOTIFY_REQUESTS 32
#define BLK_NOTIFY_BYTES MiB(1)
#define BLK_REQUEST_MAX MiB(4)

#define BLK_WARN_BURST 5                 /* warnings per window, per disk */
#define BLK_WARN_WINDOW_NS (10ULL * 1000000000ULL)

struct blk_disk {
	uint64_t size;                   /* bytes, a multiple of 512 */
	/* ram: */
	void **chunks;
	unsigned int chunk_count;
	unsigned int last_order;         /* the last chunk may be smaller */
	/* file: the file's bytes, and per 4 KiB block a RAM copy or NULL,
	 * as leaf pages of BLK_COW_LEAF_ENTRIES pointers made on demand. */
	const uint8_t *file;
	void ***cow_leaves;
	size_t cow_leaf_count;
	uint64_t cow_blocks;             /* blocks copied so far */
	struct blk_cow_account *cow_account;   /* the guest's, for the limits */
	struct log_ratelimit cow_log;    /* about writes the limits refused */
	/* hostdisk: the window [claim->offset, + size) of a host disk, and
	 * a buffer the host driver can hand to its device. */
	struct hostdisk *host;
	struct hostdisk_claim *claim;
	uint8_t *bounce;
};

struct virtio_blk {
	struct virtio_device *vdev;
	struct guest *guest;
	const struct guest_device_config *dev;
	spinlock_t lock;
	struct blk_disk disk;
	struct virtq_request req;        /* the request being served (lock) */
	/* Warnings about malformed requests (lock). */
	uint64_t warn_window_ns;
	unsigned int warn_count;
	unsigned int warn_suppressed;
};

static const struct virtio_node_rules blk_rules = {
	.device = "virtio-blk",
	.backends = BACKEND_BIT(BACKEND_FILE) | BACKEND_BIT(BACKEND_RAM) |
		    BACKEND_BIT(BACKEND_HOSTDISK),
	.default_backend = NULL,
	.backend_example = "file:/images/disk.img or ram:64M",
};

/* ---- the disk ---- */

static void blk_disk_free(struct blk_disk *d)
{
	for (unsigned int i = 0; d->chunks && i < d->chunk_count; i++) {
		if (d->chunks[i])
			page_free(d->chunks[i], i + 1 == d->chunk_count ? d->last_order :
				  BLK_RAM_CHUNK_ORDER);
	}
	kfree(d->chunks);
	for (size_t i = 0; d->cow_leaves && i < d->cow_leaf_count; i++) {
		void **leaf = d->cow_leaves[i];

		if (!leaf)
			continue;
		for (size_t j = 0; j < BLK_COW_LEAF_ENTRIES; j++) {
			if (leaf[j])
				page_free(leaf[j], 0);
		}
		page_free(leaf, 0);
	}
	kfree(d->cow_leaves);
	if (IS_ENABLED(CONFIG_BACKEND_FILE))
		blk_cow_account_put(d->cow_account, d->cow_blocks, BLK_COW_BLOCK);
	if (IS_ENABLED(CONFIG_BACKEND_HOSTDISK))
		hostdisk_release(d->claim);
	if (d->bounce)
		page_free(d->bounce, BLK_BOUNCE_ORDER);
	memset(d, 0, sizeof(*d));
}

/* The smallest order whose block holds bytes. */
static unsigned int blk_order_for(uint64_t bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static int blk_disk_init_ram(struct blk_disk *d, uint64_t size)
{
	uint64_t count = (size + BLK_RAM_CHUNK_SIZE - 1) / BLK_RAM_CHUNK_SIZE;
	uint64_t last = size - (count - 1) * BLK_RAM_CHUNK_SIZE;

	if (count > UINT32_MAX / sizeof(void *))
		return -KEEL_ENOMEM;
	d->size = size;
	d->chunks = kzalloc((size_t)count * sizeof(void *));
	if (!d->chunks)
		return -KEEL_ENOMEM;
	d->chunk_count = (unsigned int)count;
	d->last_order = blk_order_for(last);
	for (unsigned int i = 0; i < d->chunk_count; i++) {
		d->chunks[i] = page_zalloc(i + 1 == d->chunk_count ? d->last_order :
					   BLK_RAM_CHUNK_ORDER);
		if (!d->chunks[i])
			return -KEEL_ENOMEM;   /* the caller frees the rest */
	}
	return 0;
}

static int blk_disk_init_file(struct blk_disk *d, const struct fs_node *file,
			      struct guest *g)
{
	uint64_t blocks = (file->size + BLK_COW_BLOCK - 1) / BLK_COW_BLOCK;

	if (!IS_ENABLED(CONFIG_BACKEND_FILE))
		return -KEEL_EINVAL;   /* the guest node was refused at load */
	d->cow_account = blk_cow_account_get(g);
	if (!d->cow_account)
		return -KEEL_ENOMEM;
	d->size = file->size;
	d->file = file->data;
	d->cow_leaf_count = (size_t)((blocks + BLK_COW_LEAF_ENTRIES - 1) / BLK_COW_LEAF_ENTRIES);
	d->cow_leaves = kzalloc(MAX(d->cow_leaf_count, (size_t)1) * sizeof(void **));
	return d->cow_leaves ? 0 : -KEEL_ENOMEM;
}

/* Lock held. Logs, rate-limited, a write the copy-on-write limits
 * refused (blk_cow.h). */
static void blk_cow_report(struct blk_disk *d, enum blk_cow_verdict verdict)
{
	const struct virtio_blk *blk = container_of(d, struct virtio_blk, disk);
	uint64_t suppressed;
	char more[48] = "";

	if (!log_ratelimit_allow(&d->cow_log, time_now_ns(), &suppressed))
		return;
	if (suppressed)
		fmt_snprintf(more, sizeof(more), " (%llu more not logged)",
			     (unsigned long long)suppressed);
	log_warn("guest %pE: %pE: copy-on-write limit reached (%llu MiB of copied blocks %s); the write fails with IOERR%s",
		 blk->guest->name, blk->dev->name,
		 (unsigned long long)((verdict == BLK_COW_OVER_GUEST ? BLK_COW_GUEST_MAX :
				       BLK_COW_GLOBAL_MAX) >> 20),
		 verdict == BLK_COW_OVER_GUEST ? "per guest" : "for all guests together", more);
}

/* Lock held. The RAM copy of file block `block`, made when write; NULL
 * when out of memory or over a copy-on-write limit. */
static uint8_t *blk_cow_block(struct blk_disk *d, uint64_t block, bool write)
{
	void ***slot = &d->cow_leaves[block / BLK_COW_LEAF_ENTRIES];
	void **leaf = *slot;
	uint64_t start = block * BLK_COW_BLOCK;
	enum blk_cow_verdict verdict;
	uint8_t *copy;

	if (!IS_ENABLED(CONFIG_BACKEND_FILE))
		return NULL;   /* no file disk exists */
	if (leaf && leaf[block % BLK_COW_LEAF_ENTRIES])
		return leaf[block % BLK_COW_LEAF_ENTRIES];
	if (!write)
		return NULL;
	verdict = blk_cow_charge(d->cow_account, BLK_COW_BLOCK);
	if (verdict != BLK_COW_CHARGED) {
		blk_cow_report(d, verdict);
		return NULL;
	}
	if (!leaf) {
		leaf = page_zalloc(0);
		if (!leaf)
			goto err_uncharge;
		*slot = leaf;
	}
	copy = page_alloc(0);
	if (!copy)
		goto err_uncharge;
	/* The file's last block may be short: the rest is never seen. */
	memcpy(copy, d->file + start, (size_t)MIN(d->size - start, (uint64_t)BLK_COW_BLOCK));
	if (d->size - start < BLK_COW_BLOCK)
		memset(copy + (d->size - start), 0, (size_t)(BLK_COW_BLOCK - (d->size - start)));
	leaf[block % BLK_COW_LEAF_ENTRIES] = copy;
	d->cow_blocks++;
	return copy;

err_uncharge:
	blk_cow_uncharge(d->cow_account, BLK_COW_BLOCK);
	return NULL;
}

/*
 * Lock held. Host memory holding disk bytes [offset, offset + *len),
 * *len shortened to what is contiguous there; for a write, the memory the
 * write may change (a file block is copied first). NULL when out of
 * memory. The range is inside the disk.
 */
static void *blk_disk_map(struct blk_disk *d, uint64_t offset, uint64_t *len, bool write)
{
	uint64_t within;
	uint8_t *copy;

	if (d->chunks) {
		within = offset % BLK_RAM_CHUNK_SIZE;
		*len = MIN(*len, BLK_RAM_CHUNK_SIZE - within);
		return (uint8_t *)d->chunks[offset / BLK_RAM_CHUNK_SIZE] + within;
	}
	within = offset % BLK_COW_BLOCK;
	*len = MIN(*len, BLK_COW_BLOCK - within);
	copy = blk_cow_block(d, offset / BLK_COW_BLOCK, write);
	if (copy)
		return copy + within;
	return write ? NULL : (void *)(uintptr_t)(d->file + offset);
}

/* ---- requests ---- */

static void __printf(2, 3) blk_warn(struct virtio_blk *blk, const char *fmt, ...)
{
	uint64_t now = time_now_ns();
	char message[160];
	va_list ap;

	if (now - blk->warn_window_ns >= BLK_WARN_WINDOW_NS) {
		if (blk->warn_suppressed)
			log_warn("guest %s: %s: warnings about malformed requests suppressed: %u",
				 blk->guest->name, blk->dev->name, blk->warn_suppressed);
		blk->warn_window_ns = now;
		blk->warn_count = 0;
		blk->warn_suppressed = 0;
	}
	if (blk->warn_count >= BLK_WARN_BURST) {
		blk->warn_suppressed++;
		return;
	}
	blk->warn_count++;
	va_start(ap, fmt);
	fmt_vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	log_warn("guest %s: %s: %s", blk->guest->name, blk->dev->name, message);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Lock held. blk_transfer() for a host disk: through the bounce buffer,
 * BLK_BOUNCE_SIZE at a time. -KEEL_EIO when the host disk failed. */
static int blk_transfer_host(struct virtio_blk *blk, struct virtqueue *vq,
			     uint64_t disk_offset, uint64_t req_offset, uint64_t len,
			     bool to_guest)
{
	struct blk_disk *d = &blk->disk;

	if (!IS_ENABLED(CONFIG_BACKEND_HOSTDISK))
		return -KEEL_EIO;   /* no host disk backend exists */
	while (len) {
		uint64_t n = MIN(len, (uint64_t)BLK_BOUNCE_SIZE);
		uint64_t sector = (d->claim->offset + disk_offset) / BLK_SECTOR_SIZE;
		size_t count = (size_t)(n / BLK_SECTOR_SIZE);

		if (to_guest) {
			if (hostdisk_read(d->host, sector, d->bounce, count))
				return -KEEL_EIO;
			if (virtq_write(vq, &blk->req, req_offset, d->bounce, (size_t)n) != n)
				return -KEEL_EFAULT;
		} else {
			if (virtq_read(vq, &blk->req, req_offset, d->bounce, (size_t)n) != n)
				return -KEEL_EFAULT;
			if (hostdisk_write(d->host, sector, d->bounce, count))
				return -KEEL_EIO;
		}
		disk_offset += n;
		req_offset += n;
		len -= n;
	}
	return 0;
}

/* Lock held. Moves len bytes between the disk at disk_offset and the
 * request's data at req_offset (of its writable part when to_guest, else
 * of its readable part). */
static int blk_transfer(struct virtio_blk *blk, struct virtqueue *vq, uint64_t disk_offset,
			uint64_t req_offset, uint64_t len, bool to_guest)
{
	if (blk->disk.host)
		return blk_transfer_host(blk, vq, disk_offset, req_offset, len, to_guest);
	while (len) {
		uint64_t n = len;
		void *mem = blk_disk_map(&blk->disk, disk_offset, &n, !to_guest);
		size_t done;

		if (!mem)
			return -KEEL_ENOMEM;
		if (to_guest)
			done = virtq_write(vq, &blk->req, req_offset, mem, (size_t)n);
		else
			done = virtq_read(vq, &blk->req, req_offset, mem, (size_t)n);
		if (done != n)
			return -KEEL_EFAULT;
		disk_offset += n;
		req_offset += n;
		len -= n;
	}
	return 0;
}

/* Lock held. Checks the sectors of a data request; 0 or an IOERR status. */
static int blk_check_range(struct virtio_blk *blk, const char *what, uint64_t sector,
			   uint64_t bytes)
{
	uint64_t capacity = blk->disk.size / BLK_SECTOR_SIZE;

	if (bytes % BLK_SECTOR_SIZE) {
		blk_warn(blk, "%s of %llu bytes is not a whole number of 512-byte sectors; I/O error",
			 what, (unsigned long long)bytes);
		return VIRTIO_BLK_S_IOERR;
	}
	if (sector > capacity || bytes / BLK_SECTOR_SIZE > capacity - sector) {
		blk_warn(blk, "%llu-sector %s at sector %llu is outside the disk (%llu sectors); I/O error",
			 (unsigned long long)(bytes / BLK_SECTOR_SIZE), what,
			 (unsigned long long)sector, (unsigned long long)capacity);
		return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

/* Lock held. Serves blk->req; returns its status and in *written the data
 * bytes written into its writable part. */
static uint8_t blk_serve(struct virtio_blk *blk, struct virtqueue *vq, uint32_t *written)
{
	const struct virtq_request *req = &blk->req;
	uint8_t header[BLK_HEADER_SIZE], id[BLK_ID_BYTES + 1];
	uint64_t sector, data;
	uint32_t type;
	int status, ret;

	*written = 0;
	if (req->readable_bytes < BLK_HEADER_SIZE ||
	    virtq_read(vq, req, 0, header, sizeof(header)) != sizeof(header)) {
		blk_warn(blk, "request header of %llu bytes, needs %u; I/O error",
			 (unsigned long long)req->readable_bytes, BLK_HEADER_SIZE);
		return VIRTIO_BLK_S_IOERR;
	}
	type = get_le32(header);
	sector = (uint64_t)get_le32(header + 8) | (uint64_t)get_le32(header + 12) << 32;
	/* What each type carries besides the header and the status byte. */
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_GET_ID:
		data = req->writable_bytes - 1;
		if (req->readable_bytes != BLK_HEADER_SIZE)
			goto bad_layout;
		break;
	case VIRTIO_BLK_T_OUT:
	case VIRTIO_BLK_T_FLUSH:
		data = req->readable_bytes - BLK_HEADER_SIZE;
		if (req->writable_bytes != 1 || (type == VIRTIO_BLK_T_FLUSH && data))
			goto bad_layout;
		break;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
	/* Bounded work per request (and the used length fits 32 bits). */
	if (data > BLK_REQUEST_MAX) {
		blk_warn(blk, "request with %llu data bytes is over the %llu Keel serves at once; I/O error",
			 (unsigned long long)data, (unsigned long long)BLK_REQUEST_MAX);
		return VIRTIO_BLK_S_IOERR;
	}

	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		status = blk_check_range(blk, type == VIRTIO_BLK_T_IN ? "read" : "write",
					 sector, data);
		if (status)
			return (uint8_t)status;
		ret = blk_transfer(blk, vq, sector * BLK_SECTOR_SIZE,
				   type == VIRTIO_BLK_T_IN ? 0 : BLK_HEADER_SIZE, data,
				   type == VIRTIO_BLK_T_IN);
		if (ret) {
			blk_warn(blk, "%s at sector %llu failed: %s; I/O error",
				 type == VIRTIO_BLK_T_IN ? "read" : "write",
				 (unsigned long long)sector,
				 ret == -KEEL_ENOMEM ? "no copy-on-write block (out of memory or over its limit)" :
				 ret == -KEEL_EIO ? "the host disk failed" :
				 "a guest buffer could not be copied");
			return VIRTIO_BLK_S_IOERR;
		}
		if (type == VIRTIO_BLK_T_IN)
			*written = (uint32_t)data;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		if (data < BLK_ID_BYTES) {
			blk_warn(blk, "GET_ID with %llu data bytes, needs %u; I/O error",
				 (unsigned long long)data, BLK_ID_BYTES);
			return VIRTIO_BLK_S_IOERR;
		}
		memset(id, 0, sizeof(id));
		fmt_snprintf((char *)id, sizeof(id), "%s-%s", blk->guest->name, blk->dev->name);
		*written = (uint32_t)virtq_write(vq, req, 0, id, BLK_ID_BYTES);
		return VIRTIO_BLK_S_OK;
	default:
		/* FLUSH: a RAM disk caches nothing; a host disk is flushed. */
		if (IS_ENABLED(CONFIG_BACKEND_HOSTDISK) && blk->disk.host &&
		    hostdisk_flush(blk->disk.host)) {
			blk_warn(blk, "flush of host disk %s failed; I/O error",
				 blk->disk.host->name);
			return VIRTIO_BLK_S_IOERR;
		}
		return VIRTIO_BLK_S_OK;
	}

bad_layout:
	blk_warn(blk, "request type %u with %llu readable and %llu writable bytes is malformed; I/O error",
		 type, (unsigned long long)req->readable_bytes,
		 (unsigned long long)req->writable_bytes);
	return VIRTIO_BLK_S_IOERR;
}

static bool blk_notify(void *state, unsigned int q)
{
	struct virtio_blk *blk = state;
	struct virtqueue *vq = virtio_queue(blk->vdev, 0);
	struct virtq_budget budget = VIRTQ_BUDGET(BLK_NOTIFY_REQUESTS, BLK_NOTIFY_BYTES);
	bool interrupt = false, more = false;
	unsigned long flags;

	if (q != 0 || !vq)
		return false;
	flags = spin_lock_irqsave(&blk->lock);
	for (;;) {
		uint32_t written;
		uint8_t status;

		if (!virtq_budget_left(&budget)) {
			more = true;
			break;
		}
		/* A broken queue (the transport reports it) stops the loop. */
		if (virtq_pop(vq, &blk->req) <= 0)
			break;
		virtq_budget_spend(&budget, blk->req.readable_bytes + blk->req.writable_bytes);
		if (!blk->req.writable_bytes) {
			/* Nowhere to say how it went: handed back untouched. */
			blk_warn(blk, "request without a writable status byte dropped");
			interrupt |= virtq_push(vq, &blk->req, 0);
			continue;
		}
		status = blk_serve(blk, vq, &written);
		/* The status byte is the last writable byte. */
		virtq_write(vq, &blk->req, blk->req.writable_bytes - 1, &status, 1);
		interrupt |= virtq_push(vq, &blk->req, written + 1);
	}
	spin_unlock_irqrestore(&blk->lock, flags);
	if (interrupt)
		virtio_interrupt_used(blk->vdev);
	return more;
}

static void blk_config_read(void *state, uint32_t offset, void *buf, uint32_t len)
{
	struct virtio_blk *blk = state;
	uint8_t config[BLK_CONFIG_SIZE] = { 0 };
	uint64_t capacity = blk->disk.size / BLK_SECTOR_SIZE;

	put_le32(config + BLK_CONFIG_CAPACITY, (uint32_t)capacity);
	put_le32(config + BLK_CONFIG_CAPACITY + 4, (uint32_t)(capacity >> 32));
	put_le32(config + BLK_CONFIG_SEG_MAX, BLK_SEG_MAX);
	put_le32(config + BLK_CONFIG_BLK_SIZE, BLK_SECTOR_SIZE);
	memset(buf, 0, len);
	if (offset < sizeof(config))
		memcpy(buf, config + offset, MIN((size_t)len, sizeof(config) - offset));
}

static void blk_device_reset(void *state)
{
	/* A disk is not RAM: its contents outlive the driver and the guest. */
}

static const struct virtio_device_ops blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.features = VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_SEG_MAX,
	.queue_count = 1,
	.queue_max = BLK_QUEUE_SIZE,
	.config_size = BLK_CONFIG_SIZE,
	.config_read = blk_config_read,
	.notify = blk_notify,
	.reset = blk_device_reset,
};

/* ---- the emulator ---- */

static int blk_validate_size(const char *what, uint64_t size, const char *url,
			     char *err, size_t err_len)
{
	if (size % BLK_SECTOR_SIZE) {
		fmt_snprintf(err, err_len,
			     "backend \"%s\": %s %llu bytes is not a multiple of 512 (a disk is made of 512-byte sectors)",
			     url, what, (unsigned long long)size);
		return -KEEL_EINVAL;
	}
	return 0;
}

static int blk_validate(const void *fdt, int node, struct guest_device_config *dev,
			char *err, size_t err_len)
{
	const struct fs_node *file;
	struct backend backend;
	int ret;

	ret = virtio_device_node_check(fdt, node, dev, &blk_rules, &backend, err, err_len);
	if (ret)
		return ret;
	switch (backend.type) {
	case BACKEND_RAM:
		return blk_validate_size("size", backend.size, dev->backend, err, err_len);
	case BACKEND_HOSTDISK:
		ret = blk_validate_size("offset", backend.offset, dev->backend, err, err_len);
		if (!ret)
			ret = blk_validate_size("length", backend.size, dev->backend, err,
						err_len);
		return ret;
	case BACKEND_FILE:
		if (fs_lookup(backend.name, &file) || !file) {
			fmt_snprintf(err, err_len,
				     "backend \"%s\": no such file in the image file system",
				     dev->backend);
			return -KEEL_ENOENT;
		}
		if (file->is_dir || !file->data || !file->size) {
			fmt_snprintf(err, err_len, "backend \"%s\": %s", dev->backend,
				     file->is_dir ? "is a directory" : "is empty");
			return -KEEL_EINVAL;
		}
		return blk_validate_size("file size", file->size, dev->backend, err, err_len);
	default:
		return -KEEL_EINVAL;   /* virtio_device_node_check() refused it */
	}
}

/* Claims the window of the host disk that backend names. */
static int blk_disk_open_host(struct virtio_blk *blk, const struct backend *backend)
{
	struct blk_disk *d = &blk->disk;
	char owner[HOSTDISK_OWNER_MAX], err[160];
	uint64_t offset = 0, length;
	int ret;

	if (!IS_ENABLED(CONFIG_BACKEND_HOSTDISK))
		return -KEEL_EINVAL;   /* the guest node was refused at load */
	d->host = hostdisk_find(backend->name);
	if (!d->host) {
		log_error("guest %s: %s: backend \"%s\": no host disk \"%s\" (`disk list` shows the host's disks)",
			  blk->guest->name, blk->dev->name, blk->dev->backend, backend->name);
		return -KEEL_ENOENT;
	}
	length = hostdisk_capacity(d->host);
	if (backend->has_window) {
		offset = backend->offset;
		length = backend->size;
	}
	fmt_snprintf(owner, sizeof(owner), "guest %s device %s", blk->guest->name,
		     blk->dev->name);
	ret = hostdisk_claim(d->host, offset, length, owner, &d->claim, err, sizeof(err));
	if (ret) {
		log_error("guest %s: %s: backend \"%s\": %s", blk->guest->name, blk->dev->name,
			  blk->dev->backend, ret == -KEEL_ENOMEM ? "out of memory" : err);
		return ret;
	}
	d->bounce = page_alloc(BLK_BOUNCE_ORDER);
	if (!d->bounce)
		return -KEEL_ENOMEM;   /* the caller releases the claim */
	d->size = length;
	return 0;
}

static int blk_disk_open(struct virtio_blk *blk, const struct backend *backend)
{
	const struct fs_node *file;

	switch (backend->type) {
	case BACKEND_RAM:
		return blk_disk_init_ram(&blk->disk, backend->size);
	case BACKEND_FILE:
		/* Checked at load; the image file system does not change. */
		if (fs_lookup(backend->name, &file) || !file || file->is_dir ||
		    !file->data || !file->size || file->size % BLK_SECTOR_SIZE)
			return -KEEL_ENOENT;
		return blk_disk_init_file(&blk->disk, file, blk->guest);
	case BACKEND_HOSTDISK:
		return blk_disk_open_host(blk, backend);
	default:
		return -KEEL_EINVAL;
	}
}

static int blk_create(struct guest *g, const struct guest_device_config *dev,
		      void **state)
{
	struct virtio_blk *blk;
	struct backend backend;
	int ret;

	ret = backend_parse(dev->backend, &backend, NULL, 0);
	if (ret)
		return ret;   /* validate() refused it already */
	blk = kzalloc(sizeof(*blk));
	if (!blk)
		return -KEEL_ENOMEM;
	blk->guest = g;
	blk->dev = dev;
	blk->lock = (spinlock_t)SPINLOCK_INIT;
	ret = blk_disk_open(blk, &backend);
	if (ret)
		goto err_free;
	blk->vdev = virtio_mmio_create(g, dev, &blk_ops, blk);
	if (!blk->vdev) {
		ret = -KEEL_ENOMEM;
		goto err_free;
	}
	*state = blk;
	return 0;

err_free:
	blk_disk_free(&blk->disk);
	kfree(blk);
	return ret;
}

static void blk_reset(void *state)
{
	struct virtio_blk *blk = state;

	virtio_mmio_reset(blk->vdev);
}

static void blk_destroy(void *state)
{
	struct virtio_blk *blk = state;

	virtio_mmio_destroy(blk->vdev);
	blk_disk_free(&blk->disk);
	kfree(blk);
}

EMULATOR_DEFINE(virtio_blk, .name = "virtio-blk", .compatible = "virtio,blk",
		.validate = blk_validate, .create = blk_create, .reset = blk_reset,
		.destroy = blk_destroy, .dt_emit = virtio_mmio_dt_emit);
