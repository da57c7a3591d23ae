/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Split virtqueues (VIRTIO 1.2 §2.7), the device's side.
 *
 * The three rings live in guest RAM and the guest can change any byte of
 * them at any time, from another vCPU, while we read. So every descriptor
 * and ring entry is copied into Keel memory once, the copy is checked, and
 * only the copy is used; no guest field is read twice. A ring that breaks a
 * rule marks the queue broken until the driver resets the device: Keel does
 * not guess what a corrupt ring meant.
 *
 * Ring layout (all little-endian):
 *   descriptor table  size x { addr u64, len u32, flags u16, next u16 }
 *   available ring    flags u16, idx u16, ring[size] u16, used_event u16
 *   used ring         flags u16, idx u16, ring[size] { id u32, len u32 },
 *                     avail_event u16
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <string.h>
#include "virtio.h"

#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_DESC_F_INDIRECT 4u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

#define VIRTQ_DESC_SIZE 16u
#define VIRTQ_USED_ELEM_SIZE 8u
/* Offsets inside the rings. */
#define VIRTQ_RING_IDX 2u
#define VIRTQ_RING_ENTRIES 4u

/* One descriptor, as copied out of guest RAM. */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* Descriptor indices already walked in one table (a loop revisits one). */
struct virtq_seen {
	uint64_t bits[VIRTQ_MAX_SIZE / 64];
};

/* Where the walk of one chain is. */
struct virtq_walk {
	struct virtqueue *vq;
	struct virtq_request *req;
	bool writable_seen;
	gpa_t indirect;                  /* the request's indirect table, */
	uint64_t indirect_len;           /* or length 0 */
};

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (unsigned int)p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

/* Marks vq broken; every later pop fails the same way until reset. */
static int virtq_break(struct virtqueue *vq, const char *why)
{
	vq->broken_why = why;
	/* Read without the device's lock by the transport (virtq_is_broken). */
	__atomic_store_n(&vq->broken, true, __ATOMIC_RELEASE);
	return -KEEL_EINVAL;
}

static bool seen_test_and_set(struct virtq_seen *seen, uint16_t index)
{
	uint64_t bit = 1ULL << (index % 64);
	bool was = (seen->bits[index / 64] & bit) != 0;

	seen->bits[index / 64] |= bit;
	return was;
}

/*
 * The ring fields that driver and device update while the other runs
 * (the indexes, flags and event fields: all 16-bit, 2-byte aligned in
 * rings virtq_activate() accepted) are read and written with one access.
 * A copy may move them a byte at a time, and a driver publishing index
 * 0x1300 over 0x12ff would then be read as 0x13ff: a well-behaved ring
 * taken for one whose index ran ahead by more than its size, and broken.
 */
static uint16_t *ring_field(struct virtqueue *vq, gpa_t gpa)
{
	if (!IS_ALIGNED(gpa, 2))
		return NULL;
	return guest_gpa_to_hva(vq->guest, gpa, sizeof(uint16_t));
}

static int read_le16(struct virtqueue *vq, gpa_t gpa, uint16_t *value)
{
	uint16_t *field = ring_field(vq, gpa);
	uint16_t raw;

	if (!field)
		return virtq_break(vq, "a ring is no longer in guest RAM");
	raw = __atomic_load_n(field, __ATOMIC_RELAXED);
	*value = get_le16((const uint8_t *)&raw);
	return 0;
}

static int write_le16(struct virtqueue *vq, gpa_t gpa, uint16_t value)
{
	uint16_t *field = ring_field(vq, gpa);
	uint16_t raw;

	if (!field)
		return virtq_break(vq, "a ring is no longer in guest RAM");
	put_le16((uint8_t *)&raw, value);
	__atomic_store_n(field, raw, __ATOMIC_RELAXED);
	return 0;
}

/* Copies descriptor index of the table at table into *d (one read). */
static int read_desc(struct virtqueue *vq, gpa_t table, uint16_t index,
		     struct virtq_desc *d)
{
	uint8_t raw[VIRTQ_DESC_SIZE];

	if (guest_copy_from(vq->guest, raw, table + (uint64_t)index * VIRTQ_DESC_SIZE,
			    sizeof(raw)))
		return virtq_break(vq, "a descriptor table is no longer in guest RAM");
	d->addr = get_le64(raw);
	d->len = get_le32(raw + 8);
	d->flags = get_le16(raw + 12);
	d->next = get_le16(raw + 14);
	return 0;
}

/* Whether [a, a + a_len) and [b, b + b_len) share a byte (neither wraps:
 * both were checked to lie in guest RAM). */
static bool ranges_overlap(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
	return a_len && b_len && a < b + b_len && b < a + a_len;
}

void virtq_reset(struct virtqueue *vq, struct guest *g)
{
	memset(vq, 0, sizeof(*vq));
	vq->guest = g;
}

int virtq_activate(struct virtqueue *vq, bool event_idx, bool indirect)
{
	uint64_t size = vq->size;

	vq->ready = false;
	if (!size || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
		return virtq_break(vq, "queue size is not a power of 2 between 1 and the maximum");
	if (!IS_ALIGNED(vq->desc, 16))
		return virtq_break(vq, "descriptor table is not 16-byte aligned");
	if (!IS_ALIGNED(vq->avail, 2))
		return virtq_break(vq, "available ring is not 2-byte aligned");
	if (!IS_ALIGNED(vq->used, 4))
		return virtq_break(vq, "used ring is not 4-byte aligned");
	if (!guest_range_is_ram(vq->guest, vq->desc, size * VIRTQ_DESC_SIZE))
		return virtq_break(vq, "descriptor table is not wholly in guest RAM");
	if (!guest_range_is_ram(vq->guest, vq->avail, VIRTQ_RING_ENTRIES + size * 2 + 2))
		return virtq_break(vq, "available ring is not wholly in guest RAM");
	if (!guest_range_is_ram(vq->guest, vq->used,
				VIRTQ_RING_ENTRIES + size * VIRTQ_USED_ELEM_SIZE + 2))
		return virtq_break(vq, "used ring is not wholly in guest RAM");
	/* What the device writes (the used ring) must not become what it
	 * reads next. */
	if (ranges_overlap(vq->used, VIRTQ_RING_ENTRIES + size * VIRTQ_USED_ELEM_SIZE + 2,
			   vq->avail, VIRTQ_RING_ENTRIES + size * 2 + 2) ||
	    ranges_overlap(vq->used, VIRTQ_RING_ENTRIES + size * VIRTQ_USED_ELEM_SIZE + 2,
			   vq->desc, size * VIRTQ_DESC_SIZE))
		return virtq_break(vq, "used ring overlaps the descriptor table or available ring");
	vq->event_idx = event_idx;
	vq->indirect = indirect;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->broken_why = NULL;
	__atomic_store_n(&vq->broken, false, __ATOMIC_RELEASE);
	vq->ready = true;
	return 0;
}

/* Adds the buffer of descriptor d to the request (zero-length ones carry
 * nothing and are skipped). */
static int walk_add_buffer(struct virtq_walk *w, const struct virtq_desc *d)
{
	struct virtq_request *req = w->req;
	bool writable = (d->flags & VIRTQ_DESC_F_WRITE) != 0;

	if (!writable && w->writable_seen)
		return virtq_break(w->vq, "a device-readable buffer follows a device-writable one");
	w->writable_seen |= writable;
	if (!d->len)
		return 0;
	if (d->addr + d->len < d->addr)
		return virtq_break(w->vq, "a buffer's address + length wraps around");
	if (!guest_range_is_ram(w->vq->guest, d->addr, d->len))
		return virtq_break(w->vq, "a buffer is not wholly in guest RAM");
	if (req->count == VIRTQ_MAX_BUFFERS)
		return virtq_break(w->vq, "a request has more buffers than VIRTQ_MAX_BUFFERS");
	req->bufs[req->count].addr = d->addr;
	req->bufs[req->count].len = d->len;
	req->count++;
	if (writable) {
		req->writable_bytes += d->len;
	} else {
		req->readable++;
		req->readable_bytes += d->len;
	}
	return 0;
}

/* Walks the indirect table that descriptor table_desc points at. */
static int walk_indirect(struct virtq_walk *w, const struct virtq_desc *table_desc)
{
	struct virtqueue *vq = w->vq;
	struct virtq_seen seen;
	uint64_t entries = table_desc->len / VIRTQ_DESC_SIZE;
	uint16_t index = 0;

	if (!vq->indirect)
		return virtq_break(vq, "an indirect descriptor, but VIRTIO_F_INDIRECT_DESC was not negotiated");
	if (table_desc->flags & VIRTQ_DESC_F_NEXT)
		return virtq_break(vq, "an indirect descriptor also has NEXT set");
	if (!table_desc->len || table_desc->len % VIRTQ_DESC_SIZE)
		return virtq_break(vq, "an indirect table's length is not a non-zero multiple of 16");
	if (entries > vq->size)
		return virtq_break(vq, "an indirect table has more entries than the queue size");
	/* No alignment: virtio 1.2 asks none of an indirect table (Linux's
	 * kmalloc gives 8 bytes on riscv64), and its entries are copied. */
	if (!guest_range_is_ram(vq->guest, table_desc->addr, table_desc->len))
		return virtq_break(vq, "an indirect table is not wholly in guest RAM");
	w->indirect = table_desc->addr;
	w->indirect_len = table_desc->len;
	memset(&seen, 0, sizeof(seen));
	for (;;) {
		struct virtq_desc d;
		int ret;

		if (index >= entries)
			return virtq_break(vq, "an indirect descriptor's next is past the end of its table");
		if (seen_test_and_set(&seen, index))
			return virtq_break(vq, "an indirect descriptor chain loops");
		ret = read_desc(vq, table_desc->addr, index, &d);
		if (ret)
			return ret;
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return virtq_break(vq, "an indirect table holds an indirect descriptor (nested)");
		ret = walk_add_buffer(w, &d);
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		index = d.next;
	}
}

/* Walks the chain that starts at descriptor head (already < size). */
static int walk_chain(struct virtq_walk *w, uint16_t head)
{
	struct virtqueue *vq = w->vq;
	struct virtq_seen seen;
	unsigned int length = 0;
	uint16_t index = head;

	memset(&seen, 0, sizeof(seen));
	for (;;) {
		struct virtq_desc d;
		int ret;

		if (index >= vq->size)
			return virtq_break(vq, "a descriptor's next is past the end of the descriptor table");
		if (seen_test_and_set(&seen, index))
			return virtq_break(vq, "the descriptor chain loops");
		/* Cannot happen without a loop; kept so the walk stays bounded
		 * should the loop check ever change. */
		if (++length > vq->size)
			return virtq_break(vq, "the descriptor chain is longer than the queue");
		ret = read_desc(vq, vq->desc, index, &d);
		if (ret)
			return ret;
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return walk_indirect(w, &d);
		ret = walk_add_buffer(w, &d);
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		index = d.next;
	}
}

/*
 * A device-writable buffer over the queue's own rings or the request's
 * indirect table would let what the device writes (a disk block, a frame
 * from another guest) become the next requests: a ring that feeds itself.
 * No driver needs that, so such a request breaks the queue.
 */
static int walk_check_writable(const struct virtq_walk *w)
{
	struct virtqueue *vq = w->vq;
	const struct virtq_request *req = w->req;
	uint64_t size = vq->size;

	for (unsigned int i = req->readable; i < req->count; i++) {
		const struct virtq_buffer *b = &req->bufs[i];

		if (ranges_overlap(b->addr, b->len, vq->desc, size * VIRTQ_DESC_SIZE))
			return virtq_break(vq, "a device-writable buffer overlaps the queue's descriptor table");
		if (ranges_overlap(b->addr, b->len, vq->avail, VIRTQ_RING_ENTRIES + size * 2 + 2))
			return virtq_break(vq, "a device-writable buffer overlaps the queue's available ring");
		if (ranges_overlap(b->addr, b->len, vq->used,
				   VIRTQ_RING_ENTRIES + size * VIRTQ_USED_ELEM_SIZE + 2))
			return virtq_break(vq, "a device-writable buffer overlaps the queue's used ring");
		if (ranges_overlap(b->addr, b->len, w->indirect, w->indirect_len))
			return virtq_break(vq, "a device-writable buffer overlaps the request's indirect table");
	}
	return 0;
}

int virtq_pop(struct virtqueue *vq, struct virtq_request *req)
{
	uint16_t size = vq->size, avail_idx, pending, head;
	struct virtq_walk walk = { .vq = vq, .req = req };
	int ret;

	if (virtq_is_broken(vq))
		return -KEEL_EINVAL;
	if (!vq->ready || !size)
		return 0;
	if (vq->event_idx) {
		/* "Notify me when you make entry last_avail available", written
		 * before the index is read: whichever side is second sees the
		 * other's write, so no notification is lost when we find the
		 * ring empty. */
		ret = write_le16(vq, vq->used + VIRTQ_RING_ENTRIES +
				 (uint64_t)size * VIRTQ_USED_ELEM_SIZE, vq->last_avail);
		if (ret)
			return ret;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	ret = read_le16(vq, vq->avail + VIRTQ_RING_IDX, &avail_idx);
	if (ret)
		return ret;
	pending = (uint16_t)(avail_idx - vq->last_avail);
	if (pending > size)
		return virtq_break(vq, "the available index moved by more than the queue size");
	if (!pending)
		return 0;
	/* The ring entries were written before the index: read them after. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	ret = read_le16(vq, vq->avail + VIRTQ_RING_ENTRIES +
			(uint64_t)(vq->last_avail & (size - 1)) * 2, &head);
	if (ret)
		return ret;
	if (head >= size)
		return virtq_break(vq, "the available ring names a descriptor past the end of the table");
	req->head = head;
	req->count = 0;
	req->readable = 0;
	req->readable_bytes = 0;
	req->writable_bytes = 0;
	ret = walk_chain(&walk, head);
	if (!ret)
		ret = walk_check_writable(&walk);
	if (ret)
		return ret;
	vq->last_avail++;
	return 1;
}

size_t virtq_read(struct virtqueue *vq, const struct virtq_request *req,
		  uint64_t offset, void *dst, size_t len)
{
	unsigned int readable = MIN(req->readable, MIN(req->count, VIRTQ_MAX_BUFFERS));
	size_t done = 0;

	for (unsigned int i = 0; i < readable && done < len; i++) {
		const struct virtq_buffer *b = &req->bufs[i];
		size_t n;

		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		n = (size_t)MIN((uint64_t)(len - done), b->len - offset);
		if (guest_copy_from(vq->guest, (uint8_t *)dst + done, b->addr + offset, n))
			break;
		done += n;
		offset = 0;
	}
	return done;
}

size_t virtq_write(struct virtqueue *vq, const struct virtq_request *req,
		   uint64_t offset, const void *src, size_t len)
{
	unsigned int count = MIN(req->count, VIRTQ_MAX_BUFFERS);
	size_t done = 0;

	for (unsigned int i = MIN(req->readable, count); i < count && done < len; i++) {
		const struct virtq_buffer *b = &req->bufs[i];
		size_t n;

		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		n = (size_t)MIN((uint64_t)(len - done), b->len - offset);
		if (guest_copy_to(vq->guest, b->addr + offset, (const uint8_t *)src + done, n))
			break;
		done += n;
		offset = 0;
	}
	return done;
}

bool virtq_push(struct virtqueue *vq, const struct virtq_request *req,
		uint32_t written)
{
	uint16_t size = vq->size, old_idx, new_idx, event, flags;
	uint8_t elem[VIRTQ_USED_ELEM_SIZE];

	if (!vq->ready || virtq_is_broken(vq) || !size)
		return false;
	/* Never claim more than the driver gave us to write. */
	if (written > req->writable_bytes)
		written = (uint32_t)req->writable_bytes;
	put_le32(elem, req->head);
	put_le32(elem + 4, written);
	if (guest_copy_to(vq->guest, vq->used + VIRTQ_RING_ENTRIES +
			  (uint64_t)(vq->used_idx & (size - 1)) * VIRTQ_USED_ELEM_SIZE,
			  elem, sizeof(elem))) {
		virtq_break(vq, "a ring is no longer in guest RAM");
		return false;
	}
	/* The element must be visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	old_idx = vq->used_idx;
	new_idx = (uint16_t)(old_idx + 1);
	vq->used_idx = new_idx;
	if (write_le16(vq, vq->used + VIRTQ_RING_IDX, new_idx))
		return false;
	if (vq->event_idx && write_le16(vq, vq->used + VIRTQ_RING_ENTRIES +
					(uint64_t)size * VIRTQ_USED_ELEM_SIZE,
					vq->last_avail))
		return false;
	/* The driver's suppression field must be read after our index is
	 * visible, or an interrupt it asked for could be missed. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx) {
		if (read_le16(vq, vq->avail + VIRTQ_RING_ENTRIES + (uint64_t)size * 2, &event))
			return false;
		/* Interrupt when used_event lies in [old_idx, new_idx). */
		return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
	}
	if (read_le16(vq, vq->avail, &flags))
		return false;
	return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}
