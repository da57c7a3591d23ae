/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L2 switch (core/net/l2switch.c): forwarding by the ports' own
 * addresses, flooding of group frames, spoofed sources dropped and
 * counted without stealing a neighbour's traffic, a flood of source
 * addresses that changes nothing, drops on a port without room that
 * leave the others alone, frames of bad lengths, the limits on
 * switches, ports, ports of one guest and shared addresses, and senders
 * that wait for a full receiver: resumed when it has room or leaves,
 * never again soon for one that made a sender give up.
 */
#include <keel/errno.h>
#include <keel/l2switch.h>
#include <arch/cpu.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"

#define TEST_PORTS 4

struct test_port {
	struct l2switch_port port;
	bool full;                       /* refuses frames */
	unsigned int frames;
	unsigned int resumed;            /* resume() calls */
	size_t last_len;
	uint8_t last[L2SWITCH_FRAME_MAX];
};

static struct test_port ports[TEST_PORTS];

static enum l2switch_delivery test_deliver(struct l2switch_port *port, const void *frame,
					   size_t len)
{
	struct test_port *tp = port->owner;

	if (tp->full)
		return L2SWITCH_FULL;
	tp->frames++;
	tp->last_len = len;
	memcpy(tp->last, frame, len);
	return L2SWITCH_TAKEN;
}

static void test_resume(struct l2switch_port *port)
{
	struct test_port *tp = port->owner;

	tp->resumed++;
}

/* Attaches count fresh ports to switch name; port i has MAC
 * 02:00:00:00:00:i+1 and is its own group (guest). */
static bool attach_ports(const char *name, unsigned int count)
{
	memset(ports, 0, sizeof(ports));
	for (unsigned int i = 0; i < count; i++) {
		struct test_port *tp = &ports[i];

		snprintf(tp->port.label, sizeof(tp->port.label), "t/p%u", i);
		tp->port.mac[0] = 0x02;
		tp->port.mac[5] = (uint8_t)(i + 1);
		tp->port.group = tp;
		tp->port.deliver = test_deliver;
		tp->port.owner = tp;
		if (l2switch_port_attach(name, &tp->port))
			return false;
	}
	return true;
}

static void detach_ports(unsigned int count)
{
	for (unsigned int i = 0; i < count; i++)
		l2switch_port_detach(&ports[i].port);
}

static void reset_counts(void)
{
	for (unsigned int i = 0; i < TEST_PORTS; i++)
		ports[i].frames = 0;
}

/* A frame of len bytes from MAC 02:00:00:00:00:src to 02:00:00:00:00:dst
 * (0xff dst: broadcast). */
static size_t make_frame(uint8_t *f, size_t len, uint8_t dst, uint8_t src)
{
	memset(f, 0xab, len);
	if (dst == 0xff) {
		memset(f, 0xff, 6);
	} else {
		memset(f, 0, 6);
		f[0] = 0x02;
		f[5] = dst;
	}
	memset(f + 6, 0, 6);
	f[6] = 0x02;
	f[11] = src;
	f[12] = 0x08;
	f[13] = 0x00;
	return len;
}

static struct l2switch_info info;

static bool find_switch(const char *name)
{
	for (unsigned int i = 0; l2switch_info_at(i, &info); i++)
		if (!strcmp(info.name, name))
			return true;
	return false;
}

TEST(l2switch_forwards_by_port_address_and_floods_group_frames)
{
	uint8_t f[64];

	REQUIRE(attach_ports("t-fwd", 3));
	/* Broadcast: every port but the sender's. */
	CHECK_EQ(l2switch_forward(&ports[0].port, f, make_frame(f, 60, 0xff, 1)),
		 L2SWITCH_FORWARDED);
	CHECK_EQ(ports[0].frames, 0);
	CHECK_EQ(ports[1].frames, 1);
	CHECK_EQ(ports[2].frames, 1);
	CHECK_EQ(ports[1].last_len, 60);
	/* Unicast goes to the port with that address only, before that
	 * port ever sent anything. */
	reset_counts();
	CHECK_EQ(l2switch_forward(&ports[1].port, f, make_frame(f, 60, 3, 2)),
		 L2SWITCH_FORWARDED);
	CHECK_EQ(ports[2].frames, 1);
	CHECK_EQ(ports[0].frames, 0);
	/* Unicast to an address no port has reaches nobody, counted. */
	reset_counts();
	CHECK_EQ(l2switch_forward(&ports[0].port, f, make_frame(f, 60, 9, 1)), L2SWITCH_NO_DEST);
	/* To its own address: nowhere either. */
	CHECK_EQ(l2switch_forward(&ports[0].port, f, make_frame(f, 60, 1, 1)), L2SWITCH_NO_DEST);
	CHECK_EQ(ports[1].frames + ports[2].frames, 0);
	/* A multicast destination floods like broadcast. */
	make_frame(f, 60, 5, 1);
	f[0] = 0x01;
	CHECK_EQ(l2switch_forward(&ports[0].port, f, 60), L2SWITCH_FORWARDED);
	CHECK_EQ(ports[1].frames, 1);
	CHECK_EQ(ports[2].frames, 1);
	REQUIRE(find_switch("t-fwd"));
	CHECK_EQ(info.port_count, 3);
	CHECK_EQ(info.ports[0].stats.tx_no_dest, 2);
	CHECK_EQ(info.ports[0].stats.tx_frames, 4);
	CHECK_EQ(info.ports[2].stats.rx_frames, 3);
	detach_ports(3);
}

TEST(l2switch_spoofed_source_is_dropped_and_steals_nothing)
{
	uint8_t f[64];

	REQUIRE(attach_ports("t-spoof", 3));
	/* Port 2 sends as port 1 (its victim), to port 0 and to everyone. */
	CHECK_EQ(l2switch_forward(&ports[2].port, f, make_frame(f, 60, 1, 2)), L2SWITCH_SPOOFED);
	CHECK_EQ(l2switch_forward(&ports[2].port, f, make_frame(f, 60, 0xff, 2)),
		 L2SWITCH_SPOOFED);
	CHECK_EQ(ports[0].frames + ports[1].frames, 0);
	/* Traffic for port 1 still goes to port 1, never to port 2. */
	CHECK_EQ(l2switch_forward(&ports[0].port, f, make_frame(f, 60, 2, 1)),
		 L2SWITCH_FORWARDED);
	CHECK_EQ(ports[1].frames, 1);
	CHECK_EQ(ports[2].frames, 0);
	/* A group address as source is never its own either. */
	make_frame(f, 60, 0xff, 3);
	f[6] = 0x03;
	CHECK_EQ(l2switch_forward(&ports[2].port, f, 60), L2SWITCH_SPOOFED);
	REQUIRE(find_switch("t-spoof"));
	CHECK_EQ(info.ports[2].stats.tx_spoofed, 3);
	CHECK_EQ(info.ports[2].stats.tx_frames, 0);
	CHECK_EQ(info.ports[2].stats.tx_bytes, 0);
	CHECK_EQ(info.ports[0].stats.tx_spoofed, 0);
	/* l2switch_send() tells only that the switch took (and counted) it. */
	CHECK(l2switch_send(&ports[2].port, f, 60));
	detach_ports(3);
}

TEST(l2switch_source_flood_changes_nobody_s_traffic)
{
	uint8_t f[64];

	REQUIRE(attach_ports("t-flood", 3));
	/* Port 2 sends from thousands of made-up addresses. */
	for (unsigned int i = 0; i < 4096; i++) {
		make_frame(f, 60, 0xff, 0);
		f[9] = (uint8_t)(i >> 8);
		f[10] = (uint8_t)i;
		f[11] = 0x80;
		CHECK_EQ(l2switch_forward(&ports[2].port, f, 60), L2SWITCH_SPOOFED);
	}
	CHECK_EQ(ports[0].frames + ports[1].frames, 0);
	/* Unicast between the others still goes straight, not flooded. */
	for (unsigned int i = 0; i < 10; i++)
		CHECK_EQ(l2switch_forward(&ports[0].port, f, make_frame(f, 60, 2, 1)),
			 L2SWITCH_FORWARDED);
	CHECK_EQ(ports[1].frames, 10);
	CHECK_EQ(ports[2].frames, 0);
	REQUIRE(find_switch("t-flood"));
	CHECK_EQ(info.ports[2].stats.tx_spoofed, 4096);
	detach_ports(3);
}

TEST(l2switch_full_port_drops_without_affecting_others)
{
	uint8_t f[64];

	REQUIRE(attach_ports("t-drop", 3));
	ports[1].full = true;
	for (unsigned int i = 0; i < 5; i++)
		CHECK_EQ(l2switch_forward(&ports[0].port, f, make_frame(f, 60, 0xff, 1)),
			 L2SWITCH_FORWARDED);
	CHECK_EQ(ports[1].frames, 0);
	CHECK_EQ(ports[2].frames, 5);
	REQUIRE(find_switch("t-drop"));
	CHECK_EQ(info.ports[1].stats.rx_full, 5);
	CHECK_EQ(info.ports[1].stats.rx_frames, 0);
	CHECK_EQ(info.ports[2].stats.rx_full, 0);
	CHECK_EQ(info.ports[2].stats.rx_frames, 5);
	CHECK_EQ(info.ports[0].stats.tx_frames, 5);
	/* Room again: frames get through again. */
	ports[1].full = false;
	CHECK(l2switch_send(&ports[0].port, f, make_frame(f, 60, 0xff, 1)));
	CHECK_EQ(ports[1].frames, 1);
	detach_ports(3);
}

TEST(l2switch_refuses_bad_lengths_and_names)
{
	static uint8_t big[L2SWITCH_FRAME_MAX + 1];
	struct l2switch_port loose = { .deliver = test_deliver, .mac = { 2, 0, 0, 0, 0, 9 } };
	char long_name[L2SWITCH_NAME_MAX + 1];

	REQUIRE(attach_ports("t-len", 2));
	make_frame(big, sizeof(big), 0xff, 1);
	CHECK_EQ(l2switch_forward(&ports[0].port, big, 13), L2SWITCH_MALFORMED);
	CHECK_EQ(l2switch_forward(&ports[0].port, big, 0), L2SWITCH_MALFORMED);
	CHECK_EQ(l2switch_forward(&ports[0].port, big, L2SWITCH_FRAME_MAX + 1), L2SWITCH_MALFORMED);
	CHECK_EQ(ports[1].frames, 0);
	CHECK_EQ(l2switch_forward(&ports[0].port, big, 14), L2SWITCH_FORWARDED);
	CHECK_EQ(l2switch_forward(&ports[0].port, big, L2SWITCH_FRAME_MAX), L2SWITCH_FORWARDED);
	CHECK_EQ(ports[1].frames, 2);
	CHECK_EQ(ports[1].last_len, L2SWITCH_FRAME_MAX);
	l2switch_port_count_drop(&ports[0].port);
	REQUIRE(find_switch("t-len"));
	CHECK_EQ(info.ports[0].stats.tx_malformed, 4);
	CHECK_EQ(info.ports[0].stats.tx_frames, 2);
	/* A detached port sends nothing. */
	CHECK_EQ(l2switch_forward(&loose, big, 60), L2SWITCH_DETACHED);
	CHECK(!l2switch_send(&loose, big, 60));

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CHECK_EQ(l2switch_port_attach(long_name, &loose), -KEEL_EINVAL);
	CHECK_EQ(l2switch_port_attach("", &loose), -KEEL_EINVAL);
	/* An attached port cannot attach twice. */
	CHECK_EQ(l2switch_port_attach("t-len", &ports[0].port), -KEEL_EINVAL);
	detach_ports(2);
}

TEST(l2switch_ports_never_share_an_address)
{
	struct l2switch_port twin = { .deliver = test_deliver, .mac = { 2, 0, 0, 0, 0, 1 } };
	struct l2switch_port group = { .deliver = test_deliver, .mac = { 3, 0, 0, 0, 0, 7 } };
	struct l2switch_port zero = { .deliver = test_deliver };
	uint8_t f[64];

	REQUIRE(attach_ports("t-twin", 2));
	/* Port 0's address taken by a newcomer: refused, port 0 keeps it. */
	CHECK_EQ(l2switch_port_attach("t-twin", &twin), -KEEL_EEXIST);
	CHECK(twin.sw == NULL);
	CHECK_EQ(l2switch_port_attach("t-twin", &group), -KEEL_EINVAL);
	CHECK_EQ(l2switch_port_attach("t-twin", &zero), -KEEL_EINVAL);
	CHECK_EQ(l2switch_forward(&ports[1].port, f, make_frame(f, 60, 1, 2)), L2SWITCH_FORWARDED);
	CHECK_EQ(ports[0].frames, 1);
	/* On another switch the same address is fine. */
	CHECK_EQ(l2switch_port_attach("t-twin2", &twin), 0);
	l2switch_port_detach(&twin);
	/* Once port 0 has gone, its address is free. */
	l2switch_port_detach(&ports[0].port);
	CHECK_EQ(l2switch_port_attach("t-twin", &twin), 0);
	l2switch_port_detach(&twin);
	detach_ports(2);
}

TEST(l2switch_limits_switches_ports_and_ports_of_a_guest)
{
	static struct test_port many[L2SWITCH_MAX + L2SWITCH_MAX_PORTS];
	unsigned int attached = 0, made = 0;
	static int guest_a, guest_b;
	char name[16];
	int ret = 0;

	memset(many, 0, sizeof(many));
	for (unsigned int i = 0; i < sizeof(many) / sizeof(many[0]); i++) {
		many[i].port.deliver = test_deliver;
		many[i].port.owner = &many[i];
		many[i].port.mac[0] = 0x02;
		many[i].port.mac[4] = (uint8_t)(i >> 8);
		many[i].port.mac[5] = (uint8_t)(i + 1);
	}
	/* One guest gets L2SWITCH_GROUP_PORTS ports of a switch, no more;
	 * another guest still gets its own. */
	for (unsigned int i = 0; i <= L2SWITCH_GROUP_PORTS; i++) {
		many[i].port.group = &guest_a;
		CHECK_EQ(l2switch_port_attach("t-group", &many[i].port),
			 i < L2SWITCH_GROUP_PORTS ? 0 : -KEEL_ENOSPC);
	}
	many[L2SWITCH_GROUP_PORTS + 1].port.group = &guest_b;
	CHECK_EQ(l2switch_port_attach("t-group", &many[L2SWITCH_GROUP_PORTS + 1].port), 0);
	for (unsigned int i = 0; i < L2SWITCH_GROUP_PORTS + 2; i++) {
		l2switch_port_detach(&many[i].port);
		many[i].port.group = NULL;
	}
	/* Ports on one switch up to the limit. */
	for (unsigned int i = 0; i < L2SWITCH_MAX_PORTS; i++)
		CHECK_EQ(l2switch_port_attach("t-many", &many[i].port), 0);
	CHECK_EQ(l2switch_port_attach("t-many", &many[L2SWITCH_MAX_PORTS].port), -KEEL_ENOSPC);
	for (unsigned int i = 0; i < L2SWITCH_MAX_PORTS; i++)
		l2switch_port_detach(&many[i].port);
	/* Switches up to the limit (other tests' switches are gone). */
	for (unsigned int i = 0; i < L2SWITCH_MAX + 1 && !ret; i++) {
		snprintf(name, sizeof(name), "t-sw%u", i);
		ret = l2switch_port_attach(name, &many[i].port);
		if (!ret) {
			attached++;
			made++;
		}
	}
	CHECK_EQ(ret, -KEEL_ENOSPC);
	CHECK(made <= L2SWITCH_MAX);
	for (unsigned int i = 0; i < attached; i++)
		l2switch_port_detach(&many[i].port);
}

/* A sender with a resume hook waits for a full receiver instead of
 * losing the frame, and goes on when the receiver has room. */
TEST(l2switch_sender_waits_for_a_full_receiver_and_resumes)
{
	uint8_t f[64];
	size_t len = make_frame(f, sizeof(f), 2, 1);

	REQUIRE(attach_ports("fc0", 3));
	ports[0].port.resume = test_resume;
	ports[1].full = true;
	CHECK_EQ(l2switch_forward_wait(&ports[0].port, f, len), L2SWITCH_WAIT);
	/* Nothing counted: the frame was not sent. */
	CHECK_EQ(ports[0].port.stats.tx_frames, 0);
	CHECK_EQ(ports[1].port.stats.rx_full, 0);
	CHECK(ports[0].port.waiting_for == &ports[1].port);
	/* Asked again while still full: still waiting, still not lost. */
	CHECK_EQ(l2switch_forward_wait(&ports[0].port, f, len), L2SWITCH_WAIT);
	/* Room on another port wakes no one. */
	l2switch_port_rx_ready(&ports[2].port);
	CHECK_EQ(ports[0].resumed, 0);
	ports[1].full = false;
	l2switch_port_rx_ready(&ports[1].port);
	CHECK_EQ(ports[0].resumed, 1);
	CHECK(ports[0].port.waiting_for == NULL);
	l2switch_port_rx_ready(&ports[1].port);
	CHECK_EQ(ports[0].resumed, 1);
	CHECK_EQ(l2switch_forward_wait(&ports[0].port, f, len), L2SWITCH_FORWARDED);
	CHECK_EQ(ports[1].frames, 1);
	CHECK_EQ(ports[0].port.stats.tx_frames, 1);

	/* Broadcasts never wait; a port without resume() never waits. */
	ports[1].full = true;
	len = make_frame(f, sizeof(f), 0xff, 1);
	CHECK_EQ(l2switch_forward_wait(&ports[0].port, f, len), L2SWITCH_FORWARDED);
	CHECK_EQ(ports[1].port.stats.rx_full, 1);
	len = make_frame(f, sizeof(f), 2, 3);
	CHECK_EQ(l2switch_forward_wait(&ports[2].port, f, len), L2SWITCH_FORWARDED);
	CHECK_EQ(ports[1].port.stats.rx_full, 2);
	detach_ports(3);
}

/* A receiver that never reads holds a sender up once: after the sender
 * gives up, no sender waits for it for L2SWITCH_WAIT_QUIET_NS. */
TEST(l2switch_a_receiver_a_sender_gave_up_on_is_not_waited_for_again)
{
	uint8_t f[64];
	size_t len = make_frame(f, sizeof(f), 2, 1);

	REQUIRE(attach_ports("fc1", 3));
	ports[0].port.resume = test_resume;
	ports[2].port.resume = test_resume;
	ports[1].full = true;
	CHECK_EQ(l2switch_forward_wait(&ports[0].port, f, len), L2SWITCH_WAIT);
	l2switch_port_stop_waiting(&ports[0].port, true);
	CHECK(ports[0].port.waiting_for == NULL);
	CHECK_EQ(l2switch_forward_wait(&ports[0].port, f, len), L2SWITCH_FORWARDED);
	CHECK_EQ(ports[1].port.stats.rx_full, 1);
	len = make_frame(f, sizeof(f), 2, 3);
	CHECK_EQ(l2switch_forward_wait(&ports[2].port, f, len), L2SWITCH_FORWARDED);
	CHECK_EQ(ports[1].port.stats.rx_full, 2);
	CHECK_EQ(ports[0].resumed + ports[2].resumed, 0);
	detach_ports(3);
}

/* A receiver that goes away resumes whoever waits for it; a sender that
 * goes away waits for no one any more. */
TEST(l2switch_detach_resumes_the_senders_waiting_for_a_port)
{
	uint8_t f[64];
	size_t len = make_frame(f, sizeof(f), 2, 1);

	REQUIRE(attach_ports("fc2", 3));
	ports[0].port.resume = test_resume;
	ports[1].full = true;
	CHECK_EQ(l2switch_forward_wait(&ports[0].port, f, len), L2SWITCH_WAIT);
	l2switch_port_detach(&ports[1].port);
	CHECK_EQ(ports[0].resumed, 1);
	CHECK(ports[0].port.waiting_for == NULL);
	CHECK_EQ(l2switch_forward_wait(&ports[0].port, f, len), L2SWITCH_NO_DEST);

	REQUIRE(l2switch_port_attach("fc2", &ports[1].port) == 0);
	CHECK_EQ(l2switch_forward_wait(&ports[0].port, f, len), L2SWITCH_WAIT);
	l2switch_port_detach(&ports[0].port);
	CHECK(ports[0].port.waiting_for == NULL);
	CHECK(!ports[1].port.awaited);
	detach_ports(3);
}

/* A receiver that drains one buffer at a time on purpose, just before a
 * sender would give up: once senders have waited L2SWITCH_WAIT_BUDGET_NS
 * for it within a second, no one waits for it for a second. */
TEST(l2switch_a_slowly_draining_receiver_uses_up_its_wait_budget)
{
	uint64_t ms = arch_counter_freq() / 1000;
	uint8_t f[64];
	size_t len = make_frame(f, sizeof(f), 2, 1);
	unsigned int waits = 0;

	REQUIRE(attach_ports("fc3", 2));
	ports[0].port.resume = test_resume;
	ports[1].full = true;
	while (l2switch_forward_wait(&ports[0].port, f, len) == L2SWITCH_WAIT && waits < 10) {
		waits++;
		host_counter_set(arch_counter_read() + 19 * ms);
		l2switch_port_rx_ready(&ports[1].port);
		CHECK_EQ(ports[0].resumed, waits);
	}
	/* 19 ms a time: the third wait takes it past 50 ms. */
	CHECK_EQ(waits, 3);
	CHECK_EQ(ports[1].port.stats.rx_full, 1);
	/* A second on, it may be waited for again. */
	host_counter_set(arch_counter_read() + 1000 * ms);
	CHECK_EQ(l2switch_forward_wait(&ports[0].port, f, len), L2SWITCH_WAIT);
	detach_ports(2);
}
