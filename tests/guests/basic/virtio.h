/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal virtio driver for the basic guest's checks: the virtio-mmio
 * transport, version 2 only (VIRTIO 1.2 §4.2), and split virtqueues (§2.7)
 * that the driver polls. No interrupts, no indirect descriptors, no event
 * index. The guest runs with the MMU off, so the address of a buffer is the
 * physical address the device is given.
 */
#ifndef BASIC_VIRTIO_H
#define BASIC_VIRTIO_H

#include "basic.h"

/* Device IDs (§5). */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4
#define VIRTIO_ID_VSOCK 19

#define VIRTIO_F_VERSION_1 (1ULL << 32)

/* The largest queue the driver sets up; smaller when the device says so. */
#define VIRTQ_SIZE_MAX 16

struct virtio_device {
	const struct dt_device *node;	/* in board.virtio_mmio */
	uintptr_t base;
	uint32_t device_id;
	uint32_t version;
	uint64_t offered;		/* device features (virtio_start) */
	uint64_t accepted;		/* what the driver took of them */
	char name[48];			/* "virtio-mmio@0xa003e00 (INTID 79)" */
	char error[160];		/* what the last failure was */
};

/* One buffer of a chain. */
struct virtq_buffer {
	void *data;
	uint32_t len;
	bool device_writes;	/* writable ones come after the readable */
};

/* The split virtqueue's rings as the device sees them (§2.7). Laid out for
 * VIRTQ_SIZE_MAX entries; with a smaller queue used_event and avail_event
 * would sit elsewhere, but without VIRTIO_F_EVENT_IDX nobody reads them. */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VIRTQ_SIZE_MAX];
	uint16_t used_event;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[VIRTQ_SIZE_MAX];
	uint16_t avail_event;
};

/* One queue: static, so the rings stay in the guest's image. */
struct virtq {
	volatile struct virtq_desc desc[VIRTQ_SIZE_MAX] __attribute__((aligned(16)));
	volatile struct virtq_avail avail __attribute__((aligned(2)));
	volatile struct virtq_used used __attribute__((aligned(4)));
	/* The driver's own state; nothing here is read back from the rings. */
	unsigned int index;
	uint16_t size;
	uint16_t avail_idx;		/* the next avail.idx to publish */
	uint16_t used_seen;		/* used entries taken so far */
	uint16_t free_head;
	uint16_t free_count;
	uint16_t chains;		/* chains the device holds */
	uint16_t next[VIRTQ_SIZE_MAX];	/* free list, and the order of chains */
	uint16_t chain_length[VIRTQ_SIZE_MAX];	/* by head; 0: not given out */
	uint32_t chain_writable[VIRTQ_SIZE_MAX];	/* bytes, by head */
};

/*
 * Finds the first virtio-mmio node of the DTB whose device has device_id
 * (magic "virt" and DeviceID read, nothing written). False when there is
 * none: dev->error then starts with "no device".
 */
bool virtio_find(uint32_t device_id, struct virtio_device *dev);

/*
 * Resets the device and negotiates: VIRTIO_F_VERSION_1 plus those of
 * `wanted` the device offers; FEATURES_OK is read back. config_size bytes
 * of config space must fit in the node's "reg". NULL or what went wrong.
 */
const char *virtio_start(struct virtio_device *dev, uint64_t wanted,
			 uint32_t config_size);

/* Sets up queue `index` in vq with min(QueueNumMax, VIRTQ_SIZE_MAX) entries
 * (rounded down to a power of 2) and sets QueueReady. NULL or why not. */
const char *virtio_queue_start(struct virtio_device *dev, struct virtq *vq,
			       unsigned int index);

/* Sets DRIVER_OK once the queues are set up. NULL or why not. */
const char *virtio_driver_ok(struct virtio_device *dev);

/* Resets the device, so that it lets go of every buffer it was given; does
 * nothing to a device whose version virtio_start refused. */
void virtio_stop(struct virtio_device *dev);

/* Config space fields of 32 and 64 bits (a 64-bit one as two 32-bit reads,
 * repeated while ConfigGeneration changes). */
uint32_t virtio_config_read32(struct virtio_device *dev, uint32_t offset);
uint64_t virtio_config_read64(struct virtio_device *dev, uint32_t offset);

/* Makes one chain of count buffers available on vq and notifies the
 * device; *head is its first descriptor. NULL or why not. */
const char *virtq_submit(struct virtio_device *dev, struct virtq *vq,
			 const struct virtq_buffer *bufs, unsigned int count,
			 uint16_t *head);

enum virtq_wait_result {
	VIRTQ_USED,		/* *head and *written are set */
	VIRTQ_TIMEOUT,		/* nothing came back before the deadline */
	VIRTQ_BROKEN,		/* what came back is wrong: dev->error */
};

/*
 * Polls vq until the device returns a chain or the counter passes deadline.
 * A returned chain must be one it was given, with no more bytes written
 * than it had room for. Acknowledges InterruptStatus.
 */
enum virtq_wait_result virtq_wait_used(struct virtio_device *dev,
				       struct virtq *vq, uint64_t deadline,
				       uint16_t *head, uint32_t *written);

/* One chain there and back: submits it and waits up to timeout ticks for
 * it, the only chain outstanding on vq. NULL or why not. */
const char *virtq_transfer(struct virtio_device *dev, struct virtq *vq,
			   const struct virtq_buffer *bufs, unsigned int count,
			   uint64_t timeout, uint32_t *written);

/* The device status register, and a bare notification of queue (after a
 * barrier): for the hostile mode, which writes rings by hand. */
uint32_t virtio_status(const struct virtio_device *dev);
void virtio_notify(const struct virtio_device *dev, unsigned int queue);

/* virtio_vsock.c: with basic.vsock-listen=1, serves one line on vsock port
 * 1234 for up to 5 s (checks mode, after the checks). */
void virtio_vsock_listen(void);

/* A virtio-vsock packet header (VIRTIO 1.2 §5.10.6), as device memory:
 * the packed layout makes the compiler use byte accesses. Used by the
 * vsock check (virtio_vsock.c) and the vsock attacks (attacks_net.c). */
struct vsock_hdr {
	uint64_t src_cid;
	uint64_t dst_cid;
	uint32_t src_port;
	uint32_t dst_port;
	uint32_t len;
	uint16_t type;
	uint16_t op;
	uint32_t flags;
	uint32_t buf_alloc;
	uint32_t fwd_cnt;
} __attribute__((packed));

_Static_assert(sizeof(struct vsock_hdr) == 44, "virtio-vsock header is 44 bytes");

#endif
