/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host virtio-mmio transport, version 2 (VIRTIO 1.2 §4.2.2): brings a
 * device up (§3.1.1), one split queue (§2.7) in a page of Keel memory,
 * one request chain at a time, completion found by polling the used ring
 * (the device is told not to interrupt: VIRTQ_AVAIL_F_NO_INTERRUPT).
 *
 * Devices are probed in the order of their "virtio,mmio" nodes in the host
 * device tree. A device the boot loader used (U-Boot reads its boot disk
 * through virtio) is reset before anything else is written to it.
 */
#include <keel/devtree.h>
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/time.h>
#include <lib/format.h>
#include <libfdt.h>
#include <string.h>
#include <virtio/virtio_mmio_regs.h>
#include <arch/io.h>

#include "virtio_mmio_host.h"

#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER 2u
#define STATUS_DRIVER_OK 4u
#define STATUS_FEATURES_OK 8u
#define STATUS_FAILED 128u

#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

/* One request in flight at a time: a short queue is plenty. */
#define HOST_QUEUE_SIZE 16u
#define HOST_RESET_WAIT_US 100000u

struct virtq_host_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_host_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[HOST_QUEUE_SIZE];
};

struct virtq_host_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_host_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_host_used_elem ring[HOST_QUEUE_SIZE];
};

/* Where the parts of the queue go in its page (§2.7: alignments 16, 2, 4). */
#define QUEUE_DESC_OFFSET 0u
#define QUEUE_AVAIL_OFFSET (HOST_QUEUE_SIZE * 16u)
#define QUEUE_USED_OFFSET 1024u

_Static_assert(QUEUE_AVAIL_OFFSET + sizeof(struct virtq_host_avail) <= QUEUE_USED_OFFSET,
	       "avail ring overlaps the used ring");
_Static_assert(QUEUE_USED_OFFSET + sizeof(struct virtq_host_used) <= PAGE_SIZE,
	       "queue does not fit its page");

static const struct virtio_host_device_driver virtio_host_device_drivers[] = {
#ifdef CONFIG_VIRTIO_BLK_HOST
	{ .name = "virtio-blk", .device_id = VIRTIO_HOST_ID_BLOCK,
	  .probe = virtio_blk_host_probe },
#endif
	{ .name = NULL },
};

static uint32_t virtio_host_read(struct virtio_mmio_host *dev, uint32_t reg)
{
	return io_read32(&dev->regs[reg / 4]);
}

static void virtio_host_write(struct virtio_mmio_host *dev, uint32_t reg, uint32_t value)
{
	io_write32(&dev->regs[reg / 4], value);
}

static void virtio_host_write64(struct virtio_mmio_host *dev, uint32_t low_reg, uint64_t value)
{
	virtio_host_write(dev, low_reg, (uint32_t)value);
	virtio_host_write(dev, low_reg + 4, (uint32_t)(value >> 32));
}

/* Orders our queue writes before the device may see the next step, and
 * the device's used ring after we saw its index move: the device is
 * another observer, reached through memory and its registers alike. */
static void virtio_host_barrier(void)
{
	io_mb();
}

void virtio_mmio_host_reset(struct virtio_mmio_host *dev)
{
	uint64_t deadline = time_now_ns() + HOST_RESET_WAIT_US * NSEC_PER_USEC;

	virtio_host_write(dev, VIRTIO_MMIO_STATUS, 0);
	/* §4.2.2.1: the driver waits for Status to read 0 after a reset. */
	while (virtio_host_read(dev, VIRTIO_MMIO_STATUS) != 0 && time_now_ns() < deadline)
		;
	virtio_host_write(dev, VIRTIO_MMIO_INTERRUPT_ACK, virtio_host_read(dev, VIRTIO_MMIO_INTERRUPT_STATUS));
}

static void virtio_host_set_status(struct virtio_mmio_host *dev, uint32_t bits)
{
	virtio_host_write(dev, VIRTIO_MMIO_STATUS, virtio_host_read(dev, VIRTIO_MMIO_STATUS) | bits);
}

static int virtio_host_fail(struct virtio_mmio_host *dev, int err, const char *why)
{
	log_error("virtio: %s: %s", dev->where, why);
	virtio_host_set_status(dev, STATUS_FAILED);
	return err;
}

static int virtio_host_queue_setup(struct virtio_mmio_host *dev)
{
	uint8_t *page = dev->queue_page;
	uint32_t max;

	virtio_host_write(dev, VIRTIO_MMIO_QUEUE_SEL, 0);
	if (virtio_host_read(dev, VIRTIO_MMIO_QUEUE_READY))
		return virtio_host_fail(dev, -KEEL_EIO, "queue 0 is still live after a reset");
	max = virtio_host_read(dev, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max == 0)
		return virtio_host_fail(dev, -KEEL_EIO, "queue 0 does not exist");
	/* A split queue's size is a power of 2 (§2.7); the device's maximum
	 * need not be, so take the largest power of 2 that fits both. */
	dev->queue_size = HOST_QUEUE_SIZE;
	while (dev->queue_size > max)
		dev->queue_size /= 2;
	memset(page, 0, PAGE_SIZE);
	dev->desc = (struct virtq_host_desc *)(page + QUEUE_DESC_OFFSET);
	dev->avail = (struct virtq_host_avail *)(page + QUEUE_AVAIL_OFFSET);
	dev->used = (struct virtq_host_used *)(page + QUEUE_USED_OFFSET);
	dev->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	dev->avail_idx = 0;
	dev->used_idx = 0;
	virtio_host_write(dev, VIRTIO_MMIO_QUEUE_NUM, dev->queue_size);
	virtio_host_write64(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, ptr_to_hpa(dev->desc));
	virtio_host_write64(dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, ptr_to_hpa(dev->avail));
	virtio_host_write64(dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, ptr_to_hpa(dev->used));
	virtio_host_barrier();
	virtio_host_write(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

int virtio_mmio_host_start(struct virtio_mmio_host *dev, uint64_t wanted)
{
	uint64_t offered;
	int err;

	virtio_mmio_host_reset(dev);
	virtio_host_set_status(dev, STATUS_ACKNOWLEDGE);
	virtio_host_set_status(dev, STATUS_DRIVER);
	virtio_host_write(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered = virtio_host_read(dev, VIRTIO_MMIO_DEVICE_FEATURES);
	virtio_host_write(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)virtio_host_read(dev, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	if (!(offered & VIRTIO_HOST_F_VERSION_1))
		return virtio_host_fail(dev, -KEEL_ENOTSUP, "device does not offer VIRTIO_F_VERSION_1");
	dev->features = offered & (wanted | VIRTIO_HOST_F_VERSION_1);
	virtio_host_write(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	virtio_host_write(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)dev->features);
	virtio_host_write(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	virtio_host_write(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(dev->features >> 32));
	virtio_host_set_status(dev, STATUS_FEATURES_OK);
	if (!(virtio_host_read(dev, VIRTIO_MMIO_STATUS) & STATUS_FEATURES_OK))
		return virtio_host_fail(dev, -KEEL_ENOTSUP, "device refused our features (FEATURES_OK)");
	if (!dev->queue_page) {
		dev->queue_page = page_zalloc(0);
		if (!dev->queue_page)
			return virtio_host_fail(dev, -KEEL_ENOMEM, "no memory for the queue");
	}
	err = virtio_host_queue_setup(dev);
	if (err)
		return err;
	virtio_host_set_status(dev, STATUS_DRIVER_OK);
	dev->broken = false;
	return 0;
}

/* The config generation before and after must match (§4.2.2.3). */
void virtio_mmio_host_config_read_bytes(struct virtio_mmio_host *dev, uint32_t offset,
					void *buf, size_t len)
{
	const volatile uint8_t *config = (const volatile uint8_t *)dev->regs + VIRTIO_MMIO_CONFIG;
	uint32_t before;

	do {
		before = virtio_host_read(dev, VIRTIO_MMIO_CONFIG_GENERATION);
		for (size_t i = 0; i < len; i++)
			((uint8_t *)buf)[i] = config[offset + i];
	} while (virtio_host_read(dev, VIRTIO_MMIO_CONFIG_GENERATION) != before);
}

uint32_t virtio_mmio_host_config_read32(struct virtio_mmio_host *dev, uint32_t offset)
{
	uint8_t b[4];

	virtio_mmio_host_config_read_bytes(dev, offset, b, sizeof(b));
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

uint64_t virtio_mmio_host_config_read64(struct virtio_mmio_host *dev, uint32_t offset)
{
	uint8_t b[8];
	uint64_t value = 0;

	virtio_mmio_host_config_read_bytes(dev, offset, b, sizeof(b));
	for (unsigned int i = 0; i < 8; i++)
		value |= (uint64_t)b[i] << (8 * i);
	return value;
}

int virtio_mmio_host_transfer(struct virtio_mmio_host *dev,
			      const struct virtio_host_buffer *buffers,
			      unsigned int count, uint32_t *used_len)
{
	uint16_t slot = dev->avail_idx % dev->queue_size;
	uint64_t deadline;
	uint16_t head = 0;

	if (dev->broken)
		return -KEEL_EIO;
	if (!count || count > dev->queue_size)
		return -KEEL_EINVAL;
	/* One chain at a time: descriptors 0..count-1 are always free. */
	for (unsigned int i = 0; i < count; i++) {
		struct virtq_host_desc *d = &dev->desc[i];

		d->addr = ptr_to_hpa(buffers[i].addr);
		d->len = buffers[i].len;
		d->flags = (uint16_t)((buffers[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
				      (i + 1 < count ? VIRTQ_DESC_F_NEXT : 0));
		d->next = (uint16_t)(i + 1 < count ? i + 1 : 0);
	}
	dev->avail->ring[slot] = head;
	virtio_host_barrier();
	dev->avail_idx++;
	WRITE_ONCE(dev->avail->idx, dev->avail_idx);
	virtio_host_barrier();
	virtio_host_write(dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);

	deadline = time_now_ns() + VIRTIO_HOST_TIMEOUT_NS;
	while (READ_ONCE(dev->used->idx) == dev->used_idx) {
		if (time_now_ns() > deadline) {
			/* The device may still own our buffers: make it let go. */
			virtio_mmio_host_reset(dev);
			dev->broken = true;
			log_error("virtio: %s: request not completed within %llu s; device reset and disabled",
				  dev->where,
				  (unsigned long long)(VIRTIO_HOST_TIMEOUT_NS / NSEC_PER_SEC));
			return -KEEL_ETIMEDOUT;
		}
	}
	virtio_host_barrier();
	*used_len = dev->used->ring[dev->used_idx % dev->queue_size].len;
	dev->used_idx++;
	/* Interrupts are suppressed, but a device may still raise one. */
	virtio_host_write(dev, VIRTIO_MMIO_INTERRUPT_ACK, virtio_host_read(dev, VIRTIO_MMIO_INTERRUPT_STATUS));
	return 0;
}

static const struct virtio_host_device_driver *virtio_host_driver_for(uint32_t device_id)
{
	for (const struct virtio_host_device_driver *d = virtio_host_device_drivers; d->name; d++)
		if (d->device_id == device_id)
			return d;
	return NULL;
}

/* Looks at one node; a device with a driver is probed. */
static void virtio_host_probe_node(const void *fdt, int node)
{
	const struct virtio_host_device_driver *drv;
	struct virtio_mmio_host *dev;
	uint64_t base, size;
	volatile uint32_t *regs;
	uint32_t version, id;
	int err;

	if (devtree_read_reg(fdt, node, 0, &base, &size) || size < 0x200)
		return;
	regs = hpa_to_ptr(base);
	if (io_read32(&regs[VIRTIO_MMIO_MAGIC_VALUE / 4]) != VIRTIO_MMIO_MAGIC)
		return;
	id = io_read32(&regs[VIRTIO_MMIO_DEVICE_ID / 4]);
	if (id == 0)
		return;   /* an empty slot */
	drv = virtio_host_driver_for(id);
	if (!drv)
		return;
	version = io_read32(&regs[VIRTIO_MMIO_VERSION / 4]);
	if (version != 2) {
		log_warn("virtio: virtio-mmio@0x%llx: %s device on a legacy (version %u) transport skipped; QEMU needs -global virtio-mmio.force-legacy=false",
			 (unsigned long long)base, drv->name, version);
		return;
	}
	dev = kzalloc(sizeof(*dev));
	if (!dev)
		return;
	dev->regs = regs;
	dev->base = base;
	dev->device_id = id;
	fmt_snprintf(dev->where, sizeof(dev->where), "virtio-mmio@0x%llx",
		     (unsigned long long)base);
	err = drv->probe(dev);
	if (err) {
		log_error("virtio: %s: %s: %s", dev->where, drv->name, keel_strerror(err));
		virtio_mmio_host_reset(dev);
		if (dev->queue_page)
			page_free(dev->queue_page, 0);
		kfree(dev);
	}
}

/* The driver core probes the first matching node; the transports are one
 * bus, so every enabled "virtio,mmio" node is walked from here, in the
 * order of the device tree. */
static int virtio_host_probe(const void *fdt, int first)
{
	for (int node = first; node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
		if (devtree_node_enabled(fdt, node))
			virtio_host_probe_node(fdt, node);
	}
	return 0;
}

static const char *const virtio_host_compatible[] = { "virtio,mmio", NULL };

HOST_DRIVER(virtio_mmio_host, .name = "virtio-mmio", .class = DRIVER_CLASS_VIRTIO,
	    .compatible = virtio_host_compatible, .probe = virtio_host_probe);
