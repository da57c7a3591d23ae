/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-net (VIRTIO 1.2 §5.1) for the basic guest: a polled driver with
 * no offloads (a 12-byte virtio_net_hdr before every frame), and just
 * enough IPv4 to ping a neighbour: ARP requests and replies, ICMP echo
 * requests and replies, IPv4 headers of 20 bytes without options.
 *
 * The check "virtio-net" takes its address from basic.ip=10.0.0.<n> and
 * its neighbour's from basic.peer=10.0.0.<m>. For up to 3 s it asks for
 * the neighbour's MAC by ARP, then pings it until 3 echo replies came
 * back (3 s more at most), all the while answering ARP and echo requests
 * for its own address, and goes on answering for SERVE_AFTER_MS after its
 * own success so that a neighbour running the same check can finish. A
 * neighbour that never answers ARP is not running: SKIP. One that answers
 * ARP but not enough echo requests is a failure.
 */
#include "arch.h"
#include "virtio.h"

#define VIRTIO_NET_F_MAC (1ULL << 5)
#define NET_QUEUE_RX 0
#define NET_QUEUE_TX 1
#define NET_HDR_SIZE 12
#define NET_FRAME_MAX 1518
#define NET_BUFFER_SIZE 1536            /* header + the largest frame */
#define NET_RX_BUFFERS 8
#define NET_RX_BUFFERS_MAX VIRTQ_SIZE_MAX   /* what netbench posts */

#define ETH_HLEN 14
#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806
#define ARP_LEN 28
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define IP_HLEN 20
#define IP_PROTO_ICMP 1
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP_HLEN 8
#define PING_ID 0x4b45                  /* "KE" */
#define PING_DATA 32                    /* the send time and a pattern */
#define ETH_MIN_FRAME 60

#define PINGS_WANTED 3
#define ARP_WAIT_S 3
#define PING_WAIT_S 3
#define ARP_RETRY_MS 200
#define PING_RETRY_MS 250
#define SERVE_AFTER_MS 1500

static struct virtio_device net_dev;
static struct virtq net_rx, net_tx;
static uint8_t net_rx_buffers[NET_RX_BUFFERS_MAX][NET_BUFFER_SIZE] __attribute__((aligned(16)));
static uint16_t net_rx_heads[NET_RX_BUFFERS_MAX];
/* Receive buffers posted: NET_RX_BUFFERS for the check, more for netbench. */
static unsigned int net_rx_count = NET_RX_BUFFERS;
/* netbench's handler for frames of other EtherTypes, NULL in the check. */
static void (*net_other_frame)(const uint8_t *frame, size_t len);
static uint8_t net_tx_buffer[NET_BUFFER_SIZE] __attribute__((aligned(16)));

/* What the check knows and counts. */
static struct {
	uint8_t mac[6];
	uint8_t ip[4];
	uint8_t peer_ip[4];
	uint8_t peer_mac[6];
	bool peer_known;
	uint16_t seq;                   /* of the last echo request sent */
	unsigned int replies;
	uint64_t rtt_us[PINGS_WANTED];
	unsigned int arp_answered;
	unsigned int echo_answered;
	const char *error;              /* the first driver failure */
} net;

static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static uint64_t ms_ticks(uint64_t ms)
{
	return counter_hz * ms / 1000;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool bytes_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* The Internet checksum (RFC 1071) of len bytes. */
static uint16_t inet_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get_be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* "a.b.c.d" into ip; false when it is not that. */
static bool parse_ip(const char *text, uint8_t *ip)
{
	for (unsigned int i = 0; i < 4; i++) {
		unsigned int v = 0, digits = 0;

		while (*text >= '0' && *text <= '9' && digits < 4) {
			v = v * 10 + (unsigned int)(*text++ - '0');
			digits++;
		}
		if (!digits || v > 255 || *text != (i == 3 ? '\0' : '.'))
			return false;
		ip[i] = (uint8_t)v;
		text++;
	}
	return true;
}

/* ---- the driver ---- */

static const char *rx_post(unsigned int i)
{
	struct virtq_buffer b = {
		.data = net_rx_buffers[i],
		.len = NET_BUFFER_SIZE,
		.device_writes = true,
	};

	return virtq_submit(&net_dev, &net_rx, &b, 1, &net_rx_heads[i]);
}

static const char *net_open(void)
{
	uint32_t low, high;
	const char *why;

	why = virtio_start(&net_dev, VIRTIO_NET_F_MAC, 8);
	if (why)
		return why;
	if (!(net_dev.accepted & VIRTIO_NET_F_MAC))
		return "the device does not offer VIRTIO_NET_F_MAC: no address to use";
	why = virtio_queue_start(&net_dev, &net_rx, NET_QUEUE_RX);
	if (!why)
		why = virtio_queue_start(&net_dev, &net_tx, NET_QUEUE_TX);
	if (!why)
		why = virtio_driver_ok(&net_dev);
	if (net_rx_count > net_rx.size)
		net_rx_count = net_rx.size;
	for (unsigned int i = 0; !why && i < net_rx_count; i++)
		why = rx_post(i);
	if (why)
		return why;
	low = virtio_config_read32(&net_dev, 0);
	high = virtio_config_read32(&net_dev, 4);
	for (unsigned int i = 0; i < 4; i++)
		net.mac[i] = (uint8_t)(low >> (8 * i));
	net.mac[4] = (uint8_t)high;
	net.mac[5] = (uint8_t)(high >> 8);
	return NULL;
}

/* Sends the frame built in net_tx_buffer after the header (len bytes,
 * padded to the Ethernet minimum). */
static void net_send(size_t len)
{
	struct virtq_buffer b = { .data = net_tx_buffer };
	uint32_t written;
	const char *why;

	for (size_t i = 0; i < NET_HDR_SIZE; i++)
		net_tx_buffer[i] = 0;
	for (; len < ETH_MIN_FRAME; len++)
		net_tx_buffer[NET_HDR_SIZE + len] = 0;
	b.len = (uint32_t)(NET_HDR_SIZE + len);
	why = virtq_transfer(&net_dev, &net_tx, &b, 1, counter_hz, &written);
	if (why && !net.error)
		net.error = why;
}

/* The Ethernet header of an outgoing frame; the payload's start. */
static uint8_t *eth_start(const uint8_t *dst, uint16_t type)
{
	uint8_t *f = net_tx_buffer + NET_HDR_SIZE;

	memcpy(f, dst, 6);
	memcpy(f + 6, net.mac, 6);
	put_be16(f + 12, type);
	return f + ETH_HLEN;
}

static void arp_send(uint16_t oper, const uint8_t *dst_mac, const uint8_t *target_mac,
		     const uint8_t *target_ip)
{
	uint8_t *a = eth_start(dst_mac, ETH_TYPE_ARP);

	put_be16(a, 1);                 /* Ethernet */
	put_be16(a + 2, ETH_TYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	put_be16(a + 6, oper);
	memcpy(a + 8, net.mac, 6);
	memcpy(a + 14, net.ip, 4);
	memcpy(a + 18, target_mac, 6);
	memcpy(a + 24, target_ip, 4);
	net_send(ETH_HLEN + ARP_LEN);
}

/* An IPv4 + ICMP packet to the peer's MAC: header, then icmp_len bytes
 * already in place after it (type, code, id, seq and data), checksummed. */
static void icmp_send(const uint8_t *dst_mac, const uint8_t *dst_ip, size_t icmp_len)
{
	uint8_t *ip = eth_start(dst_mac, ETH_TYPE_IPV4);
	uint8_t *icmp = ip + IP_HLEN;

	ip[0] = 0x45;
	ip[1] = 0;
	put_be16(ip + 2, (uint16_t)(IP_HLEN + icmp_len));
	put_be16(ip + 4, net.seq);
	put_be16(ip + 6, 0x4000);       /* don't fragment */
	ip[8] = 64;
	ip[9] = IP_PROTO_ICMP;
	put_be16(ip + 10, 0);
	memcpy(ip + 12, net.ip, 4);
	memcpy(ip + 16, dst_ip, 4);
	put_be16(ip + 10, inet_checksum(ip, IP_HLEN));
	put_be16(icmp + 2, 0);
	put_be16(icmp + 2, inet_checksum(icmp, icmp_len));
	net_send(ETH_HLEN + IP_HLEN + icmp_len);
}

static void ping_send(void)
{
	uint8_t *icmp = net_tx_buffer + NET_HDR_SIZE + ETH_HLEN + IP_HLEN;
	uint64_t now = arch_counter_read();

	net.seq++;
	icmp[0] = ICMP_ECHO_REQUEST;
	icmp[1] = 0;
	put_be16(icmp + 4, PING_ID);
	put_be16(icmp + 6, net.seq);
	for (unsigned int i = 0; i < 8; i++)
		icmp[ICMP_HLEN + i] = (uint8_t)(now >> (8 * i));
	for (unsigned int i = 8; i < PING_DATA; i++)
		icmp[ICMP_HLEN + i] = (uint8_t)('a' + i);
	icmp_send(net.peer_mac, net.peer_ip, ICMP_HLEN + PING_DATA);
}

static void arp_receive(const uint8_t *a, size_t len)
{
	uint16_t oper;

	if (len < ARP_LEN || get_be16(a) != 1 || get_be16(a + 2) != ETH_TYPE_IPV4 ||
	    a[4] != 6 || a[5] != 4)
		return;
	oper = get_be16(a + 6);
	/* Whoever speaks from the peer's address tells us its MAC. */
	if (bytes_equal(a + 14, net.peer_ip, 4) && (oper == ARP_REPLY || oper == ARP_REQUEST) &&
	    bytes_equal(a + 24, net.ip, 4)) {
		memcpy(net.peer_mac, a + 8, 6);
		net.peer_known = true;
	}
	if (oper == ARP_REQUEST && bytes_equal(a + 24, net.ip, 4)) {
		uint8_t mac[6], ip[4];

		memcpy(mac, a + 8, 6);
		memcpy(ip, a + 14, 4);
		arp_send(ARP_REPLY, mac, mac, ip);
		net.arp_answered++;
	}
}

static void icmp_receive(const uint8_t *src_mac, const uint8_t *ip, size_t len)
{
	size_t ihl = (size_t)(ip[0] & 0xf) * 4, total = get_be16(ip + 2);
	const uint8_t *icmp = ip + ihl;
	size_t icmp_len;

	if ((ip[0] >> 4) != 4 || ihl < IP_HLEN || total > len || total < ihl + ICMP_HLEN ||
	    ip[9] != IP_PROTO_ICMP || !bytes_equal(ip + 16, net.ip, 4) ||
	    inet_checksum(ip, ihl) != 0)
		return;
	icmp_len = total - ihl;
	if (inet_checksum(icmp, icmp_len) != 0)
		return;
	if (icmp[0] == ICMP_ECHO_REQUEST && icmp_len <= NET_FRAME_MAX - ETH_HLEN - IP_HLEN) {
		uint8_t *out = net_tx_buffer + NET_HDR_SIZE + ETH_HLEN + IP_HLEN;
		uint8_t mac[6], from[4];

		memcpy(mac, src_mac, 6);
		memcpy(from, ip + 12, 4);
		memcpy(out, icmp, icmp_len);
		out[0] = ICMP_ECHO_REPLY;
		icmp_send(mac, from, icmp_len);
		net.echo_answered++;
		return;
	}
	if (icmp[0] == ICMP_ECHO_REPLY && bytes_equal(ip + 12, net.peer_ip, 4) &&
	    get_be16(icmp + 4) == PING_ID && get_be16(icmp + 6) == net.seq &&
	    icmp_len >= ICMP_HLEN + 8 && net.replies < PINGS_WANTED) {
		uint64_t sent = 0;

		for (unsigned int i = 0; i < 8; i++)
			sent |= (uint64_t)icmp[ICMP_HLEN + i] << (8 * i);
		net.rtt_us[net.replies++] = ticks_to_us(arch_counter_read() - sent);
	}
}

static void frame_receive(const uint8_t *f, size_t len)
{
	if (len < ETH_HLEN)
		return;
	if (!bytes_equal(f, net.mac, 6) && !bytes_equal(f, broadcast_mac, 6))
		return;
	switch (get_be16(f + 12)) {
	case ETH_TYPE_ARP:
		arp_receive(f + ETH_HLEN, len - ETH_HLEN);
		break;
	case ETH_TYPE_IPV4:
		if (len >= ETH_HLEN + IP_HLEN)
			icmp_receive(f + 6, f + ETH_HLEN, len - ETH_HLEN);
		break;
	default:
		if (net_other_frame)
			net_other_frame(f, len);
		break;
	}
}

/* Takes every frame received so far and gives its buffer back. */
static void net_poll(void)
{
	uint16_t head;
	uint32_t written;

	while (!net.error) {
		enum virtq_wait_result got = virtq_wait_used(&net_dev, &net_rx, 0, &head, &written);
		unsigned int i;

		if (got == VIRTQ_BROKEN)
			net.error = net_dev.error;
		if (got != VIRTQ_USED)
			return;
		for (i = 0; i < net_rx_count && net_rx_heads[i] != head; i++)
			;
		if (i == net_rx_count) {
			net.error = "the device returned a receive buffer it was not given";
			return;
		}
		if (written > NET_HDR_SIZE)
			frame_receive(net_rx_buffers[i] + NET_HDR_SIZE, written - NET_HDR_SIZE);
		if (!net.error)
			net.error = rx_post(i);
	}
}

/* ---- the check ---- */

static void ip_text(char *buf, size_t size, const uint8_t *ip)
{
	format_string(buf, size, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
}

/* Pings the peer; fills r on failure (or SKIP). True when 3 replies came. */
static bool net_ping_peer(struct check_result *r, const char *peer)
{
	uint64_t start = arch_counter_read(), next = start, resolved = 0;

	while (!net.error && !net.peer_known) {
		uint64_t now = arch_counter_read();

		if (now - start > (uint64_t)ARP_WAIT_S * counter_hz) {
			check_skip(r, "peer %s did not answer ARP within %u s",
				   peer, ARP_WAIT_S);
			return false;
		}
		if (now >= next) {
			arp_send(ARP_REQUEST, broadcast_mac, (const uint8_t[6]){ 0 }, net.peer_ip);
			next = now + ms_ticks(ARP_RETRY_MS);
		}
		net_poll();
	}
	resolved = arch_counter_read();
	next = resolved;
	while (!net.error && net.replies < PINGS_WANTED) {
		uint64_t now = arch_counter_read();
		unsigned int before = net.replies;

		if (now - resolved > (uint64_t)PING_WAIT_S * counter_hz) {
			check_fail(r, "no echo reply from %s (%u of %u within %u s after its ARP reply; sent %u requests)",
				   peer, net.replies, PINGS_WANTED, PING_WAIT_S, net.seq);
			return false;
		}
		if (now >= next) {
			ping_send();
			next = now + ms_ticks(PING_RETRY_MS);
		}
		net_poll();
		if (net.replies != before)
			next = arch_counter_read();   /* the next one at once */
	}
	if (net.error) {
		check_fail(r, "%s", net.error);
		return false;
	}
	return true;
}

static void check_virtio_net(struct check_result *r)
{
	char ip[20] = "", peer[20] = "";
	uint64_t until;

	memset(&net, 0, sizeof(net));
	net_rx_count = NET_RX_BUFFERS;
	net_other_frame = NULL;
	bootargs_option(board.bootargs, "basic.ip=", ip, sizeof(ip));
	if (!ip[0]) {
		check_skip(r, "no basic.ip");
		return;
	}
	bootargs_option(board.bootargs, "basic.peer=", peer, sizeof(peer));
	if (!parse_ip(ip, net.ip)) {
		check_fail(r, "option basic.ip=\"%s\" is not an IPv4 address", ip);
		return;
	}
	if (!peer[0] || !parse_ip(peer, net.peer_ip)) {
		check_fail(r, "basic.ip given; expected basic.peer=<IPv4 address>, got \"%s\"", peer);
		return;
	}
	if (!virtio_find(VIRTIO_ID_NET, &net_dev)) {
		check_skip(r, "%s", net_dev.error);
		return;
	}
	net.error = net_open();
	if (net.error) {
		check_fail(r, "%s", net.error);
		goto out;
	}
	if (!net_ping_peer(r, peer))
		goto out;
	/* The peer may still be pinging us. */
	until = arch_counter_read() + ms_ticks(SERVE_AFTER_MS);
	while (!net.error && arch_counter_read() < until)
		net_poll();
	if (net.error) {
		check_fail(r, "%s", net.error);
		goto out;
	}
	ip_text(ip, sizeof(ip), net.ip);
	check_pass(r, "%s %02x:%02x:%02x:%02x:%02x:%02x; %s at %02x:%02x:%02x:%02x:%02x:%02x; %u echo replies, rtt %lu us, %lu us, %lu us; answered %u ARP, %u echo",
		   ip, net.mac[0], net.mac[1], net.mac[2], net.mac[3], net.mac[4], net.mac[5],
		   peer, net.peer_mac[0], net.peer_mac[1], net.peer_mac[2], net.peer_mac[3],
		   net.peer_mac[4], net.peer_mac[5], net.replies, net.rtt_us[0], net.rtt_us[1],
		   net.rtt_us[2], net.arp_answered, net.echo_answered);
out:
	virtio_stop(&net_dev);
}
CHECK_DEFINE(94, virtio_net, "virtio-net", check_virtio_net, false);

/* ---- for netbench.c (see basic.h) ---- */

const char *net_bench_open(const char *ip, const char *peer,
			   void (*other_frame)(const uint8_t *frame, size_t len))
{
	memset(&net, 0, sizeof(net));
	net_rx_count = NET_RX_BUFFERS_MAX;
	net_other_frame = other_frame;
	if (!parse_ip(ip, net.ip))
		return "basic.ip= is not an IPv4 address";
	if (!parse_ip(peer, net.peer_ip))
		return "basic.peer= is not an IPv4 address";
	if (!virtio_find(VIRTIO_ID_NET, &net_dev))
		return net_dev.error;
	net.error = net_open();
	return net.error;
}

bool net_bench_resolve(uint64_t timeout)
{
	uint64_t start = arch_counter_read(), next = start;

	while (!net.error && !net.peer_known) {
		uint64_t now = arch_counter_read();

		if (now - start > timeout)
			return false;
		if (now >= next) {
			arp_send(ARP_REQUEST, broadcast_mac, (const uint8_t[6]){ 0 }, net.peer_ip);
			next = now + ms_ticks(ARP_RETRY_MS);
		}
		net_poll();
	}
	return net.peer_known;
}

void net_bench_poll(void)
{
	net_poll();
}

const char *net_bench_error(void)
{
	return net.error;
}

void net_bench_addresses(uint8_t *mac, uint8_t *peer_mac)
{
	memcpy(mac, net.mac, 6);
	memcpy(peer_mac, net.peer_mac, 6);
}

void net_bench_transmit_queue(struct virtio_device **dev, struct virtq **tx)
{
	*dev = &net_dev;
	*tx = &net_tx;
}

void net_bench_close(void)
{
	virtio_stop(&net_dev);
	net_other_frame = NULL;
	net_rx_count = NET_RX_BUFFERS;
}
