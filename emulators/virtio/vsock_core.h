/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-vsock (VIRTIO 1.2 §5.10) inside Keel: the devices of all guests,
 * their connection tables, the routing of packets between them and Keel's
 * own services on CID 2 (the host). vsock.c is the virtio device (queues,
 * packet checks); vsock_core.c routes, keeps the connections and serves
 * port 7 (echo); vsock_host.c is Keel's end of the connections the shell
 * opens (`vsock send`) and what `vsock list` shows.
 *
 * Locking: one lock, vsock_lock, covers every device's connection table
 * and pending packets, so that relaying between two devices never takes
 * two locks. It is shared by all guests, so it is held only for constant
 * work: routing one packet already copied into Keel memory, queueing it
 * (at most VSOCK_PACKET_DATA bytes copied), taking one pending packet out.
 * Guest RAM is never touched under it: a device's rings and buffers are
 * worked under that device's own lock (vsock.c), which comes first in the
 * lock order; queueing a packet for a guest kicks its device's work item
 * (vsock_rx_kick), which moves it into the guest later.
 */
#ifndef EMULATORS_VIRTIO_VSOCK_CORE_H
#define EMULATORS_VIRTIO_VSOCK_CORE_H

#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/types.h>

struct guest;
struct virtio_device;

#define VSOCK_CID_HOST 2u
#define VSOCK_CID_MIN_GUEST 3u
#define VSOCK_TYPE_STREAM 1u

enum vsock_op {
	VSOCK_OP_INVALID = 0,
	VSOCK_OP_REQUEST = 1,
	VSOCK_OP_RESPONSE = 2,
	VSOCK_OP_RST = 3,
	VSOCK_OP_SHUTDOWN = 4,
	VSOCK_OP_RW = 5,
	VSOCK_OP_CREDIT_UPDATE = 6,
	VSOCK_OP_CREDIT_REQUEST = 7,
};

#define VSOCK_SHUTDOWN_RECEIVE 1u
#define VSOCK_SHUTDOWN_SEND 2u

#define VSOCK_HDR_SIZE 44u
#define VSOCK_ECHO_PORT 7u
/* Keel's ports for connections it opens (the shell's). */
#define VSOCK_HOST_PORT_FIRST 49152u

/*
 * Limits on connections (each is a table entry of a device; a connection
 * between two guests takes one in each): VSOCK_CONN_MAX a device,
 * VSOCK_CONN_GUEST_MAX for all of a guest's devices, VSOCK_CONN_GLOBAL_MAX
 * for all guests. A REQUEST (or RESPONSE) over one is answered with RST,
 * counted on the device by reason (`vsock list`) and warned about,
 * rate-limited; the shell's `vsock send` is refused with a message.
 */
#define VSOCK_CONN_MAX 16           /* connections per device */
#define VSOCK_CONN_GUEST_MAX 16     /* connections per guest */
#define VSOCK_CONN_GLOBAL_MAX 64    /* connections of all guests */
#define VSOCK_PENDING_MAX 16        /* packets waiting for rx buffers */
/*
 * A sender pauses once its receiver has this many waiting: its device
 * takes nothing more from its transmit queue (the packets stay in the
 * guest's ring, as a device that is busy leaves them) until the receiver's
 * guest has taken enough of them to fall below it, which kicks the
 * sender's transmit queue again. So a burst does not overflow the ring
 * (which resets the connection). A packet takes at most 2 entries.
 * A receiver that takes none for VSOCK_PAUSE_MAX_NS is not waited for
 * again until it does: its senders go on and its connections are reset
 * when its ring overflows, so no guest holds up another's transmissions.
 */
#define VSOCK_PENDING_BACKLOG (VSOCK_PENDING_MAX / 2)
#define VSOCK_PAUSE_MAX_NS (2 * NSEC_PER_SEC)
#define VSOCK_PACKET_DATA 2048u     /* payload of one pending packet */
#define VSOCK_HOST_BUF 2048u        /* Keel's buf_alloc per connection */

/* The packet header, in host order (little endian on the wire). */
struct vsock_hdr {
	uint64_t src_cid;
	uint64_t dst_cid;
	uint32_t src_port;
	uint32_t dst_port;
	uint32_t len;
	uint16_t type;
	uint16_t op;
	uint32_t flags;
	uint32_t buf_alloc;
	uint32_t fwd_cnt;
};

enum vsock_conn_state {
	VSOCK_CONN_FREE,
	VSOCK_CONN_CONNECTING,      /* REQUEST sent, no RESPONSE yet */
	VSOCK_CONN_CONNECTED,
	VSOCK_CONN_CLOSING,         /* SHUTDOWN seen or sent */
	VSOCK_CONN_RESET,           /* ended; its RST waits for room in the
				     * device's pending ring (relay only) */
};

enum vsock_conn_kind {
	VSOCK_CONN_RELAY,           /* with another guest, packets forwarded */
	VSOCK_CONN_ECHO,            /* with Keel's echo service */
	VSOCK_CONN_SHELL,           /* opened by Keel (the shell) */
};

/* One connection of a device's guest: local is the guest's end. */
struct vsock_conn {
	enum vsock_conn_state state;
	enum vsock_conn_kind kind;
	uint32_t local_port;
	uint64_t peer_cid;
	uint32_t peer_port;
	uint64_t bytes_from_guest;
	uint64_t bytes_to_guest;
	/* Keel's end (echo, shell): the guest's credit as last announced,
	 * what Keel sent and consumed, and Keel's buffer (echo: bytes to
	 * send back; shell: bytes received and not read yet). */
	uint32_t peer_buf_alloc;
	uint32_t peer_fwd_cnt;
	uint32_t tx_cnt;
	uint32_t fwd_cnt;
	uint32_t fwd_cnt_announced;
	uint32_t data_len;
	uint8_t data[VSOCK_HOST_BUF];
};

/* A packet for the guest, waiting for a receive buffer. */
struct vsock_packet {
	struct vsock_hdr hdr;
	uint8_t data[VSOCK_PACKET_DATA];
};

struct vsock_device {
	struct vsock_device *next;       /* in the list of all devices */
	struct guest *guest;
	const char *name;                /* the device node's name */
	uint64_t cid;
	struct virtio_device *vdev;
	bool registered;
	uint32_t next_host_port;
	struct vsock_conn conns[VSOCK_CONN_MAX];
	/* Ring of packets for the guest. */
	unsigned int pending_head;
	unsigned int pending_count;
	struct vsock_packet pending[VSOCK_PENDING_MAX];
	/* The sender's pause: the CID of the device whose backlog d's
	 * transmit queue waits for (0: none) and until when at most. The
	 * receiver's side: how many senders wait for d, and whether one gave
	 * up waiting (then none waits for d until its backlog is gone). */
	uint64_t paused_for;
	uint64_t paused_until_ns;
	unsigned int waiters;
	bool unresponsive;
	/* Some connection is VSOCK_CONN_RESET (a hint: cleared when a look
	 * finds none). */
	bool resets_owed;
	/* Connections refused by the limits above, by the one reached. */
	uint64_t refused_device;
	uint64_t refused_guest;
	uint64_t refused_global;
	/* Rate limit of warnings. */
	bool warn_window_open;
	uint64_t warn_window_ns;
	unsigned int warn_count;
};

extern spinlock_t vsock_lock;

/* ---- for vsock.c (vsock_lock held) ---- */

/* Adds d to the list; -KEEL_EEXIST when its CID is taken. */
int vsock_device_register(struct vsock_device *d);
/* Removes d from the list, closing every connection it had (its peers
 * get RST). */
void vsock_device_unregister(struct vsock_device *d);
/* After rx buffers freed room: echo data that waited for it goes out. */
void vsock_device_resume(struct vsock_device *d);
/* Driver reset: drops d's connections (peers get RST) and pending packets. */
void vsock_device_drop_all(struct vsock_device *d);
/* A packet the guest of d transmitted (header and payload checked for
 * size only). */
void vsock_route(struct vsock_device *d, const struct vsock_hdr *hdr,
		 const uint8_t *payload);
/* After d's guest sent a packet to dst_cid: when its receiver (d itself
 * for CID 2) has VSOCK_PENDING_BACKLOG packets pending and is waited for,
 * pauses d's transmit queue until the receiver's backlog is gone (its
 * sender is then kicked: vsock_tx_kick) or until_ns. True when paused. */
bool vsock_tx_pause(struct vsock_device *d, uint64_t dst_cid, uint64_t until_ns);
/* Whether d's transmit queue still waits (at now_ns); false once the
 * receiver's backlog is gone or the wait timed out (then d goes on, and
 * the receiver is not waited for again until it has taken its packets). */
bool vsock_tx_paused(struct vsock_device *d, uint64_t now_ns);
/* Rate-limited warning naming d's guest and device. */
void vsock_warn(struct vsock_device *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Packets wait for d's guest: its device's work item moves them into its
 * receive buffers (vsock.c). Takes the transport's and the work lock. */
void vsock_rx_kick(struct vsock_device *d);
/* d's transmit queue may go on after a pause: its device's work item
 * serves it (vsock.c). Takes the transport's and the work lock. */
void vsock_tx_kick(struct vsock_device *d);
/* The packet at the head of d's pending ring, or NULL; and dropping it
 * (which resumes the senders that wait for d once it is below the
 * backlog). */
struct vsock_packet *vsock_pending_head(struct vsock_device *d);
void vsock_pending_pop(struct vsock_device *d);

/* ---- for vsock_host.c (vsock_lock held) ---- */

extern struct vsock_device *vsock_devices;
struct vsock_device *vsock_device_find(uint64_t cid);
/* The connection of d's guest port local_port with peer_cid:peer_port. */
struct vsock_conn *vsock_conn_find(struct vsock_device *d, uint32_t local_port,
				   uint64_t peer_cid, uint32_t peer_port);
/* A free entry of d's table set up as CONNECTING, or NULL when full. */
struct vsock_conn *vsock_conn_new(struct vsock_device *d, enum vsock_conn_kind kind,
				  uint32_t local_port, uint64_t peer_cid, uint32_t peer_port);
/* Queues a packet from Keel's end of c (CID 2) for d's guest, carrying
 * Keel's credit; false when d's pending ring is full. */
bool vsock_send_host(struct vsock_device *d, struct vsock_conn *c, uint16_t op,
		     uint32_t flags, const uint8_t *payload, uint32_t len);

/* ---- for the shell (takes vsock_lock) ---- */

/* What `vsock list` shows of the index-th device; false past the last. */
struct vsock_device_info {
	char guest[32];
	char device[32];
	uint64_t cid;
	uint64_t refused_device;         /* see VSOCK_CONN_MAX and below */
	uint64_t refused_guest;
	uint64_t refused_global;
	unsigned int conn_count;
	struct vsock_conn_info {
		enum vsock_conn_state state;
		enum vsock_conn_kind kind;
		uint32_t local_port;
		uint64_t peer_cid;
		uint32_t peer_port;
		uint64_t bytes_from_guest;
		uint64_t bytes_to_guest;
	} conns[VSOCK_CONN_MAX];
};
bool vsock_device_info_at(unsigned int index, struct vsock_device_info *info);

/* A connection Keel opened to a guest's port. */
struct vsock_host_conn {
	uint64_t cid;
	uint32_t local_port;            /* the guest's port */
	uint32_t host_port;             /* Keel's port */
};

/* Sends REQUEST to port of guest_name's vsock device. -KEEL_ENOENT: no
 * such guest or no vsock device; -KEEL_ENOSPC: its table is full;
 * -KEEL_EBUSY: no room for the packet. */
int vsock_host_connect(const char *guest_name, uint32_t port,
		       struct vsock_host_conn *c);
/* VSOCK_CONN_FREE once the connection is gone (refused or reset). */
enum vsock_conn_state vsock_host_state(const struct vsock_host_conn *c);
/* Sends up to len bytes as far as the guest's credit allows; returns the
 * bytes sent, or a negative error when the connection is gone. */
long vsock_host_send(const struct vsock_host_conn *c, const void *buf, size_t len);
/* Takes up to len received bytes; negative when the connection is gone. */
long vsock_host_receive(const struct vsock_host_conn *c, void *buf, size_t len);
/* Shuts the connection down and forgets it. */
void vsock_host_close(const struct vsock_host_conn *c);

#endif
