/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes the device side of split virtqueues (emulators/virtio/virtqueue.c)
 * with whatever a guest could put in its RAM.
 *
 * Input: a 32-byte header, then the guest's RAM image (all of it: the
 * harness copies it into a heap buffer of exactly that size, so ASan sees
 * any access outside guest RAM). Header, little-endian:
 *
 *    0 u8   flags: 1 EVENT_IDX, 2 INDIRECT_DESC negotiated,
 *                  4 ring addresses count down from the top of the
 *                    64-bit space (to reach the wrapping cases)
 *    1 u8   how many bytes the device claims to write (scaled)
 *    2 u16  queue size (any value: virtq_activate decides)
 *    4 u16  avail.idx, written into the ring before the first pop
 *    6 u16  the device's starting last_avail / used index (wrap-around)
 *    8 u32  guest page number of the RAM base
 *   12 u32  descriptor table offset from the RAM base
 *   16 u32  available ring offset
 *   20 u32  used ring offset
 *   24 u16 x 4  avail.idx values the "driver" publishes later, one each
 *          time the ring runs dry
 *
 * The harness pops and pushes until the ring is empty or broken, reading
 * and writing each request, and checks what pop promises: every buffer
 * wholly in RAM, readable before writable, counts within bounds, no
 * writable buffer over the queue's own rings, a broken queue staying
 * broken. The loop has no bound of its own: what the device writes cannot
 * feed the ring, so it ends (an input that loops is a timeout, a failure).
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <stdlib.h>
#include <string.h>
#include <virtio/virtio.h>

#define HEADER_SIZE 32
#define RAM_MAX (64u << 10)
#define LATER_IDX 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct guest fuzz_guest;
static void *fuzz_chunks[1];
static uint8_t scratch[4096];

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

/* A promise of virtq_pop() was broken: make libFuzzer report it. */
static void promise(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static bool overlaps(const struct virtq_buffer *b, gpa_t at, uint64_t len)
{
	return b->addr < at + len && at < b->addr + b->len;
}

static void check_request(struct virtqueue *vq, const struct virtq_request *req)
{
	uint64_t readable = 0, writable = 0;

	promise(req->head < vq->size);
	promise(req->count <= VIRTQ_MAX_BUFFERS);
	promise(req->readable <= req->count);
	for (unsigned int i = 0; i < req->count; i++) {
		const struct virtq_buffer *b = &req->bufs[i];

		promise(b->len != 0);
		promise(b->addr + b->len > b->addr);
		promise(guest_range_is_ram(vq->guest, b->addr, b->len));
		if (i < req->readable) {
			readable += b->len;
			continue;
		}
		writable += b->len;
		promise(!overlaps(b, vq->desc, (uint64_t)vq->size * 16));
		promise(!overlaps(b, vq->avail, 4 + (uint64_t)vq->size * 2 + 2));
		promise(!overlaps(b, vq->used, 4 + (uint64_t)vq->size * 8 + 2));
	}
	promise(readable == req->readable_bytes);
	promise(writable == req->writable_bytes);
}

/* The device's work on one request: read its head and tail, fill what it
 * may. (Buffers may overlap, so a request can add up to far more bytes
 * than RAM has; reading all of them would only be slow.) */
static uint32_t serve(struct virtqueue *vq, const struct virtq_request *req, uint8_t claim)
{
	size_t tail = (size_t)MIN(req->readable_bytes, (uint64_t)sizeof(scratch));
	size_t n;

	promise(virtq_read(vq, req, 0, scratch, sizeof(scratch)) == tail);
	promise(virtq_read(vq, req, req->readable_bytes - tail, scratch, sizeof(scratch)) == tail);
	promise(virtq_read(vq, req, req->readable_bytes, scratch, sizeof(scratch)) == 0);
	memset(scratch, 0x5a, sizeof(scratch));
	n = virtq_write(vq, req, claim, scratch, sizeof(scratch));
	promise(n == (size_t)MIN((uint64_t)sizeof(scratch),
				 req->writable_bytes > claim ? req->writable_bytes - claim : 0));
	return (uint32_t)claim * 97u;
}

static void publish_avail_idx(struct virtqueue *vq, uint16_t idx)
{
	uint8_t raw[2] = { (uint8_t)idx, (uint8_t)(idx >> 8) };

	/* Rings were checked to be in RAM by virtq_activate(). */
	promise(guest_copy_to(vq->guest, vq->avail + 2, raw, sizeof(raw)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct virtqueue vq;
	static struct virtq_request req;
	struct guest *g = &fuzz_guest;
	uint8_t flags, claim;
	size_t ram_size;
	uint8_t *ram;
	gpa_t base;
	unsigned int later = 0;
	int ret = 0;

	if (size <= HEADER_SIZE || size - HEADER_SIZE > RAM_MAX)
		return 0;
	ram_size = size - HEADER_SIZE;
	ram = malloc(ram_size);
	if (!ram)
		return 0;
	memcpy(ram, data + HEADER_SIZE, ram_size);
	flags = data[0];
	claim = data[1];
	base = (gpa_t)le32(data + 8) << 12;

	fuzz_chunks[0] = ram;
	g->name = "fuzz";
	g->mem[0] = (struct guest_mem){ .base = base, .size = ram_size,
					.chunk_count = 1, .chunks = fuzz_chunks };
	g->mem_count = 1;

	virtq_reset(&vq, g);
	vq.size = le16(data + 2);
	if (flags & 4) {
		vq.desc = ~(gpa_t)le32(data + 12);
		vq.avail = ~(gpa_t)le32(data + 16);
		vq.used = ~(gpa_t)le32(data + 20);
	} else {
		vq.desc = base + le32(data + 12);
		vq.avail = base + le32(data + 16);
		vq.used = base + le32(data + 20);
	}
	if (virtq_activate(&vq, flags & 1, flags & 2)) {
		promise(!vq.ready && vq.broken_why);
		goto out;
	}
	vq.last_avail = le16(data + 6);
	vq.used_idx = le16(data + 6);
	publish_avail_idx(&vq, le16(data + 4));

	/* Each avail.idx value yields at most size requests. */
	for (;;) {
		ret = virtq_pop(&vq, &req);
		if (ret < 0)
			break;
		if (ret == 0) {
			if (later == LATER_IDX)
				break;
			publish_avail_idx(&vq, le16(data + 24 + 2 * later++));
			continue;
		}
		promise(ret == 1);
		check_request(&vq, &req);
		virtq_push(&vq, &req, serve(&vq, &req, claim));
	}
	promise(ret <= 0);
	if (ret < 0) {
		promise(ret == -KEEL_EINVAL && vq.broken && vq.broken_why);
		promise(virtq_pop(&vq, &req) == -KEEL_EINVAL);
		promise(!virtq_push(&vq, &req, 0));
	}
out:
	free(ram);
	return 0;
}
