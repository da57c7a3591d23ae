/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L2 learning switch (libs/l2switch.c): learning, flooding, unknown
 * unicast, MAC table replacement, drops on a port without room that leave
 * the others alone, and frames of bad lengths.
 */
#include <keel/errno.h>
#include <lib/l2switch.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"

#define TEST_PORTS 4

struct test_port {
	struct l2switch_port port;
	bool full;                       /* refuses frames */
	unsigned int frames;
	size_t last_len;
	uint8_t last[L2SWITCH_FRAME_MAX];
};

static struct test_port ports[TEST_PORTS];

static bool test_deliver(struct l2switch_port *port, const void *frame, size_t len)
{
	struct test_port *tp = port->owner;

	if (tp->full)
		return false;
	tp->frames++;
	tp->last_len = len;
	memcpy(tp->last, frame, len);
	return true;
}

/* Attaches count fresh ports to switch name; port i has MAC 02:00:00:00:00:i+1. */
static bool attach_ports(const char *name, unsigned int count)
{
	memset(ports, 0, sizeof(ports));
	for (unsigned int i = 0; i < count; i++) {
		struct test_port *tp = &ports[i];

		snprintf(tp->port.label, sizeof(tp->port.label), "t/p%u", i);
		tp->port.mac[0] = 0x02;
		tp->port.mac[5] = (uint8_t)(i + 1);
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

/* A frame of len bytes from MAC src to MAC dst (last bytes given; 0xff
 * dst means broadcast). */
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

TEST(l2switch_floods_unknown_then_learns_unicast)
{
	uint8_t f[64];

	REQUIRE(attach_ports("t-learn", 3));
	/* Broadcast from port 0: everyone else. */
	CHECK(l2switch_send(&ports[0].port, f, make_frame(f, 60, 0xff, 1)));
	CHECK_EQ(ports[0].frames, 0);
	CHECK_EQ(ports[1].frames, 1);
	CHECK_EQ(ports[2].frames, 1);
	CHECK_EQ(ports[1].last_len, 60);
	CHECK(memcmp(ports[1].last, f, 60) == 0);
	/* Unknown unicast (to MAC 3, not seen yet): flooded. */
	reset_counts();
	CHECK(l2switch_send(&ports[1].port, f, make_frame(f, 60, 3, 2)));
	CHECK_EQ(ports[0].frames, 1);
	CHECK_EQ(ports[1].frames, 0);
	CHECK_EQ(ports[2].frames, 1);
	/* MAC 1 was learned on port 0: unicast goes there only. */
	reset_counts();
	CHECK(l2switch_send(&ports[2].port, f, make_frame(f, 60, 1, 3)));
	CHECK_EQ(ports[0].frames, 1);
	CHECK_EQ(ports[1].frames, 0);
	CHECK_EQ(ports[2].frames, 0);
	/* Multicast is flooded like broadcast. */
	reset_counts();
	make_frame(f, 60, 2, 1);
	f[0] = 0x01;
	CHECK(l2switch_send(&ports[0].port, f, 60));
	CHECK_EQ(ports[1].frames + ports[2].frames, 2);
	/* A frame to a station on the sender's own port goes nowhere. */
	reset_counts();
	CHECK(l2switch_send(&ports[0].port, f, make_frame(f, 60, 1, 1)));
	CHECK_EQ(ports[0].frames + ports[1].frames + ports[2].frames, 0);

	REQUIRE(find_switch("t-learn"));
	CHECK_EQ(info.port_count, 3);
	CHECK_EQ(info.mac_count, 3);
	CHECK_STR_EQ(info.ports[0].label, "t/p0");
	CHECK_EQ(info.ports[0].stats.tx_frames, 3);
	CHECK_EQ(info.ports[0].stats.tx_bytes, 180);
	CHECK_EQ(info.ports[0].stats.rx_frames, 2);
	CHECK_EQ(info.ports[1].stats.rx_frames, 2);
	CHECK_EQ(info.ports[1].stats.rx_bytes, 120);
	detach_ports(3);
	CHECK(!find_switch("t-learn"));
}

TEST(l2switch_address_moves_and_is_forgotten_on_detach)
{
	uint8_t f[64];

	REQUIRE(attach_ports("t-move", 3));
	CHECK(l2switch_send(&ports[0].port, f, make_frame(f, 60, 0xff, 9)));
	/* MAC 9 now speaks from port 1. */
	CHECK(l2switch_send(&ports[1].port, f, make_frame(f, 60, 0xff, 9)));
	reset_counts();
	CHECK(l2switch_send(&ports[2].port, f, make_frame(f, 60, 9, 3)));
	CHECK_EQ(ports[0].frames, 0);
	CHECK_EQ(ports[1].frames, 1);
	/* Port 1 leaves: MAC 9 is unknown again, flooded to who is left. */
	l2switch_port_detach(&ports[1].port);
	CHECK(ports[1].port.sw == NULL);
	reset_counts();
	CHECK(l2switch_send(&ports[2].port, f, make_frame(f, 60, 9, 3)));
	CHECK_EQ(ports[0].frames, 1);
	CHECK_EQ(ports[1].frames, 0);
	REQUIRE(find_switch("t-move"));
	CHECK_EQ(info.port_count, 2);
	CHECK_EQ(info.mac_count, 1);
	/* Detaching twice is harmless. */
	l2switch_port_detach(&ports[1].port);
	detach_ports(3);
	CHECK(!find_switch("t-move"));
}

TEST(l2switch_full_table_replaces_the_least_recently_seen)
{
	uint8_t f[64];

	REQUIRE(attach_ports("t-lru", 2));
	/* Sources 100..100+N-1 fill the table from port 0; source 100 is
	 * then seen again, so 101 is the oldest. */
	for (unsigned int i = 0; i < L2SWITCH_MAC_ENTRIES; i++)
		CHECK(l2switch_send(&ports[0].port, f, make_frame(f, 60, 0xff, (uint8_t)(100 + i))));
	CHECK(l2switch_send(&ports[0].port, f, make_frame(f, 60, 0xff, 100)));
	REQUIRE(find_switch("t-lru"));
	CHECK_EQ(info.mac_count, L2SWITCH_MAC_ENTRIES);
	/* One more address from port 1 takes 101's place. */
	CHECK(l2switch_send(&ports[1].port, f, make_frame(f, 60, 0xff, 7)));
	REQUIRE(find_switch("t-lru"));
	CHECK_EQ(info.mac_count, L2SWITCH_MAC_ENTRIES);
	reset_counts();
	/* 100 is still known (unicast to port 0 only)... */
	CHECK(l2switch_send(&ports[1].port, f, make_frame(f, 60, 100, 7)));
	CHECK_EQ(ports[0].frames, 1);
	/* ...and so is 7, on port 1... */
	reset_counts();
	CHECK(l2switch_send(&ports[0].port, f, make_frame(f, 60, 7, 100)));
	CHECK_EQ(ports[1].frames, 1);
	/* ...but 101 is not: port 0 asking for it floods to port 1. */
	reset_counts();
	CHECK(l2switch_send(&ports[0].port, f, make_frame(f, 60, 101, 100)));
	CHECK_EQ(ports[1].frames, 1);
	/* 102 is still on port 0: port 0 asking for it gets no flood. */
	reset_counts();
	CHECK(l2switch_send(&ports[0].port, f, make_frame(f, 60, 102, 100)));
	CHECK_EQ(ports[1].frames, 0);
	detach_ports(2);
}

TEST(l2switch_full_port_drops_without_affecting_others)
{
	uint8_t f[64];

	REQUIRE(attach_ports("t-drop", 3));
	ports[1].full = true;
	for (unsigned int i = 0; i < 5; i++)
		CHECK(l2switch_send(&ports[0].port, f, make_frame(f, 60, 0xff, 1)));
	CHECK_EQ(ports[1].frames, 0);
	CHECK_EQ(ports[2].frames, 5);
	REQUIRE(find_switch("t-drop"));
	CHECK_EQ(info.ports[1].stats.rx_drops, 5);
	CHECK_EQ(info.ports[1].stats.rx_frames, 0);
	CHECK_EQ(info.ports[2].stats.rx_drops, 0);
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
	struct l2switch_port loose = { .deliver = test_deliver };
	char long_name[L2SWITCH_NAME_MAX + 1];

	REQUIRE(attach_ports("t-len", 2));
	make_frame(big, sizeof(big), 0xff, 1);
	CHECK(!l2switch_send(&ports[0].port, big, 13));
	CHECK(!l2switch_send(&ports[0].port, big, 0));
	CHECK(!l2switch_send(&ports[0].port, big, L2SWITCH_FRAME_MAX + 1));
	CHECK_EQ(ports[1].frames, 0);
	CHECK(l2switch_send(&ports[0].port, big, 14));
	CHECK(l2switch_send(&ports[0].port, big, L2SWITCH_FRAME_MAX));
	CHECK_EQ(ports[1].frames, 2);
	CHECK_EQ(ports[1].last_len, L2SWITCH_FRAME_MAX);
	REQUIRE(find_switch("t-len"));
	CHECK_EQ(info.ports[0].stats.tx_drops, 3);
	CHECK_EQ(info.ports[0].stats.tx_frames, 2);
	/* Nothing was learned from refused frames but the good ones. */
	CHECK_EQ(info.mac_count, 1);
	/* A detached port sends nothing. */
	CHECK(!l2switch_send(&loose, big, 60));

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CHECK_EQ(l2switch_port_attach(long_name, &loose), -KEEL_EINVAL);
	CHECK_EQ(l2switch_port_attach("", &loose), -KEEL_EINVAL);
	/* An attached port cannot attach twice. */
	CHECK_EQ(l2switch_port_attach("t-len", &ports[0].port), -KEEL_EINVAL);
	detach_ports(2);
}

TEST(l2switch_limits_switches_and_ports)
{
	static struct test_port many[L2SWITCH_MAX + L2SWITCH_MAX_PORTS];
	unsigned int attached = 0, made = 0;
	char name[16];
	int ret = 0;

	memset(many, 0, sizeof(many));
	for (unsigned int i = 0; i < sizeof(many) / sizeof(many[0]); i++) {
		many[i].port.deliver = test_deliver;
		many[i].port.owner = &many[i];
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
