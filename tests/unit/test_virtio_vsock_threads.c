/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-vsock between two guests with real threads: each guest has one
 * thread that transmits and one that receives (and gives back receive
 * buffers), as two vCPUs of a guest would, and every thread runs deferred
 * work between its steps, as the scheduler does between two vCPU runs. The
 * drivers behave like Linux's: VIRTIO_F_EVENT_IDX, a notification only
 * when the device asked for one, receive buffers given back in batches
 * once half of them are used. The receive queues are small, so senders
 * keep catching up with their receivers and pause.
 *
 * A packet or a sender's resume left with nobody to act on it shows as no
 * progress: the test stops and fails, saying where things stand, and the
 * alarm turns a thread stuck for good into a failure.
 */
#include <keel/guest.h>
#include <keel/spinlock.h>
#include <keel/work.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <virtio/virtio.h>
#include <virtio/virtio_mmio_regs.h>
#include <virtio/vsock_core.h>
#include "guest_fixture.h"
#include "unit.h"

#define TH_BASE 0x0a000000
#define TH_RINGS 0x40100000
#define TH_RX_BUFFERS 0x40200000
#define TH_TX_BUFFERS 0x40300000
#define TH_HDR 44u
#define TH_RX_SIZE (TH_HDR + 1024u)     /* longer packets take two buffers */
#define TH_PAYLOAD_MAX 9000u           /* routed in pieces of 2 KiB */
#define TH_PACKETS 4000u                /* each way */
#define TH_STALL_NS (5ULL * 1000000000ULL)
#define TH_ALARM_SECONDS 120
#define TH_WORK_PER_STEP 4              /* as the scheduler runs them */
#define OP_REQUEST 1
#define OP_RESPONSE 2
#define OP_RST 3
#define OP_RW 5
#define QSIZE FIXTURE_QUEUE_SIZE

struct th_side {
	const char *name;
	struct fixture_virtio v;        /* queue 0: the receiver's; 1: the sender's */
	uint64_t cid, peer_cid;
	uint32_t port, peer_port;
	/* The sender's. */
	unsigned int sent;
	uint64_t sent_bytes;
	/* The receiver's: bytes of the peer's stream seen, the op last seen. */
	uint64_t received;
	uint16_t last_op;
	/* Both threads', read by the watchdog: atomic. */
	unsigned int tx_done, rx_done;
	char failure[200];
};

static struct fixture_archive archive;
static struct th_side sides[2];
static unsigned int th_stop, th_progress, th_stalled, th_backlog_seen;

static uint8_t th_stream_byte(const struct th_side *from, uint64_t offset)
{
	return (uint8_t)(offset * 7 + from->cid);
}

static void th_fail(struct th_side *s, const char *what)
{
	if (!s->failure[0])
		snprintf(s->failure, sizeof(s->failure), "%s", what);
	__atomic_store_n(&th_stop, 1, __ATOMIC_SEQ_CST);
}

static void th_progressed(void)
{
	__atomic_add_fetch(&th_progress, 1, __ATOMIC_SEQ_CST);
}

/* Made queue q's entries [old, new) available: notifies only when the
 * device's avail_event asks for it (VIRTIO 1.2 §2.7.10), as Linux does. */
static void th_kick(struct th_side *s, unsigned int q, uint16_t old, uint16_t new)
{
	struct fixture_queue *tq = &s->v.queues[q];
	uint16_t event;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	event = (uint16_t)fixture_guest_get_le(s->v.g, tq->used + 4 + 8ULL * QSIZE, 2);
	if ((uint16_t)(new - event - 1) < (uint16_t)(new - old))
		fixture_virtio_write(&s->v, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* One packet of s's guest on its transmit queue; false when the queue is
 * full (the device has not given back enough yet). */
static bool th_tx(struct th_side *s, uint16_t op, uint32_t len)
{
	struct fixture_queue *tq = &s->v.queues[1];
	uint8_t buf[TH_HDR + TH_PAYLOAD_MAX];
	struct fixture_buffer b;
	uint16_t used = (uint16_t)fixture_guest_get_le(s->v.g, tq->used + 2, 2);
	uint16_t old = tq->avail_idx;
	const uint64_t fields[][2] = {
		{ s->cid, 8 }, { s->peer_cid, 8 }, { s->port, 4 }, { s->peer_port, 4 },
		{ len, 4 }, { 1, 2 }, { op, 2 }, { 0, 4 }, { 1u << 30, 4 }, { 0, 4 },
	};
	unsigned int at = 0;

	tq->used_seen = used;
	if ((uint16_t)(tq->avail_idx - used) >= QSIZE)
		return false;
	for (unsigned int i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		for (unsigned int k = 0; k < fields[i][1]; k++)
			buf[at++] = (uint8_t)(fields[i][0] >> (8 * k));
	for (uint32_t i = 0; i < len; i++)
		buf[TH_HDR + i] = th_stream_byte(s, s->sent_bytes + i);
	b = (struct fixture_buffer){ TH_TX_BUFFERS + 0x4000ULL * tq->next_desc, TH_HDR + len,
				     false };
	CHECK_EQ(guest_copy_to(s->v.g, b.addr, buf, b.len), 0);
	fixture_virtio_add(&s->v, 1, &b, 1);
	th_kick(s, 1, old, tq->avail_idx);
	return true;
}

/* Receive buffers into every free slot once half of them are used (or
 * always, with all). */
static void th_rx_refill(struct th_side *s, bool all)
{
	struct fixture_queue *tq = &s->v.queues[0];
	uint16_t old = tq->avail_idx;

	if (!all && (uint16_t)(tq->avail_idx - tq->used_seen) > QSIZE / 2)
		return;
	while ((uint16_t)(tq->avail_idx - tq->used_seen) < QSIZE) {
		struct fixture_buffer b = { TH_RX_BUFFERS + 0x800ULL * tq->next_desc, TH_RX_SIZE,
					    true };

		fixture_virtio_add(&s->v, 0, &b, 1);
	}
	if (tq->avail_idx != old)
		th_kick(s, 0, old, tq->avail_idx);
}

/* Takes what the device put in s's receive buffers; false after a packet
 * the stream does not allow (the failure says which). */
static bool th_rx(struct th_side *s)
{
	struct fixture_queue *tq = &s->v.queues[0];
	const struct th_side *peer = &sides[s == &sides[0]];
	uint16_t used = (uint16_t)fixture_guest_get_le(s->v.g, tq->used + 2, 2);
	char why[160];

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	while (tq->used_seen != used) {
		gpa_t entry = tq->used + 4 + 8ULL * (tq->used_seen % QSIZE);
		uint32_t id = (uint32_t)fixture_guest_get_le(s->v.g, entry, 4);
		uint32_t len = (uint32_t)fixture_guest_get_le(s->v.g, entry + 4, 4);
		uint8_t buf[TH_RX_SIZE];
		uint32_t data_len;
		uint16_t op;

		tq->used_seen++;
		if (id >= QSIZE || len < TH_HDR || len > TH_RX_SIZE) {
			snprintf(why, sizeof(why), "used entry id %u len %u", id, len);
			th_fail(s, why);
			return false;
		}
		CHECK_EQ(guest_copy_from(s->v.g, buf, TH_RX_BUFFERS + 0x800ULL * id, len), 0);
		op = (uint16_t)(buf[30] | buf[31] << 8);
		data_len = (uint32_t)buf[24] | (uint32_t)buf[25] << 8;
		s->last_op = op;
		if (op == OP_RST) {
			th_fail(s, "the connection was reset (RST)");
			return false;
		}
		if (op != OP_RW)
			continue;
		if (data_len != len - TH_HDR) {
			th_fail(s, "RW header len differs from the bytes written");
			return false;
		}
		for (uint32_t i = 0; i < data_len; i++) {
			if (buf[TH_HDR + i] != th_stream_byte(peer, s->received + i)) {
				snprintf(why, sizeof(why), "stream byte %llu is wrong",
					 (unsigned long long)(s->received + i));
				th_fail(s, why);
				return false;
			}
		}
		s->received += data_len;
		th_progressed();
	}
	return true;
}

/* The sender's length of packet n: mostly short, every fourth up to
 * TH_PAYLOAD_MAX bytes (Linux sends up to 64 KiB in one). */
static uint32_t th_len(unsigned int n)
{
	return 1 + (n * 389u) % (n % 4 ? 1500u : TH_PAYLOAD_MAX);
}

static uint64_t th_total(void)
{
	uint64_t total = 0;

	for (unsigned int n = 0; n < TH_PACKETS; n++)
		total += th_len(n);
	return total;
}

static uint64_t th_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool th_all_done(void)
{
	for (unsigned int i = 0; i < 2; i++)
		if (!__atomic_load_n(&sides[i].tx_done, __ATOMIC_SEQ_CST) ||
		    !__atomic_load_n(&sides[i].rx_done, __ATOMIC_SEQ_CST))
			return false;
	return true;
}

/* The most packets seen waiting for one receiver in Keel. */
static void th_sample_backlog(void)
{
	unsigned long flags = spin_lock_irqsave(&vsock_lock);

	for (unsigned int i = 0; i < 2; i++) {
		struct vsock_device *d = vsock_device_find(sides[i].cid);

		if (d && d->pending_count > __atomic_load_n(&th_backlog_seen, __ATOMIC_RELAXED))
			__atomic_store_n(&th_backlog_seen, d->pending_count, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&vsock_lock, flags);
}

/* CPU 2i transmits for guest i, CPU 2i+1 receives for it; all run work. */
static void th_cpu(unsigned int cpu, void *arg)
{
	struct th_side *s = &sides[cpu / 2];
	bool sender = !(cpu & 1);
	uint64_t total = th_total(), last_seen = th_now_ns();
	unsigned int last_progress = 0, step = 0;

	(void)arg;
	while (!__atomic_load_n(&th_stop, __ATOMIC_SEQ_CST) && !th_all_done()) {
		step++;
		if (sender) {
			struct fixture_queue *tq = &s->v.queues[1];

			if (s->sent < TH_PACKETS && th_tx(s, OP_RW, th_len(s->sent))) {
				s->sent_bytes += th_len(s->sent);
				s->sent++;
				th_progressed();
			}
			if (s->sent == TH_PACKETS &&
			    fixture_guest_get_le(s->v.g, tq->used + 2, 2) == tq->avail_idx)
				__atomic_store_n(&s->tx_done, 1, __ATOMIC_SEQ_CST);
		} else {
			if (!th_rx(s))
				break;
			/* A guest busy elsewhere: buffers come back late, and
			 * now and then it does not run for a while. */
			if (step % 8 == 0)
				th_rx_refill(s, false);
			if (step % 64 == 0)
				usleep(200);
			if (s->received == total)
				__atomic_store_n(&s->rx_done, 1, __ATOMIC_SEQ_CST);
		}
		work_run(TH_WORK_PER_STEP);
		th_sample_backlog();
		sched_yield();
		if (cpu != 0)
			continue;
		/* CPU 0 watches: nobody moved anything for TH_STALL_NS. */
		if (__atomic_load_n(&th_progress, __ATOMIC_SEQ_CST) != last_progress) {
			last_progress = __atomic_load_n(&th_progress, __ATOMIC_SEQ_CST);
			last_seen = th_now_ns();
		} else if (th_now_ns() - last_seen > TH_STALL_NS) {
			__atomic_store_n(&th_stalled, 1, __ATOMIC_SEQ_CST);
			__atomic_store_n(&th_stop, 1, __ATOMIC_SEQ_CST);
		}
	}
}

static void th_alarm(int sig)
{
	static const char msg[] =
		"FAIL virtio_vsock_guests_stream_both_ways_from_threads_without_stalling: "
		"a thread is stuck (no return in 120 s)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* Where a stalled stream stands, for the failure message. */
static void th_report(void)
{
	unsigned long flags = spin_lock_irqsave(&vsock_lock);

	for (unsigned int i = 0; i < 2; i++) {
		struct th_side *s = &sides[i];
		struct vsock_device *d = vsock_device_find(s->cid);
		struct fixture_queue *rq = &s->v.queues[0], *tq = &s->v.queues[1];

		printf("  %s: sent %u of %u, received %llu of %llu bytes, last op %u%s%s\n"
		       "    tx avail %u used %u; rx avail %u used %u (seen %u)\n"
		       "    Keel: %u packets pending for it\n",
		       s->name, s->sent, TH_PACKETS, (unsigned long long)s->received,
		       (unsigned long long)th_total(), s->last_op, s->failure[0] ? "; " : "",
		       s->failure, tq->avail_idx,
		       (unsigned)fixture_guest_get_le(s->v.g, tq->used + 2, 2), rq->avail_idx,
		       (unsigned)fixture_guest_get_le(s->v.g, rq->used + 2, 2), rq->used_seen,
		       d ? d->pending_count : 0);
	}
	spin_unlock_irqrestore(&vsock_lock, flags);
}

/* Single-threaded: runs work until side s received a packet of op. */
static bool th_expect(struct th_side *s, uint16_t op)
{
	s->last_op = 0;
	for (unsigned int i = 0; i < 100 && s->last_op != op; i++) {
		fixture_run_work();
		if (!th_rx(s))
			return false;
		th_rx_refill(s, true);
	}
	return s->last_op == op;
}

static bool th_open(struct th_side *s, const char *name, uint64_t cid, uint64_t peer_cid,
		    uint32_t port, uint32_t peer_port)
{
	char err[GUEST_ERROR_MAX];
	struct guest *g = guest_find(name);

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->cid = cid;
	s->peer_cid = peer_cid;
	s->port = port;
	s->peer_port = peer_port;
	if (!g || guest_create(g, err, sizeof(err)))
		return false;
	return fixture_virtio_start(&s->v, g, TH_BASE, TH_RINGS, 3, (uint32_t)VIRTIO_F_EVENT_IDX);
}

TEST(virtio_vsock_guests_stream_both_ways_from_threads_without_stalling)
{
	struct th_side *a = &sides[0], *b = &sides[1];

	if (!archive.len)
		fixture_archive_add_kernel(&archive);
	REQUIRE(fixture_archive_mount_guests(&archive, UNIT_DATA_DIR "/vsock_threads.dtb", 2));
	REQUIRE(th_open(a, "vth0", 23, 24, 3000, 4000));
	REQUIRE(th_open(b, "vth1", 24, 23, 4000, 3000));
	th_stop = th_progress = th_stalled = th_backlog_seen = 0;
	th_rx_refill(a, true);
	th_rx_refill(b, true);
	/* Connected from one thread first. */
	REQUIRE(th_tx(a, OP_REQUEST, 0));
	REQUIRE(th_expect(b, OP_REQUEST));
	REQUIRE(th_tx(b, OP_RESPONSE, 0));
	REQUIRE(th_expect(a, OP_RESPONSE));

	signal(SIGALRM, th_alarm);
	alarm(TH_ALARM_SECONDS);
	unit_run_cpus(4, th_cpu, NULL);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	host_set_cpu_id(0);
	if (!CHECK(th_all_done())) {
		printf("  %s\n", th_stalled ? "no progress for 5 s: stalled" : "stopped");
		th_report();
	}
	CHECK(!a->failure[0] && !b->failure[0]);
	/* The receivers did fall behind: senders had to wait for them. */
	CHECK(th_backlog_seen >= VSOCK_PENDING_BACKLOG);
	CHECK_EQ(guest_destroy(a->v.g), 0);
	CHECK_EQ(guest_destroy(b->v.g), 0);
}
