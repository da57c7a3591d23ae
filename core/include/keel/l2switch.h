/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An Ethernet (L2) switch joining guests' network devices: named switches
 * made when their first port attaches and gone with their last, ports that
 * are callbacks, and per-port counters.
 *
 * A switch is not a shared hub a guest can steer. Each port has exactly
 * one address, the one its owner gives it at attach (for virtio-net the
 * node's "mac-address", or the generated one), and the switch's address
 * table is the set of its ports' addresses: nothing is learned from
 * frames, so a guest can neither flood the table nor take over another
 * port's address. A frame whose source is not its port's address is
 * dropped ("spoofed"); two ports of one switch never share an address
 * (attach refuses the second).
 *
 * Forwarding: a frame to a port's address goes to that port only; one to
 * an address no other port has is dropped ("no destination": no guest
 * behind this switch may receive it); broadcast and multicast go to every
 * port but the one it came from. A port takes a frame through its
 * deliver() hook, which copies it and returns false when it cannot take it
 * now (no receive buffer): the frame is then dropped for that port and
 * counted ("rx full"), and the other ports still get theirs, so a slow
 * port never holds up the rest. Frames shorter than an Ethernet header
 * (14 bytes) or longer than L2SWITCH_FRAME_MAX are dropped ("malformed").
 * Every drop a sender causes is counted on its port by reason and logged
 * at most once a second per port (log_ratelimit), naming the port
 * ("guest/device") and the switch.
 *
 * Limits (the switch's table is its ports): L2SWITCH_MAX switches,
 * L2SWITCH_MAX_PORTS ports a switch, and L2SWITCH_GROUP_PORTS ports of one
 * group (a guest) on one switch, so that one guest cannot take a switch's
 * every port. Attach beyond one returns -KEEL_ENOSPC.
 *
 * Locking: a registry lock guards the table of switches, one spinlock per
 * switch guards its ports and counters. deliver() is called with the
 * switch lock held (interrupts masked), so that a port, once
 * l2switch_port_detach() returns, is never called again; the work under
 * it is bounded by one copy of at most L2SWITCH_FRAME_MAX bytes to each of
 * at most L2SWITCH_MAX_PORTS - 1 ports. Lock order: registry -> switch ->
 * whatever deliver() takes (a device's receive lock, then its
 * transport's). deliver() must not send on any switch. A port's owner
 * never sends on a port while attaching or detaching it. Messages are
 * logged after the switch lock is dropped.
 */
#ifndef KEEL_L2SWITCH_H
#define KEEL_L2SWITCH_H

#include <keel/log_ratelimit.h>
#include <lib/list.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define L2SWITCH_MAX 8                   /* switches at once */
#define L2SWITCH_NAME_MAX 32             /* with the NUL: "br0" */
#define L2SWITCH_LABEL_MAX 64            /* with the NUL: "basic0/net0" */
#define L2SWITCH_MAX_PORTS 16            /* ports (addresses) per switch */
#define L2SWITCH_GROUP_PORTS 4           /* ports of one guest per switch */
#define L2SWITCH_MAC_LEN 6
#define L2SWITCH_FRAME_MIN 14            /* destination, source, type */
#define L2SWITCH_FRAME_MAX (1514 + 4)    /* with one VLAN tag, no FCS */

struct l2switch;
struct l2switch_port;

/* Copies frame into the port's receiver; false when it cannot now. */
typedef bool (*l2switch_deliver_fn)(struct l2switch_port *port, const void *frame,
				    size_t len);

/* Counted from the attached device's side: tx is what it sent into the
 * switch, rx what the switch gave it. tx_frames counts every frame the
 * port sent that was not malformed, forwarded or not. */
struct l2switch_port_stats {
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t tx_malformed;  /* refused: too short, too long, bad header */
	uint64_t tx_spoofed;    /* source address not the port's own */
	uint64_t tx_no_dest;    /* unicast to an address no other port has */
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t rx_full;       /* deliver() could not take them */
};

/* Why l2switch_send() did not forward a frame. */
enum l2switch_verdict {
	L2SWITCH_FORWARDED,      /* to however many ports took it */
	L2SWITCH_MALFORMED,
	L2SWITCH_SPOOFED,
	L2SWITCH_NO_DEST,
	L2SWITCH_DETACHED,       /* the port is on no switch */
};

struct l2switch_port {
	/* Set by the owner before l2switch_port_attach(). */
	char label[L2SWITCH_LABEL_MAX];          /* guest data: printed escaped */
	uint8_t mac[L2SWITCH_MAC_LEN];           /* the only source it may send from */
	const void *group;                       /* the guest; NULL: no group */
	l2switch_deliver_fn deliver;
	void *owner;
	/* The switch's, under its lock. */
	struct l2switch *sw;             /* NULL while detached */
	struct list_head node;
	struct l2switch_port_stats stats;
	struct log_ratelimit drop_log;
};

/* A snapshot of one switch for listings. */
struct l2switch_port_info {
	char label[L2SWITCH_LABEL_MAX];
	uint8_t mac[L2SWITCH_MAC_LEN];
	struct l2switch_port_stats stats;
};

struct l2switch_info {
	char name[L2SWITCH_NAME_MAX];
	unsigned int port_count;
	struct l2switch_port_info ports[L2SWITCH_MAX_PORTS];
};

/* Whether name can name a switch: 1 to L2SWITCH_NAME_MAX - 1 bytes. */
bool l2switch_name_valid(const char *name);
/*
 * Attaches port (label, mac, group and deliver set, not attached) to the
 * switch called name, making the switch when it does not exist. The
 * counters are kept from before. Returns 0, -KEEL_EINVAL (bad name, or a
 * group or all-zero mac), -KEEL_EEXIST (another port of that switch has
 * that mac), -KEEL_ENOSPC (a limit above: no room for another switch, port
 * or port of that group).
 */
int l2switch_port_attach(const char *name, struct l2switch_port *port);
/* Detaches port; the switch goes away with its last port. Nothing when
 * not attached. */
void l2switch_port_detach(struct l2switch_port *port);
/* Sends one frame from port into its switch; what became of it (counted
 * on the port unless L2SWITCH_DETACHED). */
enum l2switch_verdict l2switch_forward(struct l2switch_port *port, const void *frame,
				       size_t len);
/* l2switch_forward(), for owners that need not know: true when the switch
 * took the frame (forwarded, or dropped and counted by it), false when the
 * port is detached. */
bool l2switch_send(struct l2switch_port *port, const void *frame, size_t len);
/* Counts a frame the port's owner refused before sending (malformed). */
void l2switch_port_count_drop(struct l2switch_port *port);
/* Snapshot of the index-th existing switch; false past the last. */
bool l2switch_info_at(unsigned int index, struct l2switch_info *info);

#endif
