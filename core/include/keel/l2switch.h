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
 * deliver() hook, which copies it or says why not: FULL (no receive buffer
 * posted now) or REFUSED. The frame is then dropped for that port and
 * counted ("rx full"), and the other ports still get theirs, so a slow
 * port never holds up the rest.
 *
 * Waiting: a sender with a resume() hook may instead be held back while
 * the one port its unicast frame goes to is FULL, as a wire with flow
 * control would (l2switch_forward_wait() returns L2SWITCH_WAIT and the
 * sender keeps the frame). The receiver's owner calls
 * l2switch_port_rx_ready() when it has buffers again, and the switch calls
 * the waiting senders' resume(), which may only schedule their sending. A
 * sender waits a bounded time (its own timer, then
 * l2switch_port_stop_waiting(port, true)); a receiver that made a sender
 * give up, or that senders waited for L2SWITCH_WAIT_BUDGET_NS in all
 * within L2SWITCH_WAIT_QUIET_NS, is not waited for again for
 * L2SWITCH_WAIT_QUIET_NS: a guest that never reads, or drains one buffer
 * at a time on purpose, holds its senders up at most about 5% of the
 * time. Frames shorter than an Ethernet header
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

/* What deliver() did with a frame. */
enum l2switch_delivery {
	L2SWITCH_TAKEN,
	L2SWITCH_FULL,           /* no receive buffer now; rx_ready() follows */
	L2SWITCH_REFUSED,        /* not now for another reason (stopped, too small) */
};

/* Copies frame into the port's receiver, or says why it cannot. */
typedef enum l2switch_delivery (*l2switch_deliver_fn)(struct l2switch_port *port,
						       const void *frame, size_t len);
/* The port may send again (what it waited for happened or went away).
 * Called with the switch lock held: may only schedule the sending. */
typedef void (*l2switch_resume_fn)(struct l2switch_port *port);

/* After a receiver made a sender give up waiting, or made senders wait
 * L2SWITCH_WAIT_BUDGET_NS in all within this long, no sender waits for it
 * for this long. */
#define L2SWITCH_WAIT_QUIET_NS (1000ULL * 1000 * 1000)
#define L2SWITCH_WAIT_BUDGET_NS (50ULL * 1000 * 1000)

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
	L2SWITCH_WAIT,           /* l2switch_forward_wait(): not sent, send it again */
};

struct l2switch_port {
	/* Set by the owner before l2switch_port_attach(). */
	char label[L2SWITCH_LABEL_MAX];          /* guest data: printed escaped */
	uint8_t mac[L2SWITCH_MAC_LEN];           /* the only source it may send from */
	const void *group;                       /* the guest; NULL: no group */
	l2switch_deliver_fn deliver;
	l2switch_resume_fn resume;               /* NULL: the port never waits */
	void *owner;
	/* The switch's, under its lock. */
	struct l2switch *sw;             /* NULL while detached */
	struct l2switch_port *waiting_for;       /* the FULL port it waits for */
	bool awaited;                            /* a sender waits for this port */
	uint64_t quiet_until_ns;                 /* no sender waits for it before */
	uint64_t wait_since_ns;                  /* sender: waiting since */
	uint64_t wait_window_ns;                 /* receiver: its wait budget's window */
	uint64_t wait_spent_ns;                  /* ... and what senders spent in it */
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
/* l2switch_forward(), but a unicast frame to a port that is FULL now is
 * not dropped: L2SWITCH_WAIT, the port now waits for that one (its
 * resume() is called when the other has buffers again or goes away), and
 * nothing is counted. Needs a resume() hook; a port already waiting, or
 * a destination a sender gave up on lately, gets l2switch_forward(). */
enum l2switch_verdict l2switch_forward_wait(struct l2switch_port *port, const void *frame,
					    size_t len);
/* The owner of port has receive buffers again: senders waiting for it
 * resume. Takes the switch lock (constant work when none waits). */
void l2switch_port_rx_ready(struct l2switch_port *port);
/* port no longer waits (its owner resets, or waited long enough: gave_up
 * spares its destination further waits for L2SWITCH_WAIT_QUIET_NS). */
void l2switch_port_stop_waiting(struct l2switch_port *port, bool gave_up);
/* l2switch_forward(), for owners that need not know: true when the switch
 * took the frame (forwarded, or dropped and counted by it), false when the
 * port is detached. */
bool l2switch_send(struct l2switch_port *port, const void *frame, size_t len);
/* Counts a frame the port's owner refused before sending (malformed). */
void l2switch_port_count_drop(struct l2switch_port *port);
/* Snapshot of the index-th existing switch; false past the last. */
bool l2switch_info_at(unsigned int index, struct l2switch_info *info);

#endif
