/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A byte ring buffer over storage the caller provides. Not locked: the
 * owner serialises access. Positions are free-running 64-bit byte counts,
 * so a reader can tell how much was overwritten since it last looked.
 */
#ifndef LIB_RINGBUF_H
#define LIB_RINGBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ringbuf {
	uint8_t *data;
	size_t size;
	uint64_t head; /* position after the newest byte (bytes ever pushed) */
	uint64_t tail; /* position of the oldest byte still held */
};

#define RINGBUF_INIT(storage) { (uint8_t *)(storage), sizeof(storage), 0, 0 }

void ringbuf_init(struct ringbuf *rb, void *storage, size_t size);
/* Empties the buffer; positions restart at zero. */
void ringbuf_reset(struct ringbuf *rb);

static inline size_t ringbuf_len(const struct ringbuf *rb)
{
	return (size_t)(rb->head - rb->tail);
}

static inline size_t ringbuf_space(const struct ringbuf *rb)
{
	return rb->size - ringbuf_len(rb);
}

static inline bool ringbuf_is_empty(const struct ringbuf *rb)
{
	return rb->head == rb->tail;
}

static inline bool ringbuf_is_full(const struct ringbuf *rb)
{
	return ringbuf_len(rb) == rb->size;
}

/* Appends len bytes, dropping the oldest bytes to make room (a log).
 * When len exceeds the capacity only its last `size` bytes are kept. */
void ringbuf_push_overwrite(struct ringbuf *rb, const void *src, size_t len);
/* Appends all len bytes, or nothing and returns false when they do not
 * fit (an input queue, where old bytes must not be lost). */
bool ringbuf_push(struct ringbuf *rb, const void *src, size_t len);
/* Removes up to len of the oldest bytes into dst; returns how many. */
size_t ringbuf_pop(struct ringbuf *rb, void *dst, size_t len);
/* Removes and returns the oldest byte, or -1 when empty. */
int ringbuf_pop_byte(struct ringbuf *rb);
/* Copies up to len of the oldest bytes into dst without removing them. */
size_t ringbuf_peek(const struct ringbuf *rb, void *dst, size_t len);
/*
 * One reader without the writers' lock (a guest's console buffer, drained
 * by the host console while the guest writes). Writers, serialised by
 * their owner, push with ringbuf_push_published(): it gives up the oldest
 * bytes (tail) before overwriting them and publishes the new ones (head)
 * after writing them. The reader uses ringbuf_read_published().
 */
void ringbuf_push_published(struct ringbuf *rb, const void *src, size_t len);
/* Copies up to len bytes from *pos (or from the oldest byte held, when
 * *pos was overwritten) and sets *pos to where they start; returns how
 * many. Bytes overwritten while being copied are never returned. */
size_t ringbuf_read_published(const struct ringbuf *rb, uint64_t *pos, void *dst,
			      size_t len);
/* head, for a reader without the writers' lock. */
static inline uint64_t ringbuf_head_published(const struct ringbuf *rb)
{
	return __atomic_load_n(&rb->head, __ATOMIC_ACQUIRE);
}

/* Copies up to len bytes starting at position pos (tail <= pos <= head)
 * without removing them; returns 0 when pos is outside what is held. */
size_t ringbuf_read_at(const struct ringbuf *rb, uint64_t pos, void *dst,
		       size_t len);

#endif
