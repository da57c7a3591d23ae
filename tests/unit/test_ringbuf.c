/* SPDX-License-Identifier: GPL-2.0-only */
/* The byte ring buffer and the intrusive list. */
#include <lib/list.h>
#include <lib/ringbuf.h>
#include <string.h>
#include "unit.h"

TEST(ringbuf_push_pop_in_order)
{
	uint8_t storage[8], outb[8];
	struct ringbuf rb;

	ringbuf_init(&rb, storage, sizeof(storage));
	CHECK(ringbuf_is_empty(&rb));
	CHECK(ringbuf_push(&rb, "abc", 3));
	CHECK_EQ(ringbuf_len(&rb), 3);
	CHECK_EQ(ringbuf_space(&rb), 5);
	CHECK_EQ(ringbuf_pop(&rb, outb, 2), 2);
	CHECK(memcmp(outb, "ab", 2) == 0);
	CHECK_EQ(ringbuf_pop_byte(&rb), 'c');
	CHECK_EQ(ringbuf_pop_byte(&rb), -1);
	CHECK_EQ(ringbuf_pop(&rb, outb, sizeof(outb)), 0);
	CHECK(ringbuf_push(&rb, "", 0));
	CHECK(ringbuf_is_empty(&rb));
}

TEST(ringbuf_without_storage_holds_nothing)
{
	struct ringbuf rb;
	uint8_t byte;

	ringbuf_init(&rb, NULL, 0);
	CHECK(ringbuf_push(&rb, "", 0));
	CHECK(!ringbuf_push(&rb, "a", 1));
	ringbuf_push_overwrite(&rb, "abc", 3);
	CHECK(ringbuf_is_empty(&rb));
	CHECK_EQ(ringbuf_pop(&rb, &byte, 1), 0);
}

TEST(ringbuf_push_fails_when_full_and_keeps_old_bytes)
{
	uint8_t storage[4], outb[4];
	struct ringbuf rb;

	ringbuf_init(&rb, storage, sizeof(storage));
	CHECK(ringbuf_push(&rb, "abc", 3));
	CHECK(!ringbuf_push(&rb, "de", 2)); /* all or nothing */
	CHECK_EQ(ringbuf_len(&rb), 3);
	CHECK(ringbuf_push(&rb, "d", 1));
	CHECK(ringbuf_is_full(&rb));
	CHECK(!ringbuf_push(&rb, "e", 1));
	CHECK_EQ(ringbuf_pop(&rb, outb, 4), 4);
	CHECK(memcmp(outb, "abcd", 4) == 0);
}

TEST(ringbuf_wraps_around_the_end)
{
	uint8_t storage[5], outb[5];
	struct ringbuf rb;

	ringbuf_init(&rb, storage, sizeof(storage));
	for (int round = 0; round < 7; round++) {
		CHECK(ringbuf_push(&rb, "xyz", 3));
		CHECK_EQ(ringbuf_pop(&rb, outb, 5), 3);
		CHECK(memcmp(outb, "xyz", 3) == 0);
	}
	CHECK_EQ(rb.head, 21);
	CHECK(ringbuf_is_empty(&rb));
}

TEST(ringbuf_overwrite_drops_oldest)
{
	uint8_t storage[6], outb[6];
	struct ringbuf rb;

	ringbuf_init(&rb, storage, sizeof(storage));
	ringbuf_push_overwrite(&rb, "abcd", 4);
	ringbuf_push_overwrite(&rb, "efgh", 4);
	CHECK_EQ(ringbuf_len(&rb), 6);
	CHECK_EQ(rb.tail, 2);
	CHECK_EQ(ringbuf_peek(&rb, outb, 6), 6);
	CHECK(memcmp(outb, "cdefgh", 6) == 0);
	/* peek does not consume. */
	CHECK_EQ(ringbuf_len(&rb), 6);
	/* More than the capacity at once: only the newest bytes stay. */
	ringbuf_push_overwrite(&rb, "0123456789", 10);
	CHECK_EQ(ringbuf_peek(&rb, outb, 6), 6);
	CHECK(memcmp(outb, "456789", 6) == 0);
	CHECK_EQ(rb.head, 18);
	CHECK_EQ(rb.tail, 12);
}

TEST(ringbuf_read_at_positions)
{
	uint8_t storage[4], outb[4];
	struct ringbuf rb;

	ringbuf_init(&rb, storage, sizeof(storage));
	ringbuf_push_overwrite(&rb, "abcdef", 6); /* holds "cdef" at 2..5 */
	CHECK_EQ(ringbuf_read_at(&rb, 1, outb, 4), 0); /* overwritten */
	CHECK_EQ(ringbuf_read_at(&rb, 6, outb, 4), 0); /* not written yet */
	CHECK_EQ(ringbuf_read_at(&rb, 4, outb, 4), 2);
	CHECK(memcmp(outb, "ef", 2) == 0);
	ringbuf_reset(&rb);
	CHECK(ringbuf_is_empty(&rb));
	CHECK_EQ(rb.head, 0);
}

struct item {
	int value;
	struct list_head link;
};

TEST(list_add_del_iterate)
{
	LIST_HEAD(head);
	struct item items[4], *it, *tmp;
	int seen[4], n = 0;

	CHECK(list_empty(&head));
	for (int i = 0; i < 4; i++) {
		items[i].value = i;
		list_add_tail(&items[i].link, &head);
	}
	CHECK_EQ(list_count(&head), 4);
	CHECK_EQ(list_first_entry(&head, struct item, link)->value, 0);
	CHECK_EQ(list_last_entry(&head, struct item, link)->value, 3);

	list_for_each_entry_safe(it, tmp, &head, link) {
		if (it->value % 2)
			list_del(&it->link);
	}
	CHECK(!list_is_linked(&items[1].link));
	list_for_each_entry(it, &head, link)
		seen[n++] = it->value;
	CHECK_EQ(n, 2);
	CHECK_EQ(seen[0], 0);
	CHECK_EQ(seen[1], 2);

	list_add(&items[3].link, &head);
	CHECK_EQ(list_first_entry(&head, struct item, link)->value, 3);
	list_move_tail(&items[3].link, &head);
	CHECK_EQ(list_last_entry(&head, struct item, link)->value, 3);
	list_del(&items[0].link);
	list_del(&items[2].link);
	list_del(&items[3].link);
	CHECK(list_empty(&head));
	CHECK(list_first_entry_or_null(&head, struct item, link) == NULL);
}

TEST(ringbuf_published_reader_starts_at_what_is_still_held)
{
	uint8_t storage[8];
	struct ringbuf rb;
	uint64_t pos = 0;
	char out[16];

	ringbuf_init(&rb, storage, sizeof(storage));
	ringbuf_push_published(&rb, "abcdef", 6);
	CHECK_EQ(ringbuf_read_published(&rb, &pos, out, 4), 4);
	CHECK_EQ(pos, 0);
	CHECK(memcmp(out, "abcd", 4) == 0);
	pos = 4;
	/* "abc" overwritten: a reader at 4 still gets all it had not read. */
	ringbuf_push_published(&rb, "ghijk", 5);
	CHECK_EQ(rb.tail, 3);
	CHECK_EQ(ringbuf_head_published(&rb), 11);
	CHECK_EQ(ringbuf_read_published(&rb, &pos, out, sizeof(out)), 7);
	CHECK_EQ(pos, 4);
	CHECK(memcmp(out, "efghijk", 7) == 0);
	/* A reader behind the oldest byte held skips to it and can tell how
	 * much it lost (pos 1 -> 3). */
	pos = 1;
	CHECK_EQ(ringbuf_read_published(&rb, &pos, out, sizeof(out)), 8);
	CHECK_EQ(pos, 3);
	CHECK(memcmp(out, "defghijk", 8) == 0);
	/* More than the ring holds at once: only the newest bytes. */
	ringbuf_push_published(&rb, "0123456789", 10);
	pos = 11;
	CHECK_EQ(ringbuf_read_published(&rb, &pos, out, sizeof(out)), 8);
	CHECK_EQ(pos, 13);
	CHECK(memcmp(out, "23456789", 8) == 0);
	pos = 21;
	CHECK_EQ(ringbuf_read_published(&rb, &pos, out, sizeof(out)), 0);
}
