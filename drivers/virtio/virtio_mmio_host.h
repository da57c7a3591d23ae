/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host virtio-mmio (version 2) transport: Keel as the *driver* of a
 * virtio device of the machine it runs on (VIRTIO 1.2 §4.2). One split
 * queue per device, requests served one at a time and waited for by
 * polling, which is what Keel's users of host devices need: a request is
 * made on behalf of a guest's request, with the guest's device lock held.
 *
 * The transport's host driver walks every enabled "virtio,mmio" node of
 * the host device tree in the tree's order, skips empty slots (DeviceID 0)
 * and legacy (version 1) transports, and hands each device to the device
 * driver for its DeviceID (virtio_blk_host.c for block devices).
 */
#ifndef KEEL_DRIVERS_VIRTIO_MMIO_HOST_H
#define KEEL_DRIVERS_VIRTIO_MMIO_HOST_H

#include <keel/types.h>

#define VIRTIO_HOST_ID_BLOCK 2
#define VIRTIO_HOST_F_VERSION_1 (1ULL << 32)

/* Requests wait this long for the device before it is declared broken. */
#define VIRTIO_HOST_TIMEOUT_NS (5ULL * 1000000000ULL)

struct virtq_host_desc;
struct virtq_host_avail;
struct virtq_host_used;

struct virtio_mmio_host {
	volatile uint32_t *regs;
	hpa_t base;
	uint32_t device_id;
	uint64_t features;          /* negotiated */
	char where[32];             /* "virtio-mmio@0xa003e00" */
	/* Queue 0, in one zeroed page. */
	void *queue_page;
	uint16_t queue_size;
	struct virtq_host_desc *desc;
	struct virtq_host_avail *avail;
	struct virtq_host_used *used;
	uint16_t avail_idx;
	uint16_t used_idx;
	bool broken;                /* a request timed out: no more requests */
};

/* One buffer of a request: Keel memory, device-readable or -writable. */
struct virtio_host_buffer {
	const void *addr;
	uint32_t len;
	bool device_writes;
};

/* A device driver for one DeviceID: probe() takes over dev (kept for the
 * device's lifetime) and returns 0, or fails and the device is reset. */
struct virtio_host_device_driver {
	const char *name;
	uint32_t device_id;
	int (*probe)(struct virtio_mmio_host *dev);
};

/* Resets the device, negotiates VIRTIO_F_VERSION_1 plus what it offers
 * of wanted, sets up queue 0 and sets DRIVER_OK. */
int virtio_mmio_host_start(struct virtio_mmio_host *dev, uint64_t wanted);
/* Writing 0 to Status: the device forgets its queue and stops. */
void virtio_mmio_host_reset(struct virtio_mmio_host *dev);
/* Device-specific configuration space, read with a stable generation. */
uint32_t virtio_mmio_host_config_read32(struct virtio_mmio_host *dev, uint32_t offset);
uint64_t virtio_mmio_host_config_read64(struct virtio_mmio_host *dev, uint32_t offset);
void virtio_mmio_host_config_read_bytes(struct virtio_mmio_host *dev, uint32_t offset,
					void *buf, size_t len);
/*
 * Puts one chain of count buffers on queue 0, notifies the device and
 * polls until it comes back; *used_len is what the device says it wrote.
 * The caller serialises requests on one device. -KEEL_ETIMEDOUT (and the
 * device is reset and marked broken) when it does not come back in time.
 */
int virtio_mmio_host_transfer(struct virtio_mmio_host *dev,
			      const struct virtio_host_buffer *buffers,
			      unsigned int count, uint32_t *used_len);

/* Block devices (virtio_blk_host.c). */
int virtio_blk_host_probe(struct virtio_mmio_host *dev);

#endif
