/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtio for guests: the virtio-mmio (version 2) transport, split
 * virtqueues, and the interface between them and each device (console,
 * blk, net, rng, vsock). Arch-neutral: devices see guest memory only
 * through the virtqueue calls here, which check every address a guest
 * gives against that guest's RAM.
 *
 * A device is a struct virtio_device_ops plus its own state. Its EMULATOR
 * create() hook calls virtio_mmio_create() with them; the transport then
 * owns the register window, feature negotiation, the status state machine,
 * queue set-up and interrupts, and calls the device back when the driver
 * notifies a queue, when the device is reset, and when config space is read.
 * mmio.c's header says how resets exclude every other path into a device,
 * how work a notify leaves over is continued, and the lock order.
 */
#ifndef EMULATORS_VIRTIO_H
#define EMULATORS_VIRTIO_H

#include <keel/guest_config.h>
#include <keel/types.h>

struct guest;

/* Feature bits (VIRTIO 1.2 §6). */
#define VIRTIO_F_INDIRECT_DESC (1ULL << 28)
#define VIRTIO_F_EVENT_IDX (1ULL << 29)
#define VIRTIO_F_VERSION_1 (1ULL << 32)

/* Device status bits (§2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

#define VIRTQ_MAX_SIZE 256u        /* largest queue a device offers */
#define VIRTQ_MAX_BUFFERS 64u      /* buffers one request may have */
#define VIRTIO_MMIO_SIZE 0x200u    /* register window of one device */
#define VIRTIO_MAX_QUEUES 8u

/* ---- virtqueues (emulators/virtio/virtqueue.c) ---- */

/* One guest buffer of a request, already checked to lie in guest RAM. */
struct virtq_buffer {
	gpa_t addr;
	uint32_t len;
};

/* A descriptor chain the driver made available, copied and validated:
 * first `readable` device-readable buffers, then the device-writable ones
 * (a writable buffer before a readable one is a violation). */
struct virtq_request {
	uint16_t head;                   /* what virtq_push() gives back */
	unsigned int count;
	unsigned int readable;
	uint64_t readable_bytes;
	uint64_t writable_bytes;
	struct virtq_buffer bufs[VIRTQ_MAX_BUFFERS];
};

struct virtqueue {
	struct guest *guest;
	/* What the driver set up (guest-physical), valid once ready. */
	uint16_t size;
	bool ready;
	gpa_t desc;
	gpa_t avail;
	gpa_t used;
	/* Negotiated ring features. */
	bool event_idx;
	bool indirect;
	/* The device's side of the ring. */
	uint16_t last_avail;             /* next available entry to take */
	uint16_t used_idx;               /* next used entry to fill */
	bool broken;                     /* a rule was broken: needs reset */
	const char *broken_why;
};

/* Whether vq broke a rule (then vq->broken_why says which); safe to ask
 * from any CPU, without the lock the device pops under. */
static inline bool virtq_is_broken(const struct virtqueue *vq)
{
	return __atomic_load_n(&vq->broken, __ATOMIC_ACQUIRE);
}

/* Puts vq back to its reset state (size 0, not ready). */
void virtq_reset(struct virtqueue *vq, struct guest *g);
/* Checks the driver's set-up when it sets QueueReady: size a power of 2
 * up to VIRTQ_MAX_SIZE, the three rings aligned and wholly in RAM.
 * Returns 0 or -KEEL_EINVAL. */
int virtq_activate(struct virtqueue *vq, bool event_idx, bool indirect);
/*
 * Takes the next available request: 1 with *req filled, 0 when there is
 * none, -KEEL_EINVAL when the ring broke a rule (avail index moved by more
 * than the queue size, next out of range, a loop, a chain longer than the
 * queue, nested or unnegotiated indirect tables, a buffer
 * outside guest RAM or wrapping, a readable buffer after a writable one,
 * more than VIRTQ_MAX_BUFFERS, a device-writable buffer overlapping the
 * queue's descriptor table, available or used ring or the request's
 * indirect table). After -KEEL_EINVAL the queue stays broken
 * (vq->broken_why says why) until reset.
 */
int virtq_pop(struct virtqueue *vq, struct virtq_request *req);
/* Copies from the readable part of req, starting offset bytes in; returns
 * bytes copied. */
size_t virtq_read(struct virtqueue *vq, const struct virtq_request *req,
		  uint64_t offset, void *dst, size_t len);
/* Copies into the writable part of req; returns bytes copied. */
size_t virtq_write(struct virtqueue *vq, const struct virtq_request *req,
		   uint64_t offset, const void *src, size_t len);
/* Returns req to the driver with `written` bytes written; true when the
 * driver asked to be interrupted for it (EVENT_IDX / NO_INTERRUPT). */
bool virtq_push(struct virtqueue *vq, const struct virtq_request *req,
		uint32_t written);

/* What one call of a device's notify may still do on one queue. */
struct virtq_budget {
	unsigned int requests;           /* requests it may still take */
	uint64_t bytes;                  /* bytes it may still move */
};

#define VIRTQ_BUDGET(requests_, bytes_) \
	((struct virtq_budget){ .requests = (requests_), .bytes = (bytes_) })

/* True while b allows another request. */
static inline bool virtq_budget_left(const struct virtq_budget *b)
{
	return b->requests && b->bytes;
}

/* Counts one request of bytes against b. */
static inline void virtq_budget_spend(struct virtq_budget *b, uint64_t bytes)
{
	b->requests--;
	b->bytes = bytes < b->bytes ? b->bytes - bytes : 0;
}

/* ---- devices on the virtio-mmio transport (emulators/virtio/mmio.c) ---- */

struct virtio_device;

struct virtio_device_ops {
	const char *name;                /* "virtio-rng" */
	uint32_t device_id;              /* VIRTIO 1.2 §5: 4 = rng, 2 = blk */
	uint64_t features;               /* device-specific bits offered */
	unsigned int queue_count;
	uint16_t queue_max;              /* <= VIRTQ_MAX_SIZE */
	uint32_t config_size;            /* bytes of config space */
	/* Copies config space bytes [offset, offset+len) into buf. */
	void (*config_read)(void *state, uint32_t offset, void *buf, uint32_t len);
	/* Optional: the driver wrote config space. */
	void (*config_write)(void *state, uint32_t offset, const void *buf, uint32_t len);
	/* Optional: refuse a feature combination (FEATURES_OK then stays
	 * clear); return false to refuse. */
	bool (*features_ok)(void *state, uint64_t features);
	/* Serve queue q (DRIVER_OK is set): the driver notified it, or the
	 * device's work item continues it (see virtio_queue_kick()). Serves at
	 * most the device's budget of requests and bytes and returns true when
	 * it stopped for the budget, so that the rest is served by the work
	 * item later; false when the queue is empty (or broke). */
	bool (*notify)(void *state, unsigned int q);
	/* Device reset by the driver (status 0) or the guest's reset. */
	void (*reset)(void *state);
};

/* Creates the transport for one device node: registers its MMIO window in
 * g's table and takes its interrupt line. NULL on failure (logged). */
struct virtio_device *virtio_mmio_create(struct guest *g,
					 const struct guest_device_config *dev,
					 const struct virtio_device_ops *ops,
					 void *state);
void virtio_mmio_destroy(struct virtio_device *vdev);
/* Back to the power-on state (guest reset): calls ops->reset, with every
 * other path into the device kept out from start to end. */
void virtio_mmio_reset(struct virtio_device *vdev);
/*
 * For a path into the device that does not come through its registers (a
 * frame from the switch): true when the device may be used now, and then
 * virtio_device_leave() must follow; false while a reset runs (the caller
 * drops what it brought). A reset waits for everyone inside; never wait
 * for anything inside that a reset could be waiting for.
 */
bool virtio_device_enter(struct virtio_device *vdev);
/* Leaves the device; reports a queue that broke meanwhile (needs reset). */
void virtio_device_leave(struct virtio_device *vdev);
/* Asks for queue q to be served (ops->notify(q)) from the device's work
 * item, on some CPU soon: the continuation of a notify that ran out of
 * budget, or input that came from outside the guest. Ignored while a
 * reset runs. Any context; takes the transport lock and the work lock. */
void virtio_queue_kick(struct virtio_device *vdev, unsigned int q);
/* Queue q of vdev (valid while the device lives). */
struct virtqueue *virtio_queue(struct virtio_device *vdev, unsigned int q);
/* Features the driver accepted (valid after FEATURES_OK). */
uint64_t virtio_driver_features(struct virtio_device *vdev);
/* True once the driver set DRIVER_OK and the device does not need reset. */
bool virtio_device_ready(struct virtio_device *vdev);
/* Raises the used-buffer interrupt. */
void virtio_interrupt_used(struct virtio_device *vdev);
/* Config space changed: bump the generation, raise the config interrupt. */
void virtio_config_changed(struct virtio_device *vdev);
/* The driver broke a rule: DEVICE_NEEDS_RESET, a config interrupt, and a
 * rate-limited warning naming the guest, device and why. */
void virtio_needs_reset(struct virtio_device *vdev, const char *why);
/* Writes the device's node into the guest device tree (for dt_emit):
 * "virtio_mmio@<base>", compatible "virtio,mmio", reg, interrupts. */
int virtio_mmio_dt_emit(void *fdt, const struct guest_device_config *dev,
			uint32_t intc_phandle);

#endif
