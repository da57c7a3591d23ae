/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio-mmio transport, version 2 (VIRTIO 1.2 §4.2): the register
 * window of one virtio device, feature negotiation, the device status
 * state machine, queue set-up, notifications and the interrupt line.
 *
 * Entering the device: every path into a device goes through a gate, so
 * that a reset (status 0, or the guest's reset) excludes all of them from
 * its start to its end. The paths are the guest's register accesses
 * (reads, writes, config space, notifications: they wait while a reset
 * runs), the device's work item and deliveries from outside the guest (a
 * frame from the switch: virtio_device_enter(), refused while a reset
 * runs). Each counts itself in vdev->users for as long as it is inside; a
 * reset sets vdev->closed, waits until users is 0 with no lock held,
 * waits for the work item, resets the device and its queues, and only
 * then opens the gate again. A QueueReady write (a queue started or
 * stopped) closes the gate the same way for its own short time. So no
 * path ever sees a half-reset or half-set-up queue.
 *
 * Bounded work: a device's notify serves at most its budget of requests
 * and bytes (each device's *_NOTIFY_* constants) and returns true when it
 * stopped for the budget; the transport then marks the queue in vdev->more
 * and queues the device's work item (keel/work.h), which calls notify for
 * the marked queues again, one budget each, until none is left. Devices
 * use virtio_queue_kick() the same way for input that arrives from outside
 * the guest (console input, vsock packets from other guests).
 *
 * Locking: vdev->lock protects the transport state below and is held only
 * for constant work. Device callbacks (notify, config_read/write,
 * features_ok, reset) are never called with it held: devices take their
 * own locks and call back into the transport (virtio_interrupt_used,
 * virtio_needs_reset, virtio_queue_kick). Lock order, outermost first:
 * net's tx_lock, the switch's lock (a frame sent is delivered under it),
 * a device's own locks (blk, rng, console; net's rx_lock; vsock's device
 * lock, then vsock_lock), vdev->lock, then the interrupt controller's and
 * the work queue's locks.
 * The gate is not a lock that is waited for while holding another: a
 * register access waits at it holding nothing, and deliveries from
 * outside are refused instead of waiting.
 */
#include <arch/cpu.h>
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_dtb.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <keel/virq.h>
#include <keel/work.h>
#include <lib/format.h>
#include <libfdt.h>
#include <string.h>
#include "virtio.h"
#include "virtio_mmio_regs.h"

#define VIRTIO_MMIO_VERSION_2 2u
#define VIRTIO_MMIO_VENDOR 0x4b45454cu  /* "KEEL" */

#define VIRTIO_INT_USED 1u
#define VIRTIO_INT_CONFIG 2u

/* Transport features every device gets. */
#define VIRTIO_TRANSPORT_FEATURES \
	(VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX)

/* Warnings one device may log over its life. */
#define VIRTIO_WARN_MAX 3

struct virtio_device {
	struct guest *guest;
	const struct guest_device_config *config;
	const struct virtio_device_ops *ops;
	void *state;
	uint64_t window;                 /* bytes registered at config->base */
	spinlock_t lock;
	struct virq_line irq;

	uint32_t status;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	uint64_t driver_features;        /* as the driver writes them */
	uint64_t features;               /* accepted with FEATURES_OK */
	uint32_t interrupt_status;
	uint32_t config_generation;
	unsigned int users;              /* paths inside the device (gate) */
	bool closed;                     /* gate closed: a reset, or a queue
					  * started or stopped, runs alone */
	bool dead;                       /* gate closed for good: destroyed */
	uint32_t more;                   /* queues the work item serves next */
	struct work work;                /* continues notifications */
	unsigned int warnings;

	struct virtqueue queues[VIRTIO_MAX_QUEUES];
	uint32_t queue_num[VIRTIO_MAX_QUEUES];       /* QueueNum as written */
	bool queue_reported[VIRTIO_MAX_QUEUES];      /* its breakage was reported */
};

static uint64_t virtio_offered(const struct virtio_device *vdev)
{
	return VIRTIO_TRANSPORT_FEATURES | vdev->ops->features;
}

/* Lock held. */
static bool virtio_ready_locked(const struct virtio_device *vdev)
{
	return (vdev->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(vdev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

/* Lock held: the line is high while any interrupt status bit is. */
static void virtio_update_irq(struct virtio_device *vdev)
{
	virq_line_set(&vdev->irq, vdev->interrupt_status != 0);
}

/* Lock held: the selected queue, or NULL when QueueSel names none. */
static struct virtqueue *virtio_selected(struct virtio_device *vdev)
{
	if (vdev->queue_sel >= vdev->ops->queue_count)
		return NULL;
	return &vdev->queues[vdev->queue_sel];
}

/* ---- the gate ---- */

/* A guest's register access: waits while a reset runs. False only when
 * the device is being destroyed (the access is then ignored). */
static bool virtio_enter_wait(struct virtio_device *vdev)
{
	unsigned long flags = spin_lock_irqsave(&vdev->lock);
	bool open;

	while (vdev->closed && !vdev->dead) {
		spin_unlock_irqrestore(&vdev->lock, flags);
		arch_cpu_relax();
		flags = spin_lock_irqsave(&vdev->lock);
	}
	open = !vdev->dead;

	if (open)
		vdev->users++;
	spin_unlock_irqrestore(&vdev->lock, flags);
	return open;
}

bool virtio_device_enter(struct virtio_device *vdev)
{
	unsigned long flags = spin_lock_irqsave(&vdev->lock);
	bool open = !vdev->closed && !vdev->dead;

	if (open)
		vdev->users++;
	spin_unlock_irqrestore(&vdev->lock, flags);
	return open;
}

/* Leaving: the first queue that broke and was not reported yet puts the
 * device in DEVICE_NEEDS_RESET (while still inside, so that a reset
 * cannot come in between and be undone by it). */
void virtio_device_leave(struct virtio_device *vdev)
{
	char why[160];
	bool report = false;
	unsigned long flags = spin_lock_irqsave(&vdev->lock);

	for (unsigned int q = 0; q < vdev->ops->queue_count; q++) {
		const struct virtqueue *vq = &vdev->queues[q];

		if (!virtq_is_broken(vq) || vdev->queue_reported[q])
			continue;
		vdev->queue_reported[q] = true;
		fmt_snprintf(why, sizeof(why), "queue %u: %s", q,
			     vq->broken_why ? vq->broken_why : "broken");
		report = true;
		break;
	}
	spin_unlock_irqrestore(&vdev->lock, flags);
	if (report)
		virtio_needs_reset(vdev, why);
	flags = spin_lock_irqsave(&vdev->lock);
	vdev->users--;
	spin_unlock_irqrestore(&vdev->lock, flags);
}

/* Closes the gate and waits until nobody is inside; the caller holds no
 * lock a path inside could wait for, and then runs alone in the device
 * until virtio_gate_open(). False when the device is being destroyed
 * (then the gate stays closed and nothing is to be done). */
static bool virtio_gate_close(struct virtio_device *vdev, bool dead)
{
	bool alive;

	unsigned long flags = spin_lock_irqsave(&vdev->lock);

	/* One at a time: a second closer waits for the first to open. */
	while (vdev->closed && !vdev->dead) {
		spin_unlock_irqrestore(&vdev->lock, flags);
		arch_cpu_relax();
		flags = spin_lock_irqsave(&vdev->lock);
	}
	alive = !vdev->dead;
	vdev->closed = true;
	vdev->dead |= dead;
	while (vdev->users) {
		spin_unlock_irqrestore(&vdev->lock, flags);
		arch_cpu_relax();
		flags = spin_lock_irqsave(&vdev->lock);
	}
	spin_unlock_irqrestore(&vdev->lock, flags);
	return alive;
}

/* Opens the gate again; work the device's work item found it closed for
 * is queued again. */
static void virtio_gate_open(struct virtio_device *vdev)
{
	unsigned long flags = spin_lock_irqsave(&vdev->lock);
	bool more = vdev->more != 0;

	vdev->closed = false;
	spin_unlock_irqrestore(&vdev->lock, flags);
	if (more)
		work_queue(&vdev->work);
}

/* ---- reset ---- */

/* Back to the power-on state, the device's own reset in between, with
 * every other path kept out from start to end. */
static void virtio_reset_all(struct virtio_device *vdev)
{
	unsigned long flags;

	if (!virtio_gate_close(vdev, false))
		return;
	/* The work item enters through the gate too: wait for a run that is
	 * on (it found the gate closed) and drop a queued one. */
	work_disable_sync(&vdev->work);
	if (vdev->ops->reset)
		vdev->ops->reset(vdev->state);

	flags = spin_lock_irqsave(&vdev->lock);
	vdev->status = 0;
	vdev->device_features_sel = 0;
	vdev->driver_features_sel = 0;
	vdev->queue_sel = 0;
	vdev->driver_features = 0;
	vdev->features = 0;
	vdev->interrupt_status = 0;
	vdev->more = 0;
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		virtq_reset(&vdev->queues[q], vdev->guest);
		vdev->queue_num[q] = 0;
		vdev->queue_reported[q] = false;
	}
	virtio_update_irq(vdev);
	spin_unlock_irqrestore(&vdev->lock, flags);
	work_enable(&vdev->work);
	virtio_gate_open(vdev);
}

void virtio_mmio_reset(struct virtio_device *vdev)
{
	virtio_reset_all(vdev);
}

/* ---- notifications ---- */

void virtio_queue_kick(struct virtio_device *vdev, unsigned int q)
{
	unsigned long flags = spin_lock_irqsave(&vdev->lock);
	bool kick = q < vdev->ops->queue_count && !vdev->dead;

	/* While the gate is closed the bit waits: the gate's opening queues
	 * the work item again (a reset clears it instead). */
	if (kick)
		vdev->more |= 1u << q;
	kick &= !vdev->closed;
	spin_unlock_irqrestore(&vdev->lock, flags);
	if (kick)
		work_queue(&vdev->work);
}

/* Inside the gate. Hands queue q to the device when it may act on it; what
 * the device's budget left over goes to the work item. */
static void virtio_notify(struct virtio_device *vdev, unsigned int q)
{
	unsigned long flags = spin_lock_irqsave(&vdev->lock);
	bool deliver = q < vdev->ops->queue_count && virtio_ready_locked(vdev) &&
		       vdev->queues[q].ready && !virtq_is_broken(&vdev->queues[q]);

	spin_unlock_irqrestore(&vdev->lock, flags);
	if (deliver && vdev->ops->notify(vdev->state, q))
		virtio_queue_kick(vdev, q);
}

/* The work item: one more budget for every queue marked in vdev->more. */
static void virtio_work_run(struct work *w)
{
	struct virtio_device *vdev = list_entry(w, struct virtio_device, work);
	unsigned long flags;
	uint32_t queues;

	if (!virtio_device_enter(vdev))
		return;   /* the gate's opening queues it again */
	flags = spin_lock_irqsave(&vdev->lock);
	queues = vdev->more;
	vdev->more = 0;
	spin_unlock_irqrestore(&vdev->lock, flags);
	for (unsigned int q = 0; q < vdev->ops->queue_count; q++)
		if (queues & (1u << q))
			virtio_notify(vdev, q);
	virtio_device_leave(vdev);
}

/* ---- registers ---- */

/* Lock held. Everything outside config space; unknown offsets read 0. */
static uint32_t virtio_register_read(struct virtio_device *vdev, uint64_t offset)
{
	struct virtqueue *vq = virtio_selected(vdev);
	uint64_t offered = virtio_offered(vdev);

	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION: return VIRTIO_MMIO_VERSION_2;
	case VIRTIO_MMIO_DEVICE_ID: return vdev->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID: return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (vdev->device_features_sel > 1)
			return 0;
		return (uint32_t)(offered >> (32 * vdev->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return vq ? vdev->ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_NUM: return vq ? vdev->queue_num[vdev->queue_sel] : 0;
	case VIRTIO_MMIO_QUEUE_READY: return vq && vq->ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return vdev->interrupt_status;
	case VIRTIO_MMIO_STATUS: return vdev->status;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: return vq ? (uint32_t)vq->desc : 0;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: return vq ? (uint32_t)(vq->desc >> 32) : 0;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW: return vq ? (uint32_t)vq->avail : 0;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: return vq ? (uint32_t)(vq->avail >> 32) : 0;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW: return vq ? (uint32_t)vq->used : 0;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: return vq ? (uint32_t)(vq->used >> 32) : 0;
	/* No shared memory regions: a length of all ones says "none"
	 * (§4.2.2); the other SHM registers read as zero. */
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH: return 0xffffffffu;
	case VIRTIO_MMIO_CONFIG_GENERATION: return vdev->config_generation;
	default: return 0;
	}
}

/* Lock held: the low or high half of a 64-bit ring address. */
static void set_half(gpa_t *addr, bool high, uint32_t value)
{
	if (high)
		*addr = (*addr & 0xffffffffULL) | (uint64_t)value << 32;
	else
		*addr = (*addr & ~0xffffffffULL) | value;
}

/* Lock held. Queue registers change only while the queue is not ready. */
static void virtio_queue_register_write(struct virtio_device *vdev,
					uint64_t offset, uint32_t value)
{
	struct virtqueue *vq = virtio_selected(vdev);

	if (!vq || vq->ready)
		return;
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM: vdev->queue_num[vdev->queue_sel] = value; break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: set_half(&vq->desc, false, value); break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: set_half(&vq->desc, true, value); break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW: set_half(&vq->avail, false, value); break;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: set_half(&vq->avail, true, value); break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW: set_half(&vq->used, false, value); break;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: set_half(&vq->used, true, value); break;
	default: break;
	}
}

/* QueueReady: 1 checks and starts the selected queue, 0 stops it. A ring
 * the checks refuse puts the device in DEVICE_NEEDS_RESET. Called with the
 * gate closed: no path inside the device sees a queue half set up. */
static void virtio_queue_ready_write(struct virtio_device *vdev, uint32_t value)
{
	unsigned long flags = spin_lock_irqsave(&vdev->lock);
	struct virtqueue *vq = virtio_selected(vdev);
	unsigned int q = vdev->queue_sel;
	const char *refused = NULL;
	char why[160];

	if (!vq) {
		spin_unlock_irqrestore(&vdev->lock, flags);
		return;
	}
	if (!(value & 1)) {
		vq->ready = false;
	} else if (!vq->ready) {
		if (!(vdev->status & VIRTIO_STATUS_FEATURES_OK)) {
			refused = "QueueReady set before FEATURES_OK";
		} else if (vdev->queue_num[q] > vdev->ops->queue_max) {
			refused = "QueueNum is larger than QueueNumMax";
		} else {
			vq->size = (uint16_t)vdev->queue_num[q];
			if (virtq_activate(vq, vdev->features & VIRTIO_F_EVENT_IDX,
					   vdev->features & VIRTIO_F_INDIRECT_DESC))
				refused = vq->broken_why ? vq->broken_why : "ring refused";
		}
		if (refused) {
			vq->ready = false;
			vdev->queue_reported[q] = true;
			fmt_snprintf(why, sizeof(why), "queue %u: %s", q, refused);
		}
	}
	spin_unlock_irqrestore(&vdev->lock, flags);
	if (refused)
		virtio_needs_reset(vdev, why);
}

/* True when the driver's feature set may be accepted by the transport. */
static bool virtio_features_acceptable(const struct virtio_device *vdev,
				       uint64_t features)
{
	return !(features & ~virtio_offered(vdev)) && (features & VIRTIO_F_VERSION_1);
}

/*
 * Status: writing 0 resets; otherwise bits are only added (the driver
 * cannot take one back without a reset). FEATURES_OK stays clear when the
 * features are refused, DRIVER_OK without FEATURES_OK. When DRIVER_OK comes
 * on, every ready queue is handed to the device once, so that buffers the
 * driver made available (and notified) before it are not left waiting.
 */
/* Inside the gate (a write of 0 is the reset, which is not). */
static void virtio_status_write(struct virtio_device *vdev, uint32_t value)
{
	unsigned long flags;
	uint32_t old, status;
	uint64_t features = 0;
	bool check = false, refused = false;

	/* DEVICE_NEEDS_RESET is the device's to set; bits past 7 do not exist. */
	value &= 0xff & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	flags = spin_lock_irqsave(&vdev->lock);
	old = vdev->status;
	status = old | value;
	if ((status & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
		features = vdev->driver_features;
		if (virtio_features_acceptable(vdev, features))
			check = true;
		else
			status &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	spin_unlock_irqrestore(&vdev->lock, flags);

	if (check && vdev->ops->features_ok && !vdev->ops->features_ok(vdev->state, features))
		refused = true;

	/* Inside the gate: no reset can have come in between. */
	flags = spin_lock_irqsave(&vdev->lock);
	if (refused)
		status &= ~VIRTIO_STATUS_FEATURES_OK;
	else if (check)
		vdev->features = features;
	if (!(status & VIRTIO_STATUS_FEATURES_OK))
		status &= ~VIRTIO_STATUS_DRIVER_OK;
	vdev->status = status | (vdev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	spin_unlock_irqrestore(&vdev->lock, flags);

	if ((status & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		for (unsigned int q = 0; q < vdev->ops->queue_count; q++)
			virtio_notify(vdev, q);
}

/* Config space: 8-, 16- and 32-bit naturally aligned accesses; bytes past
 * the device's config space read as zero and ignore writes. */
static int virtio_config_access(struct virtio_device *vdev, uint64_t offset,
				unsigned int size, uint64_t *value, bool write)
{
	uint64_t at = offset - VIRTIO_MMIO_CONFIG;
	uint8_t bytes[4] = { 0 };
	uint32_t len;

	if ((size != 1 && size != 2 && size != 4) || !IS_ALIGNED(offset, size))
		return -KEEL_EINVAL;
	if (at >= vdev->ops->config_size) {
		if (!write)
			*value = 0;
		return 0;
	}
	len = (uint32_t)MIN((uint64_t)size, vdev->ops->config_size - at);
	if (write) {
		for (unsigned int i = 0; i < size; i++)
			bytes[i] = (uint8_t)(*value >> (8 * i));
		if (vdev->ops->config_write)
			vdev->ops->config_write(vdev->state, (uint32_t)at, bytes, len);
		return 0;
	}
	vdev->ops->config_read(vdev->state, (uint32_t)at, bytes, len);
	*value = 0;
	for (unsigned int i = 0; i < size; i++)
		*value |= (uint64_t)bytes[i] << (8 * i);
	return 0;
}

static int virtio_mmio_read(void *state, struct vcpu *vcpu, uint64_t offset,
			    unsigned int size, uint64_t *value)
{
	struct virtio_device *vdev = state;
	unsigned long flags;
	int ret = 0;

	if (offset < VIRTIO_MMIO_CONFIG && (size != 4 || !IS_ALIGNED(offset, 4)))
		return -KEEL_EINVAL;
	*value = 0;
	if (!virtio_enter_wait(vdev))
		return 0;
	if (offset >= VIRTIO_MMIO_CONFIG) {
		ret = virtio_config_access(vdev, offset, size, value, false);
	} else {
		flags = spin_lock_irqsave(&vdev->lock);
		*value = virtio_register_read(vdev, offset);
		spin_unlock_irqrestore(&vdev->lock, flags);
	}
	virtio_device_leave(vdev);
	return ret;
}

/* Inside the gate: the registers written under the transport lock. */
static void virtio_register_write(struct virtio_device *vdev, uint64_t offset, uint32_t v)
{
	unsigned long flags;

	flags = spin_lock_irqsave(&vdev->lock);
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: vdev->device_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: vdev->driver_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Fixed once accepted; only words 0 and 1 exist. */
		if (!(vdev->status & VIRTIO_STATUS_FEATURES_OK) && vdev->driver_features_sel <= 1)
			set_half(&vdev->driver_features, vdev->driver_features_sel == 1, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL: vdev->queue_sel = v; break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		vdev->interrupt_status &= ~v;
		virtio_update_irq(vdev);
		break;
	default:
		virtio_queue_register_write(vdev, offset, v);
		break;
	}
	spin_unlock_irqrestore(&vdev->lock, flags);
}

static int virtio_mmio_write(void *state, struct vcpu *vcpu, uint64_t offset,
			     unsigned int size, uint64_t value)
{
	struct virtio_device *vdev = state;
	uint32_t v = (uint32_t)value;
	int ret = 0;

	if (offset < VIRTIO_MMIO_CONFIG && (size != 4 || !IS_ALIGNED(offset, 4)))
		return -KEEL_EINVAL;
	if (offset == VIRTIO_MMIO_STATUS && !v) {
		virtio_reset_all(vdev);
		return 0;
	}
	if (offset == VIRTIO_MMIO_QUEUE_READY) {
		if (virtio_gate_close(vdev, false)) {
			virtio_queue_ready_write(vdev, v);
			virtio_gate_open(vdev);
		}
		return 0;
	}
	if (!virtio_enter_wait(vdev))
		return 0;
	switch (offset) {
	case VIRTIO_MMIO_STATUS:
		virtio_status_write(vdev, v);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		virtio_notify(vdev, v);
		break;
	default:
		if (offset >= VIRTIO_MMIO_CONFIG)
			ret = virtio_config_access(vdev, offset, size, &value, true);
		else
			virtio_register_write(vdev, offset, v);
		break;
	}
	virtio_device_leave(vdev);
	return ret;
}

static const struct mmio_ops virtio_mmio_ops = {
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
};

/* ---- life cycle ---- */

/* Keel's own mistakes in a device's description. */
static const char *virtio_ops_problem(const struct virtio_device_ops *ops)
{
	if (!ops->queue_count || ops->queue_count > VIRTIO_MAX_QUEUES)
		return "queue_count must be 1..VIRTIO_MAX_QUEUES";
	if (!ops->queue_max || ops->queue_max > VIRTQ_MAX_SIZE ||
	    (ops->queue_max & (ops->queue_max - 1)))
		return "queue_max must be a power of 2 up to VIRTQ_MAX_SIZE";
	if (ops->config_size > VIRTIO_MMIO_SIZE - VIRTIO_MMIO_CONFIG)
		return "config space does not fit the register window";
	if (ops->config_size && !ops->config_read)
		return "config space without config_read";
	if (!ops->notify)
		return "no notify callback";
	return NULL;
}

struct virtio_device *virtio_mmio_create(struct guest *g,
					 const struct guest_device_config *dev,
					 const struct virtio_device_ops *ops,
					 void *state)
{
	const char *problem = virtio_ops_problem(ops);
	struct virtio_device *vdev;
	int ret;

	if (problem) {
		log_error("guest %s: device %s (%s): %s", g->name, dev->name, ops->name, problem);
		return NULL;
	}
	if (dev->size < VIRTIO_MMIO_CONFIG + ops->config_size) {
		log_error("guest %s: node /guests/%s/devices/%s: \"reg\" size 0x%llx is too small for a virtio-mmio window (0x%x)",
			  g->name, g->name, dev->name, (unsigned long long)dev->size,
			  VIRTIO_MMIO_SIZE);
		return NULL;
	}
	vdev = kzalloc(sizeof(*vdev));
	if (!vdev) {
		log_error("guest %s: device %s (%s): out of memory", g->name, dev->name, ops->name);
		return NULL;
	}
	vdev->guest = g;
	vdev->config = dev;
	vdev->ops = ops;
	vdev->state = state;
	vdev->window = MIN(dev->size, (uint64_t)VIRTIO_MMIO_SIZE);
	vdev->lock = (spinlock_t)SPINLOCK_INIT;
	if (dev->has_irq)
		virq_line_init(&vdev->irq, g, dev->irq);
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		virtq_reset(&vdev->queues[q], g);
	work_init(&vdev->work, virtio_work_run);
	ret = mmio_table_add(&g->mmio, dev->base, vdev->window, dev->name,
			     &virtio_mmio_ops, vdev);
	if (ret) {
		log_error("guest %s: device %s (%s): cannot add its registers at 0x%llx: %s",
			  g->name, dev->name, ops->name, (unsigned long long)dev->base,
			  keel_strerror(ret));
		kfree(vdev);
		return NULL;
	}
	return vdev;
}

void virtio_mmio_destroy(struct virtio_device *vdev)
{
	if (!vdev)
		return;
	mmio_table_remove(&vdev->guest->mmio, vdev->config->base);
	/* Nobody inside, the work item neither queued nor running. */
	virtio_gate_close(vdev, true);
	work_disable_sync(&vdev->work);
	virq_line_reset(&vdev->irq);
	kfree(vdev);
}

struct virtqueue *virtio_queue(struct virtio_device *vdev, unsigned int q)
{
	return q < vdev->ops->queue_count ? &vdev->queues[q] : NULL;
}

uint64_t virtio_driver_features(struct virtio_device *vdev)
{
	unsigned long flags = spin_lock_irqsave(&vdev->lock);
	uint64_t features = vdev->features;

	spin_unlock_irqrestore(&vdev->lock, flags);
	return features;
}

bool virtio_device_ready(struct virtio_device *vdev)
{
	unsigned long flags = spin_lock_irqsave(&vdev->lock);
	bool ready = virtio_ready_locked(vdev);

	spin_unlock_irqrestore(&vdev->lock, flags);
	return ready;
}

void virtio_interrupt_used(struct virtio_device *vdev)
{
	unsigned long flags = spin_lock_irqsave(&vdev->lock);

	vdev->interrupt_status |= VIRTIO_INT_USED;
	virtio_update_irq(vdev);
	spin_unlock_irqrestore(&vdev->lock, flags);
}

void virtio_config_changed(struct virtio_device *vdev)
{
	unsigned long flags = spin_lock_irqsave(&vdev->lock);

	vdev->config_generation++;
	vdev->interrupt_status |= VIRTIO_INT_CONFIG;
	virtio_update_irq(vdev);
	spin_unlock_irqrestore(&vdev->lock, flags);
}

void virtio_needs_reset(struct virtio_device *vdev, const char *why)
{
	unsigned long flags = spin_lock_irqsave(&vdev->lock);
	unsigned int warning = 0;

	if (vdev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) {
		spin_unlock_irqrestore(&vdev->lock, flags);
		return;
	}
	vdev->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	vdev->interrupt_status |= VIRTIO_INT_CONFIG;
	virtio_update_irq(vdev);
	if (vdev->warnings < VIRTIO_WARN_MAX)
		warning = ++vdev->warnings;
	spin_unlock_irqrestore(&vdev->lock, flags);
	if (warning)
		log_warn("guest %s: device %s (%s): %s; device needs reset%s",
			 vdev->guest->name, vdev->config->name, vdev->ops->name, why,
			 warning == VIRTIO_WARN_MAX ? " (further warnings of this device are not shown)" : "");
}

int virtio_mmio_dt_emit(void *fdt, const struct guest_device_config *dev,
			uint32_t intc_phandle)
{
	uint64_t size = MIN(dev->size, (uint64_t)VIRTIO_MMIO_SIZE);
	fdt32_t reg[4] = {
		cpu_to_fdt32((uint32_t)(dev->base >> 32)), cpu_to_fdt32((uint32_t)dev->base),
		cpu_to_fdt32((uint32_t)(size >> 32)), cpu_to_fdt32((uint32_t)size),
	};
	char name[40];
	int ret = 0;

	fmt_snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)dev->base);
	ret |= fdt_begin_node(fdt, name);
	ret |= fdt_property_string(fdt, "compatible", "virtio,mmio");
	ret |= fdt_property(fdt, "reg", reg, sizeof(reg));
	/* Edge-triggered where the platform has triggers: what QEMU's virt
	 * machine says of virtio-mmio. */
	ret |= guest_dt_interrupts(fdt, dev, GUEST_IRQ_EDGE, intc_phandle);
	ret |= fdt_property(fdt, "dma-coherent", "", 0);   /* empty */
	ret |= fdt_end_node(fdt);
	return ret ? -KEEL_ENOSPC : 0;
}
