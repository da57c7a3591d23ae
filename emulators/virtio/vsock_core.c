/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-vsock routing and Keel's vsock services (vsock_core.h).
 *
 * Guest to guest, packets are forwarded as they are: the two guests do
 * their own credit accounting end to end, and Keel only checks that the
 * sender is who it says and that it has the connection it uses, keeps a
 * bounded number of packets for a receiver without rx buffers and resets
 * the connection beyond that. Guest to Keel (CID 2), Keel is the other
 * end of the stream, with its own buffer of VSOCK_HOST_BUF bytes per
 * connection and the credit rules of §5.10.6.3: it never sends more than
 * the guest's buf_alloc minus what is in flight, and refuses (RST) a guest
 * that sends more than Keel's free space.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/time.h>
#include <lib/format.h>
#include <stdarg.h>
#include <string.h>

#include "virtio.h"
#include "vsock_core.h"

#define VSOCK_WARN_BURST 5
#define VSOCK_WARN_WINDOW_NS (10ULL * NSEC_PER_SEC)

spinlock_t vsock_lock = SPINLOCK_INIT;
struct vsock_device *vsock_devices;

void vsock_warn(struct vsock_device *d, const char *fmt, ...)
{
	char message[160];
	uint64_t now = time_now_ns();
	va_list ap;

	if (!d->warn_window_open || now - d->warn_window_ns > VSOCK_WARN_WINDOW_NS) {
		d->warn_window_open = true;
		d->warn_window_ns = now;
		d->warn_count = 0;
	}
	if (d->warn_count++ >= VSOCK_WARN_BURST)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	log_warn("guest %s: device %s (virtio-vsock): %s%s", d->guest->name, d->name,
		 message, d->warn_count == VSOCK_WARN_BURST ?
		 " (further warnings in the next 10 s are not shown)" : "");
}

struct vsock_device *vsock_device_find(uint64_t cid)
{
	for (struct vsock_device *d = vsock_devices; d; d = d->next)
		if (d->cid == cid)
			return d;
	return NULL;
}

/* ---- packets for a guest ---- */

struct vsock_packet *vsock_pending_head(struct vsock_device *d)
{
	return d->pending_count ? &d->pending[d->pending_head] : NULL;
}

/* ---- the sender's pause ---- */

/* The device that packets d's guest sends to cid wait in (d itself for
 * Keel's services), or NULL. */
static struct vsock_device *vsock_receiver(struct vsock_device *d, uint64_t cid)
{
	return cid == VSOCK_CID_HOST ? d : vsock_device_find(cid);
}

static void vsock_tx_unpause(struct vsock_device *d)
{
	struct vsock_device *to;

	if (!d->paused_for)
		return;
	to = vsock_device_find(d->paused_for);
	if (to && to->waiters)
		to->waiters--;
	d->paused_for = 0;
}

/* to's backlog is gone (or to goes away, or is given up on): every sender
 * that waits for it goes on. Bounded by the number of devices, and only
 * walked when someone waits. */
static void vsock_wake_senders(struct vsock_device *to)
{
	if (!to->waiters)
		return;
	for (struct vsock_device *s = vsock_devices; s; s = s->next) {
		if (s->paused_for != to->cid)
			continue;
		s->paused_for = 0;
		vsock_tx_kick(s);
	}
	to->waiters = 0;
}

bool vsock_tx_pause(struct vsock_device *d, uint64_t dst_cid, uint64_t until_ns)
{
	struct vsock_device *to = vsock_receiver(d, dst_cid);

	if (d->paused_for || !to || to->unresponsive ||
	    to->pending_count < VSOCK_PENDING_BACKLOG)
		return false;
	d->paused_for = to->cid;
	d->paused_until_ns = until_ns;
	to->waiters++;
	return true;
}

bool vsock_tx_paused(struct vsock_device *d, uint64_t now_ns)
{
	struct vsock_device *to;

	if (!d->paused_for)
		return false;
	to = vsock_device_find(d->paused_for);
	if (to && !to->unresponsive && to->pending_count >= VSOCK_PENDING_BACKLOG) {
		if (now_ns < d->paused_until_ns)
			return true;
		/* Given up on: no sender waits for it until it takes them. */
		to->unresponsive = true;
		vsock_warn(d, "guest %s (CID %llu) took none of the %u packets waiting for it in %llu s; sending on (its connections are reset if they overflow)",
			   to->guest->name, (unsigned long long)to->cid, to->pending_count,
			   (unsigned long long)(VSOCK_PAUSE_MAX_NS / NSEC_PER_SEC));
		vsock_wake_senders(to);
	}
	vsock_tx_unpause(d);
	return false;
}

static void vsock_send_owed_resets(struct vsock_device *d);

void vsock_pending_pop(struct vsock_device *d)
{
	if (!d->pending_count)
		return;
	d->pending_head = (d->pending_head + 1) % VSOCK_PENDING_MAX;
	d->pending_count--;
	if (d->resets_owed)
		vsock_send_owed_resets(d);
	if (d->pending_count < VSOCK_PENDING_BACKLOG) {
		d->unresponsive = false;
		vsock_wake_senders(d);
	}
}

static unsigned int vsock_pending_room(const struct vsock_device *d)
{
	return VSOCK_PENDING_MAX - d->pending_count;
}

/* Queues a packet for d's guest, an RW payload split over as many
 * packets as it takes; false (nothing queued) when there is no room. */
static bool vsock_queue(struct vsock_device *d, const struct vsock_hdr *hdr,
			const uint8_t *payload)
{
	uint32_t len = hdr->op == VSOCK_OP_RW ? hdr->len : 0;
	unsigned int need = len ? (len + VSOCK_PACKET_DATA - 1) / VSOCK_PACKET_DATA : 1;
	uint32_t done = 0;

	if (need > vsock_pending_room(d))
		return false;
	do {
		struct vsock_packet *p =
			&d->pending[(d->pending_head + d->pending_count) % VSOCK_PENDING_MAX];
		uint32_t n = MIN(len - done, VSOCK_PACKET_DATA);

		p->hdr = *hdr;
		p->hdr.len = n;
		if (len)
			memcpy(p->data, payload + done, n);
		d->pending_count++;
		done += n;
	} while (done < len);
	vsock_rx_kick(d);
	return true;
}

struct vsock_conn *vsock_conn_find(struct vsock_device *d, uint32_t local_port,
				   uint64_t peer_cid, uint32_t peer_port)
{
	for (unsigned int i = 0; i < VSOCK_CONN_MAX; i++) {
		struct vsock_conn *c = &d->conns[i];

		if (c->state != VSOCK_CONN_FREE && c->local_port == local_port &&
		    c->peer_cid == peer_cid && c->peer_port == peer_port)
			return c;
	}
	return NULL;
}

/* Whether d's guest may open one more connection: false (counted on d,
 * and warned about) when a limit of vsock_core.h is reached. */
static bool vsock_conn_allowed(struct vsock_device *d)
{
	unsigned int total = 0, guest = 0, device = 0;

	/* Counted when needed: every path that ends a connection only marks
	 * it free. Bounded: VSOCK_CONN_MAX entries a device. */
	for (const struct vsock_device *o = vsock_devices; o; o = o->next) {
		for (unsigned int i = 0; i < VSOCK_CONN_MAX; i++) {
			if (o->conns[i].state == VSOCK_CONN_FREE)
				continue;
			total++;
			guest += o->guest == d->guest;
			device += o == d;
		}
	}
	if (device >= VSOCK_CONN_MAX) {
		d->refused_device++;
		vsock_warn(d, "connection table full (%u a device); new connection refused (RST)",
			   VSOCK_CONN_MAX);
	} else if (guest >= VSOCK_CONN_GUEST_MAX) {
		d->refused_guest++;
		vsock_warn(d, "the guest has %u connections, its limit; new connection refused (RST)",
			   VSOCK_CONN_GUEST_MAX);
	} else if (total >= VSOCK_CONN_GLOBAL_MAX) {
		d->refused_global++;
		vsock_warn(d, "all guests together have %u connections, the limit; new connection refused (RST)",
			   VSOCK_CONN_GLOBAL_MAX);
	} else {
		return true;
	}
	return false;
}

struct vsock_conn *vsock_conn_new(struct vsock_device *d, enum vsock_conn_kind kind,
				  uint32_t local_port, uint64_t peer_cid, uint32_t peer_port)
{
	if (!vsock_conn_allowed(d))
		return NULL;
	for (unsigned int i = 0; i < VSOCK_CONN_MAX; i++) {
		struct vsock_conn *c = &d->conns[i];

		if (c->state != VSOCK_CONN_FREE)
			continue;
		memset(c, 0, sizeof(*c) - sizeof(c->data));
		c->kind = kind;
		c->state = VSOCK_CONN_CONNECTING;
		c->local_port = local_port;
		c->peer_cid = peer_cid;
		c->peer_port = peer_port;
		return c;
	}
	return NULL;
}

/* A packet from Keel's end of c to d's guest. */
bool vsock_send_host(struct vsock_device *d, struct vsock_conn *c, uint16_t op,
		     uint32_t flags, const uint8_t *payload, uint32_t len)
{
	struct vsock_hdr hdr = {
		.src_cid = VSOCK_CID_HOST, .dst_cid = d->cid,
		.src_port = c->peer_port, .dst_port = c->local_port,
		.len = len, .type = VSOCK_TYPE_STREAM, .op = op, .flags = flags,
		.buf_alloc = VSOCK_HOST_BUF, .fwd_cnt = c->fwd_cnt,
	};

	if (!vsock_queue(d, &hdr, payload))
		return false;
	c->fwd_cnt_announced = c->fwd_cnt;
	return true;
}

/* An RST in answer to hdr (the guest's packet), whatever the connection. */
static void vsock_send_reset(struct vsock_device *d, const struct vsock_hdr *hdr)
{
	struct vsock_hdr rst = {
		.src_cid = hdr->dst_cid, .dst_cid = d->cid,
		.src_port = hdr->dst_port, .dst_port = hdr->src_port,
		.type = VSOCK_TYPE_STREAM, .op = VSOCK_OP_RST,
	};

	vsock_queue(d, &rst, NULL);
}

/* The RST that ends c for d's guest, from c's peer. */
static bool vsock_queue_conn_reset(struct vsock_device *d, const struct vsock_conn *c)
{
	struct vsock_hdr rst = {
		.src_cid = c->peer_cid, .dst_cid = d->cid,
		.src_port = c->peer_port, .dst_port = c->local_port,
		.type = VSOCK_TYPE_STREAM, .op = VSOCK_OP_RST,
	};

	return vsock_queue(d, &rst, NULL);
}

/* Ends c (a connection between guests) and tells d's guest with an RST;
 * when d's pending ring is full, c waits in VSOCK_CONN_RESET until it has
 * room (vsock_pending_pop()): a guest is never left with a connection
 * that Keel forgot, waiting for packets that will not come. */
static void vsock_conn_reset(struct vsock_device *d, struct vsock_conn *c)
{
	if (vsock_queue_conn_reset(d, c)) {
		c->state = VSOCK_CONN_FREE;
		return;
	}
	c->state = VSOCK_CONN_RESET;
	d->resets_owed = true;
}

static void vsock_send_owed_resets(struct vsock_device *d)
{
	bool owed = false;

	for (unsigned int i = 0; i < VSOCK_CONN_MAX; i++) {
		struct vsock_conn *c = &d->conns[i];

		if (c->state != VSOCK_CONN_RESET)
			continue;
		if (!owed && vsock_queue_conn_reset(d, c))
			c->state = VSOCK_CONN_FREE;
		else
			owed = true;
	}
	d->resets_owed = owed;
}

/* Ends c: its peer device (relay) gets RST and forgets its side. */
static void vsock_conn_drop(struct vsock_device *d, struct vsock_conn *c, bool reset_peer)
{
	/* A connection already reset has no other side left. */
	if (c->kind == VSOCK_CONN_RELAY && reset_peer && c->state != VSOCK_CONN_RESET) {
		struct vsock_device *peer = vsock_device_find(c->peer_cid);
		struct vsock_conn *other = peer ?
			vsock_conn_find(peer, c->peer_port, d->cid, c->local_port) : NULL;

		if (other && other->state != VSOCK_CONN_RESET)
			vsock_conn_reset(peer, other);
	}
	c->state = VSOCK_CONN_FREE;
}

/* A packet Keel refuses: a warning, and an RST when it belongs to a
 * connection (which ends). */
static void vsock_reject(struct vsock_device *d, const struct vsock_hdr *hdr,
			 const char *why)
{
	struct vsock_conn *c = vsock_conn_find(d, hdr->src_port, hdr->dst_cid, hdr->dst_port);

	vsock_warn(d, "packet op %u from %llu:%u to %llu:%u: %s%s", hdr->op,
		   (unsigned long long)hdr->src_cid, hdr->src_port,
		   (unsigned long long)hdr->dst_cid, hdr->dst_port, why,
		   c ? "; connection reset" : "; dropped");
	if (!c)
		return;
	vsock_conn_drop(d, c, true);
	vsock_send_reset(d, hdr);
}

/* ---- Keel's end ---- */

/* Echo: sends back what it holds as far as the guest's credit allows. */
static void vsock_echo_flush(struct vsock_device *d, struct vsock_conn *c)
{
	while (c->data_len && c->state == VSOCK_CONN_CONNECTED) {
		uint32_t in_flight = c->tx_cnt - c->peer_fwd_cnt;
		uint32_t credit = c->peer_buf_alloc > in_flight ? c->peer_buf_alloc - in_flight : 0;
		uint32_t n = MIN(MIN(c->data_len, credit), VSOCK_PACKET_DATA);

		if (!n || !vsock_pending_room(d))
			return;
		/* fwd_cnt counts what left the buffer, this packet included. */
		c->fwd_cnt += n;
		if (!vsock_send_host(d, c, VSOCK_OP_RW, 0, c->data, n)) {
			c->fwd_cnt -= n;
			return;
		}
		c->tx_cnt += n;
		c->bytes_to_guest += n;
		c->data_len -= n;
		memmove(c->data, c->data + n, c->data_len);
	}
}

void vsock_device_resume(struct vsock_device *d)
{
	for (unsigned int i = 0; i < VSOCK_CONN_MAX; i++)
		if (d->conns[i].state == VSOCK_CONN_CONNECTED &&
		    d->conns[i].kind == VSOCK_CONN_ECHO && d->conns[i].data_len)
			vsock_echo_flush(d, &d->conns[i]);
}

static void vsock_host_receive_packet(struct vsock_device *d, const struct vsock_hdr *hdr,
				      const uint8_t *payload)
{
	struct vsock_conn *c = vsock_conn_find(d, hdr->src_port, VSOCK_CID_HOST, hdr->dst_port);

	if (hdr->op == VSOCK_OP_REQUEST) {
		if (c) {
			vsock_reject(d, hdr, "REQUEST for a connection that exists");
			return;
		}
		if (hdr->dst_port != VSOCK_ECHO_PORT) {
			vsock_send_reset(d, hdr);        /* nobody listens there */
			return;
		}
		c = vsock_conn_new(d, VSOCK_CONN_ECHO, hdr->src_port, VSOCK_CID_HOST,
				   hdr->dst_port);
		if (!c) {
			vsock_send_reset(d, hdr);
			return;
		}
		c->peer_buf_alloc = hdr->buf_alloc;
		c->peer_fwd_cnt = hdr->fwd_cnt;
		c->state = VSOCK_CONN_CONNECTED;
		if (!vsock_send_host(d, c, VSOCK_OP_RESPONSE, 0, NULL, 0))
			c->state = VSOCK_CONN_FREE;
		return;
	}
	if (!c) {
		/* A close that crossed Keel's RST is no fault of the guest. */
		if (hdr->op != VSOCK_OP_RST && hdr->op != VSOCK_OP_SHUTDOWN)
			vsock_reject(d, hdr, "no such connection");
		return;
	}
	c->peer_buf_alloc = hdr->buf_alloc;
	c->peer_fwd_cnt = hdr->fwd_cnt;
	switch (hdr->op) {
	case VSOCK_OP_RESPONSE:
		if (c->state != VSOCK_CONN_CONNECTING) {
			vsock_reject(d, hdr, "RESPONSE to no REQUEST");
			return;
		}
		c->state = VSOCK_CONN_CONNECTED;
		return;
	case VSOCK_OP_RW:
		if (c->state == VSOCK_CONN_CONNECTING) {
			vsock_reject(d, hdr, "data before the connection was made");
			return;
		}
		if (hdr->len > VSOCK_HOST_BUF - c->data_len) {
			vsock_reject(d, hdr, "more data than the credit Keel gave");
			return;
		}
		memcpy(c->data + c->data_len, payload, hdr->len);
		c->data_len += hdr->len;
		c->bytes_from_guest += hdr->len;
		if (c->kind == VSOCK_CONN_ECHO)
			vsock_echo_flush(d, c);
		return;
	case VSOCK_OP_CREDIT_UPDATE:
		if (c->kind == VSOCK_CONN_ECHO)
			vsock_echo_flush(d, c);
		return;
	case VSOCK_OP_CREDIT_REQUEST:
		vsock_send_host(d, c, VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
		return;
	case VSOCK_OP_SHUTDOWN:
		/* The shell still reads what came; echo has nothing to add. */
		if (c->kind == VSOCK_CONN_SHELL) {
			c->state = VSOCK_CONN_CLOSING;
			return;
		}
		vsock_send_host(d, c, VSOCK_OP_RST, 0, NULL, 0);
		c->state = VSOCK_CONN_FREE;
		return;
	case VSOCK_OP_RST:
		c->state = VSOCK_CONN_FREE;
		return;
	default:
		vsock_reject(d, hdr, "unknown op");
		return;
	}
}

/* ---- guest to guest ---- */

static void vsock_relay(struct vsock_device *d, struct vsock_device *to,
			const struct vsock_hdr *hdr, const uint8_t *payload)
{
	struct vsock_conn *c = vsock_conn_find(d, hdr->src_port, to->cid, hdr->dst_port);
	struct vsock_conn *other;

	/* Reset, its RST on the way: what the guest still sends is dropped,
	 * its own RST ends it. */
	if (c && c->state == VSOCK_CONN_RESET) {
		if (hdr->op == VSOCK_OP_RST)
			c->state = VSOCK_CONN_FREE;
		return;
	}
	switch (hdr->op) {
	case VSOCK_OP_REQUEST:
		if (c) {
			vsock_reject(d, hdr, "REQUEST for a connection that exists");
			return;
		}
		c = vsock_conn_new(d, VSOCK_CONN_RELAY, hdr->src_port, to->cid, hdr->dst_port);
		if (!c) {
			vsock_send_reset(d, hdr);
			return;
		}
		break;
	case VSOCK_OP_RESPONSE:
		/* The requester's side is waiting; this side is new. */
		other = vsock_conn_find(to, hdr->dst_port, d->cid, hdr->src_port);
		if (c || !other || other->state != VSOCK_CONN_CONNECTING) {
			vsock_reject(d, hdr, "RESPONSE to no REQUEST");
			return;
		}
		c = vsock_conn_new(d, VSOCK_CONN_RELAY, hdr->src_port, to->cid, hdr->dst_port);
		if (!c) {
			vsock_send_reset(d, hdr);
			vsock_conn_reset(to, other);
			return;
		}
		c->state = VSOCK_CONN_CONNECTED;
		other->state = VSOCK_CONN_CONNECTED;
		break;
	case VSOCK_OP_RST:
		if (c) {
			vsock_conn_drop(d, c, true);   /* forwards the RST */
			return;
		}
		/* The refusal of a REQUEST (nobody listens there): only the
		 * requester has the connection, and waits for the answer. */
		other = vsock_conn_find(to, hdr->dst_port, d->cid, hdr->src_port);
		if (other && other->state == VSOCK_CONN_CONNECTING) {
			other->state = VSOCK_CONN_FREE;
			vsock_queue(to, hdr, NULL);
		}
		return;
	case VSOCK_OP_RW:
	case VSOCK_OP_SHUTDOWN:
	case VSOCK_OP_CREDIT_UPDATE:
	case VSOCK_OP_CREDIT_REQUEST:
		if (!c && hdr->op == VSOCK_OP_SHUTDOWN)
			return;   /* a close that crossed the other end's RST */
		if (!c || c->state == VSOCK_CONN_CONNECTING) {
			vsock_reject(d, hdr, "no such connection");
			return;
		}
		if (hdr->op == VSOCK_OP_SHUTDOWN)
			c->state = VSOCK_CONN_CLOSING;
		if (hdr->op == VSOCK_OP_RW) {
			c->bytes_from_guest += hdr->len;
			other = vsock_conn_find(to, hdr->dst_port, d->cid, hdr->src_port);
			if (other)
				other->bytes_to_guest += hdr->len;
		}
		break;
	default:
		vsock_reject(d, hdr, "unknown op");
		return;
	}
	if (!vsock_queue(to, hdr, payload)) {
		vsock_warn(d, "guest %s (CID %llu) takes no more packets; connection %u -> %u reset",
			   to->guest->name, (unsigned long long)to->cid, hdr->src_port,
			   hdr->dst_port);
		/* Both guests learn it: the receiver once it has room. */
		other = vsock_conn_find(to, hdr->dst_port, d->cid, hdr->src_port);
		if (other && other->state != VSOCK_CONN_RESET)
			vsock_conn_reset(to, other);
		if (c)
			vsock_conn_reset(d, c);
		else
			vsock_send_reset(d, hdr);
	}
}

void vsock_route(struct vsock_device *d, const struct vsock_hdr *hdr, const uint8_t *payload)
{
	struct vsock_device *to;

	if (hdr->src_cid != d->cid) {
		vsock_reject(d, hdr, "source CID is not the guest's (spoofed)");
		return;
	}
	if (hdr->type != VSOCK_TYPE_STREAM) {
		vsock_reject(d, hdr, "unknown socket type");
		return;
	}
	if (hdr->op != VSOCK_OP_RW && hdr->len) {
		vsock_reject(d, hdr, "payload on a packet that has none");
		return;
	}
	if (hdr->dst_cid == VSOCK_CID_HOST) {
		vsock_host_receive_packet(d, hdr, payload);
		return;
	}
	to = hdr->dst_cid != d->cid ? vsock_device_find(hdr->dst_cid) : NULL;
	if (!to) {
		/* No such CID: a REQUEST is refused, anything else is noise. */
		if (hdr->op == VSOCK_OP_REQUEST)
			vsock_send_reset(d, hdr);
		else if (hdr->op != VSOCK_OP_RST)
			vsock_reject(d, hdr, "no such destination CID");
		return;
	}
	vsock_relay(d, to, hdr, payload);
}

/* ---- devices ---- */

int vsock_device_register(struct vsock_device *d)
{
	if (vsock_device_find(d->cid))
		return -KEEL_EEXIST;
	d->next = vsock_devices;
	vsock_devices = d;
	d->registered = true;
	return 0;
}

void vsock_device_drop_all(struct vsock_device *d)
{
	for (unsigned int i = 0; i < VSOCK_CONN_MAX; i++)
		if (d->conns[i].state != VSOCK_CONN_FREE)
			vsock_conn_drop(d, &d->conns[i], true);
	/* Requests of other guests that d's side never answered. */
	for (struct vsock_device *other = vsock_devices; other; other = other->next) {
		for (unsigned int i = 0; other != d && i < VSOCK_CONN_MAX; i++) {
			struct vsock_conn *c = &other->conns[i];

			if (c->state == VSOCK_CONN_FREE || c->state == VSOCK_CONN_RESET ||
			    c->kind != VSOCK_CONN_RELAY || c->peer_cid != d->cid)
				continue;
			vsock_conn_reset(other, c);
		}
	}
	d->pending_count = 0;
	d->pending_head = 0;
	d->resets_owed = false;
	/* Nothing waits in d any more, and d's own sender waits for nobody. */
	d->unresponsive = false;
	vsock_wake_senders(d);
	vsock_tx_unpause(d);
}

void vsock_device_unregister(struct vsock_device *d)
{
	struct vsock_device **p;

	if (!d->registered)
		return;
	vsock_device_drop_all(d);
	for (p = &vsock_devices; *p; p = &(*p)->next) {
		if (*p == d) {
			*p = d->next;
			break;
		}
	}
	d->registered = false;
}
