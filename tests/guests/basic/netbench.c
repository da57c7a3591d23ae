// SPDX-License-Identifier: GPL-2.0-only
/*
 * The netbench mode (basic.mode=netbench, basic.netbench=send|receive,
 * with basic.ip= and basic.peer=): guest-to-guest virtio-net throughput,
 * a benchmark for tools/bench, not a check.
 *
 * The sender ARP-resolves the peer, then streams NETBENCH_BYTES in
 * 1514-byte frames of EtherType 0x88b5 (a local experimental type), each
 * with a sequence number, keeping every transmit descriptor of the queue
 * in flight; then it sends a few "done" frames that carry the number of
 * frames sent. The receiver keeps every receive buffer posted, counts the
 * frames, their bytes and the sequence numbers that never came (a switch
 * drops a frame when the receiver has no buffer posted: expected), and
 * stops at the first "done" frame or after NETBENCH_IDLE_MS without one.
 * Both print one line and power off.
 */
#include "arch.h"
#include "virtio.h"

#define NETBENCH_ETH_TYPE 0x88b5
#define NETBENCH_FRAME 1514
#define NETBENCH_HDR 12                 /* virtio_net_hdr, no offloads */
#define NETBENCH_BYTES MiB(16)
#define NETBENCH_FRAMES ((NETBENCH_BYTES + NETBENCH_FRAME - 1) / NETBENCH_FRAME)
#define NETBENCH_KIND_DATA 1
#define NETBENCH_KIND_DONE 2
#define NETBENCH_DONE_FRAMES 5
#define NETBENCH_DONE_GAP_MS 20
#define NETBENCH_ARP_WAIT_S 10          /* the receiver is started first */
#define NETBENCH_FIRST_WAIT_S 60        /* for the sender's first frame */
#define NETBENCH_IDLE_MS 2000           /* a receiver with no done frame */

/* Payload offsets after the 14-byte Ethernet header. */
#define PAYLOAD_KIND 14
#define PAYLOAD_SEQ 16                  /* big endian, 32 bits */
#define PAYLOAD_TOTAL 20                /* done: frames sent, 32 bits */
#define PAYLOAD_PATTERN 24

static uint8_t netbench_tx[VIRTQ_SIZE_MAX][NETBENCH_HDR + NETBENCH_FRAME]
	__attribute__((aligned(16)));
static uint16_t netbench_tx_heads[VIRTQ_SIZE_MAX];
static bool netbench_tx_busy[VIRTQ_SIZE_MAX];

/* What the receiver counts (frame handler state). */
static struct {
	uint64_t first;                 /* counter at the first data frame */
	uint64_t last;                  /* and at the latest */
	uint64_t frames;
	uint64_t bytes;
	uint64_t lost;                  /* sequence numbers skipped */
	uint32_t next_seq;
	uint32_t total;                 /* from the done frame */
	bool done;
} rx;

static uint64_t ms_ticks(uint64_t ms)
{
	return counter_hz * ms / 1000;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Bytes in ticks as MB/s, in tenths. */
static uint64_t rate_tenths(uint64_t bytes, uint64_t ticks)
{
	return bytes * 10 * counter_hz / (ticks ? ticks : 1) / 1000000;
}

static void __attribute__((noreturn)) netbench_end(void)
{
	net_bench_close();
	arch_power_off();
	arch_halt();
}

static void __attribute__((noreturn)) netbench_fail(const char *why)
{
	print_line("FAIL netbench: %s", why);
	netbench_end();
}

/* ---- receive ---- */

static void netbench_frame(const uint8_t *f, size_t len)
{
	uint32_t seq;

	if (len < PAYLOAD_PATTERN || f[12] != (NETBENCH_ETH_TYPE >> 8) ||
	    f[13] != (NETBENCH_ETH_TYPE & 0xff))
		return;
	seq = get_be32(f + PAYLOAD_SEQ);
	if (f[PAYLOAD_KIND] == NETBENCH_KIND_DONE) {
		rx.total = get_be32(f + PAYLOAD_TOTAL);
		rx.done = true;
		return;
	}
	if (f[PAYLOAD_KIND] != NETBENCH_KIND_DATA)
		return;
	rx.last = arch_counter_read();
	if (!rx.frames)
		rx.first = rx.last;
	rx.frames++;
	rx.bytes += len;
	/* The switch keeps the order of one port's frames. */
	if (seq >= rx.next_seq) {
		rx.lost += seq - rx.next_seq;
		rx.next_seq = seq + 1;
	}
}

static void __attribute__((noreturn)) netbench_receive(void)
{
	uint64_t start = arch_counter_read(), rate;

	print_line("netbench: receiving; waiting up to %u s for the sender", NETBENCH_FIRST_WAIT_S);
	while (!rx.done && !net_bench_error()) {
		uint64_t now = arch_counter_read();

		if (!rx.frames && now - start > (uint64_t)NETBENCH_FIRST_WAIT_S * counter_hz)
			netbench_fail("no frame from the sender");
		if (rx.frames && now - rx.last > ms_ticks(NETBENCH_IDLE_MS))
			break;
		net_bench_poll();
	}
	if (net_bench_error())
		netbench_fail(net_bench_error());
	/* Sequence numbers after the last one that arrived were lost too. */
	if (rx.done && rx.total > rx.next_seq)
		rx.lost += rx.total - rx.next_seq;
	rate = rate_tenths(rx.bytes, rx.last - rx.first);
	print_line("net receive: %lu.%lu MB/s, %lu frames, %lu lost (%lu bytes in %lu us; %s)",
		   rate / 10, rate % 10, rx.frames, rx.lost, rx.bytes,
		   ticks_to_us(rx.last - rx.first),
		   rx.done ? "done frame seen" : "no done frame: stopped after 2 s idle");
	netbench_end();
}

/* ---- send ---- */

/* Takes back the transmit buffers the device is done with; waits until
 * deadline for at least one when `wait`. NULL or why not. */
static const char *netbench_reclaim(struct virtio_device *dev, struct virtq *tx,
				    bool wait)
{
	uint64_t deadline = wait ? arch_counter_read() + counter_hz : 0;
	uint16_t head;
	uint32_t written;

	for (;;) {
		switch (virtq_wait_used(dev, tx, deadline, &head, &written)) {
		case VIRTQ_TIMEOUT:
			return wait ? "the device did not return a transmit buffer within 1 s" : NULL;
		case VIRTQ_BROKEN:
			return dev->error;
		case VIRTQ_USED:
			break;
		}
		for (unsigned int i = 0; i < VIRTQ_SIZE_MAX; i++) {
			if (netbench_tx_busy[i] && netbench_tx_heads[i] == head) {
				netbench_tx_busy[i] = false;
				break;
			}
		}
		deadline = 0;
		wait = false;
	}
}

/* Sends the frame in buffer i (one descriptor). */
static const char *netbench_post(struct virtio_device *dev, struct virtq *tx,
				 unsigned int i)
{
	struct virtq_buffer b = { netbench_tx[i], NETBENCH_HDR + NETBENCH_FRAME, false };
	const char *why = virtq_submit(dev, tx, &b, 1, &netbench_tx_heads[i]);

	if (!why)
		netbench_tx_busy[i] = true;
	return why;
}

static void __attribute__((noreturn)) netbench_send(void)
{
	struct virtio_device *dev;
	struct virtq *tx;
	uint8_t mac[6], peer_mac[6];
	uint64_t start, ticks, rate;
	unsigned int buffers;
	const char *why = NULL;

	if (!net_bench_resolve((uint64_t)NETBENCH_ARP_WAIT_S * counter_hz))
		netbench_fail(net_bench_error() ? net_bench_error() :
			      "the peer did not answer ARP within 10 s");
	net_bench_addresses(mac, peer_mac);
	net_bench_transmit_queue(&dev, &tx);
	buffers = tx->size;
	for (unsigned int i = 0; i < buffers; i++) {
		uint8_t *f = netbench_tx[i] + NETBENCH_HDR;

		memset(netbench_tx[i], 0, NETBENCH_HDR);
		memcpy(f, peer_mac, 6);
		memcpy(f + 6, mac, 6);
		f[12] = NETBENCH_ETH_TYPE >> 8;
		f[13] = NETBENCH_ETH_TYPE & 0xff;
		f[PAYLOAD_KIND] = NETBENCH_KIND_DATA;
		f[PAYLOAD_KIND + 1] = 0;
		put_be32(f + PAYLOAD_TOTAL, 0);
		for (unsigned int j = PAYLOAD_PATTERN; j < NETBENCH_FRAME; j++)
			f[j] = (uint8_t)(j * 7);
		netbench_tx_busy[i] = false;
	}
	print_line("netbench: sending %u frames of %u bytes to %02x:%02x:%02x:%02x:%02x:%02x, %u in flight",
		   (unsigned int)NETBENCH_FRAMES, NETBENCH_FRAME, peer_mac[0], peer_mac[1],
		   peer_mac[2], peer_mac[3], peer_mac[4], peer_mac[5], buffers);

	start = arch_counter_read();
	for (uint32_t seq = 0; seq < NETBENCH_FRAMES && !why; seq++) {
		unsigned int i;

		for (;;) {
			for (i = 0; i < buffers && netbench_tx_busy[i]; i++)
				;
			if (i < buffers)
				break;
			why = netbench_reclaim(dev, tx, true);
			if (why)
				break;
		}
		if (why)
			break;
		put_be32(netbench_tx[i] + NETBENCH_HDR + PAYLOAD_SEQ, seq);
		why = netbench_post(dev, tx, i);
	}
	while (!why && tx->chains)
		why = netbench_reclaim(dev, tx, true);
	ticks = arch_counter_read() - start;
	if (why)
		netbench_fail(why);

	/* Done frames, a few in case the receiver's queue is full. */
	netbench_tx[0][NETBENCH_HDR + PAYLOAD_KIND] = NETBENCH_KIND_DONE;
	put_be32(netbench_tx[0] + NETBENCH_HDR + PAYLOAD_SEQ, (uint32_t)NETBENCH_FRAMES);
	put_be32(netbench_tx[0] + NETBENCH_HDR + PAYLOAD_TOTAL, (uint32_t)NETBENCH_FRAMES);
	for (unsigned int n = 0; n < NETBENCH_DONE_FRAMES && !why; n++) {
		uint64_t until = arch_counter_read() + ms_ticks(NETBENCH_DONE_GAP_MS);

		why = netbench_post(dev, tx, 0);
		if (!why)
			why = netbench_reclaim(dev, tx, true);
		while (!why && !net_bench_error() && arch_counter_read() < until)
			net_bench_poll();
	}
	if (why || net_bench_error())
		netbench_fail(why ? why : net_bench_error());
	rate = rate_tenths((uint64_t)NETBENCH_FRAMES * NETBENCH_FRAME, ticks);
	print_line("net send: %lu.%lu MB/s, %u frames, %lu bytes in %lu us",
		   rate / 10, rate % 10, (unsigned int)NETBENCH_FRAMES,
		   (uint64_t)NETBENCH_FRAMES * NETBENCH_FRAME, ticks_to_us(ticks));
	netbench_end();
}

void mode_netbench(void)
{
	char ip[20] = "", peer[20] = "", role[16] = "";
	const char *why;

	bootargs_option(board.bootargs, "basic.ip=", ip, sizeof(ip));
	bootargs_option(board.bootargs, "basic.peer=", peer, sizeof(peer));
	bootargs_option(board.bootargs, "basic.netbench=", role, sizeof(role));
	if (!string_equal(role, "send") && !string_equal(role, "receive")) {
		print_line("FAIL netbench: expected basic.netbench=send or receive; got \"%s\"", role);
		arch_power_off();
		arch_halt();
	}
	memset(&rx, 0, sizeof(rx));
	why = net_bench_open(ip, peer, string_equal(role, "receive") ? netbench_frame : NULL);
	if (why)
		netbench_fail(why);
	if (string_equal(role, "receive"))
		netbench_receive();
	netbench_send();
}
