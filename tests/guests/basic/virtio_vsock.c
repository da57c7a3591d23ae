/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-vsock (VIRTIO 1.2 §5.10) for the basic guest: a polled stream
 * socket layer small enough for one line each way, with credit-based
 * flow control. The check connects to the host (CID 2) port 7, which
 * echoes, and with basic.vsock-peer=<cid> also to that guest's port 1234;
 * while it waits it serves its own port 1234, answering a line with
 * "guest <name>: <line>". With basic.vsock-listen=1, checks mode serves
 * port 1234 once more after the checks (virtio_vsock_listen()).
 */
#include "arch.h"
#include "virtio.h"

#define VSOCK_CID_HOST 2
#define VSOCK_ECHO_PORT 7
#define VSOCK_SERVICE_PORT 1234
#define VSOCK_CLIENT_PORT_FIRST 40000
#define VSOCK_TYPE_STREAM 1

#define OP_REQUEST 1
#define OP_RESPONSE 2
#define OP_RST 3
#define OP_SHUTDOWN 4
#define OP_RW 5
#define OP_CREDIT_UPDATE 6
#define OP_CREDIT_REQUEST 7

#define VSOCK_QUEUE_RX 0
#define VSOCK_QUEUE_TX 1
#define VSOCK_QUEUE_EVENT 2
#define VSOCK_HDR_SIZE 44
#define VSOCK_RX_BUFFERS 8
#define VSOCK_RX_PAYLOAD 256
#define VSOCK_BUF_ALLOC 4096
#define VSOCK_LINE_MAX 96
#define VSOCK_SOCKETS 6

#define PEER_WAIT_S 3           /* for any answer of the peer */
#define SERVE_AFTER_MS 1500     /* serving the peer after our success */
#define LISTEN_WAIT_S 5


enum socket_state { SOCK_FREE, SOCK_CONNECTING, SOCK_CONNECTED, SOCK_CLOSED };

struct vsock_socket {
	enum socket_state state;
	bool server;
	bool reset;                     /* the peer sent RST */
	bool replied;                   /* server: the line was answered */
	bool held;                      /* a client's caller still uses it */
	uint32_t local_port;
	uint64_t peer_cid;
	uint32_t peer_port;
	uint32_t peer_buf_alloc;
	uint32_t peer_fwd_cnt;
	uint32_t tx_cnt;
	uint32_t fwd_cnt;
	unsigned int line_len;
	bool line_done;
	char line[VSOCK_LINE_MAX + 1];
};

static struct virtio_device vsock_dev;
static struct virtq vsock_rx, vsock_tx, vsock_event;
static uint8_t vsock_rx_buffers[VSOCK_RX_BUFFERS][VSOCK_HDR_SIZE + VSOCK_RX_PAYLOAD]
	__attribute__((aligned(16)));
static uint16_t vsock_rx_heads[VSOCK_RX_BUFFERS];
static uint8_t vsock_event_buffer[8] __attribute__((aligned(8)));
static uint8_t vsock_tx_buffer[VSOCK_HDR_SIZE + VSOCK_LINE_MAX + 32]
	__attribute__((aligned(16)));
static struct vsock_socket sockets[VSOCK_SOCKETS];
static uint64_t guest_cid;
static uint32_t next_client_port = VSOCK_CLIENT_PORT_FIRST;
static char guest_name[32];
static const char *vsock_error;  /* the first driver failure */
static unsigned int served;       /* lines answered on port 1234 */

static const char *vsock_send(uint64_t dst_cid, uint32_t src_port, uint32_t dst_port,
			      uint16_t op, uint32_t flags, uint32_t fwd_cnt,
			      const char *data, uint32_t len)
{
	volatile struct vsock_hdr *h = (volatile struct vsock_hdr *)vsock_tx_buffer;
	struct virtq_buffer b = { .data = vsock_tx_buffer, .len = VSOCK_HDR_SIZE + len };
	uint32_t written;

	h->src_cid = guest_cid;
	h->dst_cid = dst_cid;
	h->src_port = src_port;
	h->dst_port = dst_port;
	h->len = len;
	h->type = VSOCK_TYPE_STREAM;
	h->op = op;
	h->flags = flags;
	h->buf_alloc = VSOCK_BUF_ALLOC;
	h->fwd_cnt = fwd_cnt;
	for (uint32_t i = 0; i < len; i++)
		vsock_tx_buffer[VSOCK_HDR_SIZE + i] = (uint8_t)data[i];
	return virtq_transfer(&vsock_dev, &vsock_tx, &b, 1, counter_hz, &written);
}

static const char *socket_send(struct vsock_socket *s, uint16_t op, uint32_t flags,
			       const char *data, uint32_t len)
{
	const char *why = vsock_send(s->peer_cid, s->local_port, s->peer_port, op, flags,
				     s->fwd_cnt, data, len);

	if (!why && op == OP_RW)
		s->tx_cnt += len;
	return why;
}

static const char *rx_post(unsigned int i)
{
	struct virtq_buffer b = {
		.data = vsock_rx_buffers[i],
		.len = sizeof(vsock_rx_buffers[i]),
		.device_writes = true,
	};

	return virtq_submit(&vsock_dev, &vsock_rx, &b, 1, &vsock_rx_heads[i]);
}

static struct vsock_socket *socket_new(void)
{
	for (unsigned int i = 0; i < VSOCK_SOCKETS; i++) {
		/* A closed socket is free again once its caller let go of it. */
		if (sockets[i].state == SOCK_FREE ||
		    (sockets[i].state == SOCK_CLOSED && !sockets[i].held)) {
			memset(&sockets[i], 0, sizeof(sockets[i]));
			return &sockets[i];
		}
	}
	return NULL;
}

static void socket_answer(struct vsock_socket *s)
{
	char reply[VSOCK_LINE_MAX + 48];

	format_string(reply, sizeof(reply), "guest %s: %s\n", guest_name, s->line);
	/* A line and its answer fit the credit any peer gives. */
	if (!socket_send(s, OP_RW, 0, reply, (uint32_t)string_length(reply))) {
		s->replied = true;
		served++;
	}
}

static void socket_receive(struct vsock_socket *s, const volatile uint8_t *data,
			   uint32_t len)
{
	s->fwd_cnt += len;
	for (uint32_t i = 0; i < len && !s->line_done; i++) {
		char c = (char)data[i];

		if (c == '\n')
			s->line_done = true;
		else if (s->line_len < VSOCK_LINE_MAX)
			s->line[s->line_len++] = c >= 0x20 && c < 0x7f ? c : '?';
		s->line[s->line_len] = '\0';
	}
	if (s->server && s->line_done && !s->replied)
		socket_answer(s);
}

/* One packet from the device. */
static void vsock_handle(const volatile uint8_t *packet, uint32_t written)
{
	const volatile struct vsock_hdr *h = (const volatile struct vsock_hdr *)packet;
	uint64_t src_cid = h->src_cid;
	uint32_t src_port = h->src_port, dst_port = h->dst_port;
	uint32_t len = h->len;
	uint16_t op = h->op;
	struct vsock_socket *s = NULL;

	if (written < VSOCK_HDR_SIZE || len > written - VSOCK_HDR_SIZE)
		return;
	for (unsigned int i = 0; i < VSOCK_SOCKETS; i++) {
		if (sockets[i].state != SOCK_FREE && sockets[i].state != SOCK_CLOSED &&
		    sockets[i].local_port == dst_port && sockets[i].peer_cid == src_cid &&
		    sockets[i].peer_port == src_port)
			s = &sockets[i];
	}
	if (!s) {
		if (op == OP_REQUEST && dst_port == VSOCK_SERVICE_PORT && (s = socket_new())) {
			s->server = true;
			s->state = SOCK_CONNECTED;
			s->local_port = dst_port;
			s->peer_cid = src_cid;
			s->peer_port = src_port;
			s->peer_buf_alloc = h->buf_alloc;
			s->peer_fwd_cnt = h->fwd_cnt;
			socket_send(s, OP_RESPONSE, 0, NULL, 0);
		} else if (op != OP_RST) {
			vsock_send(src_cid, dst_port, src_port, OP_RST, 0, 0, NULL, 0);
		}
		return;
	}
	s->peer_buf_alloc = h->buf_alloc;
	s->peer_fwd_cnt = h->fwd_cnt;
	switch (op) {
	case OP_RESPONSE:
		if (s->state == SOCK_CONNECTING)
			s->state = SOCK_CONNECTED;
		break;
	case OP_RW:
		socket_receive(s, packet + VSOCK_HDR_SIZE, len);
		break;
	case OP_CREDIT_REQUEST:
		socket_send(s, OP_CREDIT_UPDATE, 0, NULL, 0);
		break;
	case OP_SHUTDOWN:
		socket_send(s, OP_RST, 0, NULL, 0);
		s->state = SOCK_CLOSED;
		break;
	case OP_RST:
		s->reset = true;
		s->state = SOCK_CLOSED;
		break;
	default:
		break;
	}
}

/* Takes packets until deadline; false when the driver failed. */
static bool vsock_poll(uint64_t deadline)
{
	uint16_t head;
	uint32_t written;
	unsigned int i;

	while (!vsock_error) {
		switch (virtq_wait_used(&vsock_dev, &vsock_rx, deadline, &head, &written)) {
		case VIRTQ_TIMEOUT:
			return true;
		case VIRTQ_BROKEN:
			vsock_error = vsock_dev.error;
			return false;
		case VIRTQ_USED:
			break;
		}
		for (i = 0; i < VSOCK_RX_BUFFERS - 1 && vsock_rx_heads[i] != head; i++)
			;
		vsock_handle(vsock_rx_buffers[i], written);
		vsock_error = rx_post(i);
		/* One packet at a time: the caller looks at what changed. */
		return !vsock_error;
	}
	return false;
}

static uint64_t ms_ticks(uint64_t ms)
{
	return counter_hz * ms / 1000;
}

static struct vsock_socket *vsock_connect(uint64_t cid, uint32_t port)
{
	struct vsock_socket *s = socket_new();

	if (!s)
		return NULL;
	s->state = SOCK_CONNECTING;
	s->held = true;
	s->local_port = next_client_port++;
	s->peer_cid = cid;
	s->peer_port = port;
	if (socket_send(s, OP_REQUEST, 0, NULL, 0))
		s->state = SOCK_CLOSED;
	return s;
}

/* Sends a line within the peer's credit (asking for an update when it
 * is short); false when the credit did not come within 1 s. */
static bool vsock_send_line(struct vsock_socket *s, const char *line)
{
	uint32_t len = (uint32_t)string_length(line);
	uint64_t deadline = arch_counter_read() + counter_hz;

	while (s->peer_buf_alloc - (s->tx_cnt - s->peer_fwd_cnt) < len) {
		if (s->state != SOCK_CONNECTED || arch_counter_read() > deadline)
			return false;
		socket_send(s, OP_CREDIT_REQUEST, 0, NULL, 0);
		vsock_poll(arch_counter_read() + ms_ticks(50));
	}
	return !socket_send(s, OP_RW, 0, line, len);
}

/* Closes s; the caller may still read it until vsock_release(). */
static void vsock_close(struct vsock_socket *s)
{
	if (s->state == SOCK_CONNECTED || s->state == SOCK_CONNECTING)
		socket_send(s, s->state == SOCK_CONNECTED ? OP_SHUTDOWN : OP_RST,
			    s->state == SOCK_CONNECTED ? 3 : 0, NULL, 0);
	s->state = SOCK_CLOSED;
}

static void vsock_release(struct vsock_socket *s)
{
	vsock_close(s);
	s->held = false;
}

static const char *vsock_open(void)
{
	struct virtq *const queues[] = { &vsock_rx, &vsock_tx, &vsock_event };
	struct virtq_buffer event = { .data = vsock_event_buffer, .len = 8,
				      .device_writes = true };
	const char *why;
	uint16_t head;

	memset(sockets, 0, sizeof(sockets));
	vsock_error = NULL;
	served = 0;
	format_string(guest_name, sizeof(guest_name), "basic");
	bootargs_option(board.bootargs, "basic.name=", guest_name, sizeof(guest_name));
	why = virtio_start(&vsock_dev, 0, 8);
	for (unsigned int i = 0; !why && i < ARRAY_SIZE(queues); i++)
		why = virtio_queue_start(&vsock_dev, queues[i], i);
	if (why)
		return why;
	guest_cid = virtio_config_read64(&vsock_dev, 0);
	why = virtio_driver_ok(&vsock_dev);
	for (unsigned int i = 0; !why && i < VSOCK_RX_BUFFERS; i++)
		why = rx_post(i);
	if (!why)
		why = virtq_submit(&vsock_dev, &vsock_event, &event, 1, &head);
	return why;
}

/* The echo round trip of text and a newline; *us the time it took. */
static bool check_echo(struct check_result *r, uint64_t *us, const char *text)
{
	char line[VSOCK_LINE_MAX];
	uint64_t deadline = arch_counter_read() + counter_hz, start;
	struct vsock_socket *s = vsock_connect(VSOCK_CID_HOST, VSOCK_ECHO_PORT);

	if (!s) {
		check_fail(r, "no socket free");
		return false;
	}
	format_string(line, sizeof(line), "%s\n", text);
	while (s->state == SOCK_CONNECTING && arch_counter_read() < deadline && !vsock_error)
		vsock_poll(deadline);
	if (s->state != SOCK_CONNECTED) {
		check_fail(r, "connecting to CID 2 port 7: %s", vsock_error ? vsock_error :
			   s->reset ? "refused (RST)" : "no RESPONSE within 1 s");
		return false;
	}
	start = arch_counter_read();
	if (!vsock_send_line(s, line)) {
		check_fail(r, "sending to CID 2 port 7: %s", vsock_error ? vsock_error :
			   "no credit");
		return false;
	}
	while (!s->line_done && s->state == SOCK_CONNECTED && arch_counter_read() < deadline &&
	       !vsock_error)
		vsock_poll(deadline);
	*us = ticks_to_us(arch_counter_read() - start);
	if (!s->line_done) {
		check_fail(r, "expected the line back from CID 2 port 7 within 1 s; got \"%s\"%s",
			   s->line, s->reset ? " and RST" : "");
		return false;
	}
	vsock_release(s);
	if (!string_equal(text, s->line)) {
		check_fail(r, "sent \"%s\" to CID 2 port 7; got back \"%s\"", text, s->line);
		return false;
	}
	return true;
}

/* The peer part: true and *note set when it passes or the peer is not
 * running; false (r failed) when the peer answered and then failed. */
static bool check_peer(struct check_result *r, uint64_t peer, char *note, size_t size)
{
	uint64_t start = arch_counter_read();
	uint64_t give_up = start + PEER_WAIT_S * counter_hz, retry = 0, done_at = 0;
	struct vsock_socket *s = NULL;
	char line[48], sent[48];
	bool answered = false;

	format_string(line, sizeof(line), "hello from %s", guest_name);
	format_string(sent, sizeof(sent), "%s\n", line);
	while (!vsock_error) {
		uint64_t now = arch_counter_read();

		if (done_at && (served || now > done_at + ms_ticks(SERVE_AFTER_MS)))
			break;
		if (!done_at && now > give_up) {
			bool open = s && s->state == SOCK_CONNECTED;

			if (s)
				vsock_close(s);
			if (open) {
				check_fail(r, "peer CID %lu port %u: connected, but no answer line within 2 s; got \"%s\"",
					   peer, VSOCK_SERVICE_PORT, s->line);
				return false;
			}
			/* A peer that reset the connection stopped its device:
			 * it finished its own check meanwhile. */
			format_string(note, size, "; peer CID %lu: peer not running (%s)", peer,
				      answered ? "it closed the connection before answering" :
				      "no answer within 3 s");
			return true;
		}
		if (!done_at && (!s || s->state == SOCK_CLOSED) && now >= retry) {
			/* Refused or never answered: the peer may not be up yet. */
			if (s)
				vsock_release(s);
			s = vsock_connect(peer, VSOCK_SERVICE_PORT);
			retry = now + ms_ticks(200);
		} else if (!done_at && s && s->state == SOCK_CONNECTING && now >= retry) {
			vsock_close(s);
		}
		if (s && s->state == SOCK_CONNECTED && !answered) {
			answered = true;
			give_up = arch_counter_read() + 2 * counter_hz;
			if (!vsock_send_line(s, sent))
				s->state = SOCK_CLOSED;
		}
		if (!done_at && s && s->line_done) {
			if (!string_starts_with(s->line, "guest ")) {
				check_fail(r, "peer CID %lu port %u: expected an answer \"guest <name>: %s\"; got \"%s\"",
					   peer, VSOCK_SERVICE_PORT, line, s->line);
				return false;
			}
			done_at = arch_counter_read();
			format_string(note, size, "; peer CID %lu port %u answered \"%s\" in %lu us",
				      peer, VSOCK_SERVICE_PORT, s->line,
				      ticks_to_us(done_at - start));
			vsock_close(s);
		}
		vsock_poll(arch_counter_read() + ms_ticks(20));
	}
	/* Lets the peer's close in before the device goes. */
	give_up = arch_counter_read() + ms_ticks(200);
	while (!vsock_error && arch_counter_read() < give_up)
		vsock_poll(give_up);
	if (vsock_error) {
		check_fail(r, "%s", vsock_error);
		return false;
	}
	return true;
}

static void check_virtio_vsock(struct check_result *r)
{
	char peer_text[24] = "", note[160] = "", text[64];
	uint64_t peer = 0, us = 0;
	const char *why;

	bootargs_option(board.bootargs, "basic.vsock-peer=", peer_text, sizeof(peer_text));
	for (const char *p = peer_text; *p; p++) {
		if (*p < '0' || *p > '9' || peer > 0xffffffffULL) {
			check_fail(r, "option basic.vsock-peer=\"%s\" is not a CID", peer_text);
			return;
		}
		peer = peer * 10 + (uint64_t)(*p - '0');
	}
	if (!virtio_find(VIRTIO_ID_VSOCK, &vsock_dev)) {
		check_skip(r, "%s", vsock_dev.error);
		return;
	}
	why = vsock_open();
	if (why) {
		check_fail(r, "%s", why);
		goto out;
	}
	format_string(text, sizeof(text), "basic %s vsock echo", guest_name);
	if (!check_echo(r, &us, text))
		goto out;
	if (peer_text[0] && !check_peer(r, peer, note, sizeof(note)))
		goto out;
	check_pass(r, "%s: CID %lu; echo via CID 2 port 7: %u bytes back in %lu us%s",
		   vsock_dev.name, guest_cid, (unsigned int)string_length(text) + 1, us, note);
out:
	virtio_stop(&vsock_dev);
}
CHECK_DEFINE(93, virtio_vsock, "virtio-vsock", check_virtio_vsock, false);

void virtio_vsock_listen(void)
{
	char value[8] = "";
	uint64_t deadline;
	const char *why;

	bootargs_option(board.bootargs, "basic.vsock-listen=", value, sizeof(value));
	if (!string_equal(value, "1"))
		return;
	if (!virtio_find(VIRTIO_ID_VSOCK, &vsock_dev)) {
		print_line("vsock-listen: %s", vsock_dev.error);
		return;
	}
	why = vsock_open();
	if (why) {
		print_line("vsock-listen: FAIL %s", why);
		goto out;
	}
	print_line("vsock-listen: CID %lu port %u listening for %u s", guest_cid,
		   VSOCK_SERVICE_PORT, LISTEN_WAIT_S);
	deadline = arch_counter_read() + LISTEN_WAIT_S * counter_hz;
	while (!served && !vsock_error && arch_counter_read() < deadline)
		vsock_poll(deadline);
	for (unsigned int i = 0; i < VSOCK_SOCKETS; i++) {
		if (sockets[i].server && sockets[i].replied)
			print_line("vsock-listen: answered CID %lu port %u: \"%s\"",
				   sockets[i].peer_cid, sockets[i].peer_port, sockets[i].line);
	}
	if (!served)
		print_line("vsock-listen: %s", vsock_error ? vsock_error :
			   "no line within the wait");
	/* The peer closes after reading the answer: let its SHUTDOWN in. */
	deadline = arch_counter_read() + ms_ticks(200);
	while (!vsock_error && arch_counter_read() < deadline)
		vsock_poll(deadline);
out:
	virtio_stop(&vsock_dev);
}

/* For vsockbench.c: one connection to the echo service, count bytes sent
 * one at a time, each timed until it is back. */
const char *vsock_echo_round_trips(uint64_t *ticks, unsigned int count)
{
	struct vsock_socket *s;
	const char *why = NULL;
	uint64_t deadline;

	if (!virtio_find(VIRTIO_ID_VSOCK, &vsock_dev))
		return vsock_dev.error;
	why = vsock_open();
	if (why)
		goto out;
	s = vsock_connect(VSOCK_CID_HOST, VSOCK_ECHO_PORT);
	if (!s) {
		why = "no socket free";
		goto out;
	}
	deadline = arch_counter_read() + counter_hz;
	while (s->state == SOCK_CONNECTING && arch_counter_read() < deadline && !vsock_error)
		vsock_poll(deadline);
	if (s->state != SOCK_CONNECTED) {
		why = vsock_error ? vsock_error : s->reset ? "connecting to CID 2 port 7: refused (RST)" :
		      "connecting to CID 2 port 7: no RESPONSE within 1 s";
		goto out;
	}
	for (unsigned int i = 0; i < count; i++) {
		uint64_t start = arch_counter_read();
		uint32_t back = s->fwd_cnt + 1;

		deadline = start + counter_hz;
		/* The byte is not a newline: socket_receive() only counts it. */
		if (!vsock_send_line(s, "k")) {
			why = vsock_error ? vsock_error : "sending to CID 2 port 7: no credit within 1 s";
			goto out;
		}
		while (s->fwd_cnt != back && s->state == SOCK_CONNECTED &&
		       arch_counter_read() < deadline && !vsock_error)
			vsock_poll(deadline);
		ticks[i] = arch_counter_read() - start;
		if (s->fwd_cnt != back) {
			why = vsock_error ? vsock_error : s->reset ?
			      "CID 2 port 7 reset the connection" :
			      "the byte did not come back from CID 2 port 7 within 1 s";
			goto out;
		}
	}
	vsock_release(s);
	/* Lets the host's close in before the device goes. */
	deadline = arch_counter_read() + ms_ticks(50);
	while (!vsock_error && arch_counter_read() < deadline)
		vsock_poll(deadline);
out:
	virtio_stop(&vsock_dev);
	return why;
}
