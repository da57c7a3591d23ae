// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attacks through the guest's network and socket devices: sending frames
 * with a neighbour's MAC address as source, flooding the switch with
 * random source addresses, and opening connection after connection on
 * virtio-vsock. A small driver of their own (the checks' keep their state
 * private): raw frames in and out, raw vsock packets.
 */
#include "attacks.h"
#include "virtio.h"

#define VIRTIO_NET_F_MAC (1ULL << 5)
#define NET_HDR 12
#define NET_BUF 1536
#define NET_RX 8
#define ETH_TYPE_ARP 0x0806
#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_LOCAL 0x88b5		/* IEEE local experimental */

static struct virtio_device ndev;
static struct virtq nrx, ntx;
static uint8_t nrx_buf[NET_RX][NET_BUF] __attribute__((aligned(16)));
static uint16_t nrx_head[NET_RX];
static uint8_t ntx_buf[NET_BUF] __attribute__((aligned(16)));
static uint8_t own_mac[6], own_ip[4];

/* The neighbours, from the command line. */
static struct {
	uint8_t ip[4];
	uint8_t mac[6];
	bool known;
} victims[2];

/* Frames received whose destination is victims[0]'s MAC. */
static unsigned long stolen;
static uint16_t stolen_type;

static bool bytes_same(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool parse_ip(const char *text, uint8_t *ip)
{
	unsigned int part = 0, value = 0, digits = 0;

	for (;; text++) {
		if (*text >= '0' && *text <= '9') {
			value = value * 10 + (unsigned int)(*text - '0');
			if (value > 255 || ++digits > 3)
				return false;
		} else if ((*text == '.' && part < 3) || (!*text && part == 3)) {
			if (!digits)
				return false;
			ip[part++] = (uint8_t)value;
			value = digits = 0;
			if (!*text)
				return true;
		} else {
			return false;
		}
	}
}

static const char *rx_post(unsigned int i)
{
	struct virtq_buffer b = { nrx_buf[i], NET_BUF, true };

	return virtq_submit(&ndev, &nrx, &b, 1, &nrx_head[i]);
}

static const char *net_up(void)
{
	const char *why;
	uint32_t low, high;

	if (!virtio_find(VIRTIO_ID_NET, &ndev))
		return ndev.error;
	why = virtio_start(&ndev, VIRTIO_NET_F_MAC, 8);
	if (!why)
		why = virtio_queue_start(&ndev, &nrx, 0);
	if (!why)
		why = virtio_queue_start(&ndev, &ntx, 1);
	if (!why)
		why = virtio_driver_ok(&ndev);
	for (unsigned int i = 0; !why && i < NET_RX && i < nrx.size; i++)
		why = rx_post(i);
	if (why)
		return why;
	low = virtio_config_read32(&ndev, 0);
	high = virtio_config_read32(&ndev, 4);
	for (unsigned int i = 0; i < 4; i++)
		own_mac[i] = (uint8_t)(low >> (8 * i));
	own_mac[4] = (uint8_t)high;
	own_mac[5] = (uint8_t)(high >> 8);
	return NULL;
}

/* Sends len bytes of frame (from ntx_buf + NET_HDR), padded to 60. */
static const char *frame_send(size_t len)
{
	struct virtq_buffer b = { ntx_buf, 0, false };
	uint32_t written;

	memset(ntx_buf, 0, NET_HDR);
	for (; len < 60; len++)
		ntx_buf[NET_HDR + len] = 0;
	b.len = (uint32_t)(NET_HDR + len);
	return virtq_transfer(&ndev, &ntx, &b, 1, counter_hz, &written);
}

static uint8_t *eth(const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	uint8_t *f = ntx_buf + NET_HDR;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	return f + 14;
}

/* An ARP packet (oper 1 request, 2 reply) from sender_mac/sender_ip. */
static const char *arp_send(const uint8_t *eth_src, uint16_t oper,
			    const uint8_t *sender_mac, const uint8_t *sender_ip,
			    const uint8_t *target_ip, const uint8_t *dst)
{
	uint8_t *a = eth(dst, eth_src, ETH_TYPE_ARP);
	static const uint8_t head[6] = { 0, 1, 8, 0, 6, 4 };

	memcpy(a, head, 6);
	a[6] = 0;
	a[7] = (uint8_t)oper;
	memcpy(a + 8, sender_mac, 6);
	memcpy(a + 14, sender_ip, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, target_ip, 4);
	return frame_send(14 + 28);
}

static void frame_seen(const uint8_t *f, size_t len)
{
	if (len < 14)
		return;
	if (victims[0].known && bytes_same(f, victims[0].mac, 6)) {
		if (!stolen++)
			stolen_type = (uint16_t)(f[12] << 8 | f[13]);
	}
}

/* Takes every received frame and posts its buffer again. */
static void net_drain(void)
{
	uint16_t head;
	uint32_t written;

	while (virtq_wait_used(&ndev, &nrx, arch_counter_read(), &head, &written) ==
	       VIRTQ_USED) {
		unsigned int i = 0;

		while (i < NET_RX - 1 && nrx_head[i] != head)
			i++;
		if (written > NET_HDR)
			frame_seen(nrx_buf[i] + NET_HDR, written - NET_HDR);
		rx_post(i);
	}
}

static bool parse_mac(const char *text, uint8_t *mac)
{
	for (unsigned int i = 0; i < 6; i++) {
		unsigned int v = 0;

		for (unsigned int k = 0; k < 2; k++, text++) {
			char c = *text;

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned int)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned int)(c - 'a' + 10);
			else
				return false;
		}
		mac[i] = (uint8_t)v;
		if (*text != (i == 5 ? '\0' : ':'))
			return false;
		text++;
	}
	return true;
}

/* Opens the device; the neighbours' addresses come from the command line:
 * basic.peer= and basic.victim-mac= (the one to impersonate),
 * basic.victim2= and basic.victim2-mac= (the other). */
static bool net_prepare(void)
{
	char ip[20] = "", peer[20] = "", peer2[20] = "", mac[20] = "", mac2[20] = "";
	const char *why;

	bootargs_option(board.bootargs, "basic.ip=", ip, sizeof(ip));
	bootargs_option(board.bootargs, "basic.peer=", peer, sizeof(peer));
	bootargs_option(board.bootargs, "basic.victim2=", peer2, sizeof(peer2));
	bootargs_option(board.bootargs, "basic.victim-mac=", mac, sizeof(mac));
	bootargs_option(board.bootargs, "basic.victim2-mac=", mac2, sizeof(mac2));
	if (!parse_ip(ip, own_ip) || !parse_ip(peer, victims[0].ip) ||
	    !parse_ip(peer2, victims[1].ip) || !parse_mac(mac, victims[0].mac) ||
	    !parse_mac(mac2, victims[1].mac)) {
		attack_fail("needs basic.ip=, basic.peer=, basic.victim-mac=, basic.victim2= and basic.victim2-mac= (the neighbours)");
		return false;
	}
	victims[0].known = victims[1].known = true;
	why = net_up();
	if (why) {
		attack_fail("virtio-net: %s", why);
		return false;
	}
	return true;
}

/*
 * For up to 15 s (more than one of the neighbours' rounds): ARP requests
 * to the second neighbour "from" the first (its MAC and IPv4 address as
 * sender), every 5 ms. The second neighbour answers ARP while its
 * virtio-net check runs, to the first neighbour's MAC; a switch that
 * learned that MAC from the attacker's frames delivers the answer here.
 * The attacker counts every frame addressed to that MAC it receives, and
 * stops at the first.
 */
void attack_mac_spoof(void)
{
	uint64_t end, next = 0, sent = 0;
	const char *why = NULL;

	if (!net_prepare())
		return;
	stolen = 0;
	end = arch_counter_read() + 15 * counter_hz;
	while (!why && !stolen && arch_counter_read() < end) {
		uint64_t now = arch_counter_read();

		net_drain();
		if (now < next)
			continue;
		next = now + attack_ms(5);
		why = arp_send(victims[0].mac, 1, victims[0].mac, victims[0].ip,
			       victims[1].ip, victims[1].mac);
		sent++;
	}
	net_drain();
	if (why)
		attack_fail("sending: %s", why);
	else if (stolen)
		attack_fail("received %lu frames addressed to the neighbour's MAC (the first of type 0x%04x) after sending %lu ARP requests with it as source: the switch let the attacker take over its address",
			    stolen, stolen_type, sent);
	else
		attack_pass("%lu ARP requests sent over 15 s with the neighbour's MAC and address as source; none of the answers came here",
			    sent);
	virtio_stop(&ndev);
}

/* 5000 frames, each from a new random source MAC to a random unicast
 * address; then the attacker's own address must still work. */
void attack_mac_flood(void)
{
	uint64_t rng = arch_counter_read() | 1;
	const char *why = NULL;
	unsigned int sent = 0;

	if (!net_prepare())
		return;
	while (!why && sent < 5000) {
		uint8_t src[6], dst[6];
		uint64_t r = attack_random(&rng);
		uint8_t *p;

		for (unsigned int i = 0; i < 6; i++) {
			src[i] = (uint8_t)(r >> (8 * i));
			dst[i] = (uint8_t)(r >> (8 * i + 16));
		}
		src[0] = 0x02;		/* locally administered unicast */
		dst[0] = 0x06;
		p = eth(dst, src, ETH_TYPE_LOCAL);
		memset(p, 0xa5, 46);
		why = frame_send(14 + 46);
		sent++;
		if (!(sent % 64))
			net_drain();
	}
	if (why) {
		attack_fail("frame %u: %s", sent, why);
		virtio_stop(&ndev);
		return;
	}
	attack_pass("%u frames from random source MACs to random unicast addresses, each taken by the device",
		    sent);
	virtio_stop(&ndev);
}

/* --------------------------------------------------------------- vsock --- */

#define VSOCK_HDR 44
#define VSOCK_RX 8
#define VSOCK_FLOOD 256
#define VSOCK_PORT_FIRST 50000U
#define OP_REQUEST 1
#define OP_RESPONSE 2
#define OP_RST 3


static struct virtio_device vdev;
static struct virtq vrx, vtx, vevent;
static uint8_t vrx_buf[VSOCK_RX][VSOCK_HDR + 64] __attribute__((aligned(16)));
static uint16_t vrx_head[VSOCK_RX];
static uint8_t vtx_buf[VSOCK_HDR] __attribute__((aligned(16)));
static uint64_t vsock_cid;
static unsigned int responses, resets;
static uint8_t answered[VSOCK_FLOOD];	/* 1: RESPONSE, 2: RST */

static const char *vsock_up(void)
{
	const char *why;

	if (!virtio_find(VIRTIO_ID_VSOCK, &vdev))
		return vdev.error;
	why = virtio_start(&vdev, 0, 8);
	if (!why)
		why = virtio_queue_start(&vdev, &vrx, 0);
	if (!why)
		why = virtio_queue_start(&vdev, &vtx, 1);
	if (!why)
		why = virtio_queue_start(&vdev, &vevent, 2);
	if (!why)
		why = virtio_driver_ok(&vdev);
	for (unsigned int i = 0; !why && i < VSOCK_RX; i++) {
		struct virtq_buffer b = { vrx_buf[i], sizeof(vrx_buf[i]), true };

		why = virtq_submit(&vdev, &vrx, &b, 1, &vrx_head[i]);
	}
	vsock_cid = virtio_config_read64(&vdev, 0);
	return why;
}

static const char *vsock_packet(uint32_t src_port, uint16_t op)
{
	volatile struct vsock_hdr *h = (volatile struct vsock_hdr *)vtx_buf;
	struct virtq_buffer b = { vtx_buf, VSOCK_HDR, false };
	uint32_t written;

	h->src_cid = vsock_cid;
	h->dst_cid = 2;
	h->src_port = src_port;
	h->dst_port = 7;
	h->len = 0;
	h->type = 1;
	h->op = op;
	h->flags = 0;
	h->buf_alloc = 4096;
	h->fwd_cnt = 0;
	return virtq_transfer(&vdev, &vtx, &b, 1, counter_hz, &written);
}

static void vsock_drain(uint64_t deadline)
{
	uint16_t head;
	uint32_t written;

	while (virtq_wait_used(&vdev, &vrx, deadline, &head, &written) == VIRTQ_USED) {
		unsigned int i = 0;
		const volatile struct vsock_hdr *h;

		while (i < VSOCK_RX - 1 && vrx_head[i] != head)
			i++;
		h = (const volatile struct vsock_hdr *)vrx_buf[i];
		if (written >= VSOCK_HDR && h->dst_port >= VSOCK_PORT_FIRST &&
		    h->dst_port < VSOCK_PORT_FIRST + VSOCK_FLOOD) {
			uint32_t n = h->dst_port - VSOCK_PORT_FIRST;

			if (h->op == OP_RESPONSE && !answered[n]) {
				answered[n] = 1;
				responses++;
			} else if (h->op == OP_RST && answered[n] != 2) {
				if (answered[n] == 1)
					responses--;
				answered[n] = 2;
				resets++;
			}
		}
		struct virtq_buffer b = { vrx_buf[i], sizeof(vrx_buf[i]), true };

		virtq_submit(&vdev, &vrx, &b, 1, &vrx_head[i]);
		deadline = arch_counter_read();
	}
}

/* 256 connection requests to the host's echo service without closing any:
 * a per-guest limit must refuse some (RST); after a device reset a new
 * connection must work. */
void attack_vsock_flood(void)
{
	const char *why = vsock_up();

	if (why) {
		attack_fail("virtio-vsock: %s", why);
		return;
	}
	responses = resets = 0;
	memset(answered, 0, sizeof(answered));
	for (uint32_t i = 0; !why && i < VSOCK_FLOOD; i++) {
		why = vsock_packet(VSOCK_PORT_FIRST + i, OP_REQUEST);
		vsock_drain(arch_counter_read());
	}
	vsock_drain(arch_counter_read() + attack_ms(500));
	if (why) {
		attack_fail("request: %s", why);
		virtio_stop(&vdev);
		return;
	}
	attack_note("%u connection requests: %u accepted, %u refused, %u unanswered",
		    VSOCK_FLOOD, responses, resets, VSOCK_FLOOD - responses - resets);
	if (!resets)
		attack_fail("expected a per-guest connection limit to refuse some of %u connection requests (RST); %u were accepted",
			    VSOCK_FLOOD, responses);
	else
		attack_pass("%u of %u connection requests refused by a limit, %u accepted",
			    resets, VSOCK_FLOOD, responses);
	/* A reset of the device drops them all; then one new one works. */
	virtio_stop(&vdev);
	why = vsock_up();
	memset(answered, 0, sizeof(answered));
	responses = resets = 0;
	if (!why)
		why = vsock_packet(VSOCK_PORT_FIRST, OP_REQUEST);
	if (!why)
		vsock_drain(arch_counter_read() + counter_hz);
	if (why || responses != 1)
		attack_fail("after a device reset, expected a new connection to the echo service to be accepted within 1 s; %s",
			    why ? why : resets ? "it was refused (RST)" : "no answer");
	else
		attack_pass("after a device reset a new connection is accepted");
	if (!why)
		vsock_packet(VSOCK_PORT_FIRST, OP_RST);
	virtio_stop(&vdev);
}
