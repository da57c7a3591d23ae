/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-net (VIRTIO 1.2 §5.1): queue 0 receives, queue 1 transmits; a
 * port on an in-Keel L2 switch (keel/l2switch.h) named by the backend
 * "switch:<name>". Features: MAC (config space holds the address) and
 * STATUS (the link is always up); no offloads, so every frame in either
 * direction follows a 12-byte virtio_net_hdr (the VERSION_1 layout, with
 * num_buffers) that says nothing but num_buffers = 1.
 *
 * Transmit copies each request out of the guest, checks it (a header with
 * no offload asked for, a frame of 14 to L2SWITCH_FRAME_MAX bytes, no
 * writable buffers) and hands it to the switch. Receive puts a frame from
 * the switch into the next receive buffer the driver posted; with none
 * posted, or one too small, the frame is dropped and counted (`switch
 * list`).
 *
 * Flow control: a unicast frame to a port with no receive buffer posted
 * is held, with its transmit request, instead of dropped
 * (l2switch_forward_wait()), and transmission stops there, so the
 * sender's ring fills and its driver stops its queue, as on a wire with
 * pause frames: a burst larger than the receiver's ring costs the sender
 * a wait, not TCP a loss. The receiver posting buffers (its receive
 * notify) resumes the sender from the device's work item. A frame waits
 * at most NET_HOLD_NS; then it is dropped as before, and the switch lets
 * no sender wait for that receiver again for a second (nor once senders
 * waited L2SWITCH_WAIT_BUDGET_NS for it within one), so a guest that never
 * reads, or drains slowly on purpose, holds its senders up only briefly.
 *
 * Bounded work: one transmit notify sends at most NET_NOTIFY_FRAMES frames
 * (NET_NOTIFY_BYTES), the rest is sent by the device's work item; one
 * delivery from the switch takes one receive buffer for one frame; a
 * receive notify resumes at most the switch's other ports.
 *
 * Locking: tx_lock serialises transmission (then the switch lock), rx_lock
 * receive (taken inside the switch's deliver call, then the transport's
 * lock to interrupt). A delivery enters the device through the transport's
 * gate (virtio_device_enter()) and is dropped while a reset runs, so a
 * reset never races a frame being received; transmission is a notify and
 * inside the gate already.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <lib/format.h>
#include <keel/l2switch.h>
#include <libfdt.h>
#include <stdarg.h>
#include <string.h>

#include "device_node.h"
#include "virtio.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_NET_F_MAC (1ULL << 5)
#define VIRTIO_NET_F_STATUS (1ULL << 16)
#define VIRTIO_NET_S_LINK_UP 1
#define VIRTIO_NET_HDR_GSO_NONE 0

#define NET_QUEUE_RX 0
#define NET_QUEUE_TX 1
#define NET_QUEUE_SIZE 256
/* struct virtio_net_hdr: flags, gso_type, le16 hdr_len, gso_size,
 * csum_start, csum_offset, num_buffers. */
#define NET_HDR_SIZE 12u
#define NET_HDR_NUM_BUFFERS 10
/* Config space: mac[6], le16 status. */
#define NET_CONFIG_SIZE 8
#define NET_CONFIG_STATUS 6

/* What one transmit notify may send. */
#define NET_NOTIFY_FRAMES 64
#define NET_NOTIFY_BYTES KiB(128)
/* How long a frame waits for a receiver with no buffer posted: a few
 * scheduler slices of the receiver's vCPU. */
#define NET_HOLD_NS (20ULL * 1000 * 1000)

#define NET_WARN_BURST 5                 /* warnings per window, per device */
#define NET_WARN_WINDOW_NS (10ULL * 1000000000ULL)

/* validate() leaves a "mac-address" for create() after the backend URL's
 * NUL in dev->backend, as this marker and 6 bytes. */
#define NET_MAC_MARKER "mac="
#define NET_MAC_MARKER_LEN 4

struct virtio_net {
	struct virtio_device *vdev;
	struct guest *guest;
	const struct guest_device_config *dev;
	char switch_name[L2SWITCH_NAME_MAX];
	uint8_t mac[L2SWITCH_MAC_LEN];
	struct l2switch_port port;
	spinlock_t tx_lock;
	spinlock_t rx_lock;
	struct virtq_request tx_req;     /* tx_lock */
	struct virtq_request rx_req;     /* rx_lock */
	uint8_t frame[NET_HDR_SIZE + L2SWITCH_FRAME_MAX];   /* tx_lock */
	/* tx_lock: frame and tx_req wait for a receiver (flow control). */
	bool tx_held;
	size_t tx_held_len;
	uint64_t hold_deadline_ns;
	struct timer_event hold_timer;   /* kicks transmission at the deadline */
	/* Warnings about malformed requests (tx_lock or rx_lock: racy counts
	 * only make a warning more or less). */
	uint64_t warn_window_ns;
	unsigned int warn_count;
	unsigned int warn_suppressed;
};

static void __printf(2, 3) net_warn(struct virtio_net *net, const char *fmt, ...)
{
	uint64_t now = time_now_ns();
	char message[160];
	va_list ap;

	if (now - net->warn_window_ns >= NET_WARN_WINDOW_NS) {
		if (net->warn_suppressed)
			log_warn("guest %s: %s: warnings about malformed requests suppressed: %u",
				 net->guest->name, net->dev->name, net->warn_suppressed);
		net->warn_window_ns = now;
		net->warn_count = 0;
		net->warn_suppressed = 0;
	}
	if (net->warn_count >= NET_WARN_BURST) {
		net->warn_suppressed++;
		return;
	}
	net->warn_count++;
	va_start(ap, fmt);
	fmt_vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	log_warn("guest %s: %s: %s", net->guest->name, net->dev->name, message);
}

/* ---- receive: called by the switch, its lock held ---- */

static enum l2switch_delivery net_deliver(struct l2switch_port *port, const void *frame,
					 size_t len)
{
	struct virtio_net *net = port->owner;
	struct virtqueue *vq = virtio_queue(net->vdev, NET_QUEUE_RX);
	uint8_t header[NET_HDR_SIZE] = { 0 };
	enum l2switch_delivery result = L2SWITCH_REFUSED;
	bool interrupt = false;
	int popped;
	unsigned long flags;

	/* Not while the device resets: the frame is dropped (and counted). */
	if (!virtio_device_enter(net->vdev))
		return L2SWITCH_REFUSED;
	flags = spin_lock_irqsave(&net->rx_lock);
	/* A stopped guest's RAM is cleared and reloaded when it starts
	 * again, before its devices reset: no frame may land in between. */
	if (READ_ONCE(net->guest->state) == GUEST_STOPPED ||
	    !virtio_device_ready(net->vdev) || !vq->ready || vq->broken)
		goto out;
	/* No buffer: the sender may wait for one (the driver's next receive
	 * notify says so). A broken queue is reported on leaving. */
	popped = virtq_pop(vq, &net->rx_req);
	if (popped <= 0) {
		if (!popped)
			result = L2SWITCH_FULL;
		goto out;
	}
	if (net->rx_req.readable || net->rx_req.writable_bytes < NET_HDR_SIZE + len) {
		net_warn(net, "receive buffer with %llu readable and %llu writable bytes cannot take a %zu-byte frame; frame dropped",
			 (unsigned long long)net->rx_req.readable_bytes,
			 (unsigned long long)net->rx_req.writable_bytes, len);
		interrupt = virtq_push(vq, &net->rx_req, 0);
		goto out;
	}
	header[NET_HDR_NUM_BUFFERS] = 1;
	virtq_write(vq, &net->rx_req, 0, header, sizeof(header));
	virtq_write(vq, &net->rx_req, NET_HDR_SIZE, frame, len);
	interrupt = virtq_push(vq, &net->rx_req, (uint32_t)(NET_HDR_SIZE + len));
	result = L2SWITCH_TAKEN;
out:
	spin_unlock_irqrestore(&net->rx_lock, flags);
	if (interrupt)
		virtio_interrupt_used(net->vdev);
	virtio_device_leave(net->vdev);
	return result;
}

/* The switch: the receiver this device waited for has buffers again (or
 * left). Under the switch lock: only schedule transmission. */
static void net_resume(struct l2switch_port *port)
{
	struct virtio_net *net = port->owner;

	virtio_queue_kick(net->vdev, NET_QUEUE_TX);
}

/* The hold's deadline passed (interrupt context). */
static void net_hold_expired(struct timer_event *event, void *arg)
{
	struct virtio_net *net = arg;

	virtio_queue_kick(net->vdev, NET_QUEUE_TX);
}

/* ---- transmit ---- */

/* tx_lock held. Sends the frame in net->frame; true when it is done
 * with (sent, or dropped by the switch), false when it is held for a
 * receiver with no buffer posted (the hold's deadline then set). */
static bool net_send(struct virtio_net *net, size_t frame_len)
{
	const uint8_t *frame = net->frame + NET_HDR_SIZE;
	enum l2switch_verdict verdict;

	if (net->tx_held && time_now_ns() >= net->hold_deadline_ns) {
		/* Waited long enough: dropped for that receiver, as without
		 * flow control. */
		l2switch_port_stop_waiting(&net->port, true);
		verdict = l2switch_forward(&net->port, frame, frame_len);
	} else {
		verdict = l2switch_forward_wait(&net->port, frame, frame_len);
	}
	if (verdict == L2SWITCH_WAIT) {
		if (!net->tx_held) {
			net->tx_held = true;
			net->tx_held_len = frame_len;
			net->hold_deadline_ns = time_now_ns() + NET_HOLD_NS;
			timer_event_add(&net->hold_timer, net->hold_deadline_ns);
		}
		return false;
	}
	net->tx_held = false;
	return true;
}

/* tx_lock held. Checks one request and sends its frame; false when it
 * was malformed (*held: the frame waits for a receiver). */
static bool net_transmit_checked(struct virtio_net *net, struct virtqueue *vq, bool *held)
{
	const struct virtq_request *req = &net->tx_req;
	uint64_t frame_len;

	if (req->writable_bytes) {
		net_warn(net, "transmit request with %llu writable bytes; dropped",
			 (unsigned long long)req->writable_bytes);
		return false;
	}
	if (req->readable_bytes < NET_HDR_SIZE) {
		net_warn(net, "transmit request of %llu bytes is shorter than the %u-byte header; dropped",
			 (unsigned long long)req->readable_bytes, NET_HDR_SIZE);
		return false;
	}
	frame_len = req->readable_bytes - NET_HDR_SIZE;
	if (frame_len < L2SWITCH_FRAME_MIN || frame_len > L2SWITCH_FRAME_MAX) {
		net_warn(net, "transmitted frame of %llu bytes is outside %u..%u; dropped",
			 (unsigned long long)frame_len, L2SWITCH_FRAME_MIN, L2SWITCH_FRAME_MAX);
		return false;
	}
	if (virtq_read(vq, req, 0, net->frame, (size_t)req->readable_bytes) !=
	    req->readable_bytes)
		return false;   /* checked by virtq_pop(): cannot happen */
	/* No offload was negotiated: no checksum to finish, no segments. */
	if (net->frame[0] || net->frame[1] != VIRTIO_NET_HDR_GSO_NONE) {
		net_warn(net, "transmit header asks for flags 0x%x, gso_type %u without offloads; dropped",
			 net->frame[0], net->frame[1]);
		return false;
	}
	*held = !net_send(net, (size_t)frame_len);
	return true;
}

/* tx_lock held. Sends the request just popped; false when it is held
 * (not to be given back yet). */
static bool net_transmit(struct virtio_net *net, struct virtqueue *vq)
{
	bool held = false;

	if (!net_transmit_checked(net, vq, &held))
		l2switch_port_count_drop(&net->port);
	return !held;
}

static bool net_notify(void *state, unsigned int q)
{
	struct virtio_net *net = state;
	struct virtqueue *vq = virtio_queue(net->vdev, NET_QUEUE_TX);
	struct virtq_budget budget = VIRTQ_BUDGET(NET_NOTIFY_FRAMES, NET_NOTIFY_BYTES);
	bool interrupt = false, more = false;
	unsigned long flags;

	/* New receive buffers: a sender waiting for them may go on. */
	if (q != NET_QUEUE_TX) {
		l2switch_port_rx_ready(&net->port);
		return false;
	}
	flags = spin_lock_irqsave(&net->tx_lock);
	/* A held frame goes first; while it waits, so does the ring. */
	if (net->tx_held) {
		if (!net_send(net, net->tx_held_len)) {
			spin_unlock_irqrestore(&net->tx_lock, flags);
			return false;
		}
		interrupt |= virtq_push(vq, &net->tx_req, 0);
	}
	for (;;) {
		if (!virtq_budget_left(&budget)) {
			more = true;
			break;
		}
		/* A broken queue (the transport reports it) stops the loop. */
		if (virtq_pop(vq, &net->tx_req) <= 0)
			break;
		virtq_budget_spend(&budget, net->tx_req.readable_bytes);
		if (!net_transmit(net, vq))
			break;
		interrupt |= virtq_push(vq, &net->tx_req, 0);
	}
	spin_unlock_irqrestore(&net->tx_lock, flags);
	if (interrupt)
		virtio_interrupt_used(net->vdev);
	return more;
}

static void net_config_read(void *state, uint32_t offset, void *buf, uint32_t len)
{
	struct virtio_net *net = state;
	uint8_t config[NET_CONFIG_SIZE] = { 0 };

	memcpy(config, net->mac, L2SWITCH_MAC_LEN);
	config[NET_CONFIG_STATUS] = VIRTIO_NET_S_LINK_UP;
	memset(buf, 0, len);
	if (offset < sizeof(config))
		memcpy(buf, config + offset, MIN((size_t)len, sizeof(config) - offset));
}

/* Forgets a held frame (its request goes with the queues). No lock the
 * hold timer's callback takes may be held. */
static void net_forget_held(struct virtio_net *net)
{
	unsigned long flags;

	timer_event_cancel(&net->hold_timer);
	flags = spin_lock_irqsave(&net->tx_lock);
	net->tx_held = false;
	spin_unlock_irqrestore(&net->tx_lock, flags);
	l2switch_port_stop_waiting(&net->port, false);
}

static void net_device_reset(void *state)
{
	/* The transport keeps transmission and deliveries out meanwhile:
	 * only a held frame outlives the queues, and goes now. */
	net_forget_held(state);
}

static const struct virtio_device_ops net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.features = VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS,
	.queue_count = 2,
	.queue_max = NET_QUEUE_SIZE,
	.config_size = NET_CONFIG_SIZE,
	.config_read = net_config_read,
	.notify = net_notify,
	.reset = net_device_reset,
};

/* ---- the emulator ---- */

static const char *const net_props[] = { "mac-address" };

static const struct virtio_node_rules net_rules = {
	.device = "virtio-net",
	.backends = BACKEND_BIT(BACKEND_SWITCH),
	.default_backend = NULL,
	.backend_example = "switch:br0",
	.props = net_props,
	.prop_count = ARRAY_SIZE(net_props),
};

static int net_validate(const void *fdt, int node, struct guest_device_config *dev,
			char *err, size_t err_len)
{
	struct backend backend;
	const uint8_t *mac;
	size_t used;
	int len, ret;

	ret = virtio_device_node_check(fdt, node, dev, &net_rules, &backend, err, err_len);
	if (ret)
		return ret;
	if (!l2switch_name_valid(backend.name)) {
		fmt_snprintf(err, err_len, "backend \"%pE\": a switch name has at most %u characters",
			     dev->backend, L2SWITCH_NAME_MAX - 1);
		return -KEEL_EINVAL;
	}
	mac = fdt_getprop(fdt, node, "mac-address", &len);
	if (!mac)
		return 0;
	if (len != L2SWITCH_MAC_LEN) {
		fmt_snprintf(err, err_len,
			     "\"mac-address\" must be 6 bytes ([02 00 00 00 00 01]), found %d", len);
		return -KEEL_EINVAL;
	}
	if (mac[0] & 1) {
		fmt_snprintf(err, err_len,
			     "\"mac-address\" %02x:%02x:%02x:%02x:%02x:%02x is a group (multicast) address; a device needs a unicast one",
			     mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		return -KEEL_EINVAL;
	}
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		fmt_snprintf(err, err_len, "\"mac-address\" must not be 00:00:00:00:00:00");
		return -KEEL_EINVAL;
	}
	used = strlen(dev->backend) + 1;
	if (used + NET_MAC_MARKER_LEN + L2SWITCH_MAC_LEN > sizeof(dev->backend)) {
		fmt_snprintf(err, err_len, "\"backend\" is too long to go with \"mac-address\"");
		return -KEEL_EINVAL;
	}
	memcpy(dev->backend + used, NET_MAC_MARKER, NET_MAC_MARKER_LEN);
	memcpy(dev->backend + used + NET_MAC_MARKER_LEN, mac, L2SWITCH_MAC_LEN);
	return 0;
}

/* The device's MAC: the node's "mac-address", or a locally administered
 * unicast address hashed (FNV-1a) from the guest and device names, so it
 * stays the same from boot to boot. */
static void net_choose_mac(struct virtio_net *net)
{
	const struct guest_device_config *dev = net->dev;
	size_t used = strlen(dev->backend) + 1;
	uint64_t hash = 0xcbf29ce484222325ULL;
	const char *parts[2] = { net->guest->name, dev->name };

	if (used + NET_MAC_MARKER_LEN + L2SWITCH_MAC_LEN <= sizeof(dev->backend) &&
	    !memcmp(dev->backend + used, NET_MAC_MARKER, NET_MAC_MARKER_LEN)) {
		memcpy(net->mac, dev->backend + used + NET_MAC_MARKER_LEN, L2SWITCH_MAC_LEN);
		return;
	}
	for (unsigned int i = 0; i < 2; i++) {
		for (const char *c = parts[i]; *c; c++) {
			hash ^= (uint8_t)*c;
			hash *= 0x100000001b3ULL;
		}
		hash ^= '/';
		hash *= 0x100000001b3ULL;
	}
	net->mac[0] = 0x02;   /* locally administered, unicast */
	for (unsigned int i = 1; i < L2SWITCH_MAC_LEN; i++)
		net->mac[i] = (uint8_t)(hash >> (8 * (i - 1)));
}

static int net_create(struct guest *g, const struct guest_device_config *dev,
		      void **state)
{
	struct virtio_net *net;
	struct backend backend;
	int ret;

	ret = backend_parse(dev->backend, &backend, NULL, 0);
	if (ret || backend.type != BACKEND_SWITCH || !l2switch_name_valid(backend.name))
		return -KEEL_EINVAL;   /* validate() refused it already */
	net = kzalloc(sizeof(*net));
	if (!net)
		return -KEEL_ENOMEM;
	net->guest = g;
	net->dev = dev;
	net->tx_lock = (spinlock_t)SPINLOCK_INIT;
	net->rx_lock = (spinlock_t)SPINLOCK_INIT;
	memcpy(net->switch_name, backend.name, strlen(backend.name) + 1);
	net_choose_mac(net);
	fmt_snprintf(net->port.label, sizeof(net->port.label), "%s/%s", g->name, dev->name);
	memcpy(net->port.mac, net->mac, L2SWITCH_MAC_LEN);
	net->port.group = g;
	net->port.deliver = net_deliver;
	net->port.resume = net_resume;
	net->port.owner = net;
	net->hold_timer.fn = net_hold_expired;
	net->hold_timer.arg = net;
	net->vdev = virtio_mmio_create(g, dev, &net_ops, net);
	if (!net->vdev) {
		ret = -KEEL_ENOMEM;
		goto err_free;
	}
	ret = l2switch_port_attach(net->switch_name, &net->port);
	if (ret == -KEEL_EEXIST) {
		log_error("guest %pE: %pE: MAC %02x:%02x:%02x:%02x:%02x:%02x is already another port's on switch %pE (see `switch list`): give this node another \"mac-address\"",
			  g->name, dev->name, net->mac[0], net->mac[1], net->mac[2], net->mac[3],
			  net->mac[4], net->mac[5], net->switch_name);
		goto err_destroy;
	}
	if (ret) {
		log_error("guest %pE: %pE: backend \"%pE\": no room for another port (at most %u switches, %u ports a switch, %u of one guest)",
			  g->name, dev->name, dev->backend, L2SWITCH_MAX, L2SWITCH_MAX_PORTS,
			  L2SWITCH_GROUP_PORTS);
		goto err_destroy;
	}
	*state = net;
	return 0;

err_destroy:
	virtio_mmio_destroy(net->vdev);
err_free:
	kfree(net);
	return ret;
}

static void net_reset(void *state)
{
	struct virtio_net *net = state;

	/* Off the switch while the device resets: the addresses it learned
	 * for this guest are forgotten, and no frame reaches a guest whose
	 * RAM is being reloaded. */
	l2switch_port_detach(&net->port);
	net_forget_held(net);
	virtio_mmio_reset(net->vdev);
	if (l2switch_port_attach(net->switch_name, &net->port))
		log_error("guest %s: %s: could not attach to switch %s again after the reset",
			  net->guest->name, net->dev->name, net->switch_name);
}

static void net_destroy(void *state)
{
	struct virtio_net *net = state;

	l2switch_port_detach(&net->port);
	timer_event_cancel(&net->hold_timer);
	virtio_mmio_destroy(net->vdev);
	kfree(net);
}

EMULATOR_DEFINE(virtio_net, .name = "virtio-net", .compatible = "virtio,net",
		.validate = net_validate, .create = net_create, .reset = net_reset,
		.destroy = net_destroy, .dt_emit = virtio_mmio_dt_emit);
