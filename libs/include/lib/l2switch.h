/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An Ethernet (L2) learning switch joining guests' network devices: named
 * switches made when their first port attaches and gone with their last,
 * ports that are callbacks, a bounded MAC table (source address -> port,
 * least recently seen entry replaced when full), and per-port counters.
 *
 * Forwarding: a frame to a known unicast address goes to that address's
 * port only; broadcast, multicast and unknown unicast go to every port but
 * the one it came from. A port takes a frame through its deliver() hook,
 * which copies it and returns false when it cannot take it now (no
 * receive buffer): the frame is then dropped for that port and counted,
 * and the other ports still get theirs, so a slow port never holds up the
 * rest. Frames shorter than an Ethernet header (14 bytes) or longer than
 * L2SWITCH_FRAME_MAX are dropped and counted against the sending port.
 *
 * Locking: a registry lock guards the table of switches, one spinlock per
 * switch guards its ports, MAC table and counters. deliver() is called
 * with the switch lock held (interrupts masked), so that a port, once
 * l2switch_port_detach() returns, is never called again. Lock order:
 * registry -> switch -> whatever deliver() takes (a device's receive lock,
 * then its transport's). deliver() must not send on any switch. A port's
 * owner never sends on a port while attaching or detaching it.
 */
#ifndef LIB_L2SWITCH_H
#define LIB_L2SWITCH_H

#include <lib/list.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define L2SWITCH_MAX 8                   /* switches at once */
#define L2SWITCH_NAME_MAX 32             /* with the NUL: "br0" */
#define L2SWITCH_LABEL_MAX 64            /* with the NUL: "basic0/net0" */
#define L2SWITCH_MAC_ENTRIES 64          /* MAC table size, per switch */
#define L2SWITCH_MAX_PORTS 16            /* ports per switch */
#define L2SWITCH_MAC_LEN 6
#define L2SWITCH_FRAME_MIN 14            /* destination, source, type */
#define L2SWITCH_FRAME_MAX (1514 + 4)    /* with one VLAN tag, no FCS */

struct l2switch;
struct l2switch_port;

/* Copies frame into the port's receiver; false when it cannot now. */
typedef bool (*l2switch_deliver_fn)(struct l2switch_port *port, const void *frame,
				    size_t len);

/* Counted from the attached device's side: tx is what it sent into the
 * switch, rx what the switch gave it. */
struct l2switch_port_stats {
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t tx_drops;      /* refused: malformed, too short or too long */
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t rx_drops;      /* deliver() could not take them */
};

struct l2switch_port {
	/* Set by the owner before l2switch_port_attach(). */
	char label[L2SWITCH_LABEL_MAX];
	uint8_t mac[L2SWITCH_MAC_LEN];           /* the device's own, for listings */
	l2switch_deliver_fn deliver;
	void *owner;
	/* The switch's, under its lock. */
	struct l2switch *sw;             /* NULL while detached */
	struct list_head node;
	struct l2switch_port_stats stats;
};

/* A snapshot of one switch for listings. */
struct l2switch_port_info {
	char label[L2SWITCH_LABEL_MAX];
	uint8_t mac[L2SWITCH_MAC_LEN];
	struct l2switch_port_stats stats;
};

struct l2switch_info {
	char name[L2SWITCH_NAME_MAX];
	unsigned int mac_count;          /* learned addresses */
	unsigned int port_count;
	struct l2switch_port_info ports[L2SWITCH_MAX_PORTS];
};

/* Whether name can name a switch: 1 to L2SWITCH_NAME_MAX - 1 bytes. */
bool l2switch_name_valid(const char *name);
/*
 * Attaches port (label, mac and deliver set, not attached) to the switch
 * called name, making the switch when it does not exist. The counters are
 * kept from before. Returns 0, -KEEL_EINVAL (bad name), -KEEL_ENOSPC (no
 * room for another switch or port).
 */
int l2switch_port_attach(const char *name, struct l2switch_port *port);
/* Detaches port and forgets the addresses learned on it; the switch goes
 * away with its last port. Nothing when not attached. */
void l2switch_port_detach(struct l2switch_port *port);
/*
 * Sends one frame from port (attached) into its switch. Returns true when
 * the frame was forwarded (to however many ports took it), false when it
 * was refused for its length.
 */
bool l2switch_send(struct l2switch_port *port, const void *frame, size_t len);
/* Counts a frame the port's owner refused before sending (malformed)
 * among the port's tx drops. */
void l2switch_port_count_drop(struct l2switch_port *port);
/* Snapshot of the index-th existing switch; false past the last. */
bool l2switch_info_at(unsigned int index, struct l2switch_info *info);

#endif
