/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Split virtqueues against hostile rings: a hand-made guest whose one RAM
 * chunk is a heap buffer, rings written into it the way a driver would,
 * and one case per rule of emulators/virtio/virtqueue.c.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <string.h>
#include <virtio/virtio.h>
#include "guest_fixture.h"
#include "unit.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x10000ULL
#define DESC (RAM_BASE + 0x0000)
#define AVAIL (RAM_BASE + 0x1000)
#define USED (RAM_BASE + 0x2000)
#define TABLE (RAM_BASE + 0x3000)        /* an indirect table */
#define DATA (RAM_BASE + 0x8000)         /* buffers */

#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

static struct fixture_ram_guest ring;

/* A guest with RAM_SIZE bytes of zeroed RAM at RAM_BASE, nothing else. */
static struct guest *guest_with_ram(void)
{
	return fixture_ram_guest_reset(&ring, "vq0", RAM_BASE, RAM_SIZE);
}

static void ram_put(gpa_t gpa, uint64_t value, unsigned int bytes)
{
	fixture_guest_put_le(&ring.g, gpa, value, bytes);
}

static uint64_t ram_get(gpa_t gpa, unsigned int bytes)
{
	return fixture_guest_get_le(&ring.g, gpa, bytes);
}

/* Descriptor i of the table at table. */
static void desc_set(gpa_t table, unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	gpa_t d = table + 16ULL * i;

	ram_put(d, addr, 8);
	ram_put(d + 8, len, 4);
	ram_put(d + 12, flags, 2);
	ram_put(d + 14, next, 2);
}

static uint16_t avail_idx(void)
{
	return (uint16_t)ram_get(AVAIL + 2, 2);
}

static void avail_set_idx(uint16_t idx)
{
	ram_put(AVAIL + 2, idx, 2);
}

/* The driver makes chain head available: ring entry, then the index. */
static void avail_add(const struct virtqueue *vq, uint16_t head)
{
	uint16_t idx = avail_idx();

	ram_put(AVAIL + 4 + 2ULL * (idx & (vq->size - 1)), head, 2);
	avail_set_idx((uint16_t)(idx + 1));
}

static void avail_set_used_event(const struct virtqueue *vq, uint16_t event)
{
	ram_put(AVAIL + 4 + 2ULL * vq->size, event, 2);
}

static uint16_t used_idx(void)
{
	return (uint16_t)ram_get(USED + 2, 2);
}

static uint16_t used_avail_event(const struct virtqueue *vq)
{
	return (uint16_t)ram_get(USED + 4 + 8ULL * vq->size, 2);
}

static struct virtqueue test_vq;

/* A ready queue of size entries over the standard layout. */
static struct virtqueue *ready_queue(uint16_t size, bool event_idx, bool indirect)
{
	struct virtqueue *vq = &test_vq;

	virtq_reset(vq, guest_with_ram());
	vq->size = size;
	vq->desc = DESC;
	vq->avail = AVAIL;
	vq->used = USED;
	return virtq_activate(vq, event_idx, indirect) == 0 ? vq : NULL;
}

/* pop must fail with a reason that contains `words`, and stay failed. */
static bool pop_breaks(struct virtqueue *vq, const char *words)
{
	struct virtq_request req;
	bool ok = CHECK_EQ(virtq_pop(vq, &req), -KEEL_EINVAL);

	ok &= CHECK(vq->broken);
	ok &= CHECK(vq->broken_why != NULL);
	if (vq->broken_why && !strstr(vq->broken_why, words))
		ok &= CHECK_STR_EQ(vq->broken_why, words);
	ok &= CHECK_EQ(virtq_pop(vq, &req), -KEEL_EINVAL);
	return ok;
}

/* activate must refuse with a reason that contains `words`. */
static void activate_refuses(uint16_t size, gpa_t desc, gpa_t avail, gpa_t used,
			     const char *words)
{
	struct virtqueue *vq = &test_vq;

	virtq_reset(vq, guest_with_ram());
	vq->size = size;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	CHECK_EQ(virtq_activate(vq, false, false), -KEEL_EINVAL);
	CHECK(!vq->ready);
	CHECK(vq->broken_why && strstr(vq->broken_why, words));
	if (vq->broken_why && !strstr(vq->broken_why, words))
		CHECK_STR_EQ(vq->broken_why, words);
}

/* ---- set-up ---- */

TEST(virtq_reset_leaves_a_queue_that_is_not_ready)
{
	struct virtqueue vq;
	struct virtq_request req;
	struct guest *g = guest_with_ram();

	memset(&vq, 0xa5, sizeof(vq));
	virtq_reset(&vq, g);
	CHECK(vq.guest == g);
	CHECK_EQ(vq.size, 0);
	CHECK(!vq.ready);
	CHECK(!vq.broken);
	CHECK_EQ(vq.last_avail, 0);
	CHECK_EQ(virtq_pop(&vq, &req), 0);
	CHECK(!virtq_push(&vq, &req, 0));
}

TEST(virtq_activate_takes_good_rings)
{
	static const uint16_t sizes[] = { 1, 2, 16, 128, VIRTQ_MAX_SIZE };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct virtqueue *vq = ready_queue(sizes[i], true, true);

		REQUIRE(vq);
		CHECK(vq->ready);
		CHECK(vq->event_idx);
		CHECK(vq->indirect);
	}
	/* Rings packed against the end of RAM. */
	{
		struct virtqueue *vq = &test_vq;

		virtq_reset(vq, guest_with_ram());
		vq->size = 4;
		vq->desc = RAM_BASE + RAM_SIZE - 64 - 48;
		vq->avail = RAM_BASE + RAM_SIZE - 64 - 14 - 40;
		vq->used = RAM_BASE + RAM_SIZE - 40;
		CHECK_EQ(virtq_activate(vq, false, false), 0);
	}
}

TEST(virtq_activate_refuses_bad_sizes_alignment_and_rings_outside_ram)
{
	activate_refuses(0, DESC, AVAIL, USED, "power of 2");
	activate_refuses(3, DESC, AVAIL, USED, "power of 2");
	activate_refuses(96, DESC, AVAIL, USED, "power of 2");
	activate_refuses(512, DESC, AVAIL, USED, "power of 2");
	activate_refuses(8, DESC + 8, AVAIL, USED, "descriptor table is not 16-byte aligned");
	activate_refuses(8, DESC, AVAIL + 1, USED, "available ring is not 2-byte aligned");
	activate_refuses(8, DESC, AVAIL, USED + 2, "used ring is not 4-byte aligned");
	activate_refuses(8, RAM_BASE - 0x1000, AVAIL, USED, "descriptor table is not wholly in guest RAM");
	activate_refuses(8, RAM_BASE + RAM_SIZE - 64, AVAIL, USED, "descriptor table is not wholly");
	activate_refuses(8, DESC, RAM_BASE + RAM_SIZE - 20, USED, "available ring is not wholly");
	activate_refuses(8, DESC, AVAIL, RAM_BASE + RAM_SIZE - 68, "used ring is not wholly");
	activate_refuses(8, DESC, AVAIL, ~0ULL - 3, "used ring is not wholly");
	activate_refuses(8, 0xfffffffffffffff0ULL, AVAIL, USED, "descriptor table is not wholly");
}

/* ---- good chains ---- */

TEST(virtq_pop_returns_nothing_from_an_empty_ring)
{
	struct virtqueue *vq = ready_queue(8, false, false);
	struct virtq_request req;

	REQUIRE(vq);
	CHECK_EQ(virtq_pop(vq, &req), 0);
	CHECK(!vq->broken);
	CHECK_EQ(vq->last_avail, 0);
}

TEST(virtq_pop_takes_a_readable_then_writable_chain)
{
	struct virtqueue *vq = ready_queue(8, false, false);
	struct virtq_request req;

	REQUIRE(vq);
	desc_set(DESC, 5, DATA, 100, F_NEXT, 2);
	desc_set(DESC, 2, DATA + 0x100, 28, F_NEXT, 7);
	desc_set(DESC, 7, DATA + 0x200, 512, F_WRITE, 0);
	avail_add(vq, 5);
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(req.head, 5);
	CHECK_EQ(req.count, 3);
	CHECK_EQ(req.readable, 2);
	CHECK_EQ(req.readable_bytes, 128);
	CHECK_EQ(req.writable_bytes, 512);
	CHECK_EQ(req.bufs[0].addr, DATA);
	CHECK_EQ(req.bufs[1].len, 28);
	CHECK_EQ(req.bufs[2].addr, DATA + 0x200);
	CHECK_EQ(vq->last_avail, 1);
	CHECK_EQ(virtq_pop(vq, &req), 0);
}

TEST(virtq_pop_takes_requests_in_ring_order)
{
	struct virtqueue *vq = ready_queue(4, false, false);
	struct virtq_request req;

	REQUIRE(vq);
	for (uint16_t i = 0; i < 4; i++) {
		desc_set(DESC, i, DATA + 0x100ULL * i, 16 + i, F_WRITE, 0);
		avail_add(vq, (uint16_t)(3 - i));
	}
	for (uint16_t i = 0; i < 4; i++) {
		CHECK_EQ(virtq_pop(vq, &req), 1);
		CHECK_EQ(req.head, 3 - i);
		CHECK_EQ(req.writable_bytes, 16 + 3 - i);
		CHECK_EQ(req.readable, 0);
	}
	CHECK_EQ(virtq_pop(vq, &req), 0);
}

TEST(virtq_pop_skips_zero_length_buffers)
{
	struct virtqueue *vq = ready_queue(8, false, false);
	struct virtq_request req;

	REQUIRE(vq);
	/* A zero-length buffer's address is never used, so it is not checked. */
	desc_set(DESC, 0, 0xdead0000000ULL, 0, F_NEXT, 1);
	desc_set(DESC, 1, DATA, 8, F_NEXT, 2);
	desc_set(DESC, 2, DATA + 64, 0, F_WRITE | F_NEXT, 3);
	desc_set(DESC, 3, DATA + 128, 8, F_WRITE, 0);
	avail_add(vq, 0);
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(req.count, 2);
	CHECK_EQ(req.readable, 1);
	CHECK_EQ(req.bufs[0].addr, DATA);
	CHECK_EQ(req.bufs[1].addr, DATA + 128);
}

TEST(virtq_pop_takes_a_full_ring_and_a_chain_as_long_as_the_queue)
{
	struct virtqueue *vq = ready_queue(8, false, false);
	struct virtq_request req;

	REQUIRE(vq);
	for (uint16_t i = 0; i < 8; i++)
		desc_set(DESC, i, DATA + 16ULL * i, 16, i < 7 ? F_NEXT : 0, (uint16_t)(i + 1));
	for (unsigned int i = 0; i < 8; i++)
		avail_add(vq, 0);
	/* avail.idx - last_avail == size is allowed. */
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(req.count, 8);
	CHECK_EQ(req.readable_bytes, 128);
	CHECK(!vq->broken);
}

TEST(virtq_pop_follows_an_indirect_table)
{
	struct virtqueue *vq = ready_queue(8, false, true);
	struct virtq_request req;

	REQUIRE(vq);
	desc_set(TABLE, 0, DATA, 40, F_NEXT, 2);
	desc_set(TABLE, 2, DATA + 0x100, 0, F_NEXT, 1);
	desc_set(TABLE, 1, DATA + 0x200, 300, F_WRITE, 0);
	/* The WRITE flag of the table's own descriptor is ignored. */
	desc_set(DESC, 3, TABLE, 3 * 16, F_INDIRECT | F_WRITE, 0);
	avail_add(vq, 3);
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(req.head, 3);
	CHECK_EQ(req.count, 2);
	CHECK_EQ(req.readable, 1);
	CHECK_EQ(req.readable_bytes, 40);
	CHECK_EQ(req.writable_bytes, 300);

	/* A direct descriptor may lead to the indirect one. */
	desc_set(DESC, 4, DATA + 0x400, 8, F_NEXT, 3);
	avail_add(vq, 4);
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(req.head, 4);
	CHECK_EQ(req.count, 3);
	CHECK_EQ(req.readable, 2);
	CHECK_EQ(req.bufs[0].addr, DATA + 0x400);
}

TEST(virtq_pop_takes_up_to_the_buffer_limit)
{
	struct virtqueue *vq = ready_queue(VIRTQ_MAX_BUFFERS, false, true);
	struct virtq_request req;

	REQUIRE(vq);
	for (uint16_t i = 0; i < VIRTQ_MAX_BUFFERS; i++)
		desc_set(TABLE, i, DATA + 8ULL * i, 8, i + 1u < VIRTQ_MAX_BUFFERS ? F_NEXT : 0,
			 (uint16_t)(i + 1));
	desc_set(DESC, 0, TABLE, VIRTQ_MAX_BUFFERS * 16, F_INDIRECT, 0);
	avail_add(vq, 0);
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(req.count, VIRTQ_MAX_BUFFERS);
}

/* ---- rule violations ---- */

TEST(virtq_pop_refuses_an_avail_index_that_moved_too_far)
{
	struct virtqueue *vq = ready_queue(8, false, false);

	REQUIRE(vq);
	avail_set_idx(9);
	CHECK(pop_breaks(vq, "available index moved by more than the queue size"));

	/* Backwards counts as a huge move forwards. */
	vq = ready_queue(8, false, false);
	REQUIRE(vq);
	avail_set_idx(0xffff);
	CHECK(pop_breaks(vq, "available index"));
}

TEST(virtq_pop_refuses_a_head_past_the_table)
{
	struct virtqueue *vq = ready_queue(8, false, false);

	REQUIRE(vq);
	avail_add(vq, 8);
	CHECK(pop_breaks(vq, "past the end of the table"));
}

TEST(virtq_pop_refuses_a_next_past_the_table)
{
	struct virtqueue *vq = ready_queue(8, false, false);

	REQUIRE(vq);
	desc_set(DESC, 0, DATA, 8, F_NEXT, 8);
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, "next is past the end of the descriptor table"));
}

TEST(virtq_pop_names_a_loop_as_a_loop)
{
	struct virtqueue *vq = ready_queue(8, false, false);

	REQUIRE(vq);
	desc_set(DESC, 0, DATA, 8, F_NEXT, 1);
	desc_set(DESC, 1, DATA, 8, F_NEXT, 2);
	desc_set(DESC, 2, DATA, 8, F_NEXT, 1);
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, "loops"));

	/* A descriptor that names itself. */
	vq = ready_queue(1, false, false);
	REQUIRE(vq);
	desc_set(DESC, 0, DATA, 8, F_NEXT, 0);
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, "the descriptor chain loops"));
}

TEST(virtq_pop_refuses_indirect_when_not_negotiated)
{
	struct virtqueue *vq = ready_queue(8, false, false);

	REQUIRE(vq);
	desc_set(TABLE, 0, DATA, 8, 0, 0);
	desc_set(DESC, 0, TABLE, 16, F_INDIRECT, 0);
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, "VIRTIO_F_INDIRECT_DESC was not negotiated"));
}

/* One indirect descriptor (addr, len, flags) over a good one-entry table. */
static void indirect_refused(uint64_t addr, uint32_t len, uint16_t flags, const char *words)
{
	struct virtqueue *vq = ready_queue(8, false, true);

	if (!CHECK(vq))
		return;
	desc_set(TABLE, 0, DATA, 8, 0, 0);
	desc_set(DESC, 0, addr, len, flags, 1);
	desc_set(DESC, 1, DATA, 8, 0, 0);
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, words));
}

/* Virtio 1.2 asks no alignment of an indirect table (only of the queue's
 * own descriptor table): Linux allocates one with kmalloc, 8-byte aligned
 * on riscv64. */
TEST(virtq_pop_follows_an_indirect_table_at_any_address)
{
	struct virtqueue *vq = ready_queue(8, false, true);
	struct virtq_request req;

	REQUIRE(vq);
	desc_set(TABLE + 8, 0, DATA, 40, F_NEXT, 1);
	desc_set(TABLE + 8, 1, DATA + 0x200, 300, F_WRITE, 0);
	desc_set(DESC, 0, TABLE + 8, 2 * 16, F_INDIRECT, 0);
	avail_add(vq, 0);
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(req.count, 2);
	CHECK_EQ(req.readable_bytes, 40);
	CHECK_EQ(req.writable_bytes, 300);
	CHECK(!vq->broken);
}

TEST(virtq_pop_refuses_bad_indirect_tables)
{
	indirect_refused(TABLE, 16, F_INDIRECT | F_NEXT, "also has NEXT set");
	indirect_refused(TABLE, 0, F_INDIRECT, "non-zero multiple of 16");
	indirect_refused(TABLE, 24, F_INDIRECT, "non-zero multiple of 16");
	indirect_refused(TABLE, 9 * 16, F_INDIRECT, "more entries than the queue size");
	indirect_refused(RAM_BASE + RAM_SIZE - 16, 32, F_INDIRECT, "indirect table is not wholly in guest RAM");
	indirect_refused(RAM_BASE + RAM_SIZE, 16, F_INDIRECT, "indirect table is not wholly in guest RAM");
	indirect_refused(0xfffffffffffffff0ULL, 32, F_INDIRECT, "indirect table is not wholly in guest RAM");
}

TEST(virtq_pop_refuses_nested_looping_and_overlong_indirect_chains)
{
	struct virtqueue *vq = ready_queue(8, false, true);

	REQUIRE(vq);
	desc_set(TABLE, 0, DATA, 8, F_NEXT, 1);
	desc_set(TABLE, 1, TABLE + 0x100, 16, F_INDIRECT, 0);
	desc_set(DESC, 0, TABLE, 32, F_INDIRECT, 0);
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, "nested"));

	vq = ready_queue(8, false, true);
	REQUIRE(vq);
	desc_set(TABLE, 0, DATA, 8, F_NEXT, 1);
	desc_set(TABLE, 1, DATA, 8, F_NEXT, 0);
	desc_set(DESC, 0, TABLE, 32, F_INDIRECT, 0);
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, "indirect descriptor chain loops"));

	vq = ready_queue(8, false, true);
	REQUIRE(vq);
	desc_set(TABLE, 0, DATA, 8, F_NEXT, 2);
	desc_set(DESC, 0, TABLE, 32, F_INDIRECT, 0);
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, "past the end of its table"));
}

TEST(virtq_pop_refuses_buffers_outside_ram_or_wrapping)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
		const char *why;
	} bad[] = {
		{ RAM_BASE - 8, 16, "not wholly in guest RAM" },
		{ RAM_BASE + RAM_SIZE - 8, 16, "not wholly in guest RAM" },
		{ RAM_BASE + RAM_SIZE, 1, "not wholly in guest RAM" },
		{ 0, 4096, "not wholly in guest RAM" },
		{ 0xfffffffffffffff0ULL, 0x20, "wraps around" },
		{ ~0ULL, 0xffffffffu, "wraps around" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct virtqueue *vq = ready_queue(8, false, false);

		REQUIRE(vq);
		desc_set(DESC, 0, DATA, 8, F_NEXT, 1);
		desc_set(DESC, 1, bad[i].addr, bad[i].len, F_WRITE, 0);
		avail_add(vq, 0);
		CHECK(pop_breaks(vq, bad[i].why));
	}
	/* The same inside an indirect table. */
	{
		struct virtqueue *vq = ready_queue(8, false, true);

		REQUIRE(vq);
		desc_set(TABLE, 0, RAM_BASE + RAM_SIZE - 4, 8, 0, 0);
		desc_set(DESC, 0, TABLE, 16, F_INDIRECT, 0);
		avail_add(vq, 0);
		CHECK(pop_breaks(vq, "not wholly in guest RAM"));
	}
	/* A buffer that ends exactly at the end of RAM is fine. */
	{
		struct virtqueue *vq = ready_queue(8, false, false);
		struct virtq_request req;

		REQUIRE(vq);
		desc_set(DESC, 0, RAM_BASE + RAM_SIZE - 16, 16, 0, 0);
		avail_add(vq, 0);
		CHECK_EQ(virtq_pop(vq, &req), 1);
	}
}

TEST(virtq_pop_refuses_a_readable_buffer_after_a_writable_one)
{
	struct virtqueue *vq = ready_queue(8, false, false);

	REQUIRE(vq);
	desc_set(DESC, 0, DATA, 8, F_WRITE | F_NEXT, 1);
	desc_set(DESC, 1, DATA + 8, 8, 0, 0);
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, "device-readable buffer follows a device-writable one"));

	/* Across the step into an indirect table too. */
	vq = ready_queue(8, false, true);
	REQUIRE(vq);
	desc_set(TABLE, 0, DATA + 8, 8, 0, 0);
	desc_set(DESC, 0, DATA, 8, F_WRITE | F_NEXT, 1);
	desc_set(DESC, 1, TABLE, 16, F_INDIRECT, 0);
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, "follows a device-writable"));
}

TEST(virtq_pop_refuses_more_buffers_than_the_limit)
{
	struct virtqueue *vq = ready_queue(128, false, false);

	REQUIRE(vq);
	for (uint16_t i = 0; i <= VIRTQ_MAX_BUFFERS; i++)
		desc_set(DESC, i, DATA + 8ULL * i, 8, i < VIRTQ_MAX_BUFFERS ? F_NEXT : 0,
			 (uint16_t)(i + 1));
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, "more buffers than VIRTQ_MAX_BUFFERS"));

	/* Indirect entries count the same way. */
	vq = ready_queue(128, false, true);
	REQUIRE(vq);
	for (uint16_t i = 0; i <= VIRTQ_MAX_BUFFERS; i++)
		desc_set(TABLE, i, DATA + 8ULL * i, 8, i < VIRTQ_MAX_BUFFERS ? F_NEXT : 0,
			 (uint16_t)(i + 1));
	desc_set(DESC, 0, TABLE, (VIRTQ_MAX_BUFFERS + 1) * 16, F_INDIRECT, 0);
	avail_add(vq, 0);
	CHECK(pop_breaks(vq, "more buffers than VIRTQ_MAX_BUFFERS"));
}

TEST(virtq_broken_queue_stays_broken_until_reset)
{
	struct virtqueue *vq = ready_queue(8, false, false);
	struct virtq_request req;

	REQUIRE(vq);
	avail_add(vq, 9);
	CHECK(pop_breaks(vq, "past the end"));
	/* Repairing the ring changes nothing... */
	ram_put(AVAIL + 4, 0, 2);
	desc_set(DESC, 0, DATA, 8, 0, 0);
	CHECK_EQ(virtq_pop(vq, &req), -KEEL_EINVAL);
	CHECK(!virtq_push(vq, &req, 0));
	CHECK_EQ(used_idx(), 0);
	/* ...until the queue is reset and set up again. */
	virtq_reset(vq, &ring.g);
	CHECK(!vq->broken);
	CHECK(vq->broken_why == NULL);
	vq->size = 8;
	vq->desc = DESC;
	vq->avail = AVAIL;
	vq->used = USED;
	CHECK_EQ(virtq_activate(vq, false, false), 0);
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(req.head, 0);
}

/* ---- reading and writing buffers ---- */

TEST(virtq_read_and_write_cross_buffers_and_respect_directions)
{
	struct virtqueue *vq = ready_queue(8, false, false);
	struct virtq_request req;
	uint8_t in[40], out[64];

	REQUIRE(vq);
	for (unsigned int i = 0; i < 30; i++)
		ram_put(DATA + i, 'a' + i % 26, 1);
	for (unsigned int i = 0; i < 10; i++)
		ram_put(DATA + 0x100 + i, '0' + i, 1);
	desc_set(DESC, 0, DATA, 30, F_NEXT, 1);
	desc_set(DESC, 1, DATA + 0x100, 10, F_NEXT, 2);
	desc_set(DESC, 2, DATA + 0x200, 16, F_WRITE | F_NEXT, 3);
	desc_set(DESC, 3, DATA + 0x300, 16, F_WRITE, 0);
	avail_add(vq, 0);
	REQUIRE(virtq_pop(vq, &req) == 1);

	memset(in, 0, sizeof(in));
	CHECK_EQ(virtq_read(vq, &req, 0, in, sizeof(in)), 40);
	CHECK_EQ(in[0], 'a');
	CHECK_EQ(in[29], 'd');
	CHECK_EQ(in[30], '0');
	CHECK_EQ(in[39], '9');
	/* From an offset inside the second buffer; only readable bytes. */
	memset(in, 0, sizeof(in));
	CHECK_EQ(virtq_read(vq, &req, 35, in, sizeof(in)), 5);
	CHECK_EQ(in[0], '5');
	CHECK_EQ(virtq_read(vq, &req, 40, in, sizeof(in)), 0);
	CHECK_EQ(virtq_read(vq, &req, 1ULL << 40, in, sizeof(in)), 0);

	for (unsigned int i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(0x80 + i);
	/* Only into the writable part, never the readable one. */
	CHECK_EQ(virtq_write(vq, &req, 10, out, sizeof(out)), 22);
	CHECK_EQ(ram_get(DATA + 0x200 + 9, 1), 0);
	CHECK_EQ(ram_get(DATA + 0x200 + 10, 1), 0x80);
	CHECK_EQ(ram_get(DATA + 0x200 + 15, 1), 0x85);
	CHECK_EQ(ram_get(DATA + 0x300, 1), 0x86);
	CHECK_EQ(ram_get(DATA + 0x300 + 15, 1), 0x80 + 21);
	CHECK_EQ(ram_get(DATA + 0x310, 1), 0);
	CHECK_EQ(ram_get(DATA, 1), 'a');
	CHECK_EQ(virtq_write(vq, &req, 32, out, 1), 0);
}

/* ---- giving buffers back ---- */

TEST(virtq_push_writes_the_used_element_then_the_index)
{
	struct virtqueue *vq = ready_queue(8, false, false);
	struct virtq_request req;

	REQUIRE(vq);
	desc_set(DESC, 6, DATA, 8, F_NEXT, 1);
	desc_set(DESC, 1, DATA + 8, 100, F_WRITE, 0);
	avail_add(vq, 6);
	REQUIRE(virtq_pop(vq, &req) == 1);
	CHECK(virtq_push(vq, &req, 42));
	CHECK_EQ(used_idx(), 1);
	CHECK_EQ(vq->used_idx, 1);
	CHECK_EQ(ram_get(USED + 4, 4), 6);
	CHECK_EQ(ram_get(USED + 8, 4), 42);
	/* Never more than the driver gave to write. */
	avail_add(vq, 6);
	REQUIRE(virtq_pop(vq, &req) == 1);
	CHECK(virtq_push(vq, &req, 4096));
	CHECK_EQ(ram_get(USED + 16, 4), 100);
	CHECK_EQ(used_idx(), 2);
}

TEST(virtq_push_honours_no_interrupt_without_event_idx)
{
	struct virtqueue *vq = ready_queue(8, false, false);
	struct virtq_request req;

	REQUIRE(vq);
	desc_set(DESC, 0, DATA, 8, F_WRITE, 0);
	avail_add(vq, 0);
	avail_add(vq, 0);
	REQUIRE(virtq_pop(vq, &req) == 1);
	CHECK(virtq_push(vq, &req, 1));
	ram_put(AVAIL, 1, 2);              /* VIRTQ_AVAIL_F_NO_INTERRUPT */
	REQUIRE(virtq_pop(vq, &req) == 1);
	CHECK(!virtq_push(vq, &req, 1));
	CHECK_EQ(used_idx(), 2);
	/* Without EVENT_IDX the device leaves avail_event alone. */
	CHECK_EQ(used_avail_event(vq), 0);
}

TEST(virtq_push_follows_used_event_with_event_idx)
{
	struct virtqueue *vq = ready_queue(8, true, false);
	struct virtq_request req;

	REQUIRE(vq);
	desc_set(DESC, 0, DATA, 8, F_WRITE, 0);
	for (unsigned int i = 0; i < 4; i++)
		avail_add(vq, 0);
	/* The driver wants an interrupt once used entry 2 is filled. */
	avail_set_used_event(vq, 2);
	ram_put(AVAIL, 1, 2);              /* flags are ignored with EVENT_IDX */
	REQUIRE(virtq_pop(vq, &req) == 1);
	CHECK(!virtq_push(vq, &req, 0));   /* used idx 0 -> 1 */
	REQUIRE(virtq_pop(vq, &req) == 1);
	CHECK(!virtq_push(vq, &req, 0));   /* 1 -> 2 */
	REQUIRE(virtq_pop(vq, &req) == 1);
	CHECK(virtq_push(vq, &req, 0));    /* 2 -> 3: entry 2 filled */
	REQUIRE(virtq_pop(vq, &req) == 1);
	CHECK(!virtq_push(vq, &req, 0));   /* already past */
	CHECK_EQ(used_idx(), 4);
	/* avail_event tells the driver where we are. */
	CHECK_EQ(used_avail_event(vq), 4);
	CHECK_EQ(vq->last_avail, 4);
}

TEST(virtq_pop_publishes_avail_event_with_event_idx)
{
	struct virtqueue *vq = ready_queue(8, true, false);
	struct virtq_request req;

	REQUIRE(vq);
	ram_put(USED + 4 + 8 * 8, 0x5555, 2);
	CHECK_EQ(virtq_pop(vq, &req), 0);
	/* Finding the ring empty asks to be notified of entry last_avail. */
	CHECK_EQ(used_avail_event(vq), 0);
	desc_set(DESC, 0, DATA, 8, 0, 0);
	avail_add(vq, 0);
	avail_add(vq, 0);
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(virtq_pop(vq, &req), 0);
	CHECK_EQ(used_avail_event(vq), 2);
}

TEST(virtq_indices_wrap_around_16_bits)
{
	struct virtqueue *vq = ready_queue(4, true, false);
	struct virtq_request req;

	REQUIRE(vq);
	/* As if 65534 requests had gone through already. */
	vq->last_avail = 0xfffe;
	vq->used_idx = 0xfffe;
	ram_put(USED + 2, 0xfffe, 2);
	avail_set_idx(0xfffe);
	for (uint16_t i = 0; i < 4; i++)
		desc_set(DESC, i, DATA + 16ULL * i, 16, F_WRITE, 0);
	avail_add(vq, 2);                  /* ring[2], idx 0xffff */
	avail_add(vq, 3);                  /* ring[3], idx 0 */
	avail_add(vq, 1);                  /* ring[0], idx 1 */
	CHECK_EQ(avail_idx(), 1);
	avail_set_used_event(vq, 0xffff);

	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(req.head, 2);
	CHECK(!virtq_push(vq, &req, 1));   /* 0xfffe -> 0xffff */
	CHECK_EQ(ram_get(USED + 4 + 8 * 2, 4), 2);
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(req.head, 3);
	CHECK(virtq_push(vq, &req, 2));    /* 0xffff -> 0: event 0xffff */
	CHECK_EQ(used_idx(), 0);
	CHECK_EQ(ram_get(USED + 4 + 8 * 3, 4), 3);
	CHECK_EQ(virtq_pop(vq, &req), 1);
	CHECK_EQ(req.head, 1);
	avail_set_used_event(vq, 0);
	CHECK(virtq_push(vq, &req, 3));    /* 0 -> 1: event 0 */
	CHECK_EQ(used_idx(), 1);
	CHECK_EQ(ram_get(USED + 4, 4), 1);
	CHECK_EQ(vq->last_avail, 1);
	CHECK_EQ(virtq_pop(vq, &req), 0);
	CHECK(!vq->broken);

	/* Over the wrap, a jump of more than the size is still caught. */
	avail_set_idx(6);
	CHECK(pop_breaks(vq, "available index"));
}
