/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keel.mode=test: the checks, then a wait for the peer guest, then power
 * off. Two guests check each other, so the one that finishes first must
 * stay up until the other has had its answers: it waits until the peer has
 * used both of its services (ICMP echo, seen in /proc/net/snmp, and the
 * vsock service on port 1234), or PEER_WAIT_SECONDS.
 */
#include <sys/socket.h>	/* before linux/vm_sockets.h, which uses it */
#include <linux/vm_sockets.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "init.h"

/* The kernel's count of ICMP echo requests received ("Icmp: ... InEchos"). */
static long icmp_echo_requests_received(void)
{
	char names[1024], values[1024], *name_save, *value_save, *name, *value;
	long count = -1;
	FILE *f = fopen("/proc/net/snmp", "re");

	if (!f)
		return -1;
	/* Lines come in pairs: "Icmp: InMsgs ..." then "Icmp: 12 ...". */
	while (fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		if (strncmp(names, "Icmp:", 5))
			continue;
		name = strtok_r(names, " \n", &name_save);
		value = strtok_r(values, " \n", &value_save);
		while (name && value) {
			if (!strcmp(name, "InEchos"))
				count = strtol(value, NULL, 10);
			name = strtok_r(NULL, " \n", &name_save);
			value = strtok_r(NULL, " \n", &value_save);
		}
		break;
	}
	fclose(f);
	return count;
}

enum service_state { SERVICE_WAITING, SERVICE_USED, SERVICE_GONE };

/* Drains the vsock service's notifications for up to timeout_ms. */
static enum service_state vsock_service_poll(int notify_fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = notify_fd, .events = POLLIN };
	char bytes[64];

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return SERVICE_WAITING;
	/* End of file: the service process has ended; nobody will call. */
	return read(notify_fd, bytes, sizeof(bytes)) > 0 ? SERVICE_USED : SERVICE_GONE;
}

static void test_mode_wait_for_peer(const struct params *p, int notify_fd)
{
	bool want_ping = p->has_peer && p->has_ip;
	bool want_vsock = p->has_peer && p->has_peer_cid && notify_fd >= 0 &&
			  vsock_local_cid() != VMADDR_CID_ANY;
	double deadline = time_now() + PEER_WAIT_SECONDS;

	while ((want_ping || want_vsock) && time_now() < deadline) {
		if (want_vsock) {
			enum service_state state = vsock_service_poll(notify_fd, 200);

			if (state == SERVICE_GONE)
				console_print("vsock service: ended before the peer used it");
			want_vsock = state == SERVICE_WAITING;
		} else {
			usleep(200000);
		}
		if (want_ping && icmp_echo_requests_received() > 0)
			want_ping = false;
	}
	if (want_ping)
		console_print("the peer sent no ICMP echo request in %d s", PEER_WAIT_SECONDS);
	if (want_vsock)
		console_print("the peer did not use our vsock service in %d s", PEER_WAIT_SECONDS);
}

void test_mode_run(const struct params *p, int service_notify_fd)
{
	checks_run_all(p);
	test_mode_wait_for_peer(p, service_notify_fd);
	power_down(RB_POWER_OFF);
}
