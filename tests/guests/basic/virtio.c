/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The basic guest's virtio driver: the virtio-mmio version 2 transport and
 * polled split virtqueues (VIRTIO 1.2 §2.7, §3.1, §4.2). All memory is
 * Device memory with the MMU off: every ring field is written with one
 * aligned access, and a barrier separates the ring writes, the avail index
 * and the notification. What the device returns is checked, not trusted.
 */
#include "arch.h"
#include "virtio.h"

/* virtio-mmio registers (§4.2.2). */
#define VIRTIO_MMIO_MAGIC 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976U	/* "virt", little endian */
#define VIRTIO_MMIO_VERSION_MODERN 2
#define VIRTIO_MMIO_VERSION_LEGACY 1

/* Device status (§2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1U
#define VIRTIO_STATUS_DRIVER 2U
#define VIRTIO_STATUS_DRIVER_OK 4U
#define VIRTIO_STATUS_FEATURES_OK 8U
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64U
#define VIRTIO_STATUS_FAILED 128U

#define VIRTQ_DESC_F_NEXT 1U
#define VIRTQ_DESC_F_WRITE 2U

/* A config space that keeps changing is read this many times at most. */
#define CONFIG_READ_TRIES 16

static uint32_t virtio_read(const struct virtio_device *dev, uint32_t reg)
{
	return arch_mmio_read32(dev->base + reg);
}

static void virtio_write(const struct virtio_device *dev, uint32_t reg,
			 uint32_t value)
{
	arch_mmio_write32(dev->base + reg, value);
}

static const char *virtio_error(struct virtio_device *dev, const char *fmt,
				...) __attribute__((format(printf, 2, 3)));

static const char *virtio_error(struct virtio_device *dev, const char *fmt,
				...)
{
	va_list ap;
	size_t len;

	format_string(dev->error, sizeof(dev->error), "%s: ", dev->name);
	len = string_length(dev->error);
	va_start(ap, fmt);
	format_string_va(dev->error + len, sizeof(dev->error) - len, fmt, ap);
	va_end(ap);
	return dev->error;
}

/* Tells the device the driver gave up (FAILED), as §3.1.1 asks. */
static void virtio_give_up(struct virtio_device *dev)
{
	virtio_write(dev, VIRTIO_MMIO_STATUS,
		     virtio_read(dev, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FAILED);
}

static void virtio_name(struct virtio_device *dev)
{
	const struct dt_device *node = dev->node;
	unsigned int irq = arch_irq_from_dt(node->interrupt,
					    node->interrupt_cells);

	if (irq)
		format_string(dev->name, sizeof(dev->name),
			      "virtio-mmio@0x%lx (INTID %u)", node->base, irq);
	else
		format_string(dev->name, sizeof(dev->name), "virtio-mmio@0x%lx",
			      node->base);
}

bool virtio_find(uint32_t device_id, struct virtio_device *dev)
{
	char note[96] = "";

	memset(dev, 0, sizeof(*dev));
	for (unsigned int i = 0; i < board.virtio_mmio_count; i++) {
		const struct dt_device *node = &board.virtio_mmio[i];
		uint32_t magic;

		/* The registers alone take 0x100 bytes. */
		if (node->size < VIRTIO_MMIO_CONFIG)
			continue;
		dev->node = node;
		dev->base = (uintptr_t)node->base;
		virtio_name(dev);
		magic = virtio_read(dev, VIRTIO_MMIO_MAGIC);
		if (magic != VIRTIO_MMIO_MAGIC_VALUE) {
			if (!note[0])
				format_string(note, sizeof(note),
					      " (%s reads magic 0x%x, not \"virt\")",
					      dev->name, magic);
			continue;
		}
		if (virtio_read(dev, VIRTIO_MMIO_DEVICE_ID) == device_id) {
			dev->device_id = device_id;
			dev->version = virtio_read(dev, VIRTIO_MMIO_VERSION);
			dev->error[0] = '\0';
			return true;
		}
	}
	if (!note[0] && board.virtio_mmio_ignored)
		format_string(note, sizeof(note),
			      " among the first %u virtio-mmio nodes; %u more ignored",
			      board.virtio_mmio_count, board.virtio_mmio_ignored);
	memset(dev, 0, sizeof(*dev));
	format_string(dev->error, sizeof(dev->error), "no device%s", note);
	return false;
}

/* Writes status and reads it back; false when the device cleared a bit. */
static bool virtio_set_status(struct virtio_device *dev, uint32_t status)
{
	virtio_write(dev, VIRTIO_MMIO_STATUS, status);
	return (virtio_read(dev, VIRTIO_MMIO_STATUS) & status) == status;
}

static bool virtio_reset(struct virtio_device *dev)
{
	uint64_t end = arch_counter_read() + counter_hz;

	virtio_write(dev, VIRTIO_MMIO_STATUS, 0);
	while (virtio_read(dev, VIRTIO_MMIO_STATUS))
		if (arch_counter_read() > end)
			return false;
	return true;
}

const char *virtio_start(struct virtio_device *dev, uint64_t wanted,
			 uint32_t config_size)
{
	uint32_t status = VIRTIO_STATUS_ACKNOWLEDGE;

	if (dev->version == VIRTIO_MMIO_VERSION_LEGACY)
		return virtio_error(dev, "expected a version 2 (modern) virtio-mmio device; DeviceID %u is a legacy one (Version 1), which this driver refuses",
				    dev->device_id);
	if (dev->version != VIRTIO_MMIO_VERSION_MODERN)
		return virtio_error(dev, "expected virtio-mmio Version 2; it reads %u",
				    dev->version);
	if (dev->node->size < (uint64_t)VIRTIO_MMIO_CONFIG + config_size)
		return virtio_error(dev, "\"reg\" size 0x%lx leaves no room for %u bytes of config space",
				    dev->node->size, config_size);
	if (!virtio_reset(dev))
		return virtio_error(dev, "Status still reads 0x%x 1 s after the reset",
				    virtio_read(dev, VIRTIO_MMIO_STATUS));

	if (!virtio_set_status(dev, status))
		goto err_status;
	status |= VIRTIO_STATUS_DRIVER;
	if (!virtio_set_status(dev, status))
		goto err_status;

	dev->offered = 0;
	for (uint32_t half = 0; half < 2; half++) {
		virtio_write(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, half);
		dev->offered |= (uint64_t)virtio_read(dev, VIRTIO_MMIO_DEVICE_FEATURES)
				<< (32 * half);
	}
	if (!(dev->offered & VIRTIO_F_VERSION_1)) {
		virtio_give_up(dev);
		return virtio_error(dev, "expected VIRTIO_F_VERSION_1 among the device features; it offers 0x%lx",
				    dev->offered);
	}
	dev->accepted = VIRTIO_F_VERSION_1 | (wanted & dev->offered);
	for (uint32_t half = 0; half < 2; half++) {
		virtio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, half);
		virtio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES,
			     (uint32_t)(dev->accepted >> (32 * half)));
	}
	status |= VIRTIO_STATUS_FEATURES_OK;
	if (!virtio_set_status(dev, status)) {
		virtio_give_up(dev);
		return virtio_error(dev, "the device cleared FEATURES_OK: it refuses features 0x%lx (offered 0x%lx)",
				    dev->accepted, dev->offered);
	}
	return NULL;

err_status:
	virtio_give_up(dev);
	return virtio_error(dev, "wrote Status 0x%x; it reads back 0x%x", status,
			    virtio_read(dev, VIRTIO_MMIO_STATUS));
}

/* Writes a 64-bit address as its two 32-bit halves. */
static void virtio_write_address(struct virtio_device *dev, uint32_t low_reg,
				 const volatile void *p)
{
	uint64_t addr = (uintptr_t)p;

	virtio_write(dev, low_reg, (uint32_t)addr);
	virtio_write(dev, low_reg + 4, (uint32_t)(addr >> 32));
}

const char *virtio_queue_start(struct virtio_device *dev, struct virtq *vq,
			       unsigned int index)
{
	uint32_t max;
	uint16_t size = VIRTQ_SIZE_MAX;

	virtio_write(dev, VIRTIO_MMIO_QUEUE_SEL, index);
	if (virtio_read(dev, VIRTIO_MMIO_QUEUE_READY))
		return virtio_error(dev, "queue %u: QueueReady reads 1 right after the reset",
				    index);
	max = virtio_read(dev, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!max)
		return virtio_error(dev, "queue %u: QueueNumMax is 0, the queue does not exist",
				    index);
	while (size > max)
		size /= 2;

	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->size = size;
	vq->free_count = size;
	for (uint16_t i = 0; i < size; i++)
		vq->next[i] = (uint16_t)(i + 1);

	virtio_write(dev, VIRTIO_MMIO_QUEUE_NUM, size);
	virtio_write_address(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, vq->desc);
	virtio_write_address(dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, &vq->avail);
	virtio_write_address(dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, &vq->used);
	/* The zeroed rings must be in memory before the device may look. */
	arch_memory_barrier();
	virtio_write(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	if (virtio_read(dev, VIRTIO_MMIO_QUEUE_READY) != 1)
		return virtio_error(dev, "queue %u: QueueReady reads 0 after writing 1 (size %u)",
				    index, size);
	return NULL;
}

const char *virtio_driver_ok(struct virtio_device *dev)
{
	uint32_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;

	if (virtio_set_status(dev, status))
		return NULL;
	virtio_give_up(dev);
	return virtio_error(dev, "wrote Status 0x%x (DRIVER_OK); it reads back 0x%x",
			    status, virtio_read(dev, VIRTIO_MMIO_STATUS));
}

void virtio_stop(struct virtio_device *dev)
{
	/* virtio_start refuses other versions before it writes anything. */
	if (dev->version == VIRTIO_MMIO_VERSION_MODERN)
		virtio_reset(dev);
}

uint32_t virtio_config_read32(struct virtio_device *dev, uint32_t offset)
{
	return virtio_read(dev, VIRTIO_MMIO_CONFIG + offset);
}

uint64_t virtio_config_read64(struct virtio_device *dev, uint32_t offset)
{
	uint32_t generation, low, high;
	unsigned int tries = 0;

	do {
		generation = virtio_read(dev, VIRTIO_MMIO_CONFIG_GENERATION);
		low = virtio_config_read32(dev, offset);
		high = virtio_config_read32(dev, offset + 4);
	} while (generation != virtio_read(dev, VIRTIO_MMIO_CONFIG_GENERATION) &&
		 ++tries < CONFIG_READ_TRIES);
	return (uint64_t)high << 32 | low;
}

const char *virtq_submit(struct virtio_device *dev, struct virtq *vq,
			 const struct virtq_buffer *bufs, unsigned int count,
			 uint16_t *head)
{
	uint32_t writable = 0;
	uint16_t d;

	if (!count || count > vq->free_count)
		return virtio_error(dev, "queue %u: a chain of %u buffers does not fit in the %u free descriptors",
				    vq->index, count, vq->free_count);
	for (unsigned int i = 1; i < count; i++)
		if (bufs[i - 1].device_writes && !bufs[i].device_writes)
			return virtio_error(dev, "queue %u: a device-readable buffer after a writable one",
					    vq->index);

	*head = d = vq->free_head;
	for (unsigned int i = 0; i < count; i++) {
		bool last = i + 1 == count;

		vq->desc[d].addr = (uintptr_t)bufs[i].data;
		vq->desc[d].len = bufs[i].len;
		vq->desc[d].flags = (uint16_t)((bufs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
					       (last ? 0 : VIRTQ_DESC_F_NEXT));
		vq->desc[d].next = last ? 0 : vq->next[d];
		if (bufs[i].device_writes)
			writable += bufs[i].len;
		d = vq->next[d];
	}
	vq->free_head = d;
	vq->free_count = (uint16_t)(vq->free_count - count);
	vq->chains++;
	vq->chain_length[*head] = (uint16_t)count;
	vq->chain_writable[*head] = writable;

	vq->avail.ring[vq->avail_idx % vq->size] = *head;
	/* The chain and its ring entry before the index that publishes them,
	 * the index before the notification. */
	arch_memory_barrier();
	vq->avail_idx++;
	vq->avail.idx = vq->avail_idx;
	arch_memory_barrier();
	virtio_write(dev, VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
	return NULL;
}

/* Puts the chain that starts at head back on the free list. */
static void virtq_free_chain(struct virtq *vq, uint16_t head)
{
	uint16_t last = head;

	for (uint16_t i = 1; i < vq->chain_length[head]; i++)
		last = vq->next[last];
	vq->next[last] = vq->free_head;
	vq->free_head = head;
	vq->free_count = (uint16_t)(vq->free_count + vq->chain_length[head]);
	vq->chain_length[head] = 0;
	vq->chains--;
}

enum virtq_wait_result virtq_wait_used(struct virtio_device *dev,
				       struct virtq *vq, uint64_t deadline,
				       uint16_t *head, uint32_t *written)
{
	uint16_t idx, pending;
	uint32_t id, len, interrupts;

	while ((idx = vq->used.idx) == vq->used_seen)
		if (arch_counter_read() > deadline)
			return VIRTQ_TIMEOUT;
	pending = (uint16_t)(idx - vq->used_seen);
	if (pending > vq->chains) {
		virtio_error(dev, "queue %u: used.idx moved from %u to %u, past the %u chains it was given",
			     vq->index, vq->used_seen, idx, vq->chains);
		return VIRTQ_BROKEN;
	}
	/* The index before the entry it covers. */
	arch_memory_barrier();
	id = vq->used.ring[vq->used_seen % vq->size].id;
	len = vq->used.ring[vq->used_seen % vq->size].len;
	vq->used_seen++;
	if (id >= vq->size || !vq->chain_length[id]) {
		virtio_error(dev, "queue %u: the device returned descriptor %u, not the head of a chain it holds",
			     vq->index, id);
		return VIRTQ_BROKEN;
	}
	if (len > vq->chain_writable[id]) {
		virtio_error(dev, "queue %u: the device says it wrote %u bytes into a chain with %u writable",
			     vq->index, len, vq->chain_writable[id]);
		return VIRTQ_BROKEN;
	}
	virtq_free_chain(vq, (uint16_t)id);

	interrupts = virtio_read(dev, VIRTIO_MMIO_INTERRUPT_STATUS);
	if (interrupts)
		virtio_write(dev, VIRTIO_MMIO_INTERRUPT_ACK, interrupts);
	*head = (uint16_t)id;
	*written = len;
	return VIRTQ_USED;
}

const char *virtq_transfer(struct virtio_device *dev, struct virtq *vq,
			   const struct virtq_buffer *bufs, unsigned int count,
			   uint64_t timeout, uint32_t *written)
{
	uint16_t head, used_head = 0;
	uint32_t status;
	const char *why;

	why = virtq_submit(dev, vq, bufs, count, &head);
	if (why)
		return why;
	switch (virtq_wait_used(dev, vq, arch_counter_read() + timeout,
				&used_head, written)) {
	case VIRTQ_USED:
		if (used_head != head)
			return virtio_error(dev, "queue %u: expected chain %u back; got chain %u",
					    vq->index, head, used_head);
		return NULL;
	case VIRTQ_TIMEOUT:
		status = virtio_read(dev, VIRTIO_MMIO_STATUS);
		return virtio_error(dev, "queue %u: the device did not return the buffers within %lu ms (Status 0x%x%s)",
				    vq->index, ticks_to_us(timeout) / 1000, status,
				    status & VIRTIO_STATUS_DEVICE_NEEDS_RESET ?
				    ", DEVICE_NEEDS_RESET" : "");
	case VIRTQ_BROKEN:
		break;
	}
	return dev->error;
}

/* For the hostile mode, which writes rings by hand: the device status and
 * a bare queue notification. */
uint32_t virtio_status(const struct virtio_device *dev)
{
	return virtio_read(dev, VIRTIO_MMIO_STATUS);
}

void virtio_notify(const struct virtio_device *dev, unsigned int queue)
{
	arch_memory_barrier();
	virtio_write(dev, VIRTIO_MMIO_QUEUE_NOTIFY, queue);
}
