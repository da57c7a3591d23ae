/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-vsock on the host fake arch, driven through real virtqueues in the
 * guests' RAM as a guest driver would: Keel's echo service, guest to guest
 * streams, credit limits, hostile packets, the connection table's bound,
 * `vsock send` to a guest that answers, and the device nodes' checks.
 */
#include <arch/cpu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/shell.h>
#include <keel/time.h>
#include <stdio.h>
#include <string.h>
#include <virtio/virtio_mmio_regs.h>
#include <virtio/vsock_core.h>
#include "guest_fixture.h"
#include "unit.h"

#define VSOCK_BASE 0x0a000000
#define RINGS 0x40100000
#define RX_BUFFERS 0x40200000
#define TX_BUFFER 0x40300000
#define RX_SIZE 300

#define HDR 44
#define OP_REQUEST 1
#define OP_RESPONSE 2
#define OP_RST 3
#define OP_SHUTDOWN 4
#define OP_RW 5
#define OP_CREDIT_UPDATE 6

static struct fixture_archive archive;

static bool setup(void)
{
	if (!archive.len)
		fixture_archive_add_kernel(&archive);
	return fixture_archive_mount_guests(&archive, UNIT_DATA_DIR "/virtio_vsock.dtb", 3);
}

/* ---- a vsock driver ---- */

struct vdev {
	struct fixture_virtio v;
	uint64_t cid;
};

struct packet {
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port, len;
	uint16_t type, op;
	uint32_t flags, buf_alloc, fwd_cnt;
	uint8_t data[256];
};

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static bool driver_open(struct vdev *d, const char *name)
{
	char err[GUEST_ERROR_MAX];
	struct guest *g = guest_find(name);

	memset(d, 0, sizeof(*d));
	if (!g || guest_create(g, err, sizeof(err)))
		return false;
	if (!fixture_virtio_start(&d->v, g, VSOCK_BASE, RINGS, 3, 0))
		return false;
	if (fixture_virtio_read(&d->v, VIRTIO_MMIO_DEVICE_ID) != 19)
		return false;
	d->cid = fixture_virtio_read(&d->v, VIRTIO_MMIO_CONFIG) |
		 (uint64_t)fixture_virtio_read(&d->v, VIRTIO_MMIO_CONFIG + 4) << 32;
	return true;
}

/* One buffer made available on queue q; its descriptor is the slot. */
static void driver_add(struct vdev *d, unsigned int q, gpa_t addr, uint32_t len,
		       bool writable)
{
	struct fixture_buffer buf = { addr, len, writable };

	fixture_virtio_add(&d->v, q, &buf, 1);
}

/* Receive buffers in every free slot (the rx queue holds FIXTURE_QUEUE_SIZE). */
static void rx_fill(struct vdev *d)
{
	struct fixture_queue *tq = &d->v.queues[0];

	while ((uint16_t)(tq->avail_idx - tq->used_seen) < FIXTURE_QUEUE_SIZE)
		driver_add(d, 0, RX_BUFFERS + 0x200ULL * tq->next_desc, RX_SIZE, true);
	fixture_virtio_notify(&d->v, 0);
}

/* Makes a packet available on the transmit queue (in its slot's own
 * buffer) and notifies; the device may keep it for later. */
static void tx_post(struct vdev *d, const struct packet *p, uint32_t payload_len)
{
	static uint8_t buf[HDR + 65536];
	gpa_t at = TX_BUFFER + 0x2000ULL * d->v.queues[1].next_desc;

	put_le(buf, p->src_cid, 8);
	put_le(buf + 8, p->dst_cid, 8);
	put_le(buf + 16, p->src_port, 4);
	put_le(buf + 20, p->dst_port, 4);
	put_le(buf + 24, p->len, 4);
	put_le(buf + 28, p->type, 2);
	put_le(buf + 30, p->op, 2);
	put_le(buf + 32, p->flags, 4);
	put_le(buf + 36, p->buf_alloc, 4);
	put_le(buf + 40, p->fwd_cnt, 4);
	memcpy(buf + HDR, p->data, MIN(payload_len, (uint32_t)sizeof(p->data)));
	if (payload_len > sizeof(p->data))
		memset(buf + HDR + sizeof(p->data), 'x', payload_len - sizeof(p->data));
	CHECK_EQ(guest_copy_to(d->v.g, at, buf, HDR + payload_len), 0);
	driver_add(d, 1, at, HDR + payload_len, false);
	fixture_virtio_notify(&d->v, 1);
}

/* True when the device has taken every packet made available. */
static bool tx_all_taken(struct vdev *d)
{
	struct fixture_queue *tq = &d->v.queues[1];

	fixture_run_work();
	if (fixture_guest_get_le(d->v.g, tq->used + 2, 2) != tq->avail_idx)
		return false;
	tq->used_seen = tq->avail_idx;
	return true;
}

/* A packet the device takes at once. */
static void tx(struct vdev *d, const struct packet *p, uint32_t payload_len)
{
	tx_post(d, p, payload_len);
	CHECK(tx_all_taken(d));
}

/* A packet from d's guest: header fields and payload. */
static void send(struct vdev *d, uint64_t dst_cid, uint32_t src_port, uint32_t dst_port,
		 uint16_t op, uint32_t buf_alloc, uint32_t fwd_cnt, const char *data)
{
	struct packet p = {
		.src_cid = d->cid, .dst_cid = dst_cid, .src_port = src_port,
		.dst_port = dst_port, .type = 1, .op = op, .buf_alloc = buf_alloc,
		.fwd_cnt = fwd_cnt,
	};

	if (data) {
		p.len = (uint32_t)strlen(data);
		memcpy(p.data, data, p.len);
	}
	tx(d, &p, p.len);
}

/* The next packet in d's receive queue; false when there is none. */
static bool rx(struct vdev *d, struct packet *p)
{
	struct fixture_queue *tq = &d->v.queues[0];
	uint8_t buf[RX_SIZE];
	gpa_t entry;
	uint32_t id, len;

	memset(p, 0, sizeof(*p));
	fixture_run_work();   /* what Keel does between two of the guest's exits */
	if (fixture_guest_get_le(d->v.g, tq->used + 2, 2) == tq->used_seen)
		return false;
	entry = tq->used + 4 + 8ULL * (tq->used_seen % FIXTURE_QUEUE_SIZE);
	id = (uint32_t)fixture_guest_get_le(d->v.g, entry, 4);
	len = (uint32_t)fixture_guest_get_le(d->v.g, entry + 4, 4);
	tq->used_seen++;
	if (!CHECK(len >= HDR && len <= RX_SIZE))
		return false;
	CHECK_EQ(guest_copy_from(d->v.g, buf, RX_BUFFERS + 0x200ULL * id, len), 0);
	p->src_cid = get_le(buf, 8);
	p->dst_cid = get_le(buf + 8, 8);
	p->src_port = (uint32_t)get_le(buf + 16, 4);
	p->dst_port = (uint32_t)get_le(buf + 20, 4);
	p->len = (uint32_t)get_le(buf + 24, 4);
	p->type = (uint16_t)get_le(buf + 28, 2);
	p->op = (uint16_t)get_le(buf + 30, 2);
	p->flags = (uint32_t)get_le(buf + 32, 4);
	p->buf_alloc = (uint32_t)get_le(buf + 36, 4);
	p->fwd_cnt = (uint32_t)get_le(buf + 40, 4);
	CHECK_EQ(p->len, len - HDR);
	memcpy(p->data, buf + HDR, MIN(p->len, (uint32_t)sizeof(p->data) - 1));
	rx_fill(d);
	return true;
}

static bool rx_op(struct vdev *d, struct packet *p, uint16_t op)
{
	return rx(d, p) && p->op == op;
}

/* ---- tests ---- */

TEST(virtio_vsock_echo_service_sends_bytes_back)
{
	struct vdev d;
	struct packet p;

	REQUIRE(setup());
	REQUIRE(driver_open(&d, "vsk0"));
	CHECK_EQ(d.cid, 3);
	rx_fill(&d);
	send(&d, 2, 1000, 7, OP_REQUEST, 4096, 0, NULL);
	REQUIRE(rx_op(&d, &p, OP_RESPONSE));
	CHECK(p.src_cid == 2 && p.dst_cid == 3 && p.src_port == 7 && p.dst_port == 1000);
	CHECK(p.buf_alloc > 0);
	send(&d, 2, 1000, 7, OP_RW, 4096, 0, "hello, echo\n");
	REQUIRE(rx_op(&d, &p, OP_RW));
	CHECK_STR_EQ((char *)p.data, "hello, echo\n");
	CHECK_EQ(p.fwd_cnt, 12);
	unit_console_clear();
	CHECK_EQ(shell_run_line("vsock list"), 0);
	CHECK(strstr(unit_console_text(), "vsk0") != NULL);
	CHECK(strstr(unit_console_text(), "3:1000 <-> 2:7  connected   echo   12 B in, 12 B out") != NULL);
	send(&d, 2, 1000, 7, OP_SHUTDOWN, 4096, 12, NULL);
	CHECK(rx_op(&d, &p, OP_RST));
	CHECK(!rx(&d, &p));
	/* Nobody listens on port 8: refused. */
	send(&d, 2, 1001, 8, OP_REQUEST, 4096, 0, NULL);
	CHECK(rx_op(&d, &p, OP_RST));
	CHECK_EQ(guest_destroy(d.v.g), 0);
}

TEST(virtio_vsock_guest_to_guest_connect_data_shutdown)
{
	struct vdev a, b;
	struct packet p;

	REQUIRE(setup());
	REQUIRE(driver_open(&a, "vsk0"));
	REQUIRE(driver_open(&b, "vsk1"));
	rx_fill(&a);
	rx_fill(&b);
	send(&a, 4, 2000, 1234, OP_REQUEST, 4096, 0, NULL);
	REQUIRE(rx_op(&b, &p, OP_REQUEST));
	CHECK(p.src_cid == 3 && p.src_port == 2000 && p.dst_cid == 4 && p.dst_port == 1234);
	send(&b, 3, 1234, 2000, OP_RESPONSE, 4096, 0, NULL);
	REQUIRE(rx_op(&a, &p, OP_RESPONSE));
	send(&a, 4, 2000, 1234, OP_RW, 4096, 0, "ping\n");
	REQUIRE(rx_op(&b, &p, OP_RW));
	CHECK_STR_EQ((char *)p.data, "ping\n");
	send(&b, 3, 1234, 2000, OP_RW, 4096, 5, "pong\n");
	REQUIRE(rx_op(&a, &p, OP_RW));
	CHECK_STR_EQ((char *)p.data, "pong\n");
	CHECK_EQ(p.fwd_cnt, 5);          /* end to end: the guests' own counts */
	unit_console_clear();
	CHECK_EQ(shell_run_line("vsock list"), 0);
	CHECK(strstr(unit_console_text(), "3:2000 <-> 4:1234  connected   guest  5 B in, 5 B out") != NULL);
	CHECK(strstr(unit_console_text(), "4:1234 <-> 3:2000  connected   guest  5 B in, 5 B out") != NULL);
	send(&a, 4, 2000, 1234, OP_SHUTDOWN, 4096, 5, NULL);
	REQUIRE(rx_op(&b, &p, OP_SHUTDOWN));
	send(&b, 3, 1234, 2000, OP_RST, 4096, 5, NULL);
	CHECK(rx_op(&a, &p, OP_RST));
	unit_console_clear();
	CHECK_EQ(shell_run_line("vsock list"), 0);
	CHECK(strstr(unit_console_text(), "<->") == NULL);
	/* Data on the closed connection: no connection, dropped. */
	send(&a, 4, 2000, 1234, OP_RW, 4096, 5, "late\n");
	CHECK(!rx(&b, &p));
	/* A guest that goes away resets its peers' connections. */
	send(&a, 4, 2001, 1234, OP_REQUEST, 4096, 0, NULL);
	REQUIRE(rx_op(&b, &p, OP_REQUEST));
	send(&b, 3, 1234, 2001, OP_RESPONSE, 4096, 0, NULL);
	REQUIRE(rx_op(&a, &p, OP_RESPONSE));
	CHECK_EQ(guest_destroy(b.v.g), 0);
	CHECK(rx_op(&a, &p, OP_RST) && p.dst_port == 2001);
	CHECK_EQ(guest_destroy(a.v.g), 0);
}

TEST(virtio_vsock_keel_respects_the_receivers_credit)
{
	struct vdev d;
	struct packet p;
	struct packet big;

	REQUIRE(setup());
	REQUIRE(driver_open(&d, "vsk0"));
	rx_fill(&d);
	/* The guest has room for 4 bytes. */
	send(&d, 2, 1000, 7, OP_REQUEST, 4, 0, NULL);
	REQUIRE(rx_op(&d, &p, OP_RESPONSE));
	send(&d, 2, 1000, 7, OP_RW, 4, 0, "abcdefghij");
	REQUIRE(rx_op(&d, &p, OP_RW));
	CHECK_STR_EQ((char *)p.data, "abcd");
	CHECK(!rx(&d, &p));
	send(&d, 2, 1000, 7, OP_CREDIT_UPDATE, 4, 4, NULL);
	REQUIRE(rx_op(&d, &p, OP_RW));
	CHECK_STR_EQ((char *)p.data, "efgh");
	send(&d, 2, 1000, 7, OP_CREDIT_UPDATE, 4, 8, NULL);
	REQUIRE(rx_op(&d, &p, OP_RW));
	CHECK_STR_EQ((char *)p.data, "ij");
	CHECK(!rx(&d, &p));
	/* Keel's own buffer is bounded: more than its credit is a reset. */
	send(&d, 2, 1000, 7, OP_CREDIT_UPDATE, 0, 10, NULL);
	big = (struct packet){ .src_cid = 3, .dst_cid = 2, .src_port = 1000, .dst_port = 7,
			       .len = 2100, .type = 1, .op = OP_RW, .fwd_cnt = 10 };
	tx(&d, &big, big.len);
	CHECK(rx_op(&d, &p, OP_RST));
	CHECK(strstr(unit_console_text(), "more data than the credit Keel gave") != NULL);
	CHECK_EQ(guest_destroy(d.v.g), 0);
}

TEST(virtio_vsock_spoofed_and_unknown_packets_are_reset_or_dropped)
{
	struct vdev d;
	struct packet p = { .src_cid = 9, .dst_cid = 2, .src_port = 1000, .dst_port = 7,
			    .type = 1, .op = OP_REQUEST, .buf_alloc = 4096 };

	REQUIRE(setup());
	REQUIRE(driver_open(&d, "vsk0"));
	rx_fill(&d);
	unit_console_clear();
	/* Spoofed source, no connection: dropped with a warning. */
	tx(&d, &p, 0);
	CHECK(!rx(&d, &p));
	CHECK(strstr(unit_console_text(), "guest vsk0: device vsock0 (virtio-vsock): packet op 1 from 9:1000 to 2:7: source CID is not the guest's (spoofed); dropped") != NULL);
	/* With a connection, it is reset. */
	send(&d, 2, 1000, 7, OP_REQUEST, 4096, 0, NULL);
	REQUIRE(rx_op(&d, &p, OP_RESPONSE));
	p = (struct packet){ .src_cid = 4, .dst_cid = 2, .src_port = 1000, .dst_port = 7,
			     .type = 1, .op = OP_RW, .len = 1, .data = "z", .buf_alloc = 4096 };
	tx(&d, &p, 1);
	CHECK(rx_op(&d, &p, OP_RST));
	/* An unknown op on a connection: reset. */
	send(&d, 2, 1001, 7, OP_REQUEST, 4096, 0, NULL);
	REQUIRE(rx_op(&d, &p, OP_RESPONSE));
	send(&d, 2, 1001, 7, 99, 4096, 0, NULL);
	CHECK(rx_op(&d, &p, OP_RST) && p.dst_port == 1001);
	CHECK(strstr(unit_console_text(), "unknown op; connection reset") != NULL);
	/* len not matching the buffers, unknown type, payload on a non-RW
	 * op: dropped (the warnings are rate limited after 5). */
	p = (struct packet){ .src_cid = 3, .dst_cid = 2, .src_port = 1002, .dst_port = 7,
			     .type = 1, .op = OP_REQUEST, .len = 100 };
	tx(&d, &p, 3);
	CHECK(strstr(unit_console_text(), "packet says len 100 but its buffers hold 3 bytes after the header; dropped") != NULL);
	p.len = 0;
	p.type = 2;
	tx(&d, &p, 0);
	p.type = 1;
	p.len = 3;
	tx(&d, &p, 3);
	CHECK(!rx(&d, &p));
	CHECK(strstr(unit_console_text(), "further warnings in the next 10 s are not shown") != NULL);
	/* An op for no connection: dropped. */
	send(&d, 2, 5555, 7, OP_RW, 4096, 0, "?");
	CHECK(!rx(&d, &p));
	/* The device keeps working. */
	send(&d, 2, 1003, 7, OP_REQUEST, 4096, 0, NULL);
	CHECK(rx_op(&d, &p, OP_RESPONSE));
	CHECK_EQ(guest_destroy(d.v.g), 0);
}

TEST(virtio_vsock_connection_table_is_bounded)
{
	struct vdev d;
	struct packet p;
	unsigned int i;

	REQUIRE(setup());
	REQUIRE(driver_open(&d, "vsk0"));
	rx_fill(&d);
	for (i = 0; i < 16; i++) {
		send(&d, 2, 3000 + i, 7, OP_REQUEST, 4096, 0, NULL);
		CHECK(rx_op(&d, &p, OP_RESPONSE) && p.dst_port == 3000 + i);
	}
	unit_console_clear();
	send(&d, 2, 3016, 7, OP_REQUEST, 4096, 0, NULL);
	CHECK(rx_op(&d, &p, OP_RST) && p.dst_port == 3016);
	CHECK(strstr(unit_console_text(), "connection table full (16 a device); new connection refused (RST)") != NULL);
	/* One closed makes room. */
	send(&d, 2, 3000, 7, OP_RST, 4096, 0, NULL);
	send(&d, 2, 3016, 7, OP_REQUEST, 4096, 0, NULL);
	CHECK(rx_op(&d, &p, OP_RESPONSE));
	CHECK_EQ(guest_destroy(d.v.g), 0);
}

/* Other guests' devices holding VSOCK_CONN_GLOBAL_MAX connections leave
 * none for a guest with an empty table: RST, counted, shown, warned. */
TEST(virtio_vsock_connections_of_all_guests_are_bounded)
{
	static struct guest others[VSOCK_CONN_GLOBAL_MAX / VSOCK_CONN_MAX];
	static struct vsock_device fake[VSOCK_CONN_GLOBAL_MAX / VSOCK_CONN_MAX];
	unsigned long flags;
	struct vdev d;
	struct packet p;

	REQUIRE(setup());
	REQUIRE(driver_open(&d, "vsk0"));
	rx_fill(&d);
	memset(fake, 0, sizeof(fake));
	flags = spin_lock_irqsave(&vsock_lock);
	for (unsigned int i = 0; i < VSOCK_CONN_GLOBAL_MAX / VSOCK_CONN_MAX; i++) {
		snprintf(others[i].config.name, sizeof(others[i].config.name), "other%u", i);
		others[i].name = others[i].config.name;
		fake[i].guest = &others[i];
		fake[i].name = "vsock0";
		fake[i].cid = 100 + i;
		for (unsigned int c = 0; c < VSOCK_CONN_MAX; c++)
			fake[i].conns[c].state = VSOCK_CONN_CONNECTED;
		REQUIRE(vsock_device_register(&fake[i]) == 0);
	}
	spin_unlock_irqrestore(&vsock_lock, flags);
	unit_console_clear();
	send(&d, 2, 4000, 7, OP_REQUEST, 4096, 0, NULL);
	CHECK(rx_op(&d, &p, OP_RST) && p.dst_port == 4000);
	CHECK(strstr(unit_console_text(), "all guests together have 64 connections, the limit; new connection refused (RST)") != NULL);
	unit_console_clear();
	CHECK_EQ(shell_run_line("vsock list"), 0);
	CHECK(strstr(unit_console_text(), "  refused: 0 (device table full, 16), 0 (guest limit, 16), 1 (all guests, 64)\n") != NULL);
	/* The shell's own connection is held to the same limit. */
	CHECK_EQ(shell_run_line("vsock send vsk0 1234 x"), -KEEL_ENOSPC);
	/* One connection anywhere closed makes room. */
	flags = spin_lock_irqsave(&vsock_lock);
	fake[0].conns[0].state = VSOCK_CONN_FREE;
	spin_unlock_irqrestore(&vsock_lock, flags);
	send(&d, 2, 4000, 7, OP_REQUEST, 4096, 0, NULL);
	CHECK(rx_op(&d, &p, OP_RESPONSE));
	flags = spin_lock_irqsave(&vsock_lock);
	for (unsigned int i = 0; i < VSOCK_CONN_GLOBAL_MAX / VSOCK_CONN_MAX; i++)
		vsock_device_unregister(&fake[i]);
	spin_unlock_irqrestore(&vsock_lock, flags);
	CHECK_EQ(guest_destroy(d.v.g), 0);
}

TEST(virtio_vsock_echo_waiting_for_receive_buffers_goes_out_later)
{
	struct vdev d;
	struct packet p;
	unsigned int responses = 0, echoed = 0;

	REQUIRE(setup());
	REQUIRE(driver_open(&d, "vsk0"));
	/* No receive buffers yet: VSOCK_PENDING_BACKLOG RESPONSEs wait for
	 * them, so the guest's next packet waits in its transmit queue. */
	for (unsigned int i = 0; i < VSOCK_PENDING_BACKLOG; i++)
		send(&d, 2, 4000 + i, 7, OP_REQUEST, 4096, 0, NULL);
	p = (struct packet){ .src_cid = d.cid, .dst_cid = 2, .src_port = 4000, .dst_port = 7,
			     .len = 8, .type = 1, .op = OP_RW, .buf_alloc = 4096 };
	memcpy(p.data, "stalled\n", 8);
	tx_post(&d, &p, p.len);
	CHECK(!tx_all_taken(&d));
	/* The guest takes the RESPONSEs: the device goes on by itself. */
	rx_fill(&d);
	while (rx(&d, &p)) {
		responses += p.op == OP_RESPONSE;
		if (p.op == OP_RW && !strcmp((char *)p.data, "stalled\n"))
			echoed++;
	}
	CHECK(tx_all_taken(&d));
	CHECK_EQ(responses, VSOCK_PENDING_BACKLOG);
	CHECK_EQ(echoed, 1);
	CHECK_EQ(guest_destroy(d.v.g), 0);
}

/* A data packet on the connection 3:2000 -> 4:1234 that may have to wait. */
static void rw_post(struct vdev *a, const char *data)
{
	struct packet p = { .src_cid = a->cid, .dst_cid = 4, .src_port = 2000, .dst_port = 1234,
			    .len = (uint32_t)strlen(data), .type = 1, .op = OP_RW,
			    .buf_alloc = 4096 };

	memcpy(p.data, data, p.len);
	tx_post(a, &p, p.len);
}

TEST(virtio_vsock_sender_waits_for_a_slow_receiver_and_not_for_a_dead_one)
{
	struct vdev a, b;
	struct packet p;
	unsigned int data = 0, pending;

	REQUIRE(setup());
	REQUIRE(driver_open(&a, "vsk0"));
	REQUIRE(driver_open(&b, "vsk1"));
	rx_fill(&a);
	/* b gives no receive buffers: what a sends waits in Keel for it. */
	send(&a, 4, 2000, 1234, OP_REQUEST, 4096, 0, NULL);
	send(&b, 3, 1234, 2000, OP_RESPONSE, 4096, 0, NULL);
	REQUIRE(rx_op(&a, &p, OP_RESPONSE));
	for (pending = 1; pending < VSOCK_PENDING_BACKLOG; pending++)
		send(&a, 4, 2000, 1234, OP_RW, 4096, 0, "data\n");
	/* The backlog is reached: a's next packet stays in its ring. */
	rw_post(&a, "data\n");
	CHECK(!tx_all_taken(&a));
	unit_console_clear();
	/* b takes nothing for VSOCK_PAUSE_MAX_NS: a goes on... */
	host_counter_set(arch_counter_read() + time_ns_to_counter(VSOCK_PAUSE_MAX_NS + 1));
	timer_event_expire();
	CHECK(tx_all_taken(&a));
	pending++;
	CHECK(strstr(unit_console_text(),
		     "guest vsk1 (CID 4) took none of the 8 packets waiting for it in 2 s") != NULL);
	/* ...without waiting for b again, until b's ring overflows: the
	 * connection is reset for both. */
	for (; pending < VSOCK_PENDING_MAX; pending++)
		send(&a, 4, 2000, 1234, OP_RW, 4096, 0, "data\n");
	send(&a, 4, 2000, 1234, OP_RW, 4096, 0, "lost\n");
	CHECK(rx_op(&a, &p, OP_RST) && p.dst_port == 2000);
	unit_console_clear();
	CHECK_EQ(shell_run_line("vsock list"), 0);
	CHECK(strstr(unit_console_text(), "4:1234 <-> 3:2000  reset") != NULL);
	/* b's guest gets what waited, then the RST it was owed. */
	rx_fill(&b);
	REQUIRE(rx_op(&b, &p, OP_REQUEST));
	while (rx(&b, &p) && p.op == OP_RW)
		data++;
	CHECK_EQ(data, VSOCK_PENDING_MAX - 1);
	CHECK(p.op == OP_RST && p.src_port == 2000 && p.dst_port == 1234);
	CHECK(!rx(&b, &p));
	unit_console_clear();
	CHECK_EQ(shell_run_line("vsock list"), 0);
	CHECK(strstr(unit_console_text(), "<->") == NULL);
	CHECK_EQ(guest_destroy(a.v.g), 0);
	CHECK_EQ(guest_destroy(b.v.g), 0);
}

TEST(virtio_vsock_a_64_kib_packet_reaches_the_peer_whole)
{
	struct vdev a, b;
	struct packet p = { .src_cid = 3, .dst_cid = 4, .src_port = 2200, .dst_port = 1234,
			    .len = 65536, .type = 1, .op = OP_RW, .buf_alloc = 1u << 20 };
	uint64_t received = 0;
	unsigned int idle = 0;

	REQUIRE(setup());
	REQUIRE(driver_open(&a, "vsk0"));
	REQUIRE(driver_open(&b, "vsk1"));
	rx_fill(&a);
	rx_fill(&b);
	send(&a, 4, 2200, 1234, OP_REQUEST, 1u << 20, 0, NULL);
	REQUIRE(rx_op(&b, &p, OP_REQUEST));
	send(&b, 3, 1234, 2200, OP_RESPONSE, 1u << 20, 0, NULL);
	REQUIRE(rx_op(&a, &p, OP_RESPONSE));
	/* As Linux sends when its peer's credit allows: more than b's
	 * pending ring holds, so it goes in pieces as b takes them. */
	p = (struct packet){ .src_cid = 3, .dst_cid = 4, .src_port = 2200, .dst_port = 1234,
			     .len = 65536, .type = 1, .op = OP_RW, .buf_alloc = 1u << 20 };
	memset(p.data, 'x', sizeof(p.data));
	tx_post(&a, &p, p.len);
	while (received < 65536 && idle < 3) {
		if (rx(&b, &p) && p.op == OP_RW) {
			received += p.len;
			idle = 0;
		} else {
			idle++;
		}
	}
	CHECK_EQ(received, 65536);
	CHECK(tx_all_taken(&a));
	CHECK(!rx(&a, &p));              /* no RST */
	unit_console_clear();
	CHECK_EQ(shell_run_line("vsock list"), 0);
	CHECK(strstr(unit_console_text(), "3:2200 <-> 4:1234  connected   guest  65536 B in") != NULL);
	CHECK_EQ(guest_destroy(a.v.g), 0);
	CHECK_EQ(guest_destroy(b.v.g), 0);
}

TEST(virtio_vsock_a_refused_request_reaches_the_requester)
{
	struct vdev a, b;
	struct packet p;

	REQUIRE(setup());
	REQUIRE(driver_open(&a, "vsk0"));
	REQUIRE(driver_open(&b, "vsk1"));
	rx_fill(&a);
	rx_fill(&b);
	send(&a, 4, 2100, 99, OP_REQUEST, 4096, 0, NULL);
	REQUIRE(rx_op(&b, &p, OP_REQUEST));
	/* Nobody listens on b's port 99: b's guest refuses. */
	send(&b, 3, 99, 2100, OP_RST, 4096, 0, NULL);
	CHECK(rx_op(&a, &p, OP_RST) && p.src_port == 99 && p.dst_port == 2100);
	unit_console_clear();
	CHECK_EQ(shell_run_line("vsock list"), 0);
	CHECK(strstr(unit_console_text(), "<->") == NULL);
	CHECK_EQ(guest_destroy(a.v.g), 0);
	CHECK_EQ(guest_destroy(b.v.g), 0);
}

TEST(virtio_vsock_guest_cid_must_be_unique_among_created_guests)
{
	struct guest *a, *b;
	char err[GUEST_ERROR_MAX];

	REQUIRE(setup());
	a = guest_find("vsk0");
	b = guest_find("vsk2");
	REQUIRE(a && b);
	REQUIRE(guest_create(a, err, sizeof(err)) == 0);
	unit_console_clear();
	CHECK(guest_create(b, err, sizeof(err)) < 0);
	CHECK(strstr(unit_console_text(), "guest vsk2: vsock0: guest-cid 3 is taken by another guest's vsock device") != NULL);
	CHECK_EQ(guest_destroy(a), 0);
	CHECK_EQ(guest_create(b, err, sizeof(err)), 0);
	CHECK_EQ(guest_destroy(b), 0);
}

/* The fake guest behind `vsock send`: answers a line on port 1234. */
static struct vdev *answering;

static void answer_when_idle(void)
{
	struct packet p;

	while (answering && rx(answering, &p)) {
		if (p.op == OP_REQUEST && p.dst_port == 1234) {
			send(answering, 2, 1234, p.src_port, OP_RESPONSE, 4096, 0, NULL);
		} else if (p.op == OP_RW && p.len >= 7 && !memcmp(p.data, "hostile", 7)) {
			/* Clear the screen, retitle the window, a NUL, CSI. */
			static const char hostile[] = "\x1b[2J\x1b]0;owned\a\0x\x9b" "1m\n";
			struct packet r = {
				.src_cid = answering->cid, .dst_cid = 2, .src_port = 1234,
				.dst_port = p.src_port, .type = 1, .op = OP_RW,
				.buf_alloc = 4096, .len = sizeof(hostile) - 1,
			};

			memcpy(r.data, hostile, r.len);
			tx(answering, &r, r.len);
		} else if (p.op == OP_RW) {
			char reply[300];

			snprintf(reply, sizeof(reply), "guest vsk1: %s", (char *)p.data);
			send(answering, 2, 1234, p.src_port, OP_RW, 4096, p.len, reply);
		} else if (p.op == OP_SHUTDOWN) {
			send(answering, 2, 1234, p.src_port, OP_RST, 4096, 0, NULL);
		}
	}
}

TEST(virtio_vsock_send_from_the_shell_prints_the_guests_answer)
{
	struct vdev d;
	struct packet p;

	REQUIRE(setup());
	REQUIRE(driver_open(&d, "vsk1"));
	rx_fill(&d);
	answering = &d;
	host_set_idle_hook(answer_when_idle);
	unit_console_clear();
	CHECK_EQ(shell_run_line("vsock send vsk1 1234 hi there"), 0);
	CHECK(strstr(unit_console_text(), "guest vsk1: hi there\n") != NULL);
	/* A reply with control characters reaches the terminal escaped. */
	unit_console_clear();
	CHECK_EQ(shell_run_line("vsock send vsk1 1234 hostile"), 0);
	CHECK(strstr(unit_console_text(), "\\x1b[2J\\x1b]0;owned\\x07\\x00x\\x9b1m\n") != NULL);
	CHECK(strchr(unit_console_text(), '\x1b') == NULL);
	host_set_idle_hook(NULL);
	answering = NULL;
	/* Keel closed: SHUTDOWN and RST wait in the queue. */
	while (rx(&d, &p))
		;
	unit_console_clear();
	CHECK_EQ(shell_run_line("vsock list"), 0);
	CHECK(strstr(unit_console_text(), "<->") == NULL);
	/* Nobody answers: no reply in 2 s. */
	unit_console_clear();
	CHECK(shell_run_line("vsock send vsk1 1234 anyone") < 0);
	CHECK(strstr(unit_console_text(), "no reply line from vsk1 port 1234 within 2000 ms (never connected)") != NULL);
	CHECK(shell_run_line("vsock send vsk0 1234 x") == -KEEL_ENOENT);
	CHECK(shell_run_line("vsock send vsk1 port x") == -KEEL_EINVAL);
	CHECK(shell_run_line("vsock frob") == -KEEL_EINVAL);
	CHECK_EQ(guest_destroy(d.v.g), 0);
}

TEST(virtio_vsock_nodes_are_checked_with_clear_messages)
{
	static const struct fixture_node_error cases[] = {
		{ "bad-nocid", "guest bad-nocid: node /guests/bad-nocid/devices/vsock0: \"guest-cid\" is required: the guest's vsock address, a number of at least 3 unique among the guests" },
		{ "bad-cid2", "guest bad-cid2: node /guests/bad-cid2/devices/vsock0: \"guest-cid\" 2 is reserved: 0, 1 and 2 are the hypervisor's and the host's, 0xffffffff means any; use 3 or more" },
		{ "bad-cidcells", "guest bad-cidcells: node /guests/bad-cidcells/devices/vsock0: \"guest-cid\" must be one 32-bit cell, found 8 bytes" },
		{ "bad-backend", "guest bad-backend: node /guests/bad-backend/devices/vsock0: \"backend\" is not for a virtio-vsock device: it talks to other guests and to Keel, named by \"guest-cid\"" },
		{ "bad-vsockprop", "guest bad-vsockprop: node /guests/bad-vsockprop/devices/vsock0: unknown property \"port\": a virtio-vsock node takes guest-cid besides compatible, reg and interrupts (see docs/guest-binding.md)" },
	};

	REQUIRE(setup());
	fixture_check_node_errors(UNIT_DATA_DIR "/virtio_vsock_bad.dtb", cases,
				  sizeof(cases) / sizeof(cases[0]));
}
