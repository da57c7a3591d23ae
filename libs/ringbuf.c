/* SPDX-License-Identifier: GPL-2.0-only */
/* Byte ring buffer over caller storage (the log, console input). */
#include <lib/ringbuf.h>
#include <string.h>

void ringbuf_init(struct ringbuf *rb, void *storage, size_t size)
{
	rb->data = storage;
	rb->size = size;
	rb->head = 0;
	rb->tail = 0;
}

void ringbuf_reset(struct ringbuf *rb)
{
	rb->head = 0;
	rb->tail = 0;
}

static inline size_t ringbuf_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Copies len bytes into the ring at position pos, wrapping at the end. */
static void ringbuf_copy_in(struct ringbuf *rb, uint64_t pos, const uint8_t *src,
			    size_t len)
{
	size_t at = (size_t)(pos % rb->size);
	size_t first = ringbuf_min(len, rb->size - at);

	memcpy(rb->data + at, src, first);
	memcpy(rb->data, src + first, len - first);
}

static void ringbuf_copy_out(const struct ringbuf *rb, uint64_t pos,
			     uint8_t *dst, size_t len)
{
	size_t at = (size_t)(pos % rb->size);
	size_t first = ringbuf_min(len, rb->size - at);

	memcpy(dst, rb->data + at, first);
	memcpy(dst + first, rb->data, len - first);
}

void ringbuf_push_overwrite(struct ringbuf *rb, const void *src, size_t len)
{
	const uint8_t *bytes = src;

	if (!rb->size)
		return;
	if (len > rb->size) {
		/* Only the newest `size` bytes can survive anyway. */
		rb->head += len - rb->size;
		bytes += len - rb->size;
		len = rb->size;
	}
	ringbuf_copy_in(rb, rb->head, bytes, len);
	rb->head += len;
	if (rb->head - rb->tail > rb->size)
		rb->tail = rb->head - rb->size;
}

void ringbuf_push_published(struct ringbuf *rb, const void *src, size_t len)
{
	const uint8_t *bytes = src;
	uint64_t head = rb->head;

	if (!rb->size || !len)
		return;
	if (len > rb->size) {
		head += len - rb->size;
		bytes += len - rb->size;
		len = rb->size;
	}
	/* The reader must not take bytes about to be overwritten for
	 * good ones: it looks at tail again after copying. */
	if (head + len - rb->tail > rb->size)
		__atomic_store_n(&rb->tail, head + len - rb->size, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ringbuf_copy_in(rb, head, bytes, len);
	__atomic_store_n(&rb->head, head + len, __ATOMIC_RELEASE);
}

size_t ringbuf_read_published(const struct ringbuf *rb, uint64_t *pos, void *dst,
			      size_t len)
{
	uint64_t head = __atomic_load_n(&rb->head, __ATOMIC_ACQUIRE);
	uint64_t tail = __atomic_load_n(&rb->tail, __ATOMIC_ACQUIRE);
	uint64_t start = *pos > tail ? *pos : tail;
	size_t n;

	if (start >= head) {
		*pos = start;
		return 0;
	}
	n = ringbuf_min(len, (size_t)(head - start));
	ringbuf_copy_out(rb, start, dst, n);
	/* Whatever a writer gave up meanwhile may be half overwritten:
	 * keep only what came after it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&rb->tail, __ATOMIC_RELAXED);
	if (tail > start) {
		size_t lost = (size_t)ringbuf_min(tail - start, n);

		memmove(dst, (uint8_t *)dst + lost, n - lost);
		n -= lost;
		start += lost;
	}
	*pos = start;
	return n;
}

bool ringbuf_push(struct ringbuf *rb, const void *src, size_t len)
{
	if (!len)
		return true;
	if (len > ringbuf_space(rb))
		return false;
	ringbuf_copy_in(rb, rb->head, src, len);
	rb->head += len;
	return true;
}

size_t ringbuf_peek(const struct ringbuf *rb, void *dst, size_t len)
{
	return ringbuf_read_at(rb, rb->tail, dst, len);
}

size_t ringbuf_pop(struct ringbuf *rb, void *dst, size_t len)
{
	size_t n = ringbuf_peek(rb, dst, len);

	rb->tail += n;
	return n;
}

int ringbuf_pop_byte(struct ringbuf *rb)
{
	uint8_t byte;

	if (!ringbuf_pop(rb, &byte, 1))
		return -1;
	return byte;
}

size_t ringbuf_read_at(const struct ringbuf *rb, uint64_t pos, void *dst,
		       size_t len)
{
	size_t avail;

	if (pos < rb->tail || pos >= rb->head)
		return 0;
	avail = (size_t)(rb->head - pos);
	if (len > avail)
		len = avail;
	ringbuf_copy_out(rb, pos, dst, len);
	return len;
}
