/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `vsock`: the guests' virtio-vsock devices and their connections, and a
 * line sent from Keel (CID 2) to a port of a guest with its answer.
 */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/shell_internal.h>
#include <keel/time.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/vsock_core.h"

#define VSOCK_SEND_WAIT_MS 2000
#define VSOCK_SEND_TEXT_MAX SHELL_LINE_MAX
#define VSOCK_REPLY_MAX 256
#define VSOCK_POLL_MS 5

static const char *const vsock_state_names[] = {
	[VSOCK_CONN_FREE] = "closed",
	[VSOCK_CONN_CONNECTING] = "connecting",
	[VSOCK_CONN_CONNECTED] = "connected",
	[VSOCK_CONN_CLOSING] = "closing",
	[VSOCK_CONN_RESET] = "reset",
};

static const char *const vsock_kind_names[] = {
	[VSOCK_CONN_RELAY] = "guest",
	[VSOCK_CONN_ECHO] = "echo",
	[VSOCK_CONN_SHELL] = "shell",
};

static int vsock_list(void)
{
	static struct vsock_device_info info;
	unsigned int i;

	for (i = 0; vsock_device_info_at(i, &info); i++) {
		if (!i)
			kprintf("%-16s  %-12s  %s\n", "guest", "device", "cid");
		kprintf("%-16s  %-12s  %llu\n", info.guest, info.device,
			(unsigned long long)info.cid);
		for (unsigned int c = 0; c < info.conn_count; c++) {
			const struct vsock_conn_info *ci = &info.conns[c];

			kprintf("  %llu:%u <-> %llu:%u  %-10s  %-5s  %llu B in, %llu B out\n",
				(unsigned long long)info.cid, ci->local_port,
				(unsigned long long)ci->peer_cid, ci->peer_port,
				vsock_state_names[ci->state], vsock_kind_names[ci->kind],
				(unsigned long long)ci->bytes_from_guest,
				(unsigned long long)ci->bytes_to_guest);
		}
		if (!info.conn_count)
			kprintf("  (no connections)\n");
		if (info.refused_device | info.refused_guest | info.refused_global)
			kprintf("  refused: %llu (device table full, %u), %llu (guest limit, %u), %llu (all guests, %u)\n",
				(unsigned long long)info.refused_device, VSOCK_CONN_MAX,
				(unsigned long long)info.refused_guest, VSOCK_CONN_GUEST_MAX,
				(unsigned long long)info.refused_global, VSOCK_CONN_GLOBAL_MAX);
	}
	if (!i)
		kprintf("(no guest has a vsock device: give one a \"virtio,vsock\" node and create it)\n");
	return 0;
}

static void vsock_wake(struct timer_event *event, void *arg)
{
	WRITE_ONCE(*(bool *)arg, true);
}

/* Idles for about VSOCK_POLL_MS (or until an interrupt). */
static void vsock_wait_a_little(void)
{
	struct timer_event event = { .fn = vsock_wake };
	volatile bool done = false;

	event.arg = (void *)&done;
	timer_event_add(&event, time_now_ns() + VSOCK_POLL_MS * NSEC_PER_MSEC);
	cpu_idle_once();
	timer_event_cancel(&event);
}

/* Joins argv[first..] with spaces, then "\n"; the length, or 0. */
static size_t vsock_join(char *buf, size_t size, int argc, char **argv, int first)
{
	size_t len = 0;

	for (int i = first; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (len + n + 2 > size)
			return 0;
		if (i > first)
			buf[len++] = ' ';
		memcpy(buf + len, argv[i], n);
		len += n;
	}
	buf[len++] = '\n';
	return len;
}

/* The guest's reply, escaped ("%pE"): a guest does not get to write
 * control sequences to the operator's terminal. reply[len] is
 * overwritten with the NUL that ends it; a NUL inside shows as \x00. */
static void vsock_print_reply(char *reply, size_t len)
{
	size_t i = 0;

	reply[len] = '\0';
	while (i < len) {
		if (!reply[i]) {
			kprintf("\\x00");
			i++;
			continue;
		}
		kprintf("%pE", reply + i);
		i += strnlen(reply + i, len - i);
	}
}

static int vsock_send(int argc, char **argv)
{
	static char text[VSOCK_SEND_TEXT_MAX + 2];
	static char reply[VSOCK_REPLY_MAX + 1];
	struct vsock_host_conn hc;
	size_t text_len, sent = 0, reply_len = 0;
	enum { VSOCK_SEND_REPLIED, VSOCK_SEND_TIMEOUT, VSOCK_SEND_REFUSED,
	       VSOCK_SEND_CLOSED } outcome;
	uint64_t deadline;
	unsigned long port;
	char *end;
	int ret;

	if (argc < 5) {
		kprintf("vsock send: give a guest, a port and the text to send\n");
		return -KEEL_EINVAL;
	}
	port = strtoul(argv[3], &end, 0);
	if (end == argv[3] || *end || port > 0xffffffffUL) {
		kprintf("vsock send: \"%s\" is not a port number (0 to 4294967295)\n", argv[3]);
		return -KEEL_EINVAL;
	}
	text_len = vsock_join(text, sizeof(text), argc, argv, 4);
	if (!text_len) {
		kprintf("vsock send: the text is longer than %u characters\n", VSOCK_SEND_TEXT_MAX);
		return -KEEL_EINVAL;
	}
	ret = vsock_host_connect(argv[2], (uint32_t)port, &hc);
	if (ret) {
		if (ret == -KEEL_ENOENT)
			kprintf("vsock send: guest \"%s\" has no vsock device that is created (see `vsock list`)\n",
				argv[2]);
		else
			kprintf("vsock send: %s: %s\n", argv[2],
				ret == -KEEL_ENOSPC ? "it has as many connections as a limit allows (see `vsock list`)" :
				"its device takes no more packets now");
		return ret;
	}
	deadline = time_now_ns() + VSOCK_SEND_WAIT_MS * NSEC_PER_MSEC;
	outcome = VSOCK_SEND_TIMEOUT;
	while (time_now_ns() < deadline) {
		enum vsock_conn_state state = vsock_host_state(&hc);
		long n;

		if (state == VSOCK_CONN_CONNECTED && sent < text_len) {
			n = vsock_host_send(&hc, text + sent, text_len - sent);
			if (n > 0)
				sent += (size_t)n;
		}
		n = vsock_host_receive(&hc, reply + reply_len, VSOCK_REPLY_MAX - reply_len);
		if (n > 0)
			reply_len += (size_t)n;
		reply[reply_len] = '\0';
		if (memchr(reply, '\n', reply_len) || reply_len == VSOCK_REPLY_MAX) {
			outcome = VSOCK_SEND_REPLIED;
			break;
		}
		if (state == VSOCK_CONN_FREE || (state == VSOCK_CONN_CLOSING && n <= 0)) {
			outcome = sent ? VSOCK_SEND_CLOSED : VSOCK_SEND_REFUSED;
			break;
		}
		vsock_wait_a_little();
	}
	vsock_host_close(&hc);
	if (reply_len && (end = memchr(reply, '\n', reply_len)))
		reply_len = (size_t)(end - reply);
	if (outcome == VSOCK_SEND_REPLIED) {
		vsock_print_reply(reply, reply_len);
		kprintf("\n");
		return 0;
	}
	if (outcome == VSOCK_SEND_REFUSED)
		kprintf("vsock send: %s port %lu refused the connection\n", argv[2], port);
	else if (outcome == VSOCK_SEND_CLOSED)
		kprintf("vsock send: %s port %lu closed the connection without a reply line\n",
			argv[2], port);
	else
		kprintf("vsock send: no reply line from %s port %lu within %u ms%s\n", argv[2],
			port, VSOCK_SEND_WAIT_MS,
			sent < text_len ? (sent ? " (not all was sent)" : " (never connected)") : "");
	if (reply_len) {
		kprintf("vsock send: received so far: ");
		vsock_print_reply(reply, reply_len);
		kprintf("\n");
	}
	return outcome == VSOCK_SEND_TIMEOUT ? -KEEL_ETIMEDOUT : -KEEL_EIO;
}

static int vsock_run(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list"))
		return vsock_list();
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return vsock_send(argc, argv);
	kprintf("vsock: give \"list\" or \"send <guest> <port> <text...>\"\n");
	return -KEEL_EINVAL;
}

SHELL_COMMAND(vsock,
	.name = "vsock",
	.usage = "vsock list | vsock send <guest> <port> <text...>",
	.summary = "virtio-vsock devices and connections; send a line to a guest's port",
	.help = "list: each guest's vsock device and CID, and its connections\n"
		"(guest end <-> other end, state, the other end: another guest,\n"
		"Keel's echo service or the shell, and bytes each way).\n"
		"send: connects from Keel (CID 2) to the guest's port, sends the\n"
		"text and a newline, prints the first line the guest sends back\n"
		"within 2 s, and closes the connection.",
	.run = vsock_run);
