/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-vsock (VIRTIO 1.2 §5.10): queue 0 receives, 1 transmits, 2 takes
 * event buffers (Keel never sends events: a guest's CID does not change);
 * config space is the guest's CID (le64), from the node's "guest-cid".
 *
 * Every transmitted packet is checked and copied out of the guest before
 * it is routed (vsock_core.c): a 44-byte header, a payload of exactly
 * hdr.len bytes after it, at most VSOCK_TX_MAX, copied and routed in
 * pieces of VSOCK_PACKET_DATA.
 * Packets for the guest wait in the device's pending ring until the
 * driver gives receive buffers; the device's work item moves them.
 *
 * Bounded work, and no lock shared between guests held across it: a
 * notify takes at most VSOCK_NOTIFY_PACKETS packets (VSOCK_NOTIFY_BYTES)
 * from a queue, the rest is the work item's. Guest RAM (rings, buffers)
 * is read and written only under the device's own lock; vsock_lock (all
 * guests') is taken per packet for constant work: routing a packet that
 * is already in Keel memory, or taking one pending packet out.
 *
 * A sender waits for a receiver with a backlog (vsock_core.h,
 * VSOCK_PENDING_BACKLOG): its transmit queue is not served until the
 * receiver's device has taken enough packets into its guest, which kicks
 * it (vsock_tx_kick), or until the pause's timer ends the wait.
 */
#include <keel/devtree_props.h>
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/time.h>
#include <lib/format.h>
#include <libfdt.h>
#include <string.h>

#include "device_node.h"
#include "virtio.h"
#include "vsock_core.h"

#define VIRTIO_ID_VSOCK 19
#define VSOCK_QUEUE_RX 0
#define VSOCK_QUEUE_TX 1
#define VSOCK_QUEUE_EVENT 2
#define VSOCK_QUEUE_SIZE 128
#define VSOCK_CONFIG_SIZE 8
/* The largest payload of one transmitted packet Keel takes: Linux sends
 * up to 64 KiB in one when its peer's credit allows. It is routed in
 * pieces of at most VSOCK_PACKET_DATA bytes (each an RW packet of its
 * own: a stream keeps no packet boundaries). */
#define VSOCK_TX_MAX KiB(64)
/* What one notify (or work item run) may move through one queue. */
#define VSOCK_NOTIFY_PACKETS 32
#define VSOCK_NOTIFY_BYTES KiB(64)

/* Lock order: lock, then vsock_lock. */
struct virtio_vsock {
	struct vsock_device core;        /* first: vsock_core's view */
	spinlock_t lock;                 /* the queues and what follows */
	/* Ends a transmit pause that lasts VSOCK_PAUSE_MAX_NS (armed under
	 * lock, which serializes its adds; its callback only kicks). */
	struct timer_event pause_timer;
	struct virtq_request req;        /* the transmit request being served */
	struct virtq_request rx_req;     /* the receive buffer being filled */
	struct vsock_hdr hdr;            /* req's header, checked */
	/* req is held across a pause, tx_sent of its payload bytes routed:
	 * the rest goes once the sender may go on. */
	bool tx_held;
	uint32_t tx_sent;
	uint8_t payload[VSOCK_PACKET_DATA];   /* one piece of req's payload */
	uint8_t rx_data[VSOCK_PACKET_DATA];   /* a pending packet's, on its way */
};

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

static void vsock_hdr_decode(const uint8_t *b, struct vsock_hdr *h)
{
	h->src_cid = get_le32(b) | (uint64_t)get_le32(b + 4) << 32;
	h->dst_cid = get_le32(b + 8) | (uint64_t)get_le32(b + 12) << 32;
	h->src_port = get_le32(b + 16);
	h->dst_port = get_le32(b + 20);
	h->len = get_le32(b + 24);
	h->type = (uint16_t)(b[28] | b[29] << 8);
	h->op = (uint16_t)(b[30] | b[31] << 8);
	h->flags = get_le32(b + 32);
	h->buf_alloc = get_le32(b + 36);
	h->fwd_cnt = get_le32(b + 40);
}

static void vsock_hdr_encode(const struct vsock_hdr *h, uint8_t *b)
{
	put_le32(b, (uint32_t)h->src_cid);
	put_le32(b + 4, (uint32_t)(h->src_cid >> 32));
	put_le32(b + 8, (uint32_t)h->dst_cid);
	put_le32(b + 12, (uint32_t)(h->dst_cid >> 32));
	put_le32(b + 16, h->src_port);
	put_le32(b + 20, h->dst_port);
	put_le32(b + 24, h->len);
	b[28] = (uint8_t)h->type;
	b[29] = (uint8_t)(h->type >> 8);
	b[30] = (uint8_t)h->op;
	b[31] = (uint8_t)(h->op >> 8);
	put_le32(b + 32, h->flags);
	put_le32(b + 36, h->buf_alloc);
	put_le32(b + 40, h->fwd_cnt);
}

/* ---- receive ---- */

void vsock_rx_kick(struct vsock_device *d)
{
	if (d->vdev)
		virtio_queue_kick(d->vdev, VSOCK_QUEUE_RX);
}

/* Takes d's first pending packet, at most room bytes of its payload, into
 * *h and vs->rx_data (an RW payload longer than room goes on in the next
 * buffer). False when nothing is pending. */
static bool vsock_rx_take(struct virtio_vsock *vs, uint32_t room, struct vsock_hdr *h)
{
	struct vsock_device *d = &vs->core;
	unsigned long flags = spin_lock_irqsave(&vsock_lock);
	struct vsock_packet *p = vsock_pending_head(d);

	if (p) {
		*h = p->hdr;
		h->len = MIN(p->hdr.len, room);
		memcpy(vs->rx_data, p->data, h->len);
		if (h->len < p->hdr.len) {
			p->hdr.len -= h->len;
			memmove(p->data, p->data + h->len, p->hdr.len);
		} else {
			vsock_pending_pop(d);
		}
	}
	spin_unlock_irqrestore(&vsock_lock, flags);
	return p != NULL;
}

static bool vsock_rx_pending(struct vsock_device *d)
{
	unsigned long flags = spin_lock_irqsave(&vsock_lock);
	bool pending = vsock_pending_head(d) != NULL;

	spin_unlock_irqrestore(&vsock_lock, flags);
	return pending;
}

/* Device lock held. Moves pending packets into receive buffers within
 * budget; returns true when the budget ran out. */
static bool vsock_rx_flush(struct virtio_vsock *vs, struct virtqueue *vq, bool *interrupt)
{
	struct vsock_device *d = &vs->core;
	struct virtq_budget budget = VIRTQ_BUDGET(VSOCK_NOTIFY_PACKETS, VSOCK_NOTIFY_BYTES);
	unsigned long flags;

	for (;;) {
		uint8_t header[VSOCK_HDR_SIZE];
		struct vsock_hdr h;
		uint32_t room;

		if (!virtq_budget_left(&budget))
			return true;
		/* Only this device takes its pending packets (under its lock),
		 * so what is pending now still is after the pop. */
		if (!vsock_rx_pending(d) || virtq_pop(vq, &vs->rx_req) <= 0)
			return false;
		if (vs->rx_req.writable_bytes < VSOCK_HDR_SIZE) {
			flags = spin_lock_irqsave(&vsock_lock);
			vsock_warn(d, "receive buffer of %llu bytes is smaller than a header",
				   (unsigned long long)vs->rx_req.writable_bytes);
			spin_unlock_irqrestore(&vsock_lock, flags);
			*interrupt |= virtq_push(vq, &vs->rx_req, 0);
			virtq_budget_spend(&budget, 0);
			continue;
		}
		room = (uint32_t)MIN(vs->rx_req.writable_bytes - VSOCK_HDR_SIZE,
				     (uint64_t)VSOCK_PACKET_DATA);
		if (!vsock_rx_take(vs, room, &h)) {
			/* Dropped by a reset of the device's connections. */
			*interrupt |= virtq_push(vq, &vs->rx_req, 0);
			return false;
		}
		vsock_hdr_encode(&h, header);
		virtq_write(vq, &vs->rx_req, 0, header, sizeof(header));
		if (h.len)
			virtq_write(vq, &vs->rx_req, VSOCK_HDR_SIZE, vs->rx_data, h.len);
		*interrupt |= virtq_push(vq, &vs->rx_req, VSOCK_HDR_SIZE + h.len);
		virtq_budget_spend(&budget, VSOCK_HDR_SIZE + h.len);
	}
}

/* ---- transmit ---- */

void vsock_tx_kick(struct vsock_device *d)
{
	if (d->vdev)
		virtio_queue_kick(d->vdev, VSOCK_QUEUE_TX);
}

/* A pause that lasted VSOCK_PAUSE_MAX_NS: the transmit queue looks again
 * (vsock_tx_paused() then gives up on the receiver). */
static void vsock_pause_expired(struct timer_event *event, void *arg)
{
	struct virtio_vsock *vs = arg;

	vsock_tx_kick(&vs->core);
}

/* Device lock held. Reads and checks vs->req's header into vs->hdr:
 * false (warned about, the request to be dropped) when it breaks a rule. */
static bool vsock_tx_begin(struct virtio_vsock *vs, struct virtqueue *vq)
{
	const struct virtq_request *req = &vs->req;
	uint8_t header[VSOCK_HDR_SIZE];
	unsigned long flags;
	char why[96] = "";

	if (req->readable_bytes < VSOCK_HDR_SIZE ||
	    virtq_read(vq, req, 0, header, sizeof(header)) != sizeof(header)) {
		fmt_snprintf(why, sizeof(why), "transmitted %llu bytes: shorter than a packet header",
			     (unsigned long long)req->readable_bytes);
	} else {
		vsock_hdr_decode(header, &vs->hdr);
		if (vs->hdr.len != req->readable_bytes - VSOCK_HDR_SIZE)
			fmt_snprintf(why, sizeof(why),
				     "packet says len %u but its buffers hold %llu bytes after the header",
				     vs->hdr.len,
				     (unsigned long long)(req->readable_bytes - VSOCK_HDR_SIZE));
		else if (vs->hdr.len > VSOCK_TX_MAX)
			fmt_snprintf(why, sizeof(why), "packet of %u payload bytes is over %u",
				     vs->hdr.len, (unsigned int)VSOCK_TX_MAX);
	}
	vs->tx_sent = 0;
	if (!why[0])
		return true;
	flags = spin_lock_irqsave(&vsock_lock);
	vsock_warn(&vs->core, "%s; dropped", why);
	spin_unlock_irqrestore(&vsock_lock, flags);
	return false;
}

/* Device lock held. Routes what is left of vs->req, a piece at a time
 * under vsock_lock (each piece copied into Keel memory first). Returns
 * true when it is all gone (or the rest was dropped with its connection);
 * *paused when the receiver has a backlog: the sender is paused (set
 * under vsock_lock with the routing, so a receiver that takes its packets
 * right after sees the pause and kicks the sender). */
static bool vsock_tx_continue(struct virtio_vsock *vs, struct virtqueue *vq, bool *paused)
{
	struct vsock_device *d = &vs->core;
	uint64_t until = time_now_ns() + VSOCK_PAUSE_MAX_NS;
	bool pieces = vs->hdr.op == VSOCK_OP_RW && vs->hdr.len;
	unsigned long flags;

	*paused = false;
	do {
		struct vsock_hdr piece = vs->hdr;
		bool gone = false;

		/* Other packets carry no payload (vsock_route() says so). */
		if (pieces) {
			piece.len = MIN(vs->hdr.len - vs->tx_sent, VSOCK_PACKET_DATA);
			if (virtq_read(vq, &vs->req, VSOCK_HDR_SIZE + vs->tx_sent, vs->payload,
				       piece.len) != piece.len)
				return true;   /* checked by virtq_pop(): cannot happen */
		}
		flags = spin_lock_irqsave(&vsock_lock);
		/* A piece after the first: its connection may have ended. */
		if (vs->tx_sent) {
			const struct vsock_conn *c = vsock_conn_find(d, piece.src_port, piece.dst_cid,
								     piece.dst_port);

			gone = !c || c->state == VSOCK_CONN_RESET;
		}
		if (!gone) {
			vsock_route(d, &piece, vs->payload);
			*paused = vsock_tx_pause(d, piece.dst_cid, until);
		}
		spin_unlock_irqrestore(&vsock_lock, flags);
		if (gone)
			return true;
		vs->tx_sent += piece.len;
	} while (pieces && vs->tx_sent < vs->hdr.len && !*paused);
	if (*paused)
		timer_event_add(&vs->pause_timer, until);
	return !pieces || vs->tx_sent == vs->hdr.len;
}

/* Device lock held: whether the transmit queue waits for a receiver. */
static bool vsock_tx_waits(struct virtio_vsock *vs)
{
	unsigned long flags = spin_lock_irqsave(&vsock_lock);
	bool paused = vsock_tx_paused(&vs->core, time_now_ns());

	spin_unlock_irqrestore(&vsock_lock, flags);
	return paused;
}

/* Device lock held. Transmits within budget; true when it ran out. While
 * a receiver has a backlog the queue is left alone (false: nothing to do
 * now), a request that was on its way held: that receiver's taking its
 * packets kicks the queue again, or the pause's timer does. */
static bool vsock_tx_serve(struct virtio_vsock *vs, struct virtqueue *vq, bool *interrupt)
{
	struct virtq_budget budget = VIRTQ_BUDGET(VSOCK_NOTIFY_PACKETS, VSOCK_NOTIFY_BYTES);

	for (;;) {
		bool paused = false, done = true;

		if (!virtq_budget_left(&budget))
			return true;
		if (vsock_tx_waits(vs))
			return false;
		if (!vs->tx_held) {
			/* A broken queue (the transport reports it) stops the loop. */
			if (virtq_pop(vq, &vs->req) <= 0)
				return false;
			virtq_budget_spend(&budget, vs->req.readable_bytes);
			if (vsock_tx_begin(vs, vq))
				done = vsock_tx_continue(vs, vq, &paused);
		} else {
			done = vsock_tx_continue(vs, vq, &paused);
			virtq_budget_spend(&budget, 0);
		}
		vs->tx_held = !done;
		if (done)
			*interrupt |= virtq_push(vq, &vs->req, 0);
		if (paused)
			return false;
	}
}

static bool vsock_notify(void *state, unsigned int q)
{
	struct virtio_vsock *vs = state;
	struct vsock_device *d = &vs->core;
	struct virtqueue *vq = virtio_queue(d->vdev, q);
	bool interrupt = false, more = false;
	unsigned long flags;

	if (q != VSOCK_QUEUE_TX && q != VSOCK_QUEUE_RX)
		return false;   /* event buffers wait: Keel sends no events */
	flags = spin_lock_irqsave(&vs->lock);
	if (q == VSOCK_QUEUE_TX) {
		more = vsock_tx_serve(vs, vq, &interrupt);
	} else {
		more = vsock_rx_flush(vs, vq, &interrupt);
		/* Room after what was received: echo data that waited for it
		 * goes out (queued, and kicked back here). */
		spin_lock(&vsock_lock);
		vsock_device_resume(d);
		spin_unlock(&vsock_lock);
	}
	spin_unlock_irqrestore(&vs->lock, flags);
	if (interrupt)
		virtio_interrupt_used(d->vdev);
	return more;
}

static void vsock_config_read(void *state, uint32_t offset, void *buf, uint32_t len)
{
	struct virtio_vsock *vs = state;
	uint8_t config[VSOCK_CONFIG_SIZE];

	put_le32(config, (uint32_t)vs->core.cid);
	put_le32(config + 4, (uint32_t)(vs->core.cid >> 32));
	memset(buf, 0, len);
	if (offset < sizeof(config))
		memcpy(buf, config + offset, MIN((size_t)len, sizeof(config) - offset));
}

static void vsock_device_reset(void *state)
{
	struct virtio_vsock *vs = state;
	unsigned long flags = spin_lock_irqsave(&vs->lock);

	/* The queue a held request came from is reset with the device. */
	vs->tx_held = false;
	/* A driver reset is the guest's sockets going away (§5.10.6.6). */
	spin_lock(&vsock_lock);
	vsock_device_drop_all(&vs->core);
	spin_unlock(&vsock_lock);
	spin_unlock_irqrestore(&vs->lock, flags);
}

static const struct virtio_device_ops vsock_ops = {
	.name = "virtio-vsock",
	.device_id = VIRTIO_ID_VSOCK,
	.features = 0,
	.queue_count = 3,
	.queue_max = VSOCK_QUEUE_SIZE,
	.config_size = VSOCK_CONFIG_SIZE,
	.config_read = vsock_config_read,
	.notify = vsock_notify,
	.reset = vsock_device_reset,
};

/* ---- the emulator ---- */

static const char *const vsock_props[] = { "guest-cid" };

/* The device has no backend: the node checks run on a copy given the
 * entropy backend, which the helper accepts without looking further. */
static const struct virtio_node_rules vsock_rules = {
	.device = "virtio-vsock",
	.backends = BACKEND_BIT(BACKEND_ENTROPY),
	.default_backend = "entropy:",
	.props = vsock_props,
	.prop_count = ARRAY_SIZE(vsock_props),
};

/* dev->backend carries the CID from validate() to create(): "cid:<n>". */
#define VSOCK_CID_PREFIX "cid:"

/* What the helper's message would get wrong: a vsock node takes no
 * "backend", so unknown properties are named here first. */
static int vsock_check_props(const void *fdt, int node, char *err, size_t err_len)
{
	static const char *const known[] = { "compatible", "reg", "interrupts", "guest-cid" };
	int prop;

	fdt_for_each_property_offset(prop, fdt, node) {
		char shown[GUEST_NAME_MAX];
		const char *name;
		bool found = false;
		int len;

		if (!fdt_getprop_by_offset(fdt, prop, &name, &len) || !name) {
			fmt_snprintf(err, err_len, "a property cannot be read");
			return -KEEL_EINVAL;
		}
		for (unsigned int i = 0; i < ARRAY_SIZE(known); i++)
			found |= !strcmp(name, known[i]);
		if (found)
			continue;
		if (!strcmp(name, "backend")) {
			fmt_snprintf(err, err_len,
				     "\"backend\" is not for a virtio-vsock device: it talks to other guests and to Keel, named by \"guest-cid\"");
			return -KEEL_EINVAL;
		}
		devtree_copy_printable(shown, sizeof(shown), name,
				       (int)strnlen(name, sizeof(shown)));
		fmt_snprintf(err, err_len,
			     "unknown property \"%s\": a virtio-vsock node takes guest-cid besides compatible, reg and interrupts (see docs/guest-binding.md)",
			     shown);
		return -KEEL_EINVAL;
	}
	return 0;
}

static int vsock_validate(const void *fdt, int node, struct guest_device_config *dev,
			  char *err, size_t err_len)
{
	struct guest_device_config probe = *dev;
	struct backend backend;
	const void *value;
	uint32_t cid;
	int len, ret;

	ret = vsock_check_props(fdt, node, err, err_len);
	if (ret)
		return ret;
	ret = virtio_device_node_check(fdt, node, &probe, &vsock_rules, &backend, err, err_len);
	if (ret)
		return ret;
	value = fdt_getprop(fdt, node, "guest-cid", &len);
	if (!value) {
		fmt_snprintf(err, err_len,
			     "\"guest-cid\" is required: the guest's vsock address, a number of at least 3 unique among the guests");
		return -KEEL_EINVAL;
	}
	if (len != 4) {
		fmt_snprintf(err, err_len, "\"guest-cid\" must be one 32-bit cell, found %d bytes", len);
		return -KEEL_EINVAL;
	}
	cid = fdt32_to_cpu(*(const fdt32_t *)value);
	if (cid < VSOCK_CID_MIN_GUEST || cid == 0xffffffffu) {
		fmt_snprintf(err, err_len,
			     "\"guest-cid\" %u is reserved: 0, 1 and 2 are the hypervisor's and the host's, 0xffffffff means any; use 3 or more",
			     cid);
		return -KEEL_EINVAL;
	}
	fmt_snprintf(dev->backend, sizeof(dev->backend), VSOCK_CID_PREFIX "%u", cid);
	return 0;
}

static int vsock_create(struct guest *g, const struct guest_device_config *dev,
			void **state)
{
	struct virtio_vsock *vs;
	unsigned long flags;
	uint64_t cid = 0;
	const char *p = dev->backend;
	int ret;

	if (strncmp(p, VSOCK_CID_PREFIX, strlen(VSOCK_CID_PREFIX)))
		return -KEEL_EINVAL;   /* validate() sets it */
	for (p += strlen(VSOCK_CID_PREFIX); *p >= '0' && *p <= '9'; p++)
		cid = cid * 10 + (uint64_t)(*p - '0');
	vs = kzalloc(sizeof(*vs));
	if (!vs)
		return -KEEL_ENOMEM;
	vs->core.guest = g;
	vs->core.name = dev->name;
	vs->core.cid = cid;
	vs->lock = (spinlock_t)SPINLOCK_INIT;
	vs->pause_timer.fn = vsock_pause_expired;
	vs->pause_timer.arg = vs;
	flags = spin_lock_irqsave(&vsock_lock);
	ret = vsock_device_register(&vs->core);
	spin_unlock_irqrestore(&vsock_lock, flags);
	if (ret) {
		log_error("guest %s: %s: guest-cid %llu is taken by another guest's vsock device; give each guest its own",
			  g->name, dev->name, (unsigned long long)cid);
		kfree(vs);
		return ret;
	}
	vs->core.vdev = virtio_mmio_create(g, dev, &vsock_ops, vs);
	if (!vs->core.vdev) {
		ret = -KEEL_ENOMEM;
		goto err_unregister;
	}
	*state = vs;
	return 0;

err_unregister:
	flags = spin_lock_irqsave(&vsock_lock);
	vsock_device_unregister(&vs->core);
	spin_unlock_irqrestore(&vsock_lock, flags);
	kfree(vs);
	return ret;
}

static void vsock_reset(void *state)
{
	struct virtio_vsock *vs = state;

	virtio_mmio_reset(vs->core.vdev);
}

static void vsock_destroy(void *state)
{
	struct virtio_vsock *vs = state;
	unsigned long flags;

	flags = spin_lock_irqsave(&vsock_lock);
	vsock_device_unregister(&vs->core);
	spin_unlock_irqrestore(&vsock_lock, flags);
	/* Its callback kicks the transport: gone before it is. No lock is
	 * held, as the cancel may wait for a callback running elsewhere. */
	timer_event_cancel(&vs->pause_timer);
	virtio_mmio_destroy(vs->core.vdev);
	kfree(vs);
}

EMULATOR_DEFINE(virtio_vsock, .name = "virtio-vsock", .compatible = "virtio,vsock",
		.validate = vsock_validate, .create = vsock_create, .reset = vsock_reset,
		.destroy = vsock_destroy, .dt_emit = virtio_mmio_dt_emit);
