/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-console (VIRTIO 1.2 §5.3) with one port: queue 0 receives, queue
 * 1 transmits; no multiport. The host end is a console endpoint of its own
 * (keel/guest_console.h), "hvc0" unless the backend names another, which
 * the shell's `console <guest> hvc0` attaches to: transmitted bytes go to
 * the endpoint, typed input fills receive buffers as they come.
 *
 * Lock order: the device's lock, then the endpoint's.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_console.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <string.h>

#include "device_node.h"
#include "virtio.h"

#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_CONSOLE_F_EMERG_WRITE (1ULL << 2)

#define CONSOLE_QUEUE_RX 0
#define CONSOLE_QUEUE_TX 1
#define CONSOLE_QUEUE_SIZE 128
/* Config space (§5.3.4): le16 cols, le16 rows, le32 max_nr_ports,
 * le32 emerg_wr. Only emerg_wr means something without SIZE/MULTIPORT. */
#define CONSOLE_CONFIG_SIZE 12
#define CONSOLE_CONFIG_EMERG_WR 8
/* Per transmit request at most this much reaches the endpoint, which
 * keeps only its last 16 KiB anyway; the rest is dropped. */
#define CONSOLE_TX_MAX KiB(64)
#define CONSOLE_CHUNK 128
/* One notify serves at most this many requests and bytes of a queue; the
 * rest waits for the device's work item. */
#define CONSOLE_NOTIFY_REQUESTS 16
#define CONSOLE_NOTIFY_BYTES KiB(64)

struct virtio_console {
	struct virtio_device *vdev;
	spinlock_t lock;
	bool endpoint_added;
	struct virtq_request req;        /* the request being served (lock) */
	struct console_endpoint endpoint;
};

/* Lock held. Sends one transmit request's bytes to the endpoint; returns
 * how many. */
static uint64_t console_transmit(struct virtio_console *vc, struct virtqueue *vq,
			     const struct virtq_request *req)
{
	char chunk[CONSOLE_CHUNK];
	uint64_t want = MIN(req->readable_bytes, CONSOLE_TX_MAX);
	uint64_t done = 0;

	while (done < want) {
		size_t n = virtq_read(vq, req, done, chunk,
				      (size_t)MIN(want - done, (uint64_t)sizeof(chunk)));

		if (!n)
			break;
		console_endpoint_output(&vc->endpoint, chunk, n);
		done += n;
	}
	return done;
}

/* Lock held. Fills one receive request from the endpoint's input; returns
 * the bytes written. */
static uint32_t console_receive(struct virtio_console *vc, struct virtqueue *vq,
				const struct virtq_request *req)
{
	char chunk[CONSOLE_CHUNK];
	uint64_t done = 0;

	while (done < req->writable_bytes) {
		size_t want = (size_t)MIN(req->writable_bytes - done, (uint64_t)sizeof(chunk));
		size_t n = console_endpoint_read(&vc->endpoint, chunk, want);

		if (!n)
			break;
		/* The buffer was checked to be guest RAM: all of it fits. */
		done += virtq_write(vq, req, done, chunk, n);
	}
	return (uint32_t)done;
}

/* Lock held. Serves queue q within budget; returns whether the driver
 * wants an interrupt, and in *more whether the budget ran out. */
static bool console_serve(struct virtio_console *vc, unsigned int q, bool *more)
{
	struct virtqueue *vq = virtio_queue(vc->vdev, q);
	struct virtq_budget budget = VIRTQ_BUDGET(CONSOLE_NOTIFY_REQUESTS, CONSOLE_NOTIFY_BYTES);
	bool interrupt = false;

	while (vq) {
		uint64_t moved;

		if (!virtq_budget_left(&budget)) {
			*more = true;
			break;
		}
		/* Receive buffers are taken only when there is input. */
		if (q == CONSOLE_QUEUE_RX && !console_endpoint_input_pending(&vc->endpoint))
			break;
		/* A broken queue (the transport reports it) stops the loop. */
		if (virtq_pop(vq, &vc->req) <= 0)
			break;
		if (q == CONSOLE_QUEUE_RX) {
			moved = console_receive(vc, vq, &vc->req);
			interrupt |= virtq_push(vq, &vc->req, (uint32_t)moved);
		} else {
			moved = console_transmit(vc, vq, &vc->req);
			interrupt |= virtq_push(vq, &vc->req, 0);
		}
		virtq_budget_spend(&budget, moved);
	}
	return interrupt;
}

/* From the transport (DRIVER_OK is set): the driver notified queue q, or
 * the work item continues it (more input, or budget left over). */
static bool console_notify(void *state, unsigned int q)
{
	struct virtio_console *vc = state;
	bool interrupt, more = false;
	unsigned long flags;

	if (q != CONSOLE_QUEUE_RX && q != CONSOLE_QUEUE_TX)
		return false;
	flags = spin_lock_irqsave(&vc->lock);
	interrupt = console_serve(vc, q, &more);
	spin_unlock_irqrestore(&vc->lock, flags);
	if (interrupt)
		virtio_interrupt_used(vc->vdev);
	return more;
}

/* From the endpoint, when input arrived (the shell's CPU): the receive
 * queue is served by the device's work item, never here. */
static void console_input_ready(void *state)
{
	struct virtio_console *vc = state;

	if (vc->vdev)
		virtio_queue_kick(vc->vdev, CONSOLE_QUEUE_RX);
}

static void console_config_read(void *state, uint32_t offset, void *buf, uint32_t len)
{
	/* cols, rows and max_nr_ports mean nothing without their features;
	 * emerg_wr is write-only. */
	memset(buf, 0, len);
}

static void console_config_write(void *state, uint32_t offset, const void *buf,
				 uint32_t len)
{
	struct virtio_console *vc = state;

	/* An emergency write: the low byte of emerg_wr is one character. */
	if (offset == CONSOLE_CONFIG_EMERG_WR && len >= 1)
		console_endpoint_output(&vc->endpoint, buf, 1);
}

static void console_device_reset(void *state)
{
	/* The transport keeps every other path out meanwhile. Nothing of the
	 * device's own outlives the queues; the endpoint keeps its output and
	 * queued input, as a terminal would. */
}

static const struct virtio_device_ops console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.features = VIRTIO_CONSOLE_F_EMERG_WRITE,
	.queue_count = 2,
	.queue_max = CONSOLE_QUEUE_SIZE,
	.config_size = CONSOLE_CONFIG_SIZE,
	.config_read = console_config_read,
	.config_write = console_config_write,
	.notify = console_notify,
	.reset = console_device_reset,
};

static const struct virtio_node_rules console_rules = {
	.device = "virtio-console",
	.backends = BACKEND_BIT(BACKEND_CONSOLE),
	.default_backend = "console:hvc0",
};

static int console_validate(const void *fdt, int node, struct guest_device_config *dev,
			    char *err, size_t err_len)
{
	struct backend backend;

	return virtio_device_node_check(fdt, node, dev, &console_rules, &backend, err,
					err_len);
}

static void console_free(struct guest *g, struct virtio_console *vc)
{
	console_endpoint_set_reader(&vc->endpoint, NULL, NULL);
	if (vc->endpoint_added)
		guest_console_remove(g, &vc->endpoint);
	if (vc->vdev)
		virtio_mmio_destroy(vc->vdev);
	kfree(vc);
}

static int console_create(struct guest *g, const struct guest_device_config *dev,
			  void **state)
{
	struct virtio_console *vc;
	struct backend backend;
	int ret;

	ret = backend_parse(dev->backend[0] ? dev->backend : console_rules.default_backend,
			    &backend, NULL, 0);
	if (ret)
		return ret;   /* validate() refused it already */
	vc = kzalloc(sizeof(*vc));
	if (!vc)
		return -KEEL_ENOMEM;
	vc->lock = (spinlock_t)SPINLOCK_INIT;
	console_endpoint_init(&vc->endpoint, g, backend.name);
	ret = guest_console_add(g, &vc->endpoint);
	if (ret) {
		log_error("guest %s: %s: console \"%s\" %s", g->name, dev->name, backend.name,
			  ret == -KEEL_EEXIST ?
			  "is taken by another device; give this one its own with backend = \"console:<name>\"" :
			  "is one too many for a guest");
		kfree(vc);
		return ret;
	}
	vc->endpoint_added = true;
	vc->vdev = virtio_mmio_create(g, dev, &console_ops, vc);
	if (!vc->vdev) {
		console_free(g, vc);
		return -KEEL_ENOMEM;
	}
	console_endpoint_set_reader(&vc->endpoint, console_input_ready, vc);
	*state = vc;
	return 0;
}

static void console_reset(void *state)
{
	struct virtio_console *vc = state;

	virtio_mmio_reset(vc->vdev);
}

static void console_destroy(void *state)
{
	struct virtio_console *vc = state;

	console_free(vc->endpoint.guest, vc);
}

EMULATOR_DEFINE(virtio_console, .name = "virtio-console", .compatible = "virtio,console",
		.validate = console_validate, .create = console_create,
		.reset = console_reset, .destroy = console_destroy,
		.dt_emit = virtio_mmio_dt_emit);
