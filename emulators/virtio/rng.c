/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-rng (VIRTIO 1.2 §5.4): one request queue; every buffer the driver
 * makes available is filled with bytes from Keel's entropy service
 * (keel/entropy.h) and handed back. No features, no config space.
 */
#include <keel/emu.h>
#include <keel/entropy.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <string.h>

#include "device_node.h"
#include "virtio.h"

#define VIRTIO_ID_RNG 4
#define RNG_QUEUE_SIZE 64
/* At most this much of one request is filled, so that one request cannot
 * keep a vCPU in Keel for long; the used length tells the driver. */
#define RNG_REQUEST_MAX KiB(64)
#define RNG_CHUNK 256
/* One notify fills at most this many requests and bytes; the rest waits
 * for the device's work item. */
#define RNG_NOTIFY_REQUESTS 16
#define RNG_NOTIFY_BYTES KiB(64)

struct virtio_rng {
	struct virtio_device *vdev;
	spinlock_t lock;
	struct virtq_request req;        /* the request being served (lock) */
};

/* Lock held. Fills req's writable part; returns the bytes written. */
static uint32_t rng_fill(struct virtqueue *vq, const struct virtq_request *req)
{
	uint8_t chunk[RNG_CHUNK];
	uint64_t want = MIN(req->writable_bytes, RNG_REQUEST_MAX);
	uint64_t done = 0;

	while (done < want) {
		size_t n = (size_t)MIN(want - done, (uint64_t)sizeof(chunk));
		size_t copied;

		entropy_fill(chunk, n);
		copied = virtq_write(vq, req, done, chunk, n);
		done += copied;
		if (copied < n)
			break;
	}
	/* Bytes a guest got must not linger in Keel's memory. */
	memset(chunk, 0, sizeof(chunk));
	__asm__ volatile("" : : "r"(chunk) : "memory");
	return (uint32_t)done;
}

static bool rng_notify(void *state, unsigned int q)
{
	struct virtio_rng *rng = state;
	struct virtqueue *vq = virtio_queue(rng->vdev, 0);
	struct virtq_budget budget = VIRTQ_BUDGET(RNG_NOTIFY_REQUESTS, RNG_NOTIFY_BYTES);
	bool interrupt = false, more = false;
	unsigned long flags;

	if (q != 0 || !vq)
		return false;
	flags = spin_lock_irqsave(&rng->lock);
	for (;;) {
		uint32_t filled;

		if (!virtq_budget_left(&budget)) {
			more = true;
			break;
		}
		/* A broken queue (the transport reports it) stops the loop. */
		if (virtq_pop(vq, &rng->req) <= 0)
			break;
		filled = rng_fill(vq, &rng->req);
		virtq_budget_spend(&budget, filled);
		interrupt |= virtq_push(vq, &rng->req, filled);
	}
	spin_unlock_irqrestore(&rng->lock, flags);
	if (interrupt)
		virtio_interrupt_used(rng->vdev);
	return more;
}

static void rng_config_read(void *state, uint32_t offset, void *buf, uint32_t len)
{
	memset(buf, 0, len);   /* there is no config space */
}

static void rng_device_reset(void *state)
{
}

static const struct virtio_device_ops rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.features = 0,
	.queue_count = 1,
	.queue_max = RNG_QUEUE_SIZE,
	.config_size = 0,
	.config_read = rng_config_read,
	.notify = rng_notify,
	.reset = rng_device_reset,
};

static const struct virtio_node_rules rng_rules = {
	.device = "virtio-rng",
	.backends = BACKEND_BIT(BACKEND_ENTROPY),
	.default_backend = "entropy:",
};

static int rng_validate(const void *fdt, int node, struct guest_device_config *dev,
			char *err, size_t err_len)
{
	struct backend backend;

	return virtio_device_node_check(fdt, node, dev, &rng_rules, &backend, err, err_len);
}

static int rng_create(struct guest *g, const struct guest_device_config *dev,
		      void **state)
{
	struct virtio_rng *rng = kzalloc(sizeof(*rng));

	if (!rng)
		return -KEEL_ENOMEM;
	rng->lock = (spinlock_t)SPINLOCK_INIT;
	rng->vdev = virtio_mmio_create(g, dev, &rng_ops, rng);
	if (!rng->vdev) {
		kfree(rng);
		return -KEEL_ENOMEM;
	}
	*state = rng;
	return 0;
}

static void rng_reset(void *state)
{
	struct virtio_rng *rng = state;

	virtio_mmio_reset(rng->vdev);
}

static void rng_destroy(void *state)
{
	struct virtio_rng *rng = state;

	virtio_mmio_destroy(rng->vdev);
	kfree(rng);
}

EMULATOR_DEFINE(virtio_rng, .name = "virtio-rng", .compatible = "virtio,rng",
		.validate = rng_validate, .create = rng_create, .reset = rng_reset,
		.destroy = rng_destroy, .dt_emit = virtio_mmio_dt_emit);
