/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fake guest and the input-driven guest driver of the virtio device
 * harnesses (virtio_driver.h describes the input).
 */
#include <keel/console.h>
#include <keel/guest_internal.h>
#include <keel/mm.h>
#include <keel/time.h>
#include <keel/work.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <virtio/virtio_mmio_regs.h>

#include "virtio_driver.h"

#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER 2u
#define STATUS_DRIVER_OK 4u
#define STATUS_FEATURES_OK 8u

#define F_EVENT_IDX (1u << 29)
#define F_INDIRECT_DESC (1u << 28)

#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u
#define DESC_F_INDIRECT 4u

/* Input bits (virtio_driver.h). */
#define IN_EVENT_IDX 1u
#define IN_INDIRECT 2u
#define IN_DEVICE_FEATURES 4u
#define IN_CHAIN_NOTIFY 0x40u
#define IN_CHAIN_INDIRECT 0x80u
#define IN_BUF_WRITE 1u
#define IN_BUF_ADDRESS 2u
#define IN_BUF_FLIP_NEXT 4u
#define IN_BUF_NEXT 8u
#define IN_BUF_LONG 16u

#define CHAIN_MAX 16u
#define QUEUES_MAX 4u
/* Each queue's rings: descriptors, then driver area, then device area,
 * room for the largest queue (256). Buffers go after them. */
#define RING_STRIDE 0x3000u
#define RING_AVAIL 0x1000u
#define RING_USED 0x2000u
#define DATA_START (QUEUES_MAX * RING_STRIDE)

#define ARENA_SIZE (64UL << 20)
#define GUESTS_MAX 2
/* Deferred work items run after each command, as the scheduler runs a few
 * between two vCPU runs (SCHED_WORK_PER_RUN); at the end of an input,
 * what is left runs up to WORK_DRAIN_MAX items (a guest can keep a device
 * busy for ever: each run is bounded, their number is time). */
#define WORK_PER_COMMAND 4
#define WORK_DRAIN_MAX 4096

struct input {
	const uint8_t *p;
	size_t left;
};

struct driver_queue {
	uint16_t size;
	uint16_t avail_idx;
	uint16_t next_desc;
};

struct driver {
	struct fuzz_device *d;
	uint8_t *ram;
	uint8_t header[3];
	uint32_t data_cursor;
	struct driver_queue queues[QUEUES_MAX];
};

static void *arena;
static struct guest guests[GUESTS_MAX];
static unsigned int guest_count;
static bool verbose;

static void stderr_putc(char c)
{
	if (c != '\r')
		fputc(c, stderr);
}

/* KEEL_FUZZ_VERBOSE=1: Keel's log (the devices' warnings) and what each
 * input left in the used rings, to see what an input does. */
static const struct console_ops stderr_console = {
	.name = "fuzz-stderr",
	.putc = stderr_putc,
};

void fuzz_platform_init(void)
{
	const char *env = getenv("KEEL_FUZZ_VERBOSE");

	if (arena)
		return;
	verbose = env && *env && strcmp(env, "0") != 0;
	if (verbose)
		console_register(&stderr_console);
	time_init(0);
	arena = aligned_alloc(PAGE_SIZE << PAGE_MAX_ORDER, ARENA_SIZE);
	fuzz_promise(arena != NULL);
	page_alloc_add_range(ptr_to_hpa(arena), ARENA_SIZE);
}

struct guest *fuzz_guest_new(const char *name)
{
	struct guest *g;

	fuzz_promise(guest_count < GUESTS_MAX);
	g = &guests[guest_count++];
	memset(g, 0, sizeof(*g));
	snprintf(g->config.name, sizeof(g->config.name), "%s", name);
	g->name = g->config.name;
	g->id = guest_count;
	g->lock = (spinlock_t)SPINLOCK_INIT;
	g->state = GUEST_CREATED;
	mmio_table_init(&g->mmio);
	guest_console_init(g);
	return g;
}

void fuzz_device_create(struct fuzz_device *d, struct guest *g, const char *compatible,
			const char *name, const char *backend, gpa_t base,
			unsigned int irq, unsigned int queue_count)
{
	memset(d, 0, sizeof(*d));
	d->guest = g;
	d->queue_count = queue_count;
	fuzz_promise(queue_count <= QUEUES_MAX);
	snprintf(d->config.name, sizeof(d->config.name), "%s", name);
	snprintf(d->config.compatible, sizeof(d->config.compatible), "%s", compatible);
	snprintf(d->config.backend, sizeof(d->config.backend), "%s", backend);
	d->config.base = base;
	d->config.size = 0x200;
	d->config.has_irq = true;
	d->config.irq = irq;
	d->emulator = emulator_find(compatible);
	fuzz_promise(d->emulator != NULL);
	fuzz_promise(d->emulator->create(g, &d->config, &d->state) == 0);
	d->region = mmio_table_find(&g->mmio, base);
	fuzz_promise(d->region != NULL);
}

int fuzz_reg_write(struct fuzz_device *d, uint64_t offset, unsigned int size, uint64_t value)
{
	return d->region->ops->write(d->region->state, NULL, offset, size, value);
}

uint64_t fuzz_reg_read(struct fuzz_device *d, uint64_t offset, unsigned int size)
{
	uint64_t value = 0;

	if (d->region->ops->read(d->region->state, NULL, offset, size, &value))
		return 0;
	return value;
}

/* ---- the input ---- */

static bool take(struct input *in, void *out, size_t n)
{
	if (in->left < n) {
		memset(out, 0, n);
		in->p += in->left;
		in->left = 0;
		return false;
	}
	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

static uint8_t take8(struct input *in)
{
	uint8_t v;

	take(in, &v, 1);
	return v;
}

static uint16_t take16(struct input *in)
{
	uint8_t b[2];

	take(in, b, 2);
	return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t take32(struct input *in)
{
	uint32_t lo = take16(in);

	return lo | (uint32_t)take16(in) << 16;
}

static uint64_t take64(struct input *in)
{
	uint64_t lo = take32(in);

	return lo | (uint64_t)take32(in) << 32;
}

/* ---- guest RAM, as the driver writes it ---- */

static void ram_put(struct driver *drv, uint64_t offset, const void *src, size_t len)
{
	if (offset < FUZZ_RAM_SIZE && len <= FUZZ_RAM_SIZE - offset)
		memcpy(drv->ram + offset, src, len);
}

static void ram_put16(struct driver *drv, uint64_t offset, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	ram_put(drv, offset, b, sizeof(b));
}

static void ram_put_desc(struct driver *drv, uint64_t offset, gpa_t addr, uint32_t len,
			 uint16_t flags, uint16_t next)
{
	uint8_t b[16];

	for (unsigned int i = 0; i < 8; i++)
		b[i] = (uint8_t)(addr >> (8 * i));
	for (unsigned int i = 0; i < 4; i++)
		b[8 + i] = (uint8_t)(len >> (8 * i));
	b[12] = (uint8_t)flags;
	b[13] = (uint8_t)(flags >> 8);
	b[14] = (uint8_t)next;
	b[15] = (uint8_t)(next >> 8);
	ram_put(drv, offset, b, sizeof(b));
}

/* Room for len bytes in the buffer area, 16-byte aligned, wrapping; a
 * buffer larger than the area starts at its beginning and runs past the
 * end of RAM. Returns the offset from the RAM base. */
static uint32_t data_alloc(struct driver *drv, uint64_t len)
{
	uint32_t at;

	if (len > FUZZ_RAM_SIZE - DATA_START)
		return DATA_START;
	if (len > FUZZ_RAM_SIZE - drv->data_cursor)
		drv->data_cursor = DATA_START;
	at = drv->data_cursor;
	drv->data_cursor = (uint32_t)MIN((uint64_t)FUZZ_RAM_SIZE, ALIGN_UP(at + len, 16));
	return at;
}

/* ---- the driver ---- */

static uint16_t queue_size_of(uint8_t v)
{
	if (v & 0x80)
		return (uint16_t)((v & 0x7f) * 3);
	return (uint16_t)(1u << MIN(v & 0xfu, 8u));
}

/* Resets the device and sets it up as a driver does, from the header. */
static void driver_init(struct driver *drv)
{
	struct fuzz_device *d = drv->d;
	uint8_t features = drv->header[0];
	uint32_t word0 = 0;

	fuzz_reg_write(d, VIRTIO_MMIO_STATUS, 4, 0);
	fuzz_reg_write(d, VIRTIO_MMIO_STATUS, 4, STATUS_ACKNOWLEDGE);
	fuzz_reg_write(d, VIRTIO_MMIO_STATUS, 4, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
	if (features & IN_DEVICE_FEATURES) {
		fuzz_reg_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 0);
		word0 = (uint32_t)fuzz_reg_read(d, VIRTIO_MMIO_DEVICE_FEATURES, 4) &
			~(F_EVENT_IDX | F_INDIRECT_DESC);
	}
	if (features & IN_EVENT_IDX)
		word0 |= F_EVENT_IDX;
	if (features & IN_INDIRECT)
		word0 |= F_INDIRECT_DESC;
	fuzz_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 0);
	fuzz_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES, 4, word0);
	fuzz_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 1);
	fuzz_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES, 4, 1);             /* VERSION_1 */
	fuzz_reg_write(d, VIRTIO_MMIO_STATUS, 4, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);

	memset(drv->queues, 0, sizeof(drv->queues));
	memset(drv->ram, 0, DATA_START);
	drv->data_cursor = DATA_START;
	for (unsigned int q = 0; q < d->queue_count; q++) {
		struct driver_queue *dq = &drv->queues[q];
		gpa_t rings = FUZZ_RAM_BASE + (gpa_t)RING_STRIDE * q;

		if (!(drv->header[2] & (1u << q)))
			continue;
		dq->size = queue_size_of(drv->header[1]);
		fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_SEL, 4, q);
		fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_NUM, 4, dq->size);
		fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DESC_LOW, 4, (uint32_t)rings);
		fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, 4, (uint32_t)(rings >> 32));
		fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, 4, (uint32_t)(rings + RING_AVAIL));
		fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 4, (uint32_t)((rings + RING_AVAIL) >> 32));
		fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, 4, (uint32_t)(rings + RING_USED));
		fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 4, (uint32_t)((rings + RING_USED) >> 32));
		fuzz_reg_write(d, VIRTIO_MMIO_QUEUE_READY, 4, 1);
	}
	fuzz_reg_write(d, VIRTIO_MMIO_STATUS, 4, STATUS_ACKNOWLEDGE | STATUS_DRIVER |
		       STATUS_FEATURES_OK | STATUS_DRIVER_OK);
}

/* Reads one buffer of a chain from the input: where it goes and what it
 * holds. Returns its address; *len, *flags (WRITE) and *next as given. */
static gpa_t chain_buffer(struct driver *drv, struct input *in, uint32_t *len,
			  uint8_t *in_flags, uint16_t *next)
{
	uint8_t flags = take8(in);
	uint64_t raw_addr = 0, offset = 0;
	uint16_t given;

	if (flags & IN_BUF_ADDRESS)
		raw_addr = take64(in);
	if (flags & IN_BUF_NEXT)
		*next = take16(in);
	*len = (flags & IN_BUF_LONG) ? take32(in) : take16(in);
	*in_flags = flags;
	if (!(flags & IN_BUF_ADDRESS)) {
		offset = data_alloc(drv, *len);
		/* Stale bytes of an earlier buffer would make inputs depend
		 * on what ran before them in the same input only: cleared. */
		if (*len <= FUZZ_RAM_SIZE - offset)
			memset(drv->ram + offset, 0, *len);
	}
	if (!(flags & IN_BUF_WRITE)) {
		given = take16(in);
		given = (uint16_t)MIN((size_t)given, MIN((size_t)*len, in->left));
		if (!(flags & IN_BUF_ADDRESS))
			ram_put(drv, offset, in->p, given);
		in->p += given;
		in->left -= given;
	}
	return (flags & IN_BUF_ADDRESS) ? raw_addr : FUZZ_RAM_BASE + offset;
}

/* Makes the next available entry of queue q point at head. */
static void publish(struct driver *drv, unsigned int q, uint16_t head)
{
	struct driver_queue *dq = &drv->queues[q];
	uint64_t avail = (uint64_t)RING_STRIDE * q + RING_AVAIL;

	ram_put16(drv, avail + 4 + 2ULL * (dq->avail_idx % dq->size), head);
	dq->avail_idx++;
	ram_put16(drv, avail + 2, dq->avail_idx);
}

static void command_chain(struct driver *drv, struct input *in)
{
	uint8_t which = take8(in);
	unsigned int q = (which & 7u) % drv->d->queue_count;
	unsigned int count = take8(in) % CHAIN_MAX + 1;
	struct driver_queue *dq = &drv->queues[q];
	bool indirect = which & IN_CHAIN_INDIRECT;
	uint64_t table = (uint64_t)RING_STRIDE * q;
	uint16_t head = dq->size ? dq->next_desc : 0;
	uint32_t indirect_at = 0;

	if (!dq->size) {
		/* The queue was not set up: the chain is read and dropped. */
		indirect = false;
	} else if (indirect) {
		indirect_at = data_alloc(drv, 16ULL * count);
		table = indirect_at;
	}
	for (unsigned int i = 0; i < count; i++) {
		uint16_t index, next, flags = 0;
		uint32_t len;
		uint8_t in_flags;
		gpa_t addr;

		if (indirect)
			index = (uint16_t)i;
		else
			index = dq->size ? (uint16_t)((head + i) % dq->size) : 0;
		next = indirect ? (uint16_t)(i + 1) :
		       (uint16_t)(dq->size ? (index + 1) % dq->size : 0);
		addr = chain_buffer(drv, in, &len, &in_flags, &next);
		if (!dq->size)
			continue;
		if (in_flags & IN_BUF_WRITE)
			flags |= DESC_F_WRITE;
		if ((i + 1 < count) != !!(in_flags & IN_BUF_FLIP_NEXT))
			flags |= DESC_F_NEXT;
		ram_put_desc(drv, table + 16ULL * index, addr, len, flags, next);
	}
	if (!dq->size)
		return;
	if (indirect) {
		ram_put_desc(drv, (uint64_t)RING_STRIDE * q + 16ULL * head,
			     FUZZ_RAM_BASE + indirect_at, 16 * count, DESC_F_INDIRECT, 0);
		dq->next_desc = (uint16_t)((head + 1) % dq->size);
	} else {
		dq->next_desc = (uint16_t)((head + count) % dq->size);
	}
	publish(drv, q, head);
	if (which & IN_CHAIN_NOTIFY)
		fuzz_reg_write(drv->d, VIRTIO_MMIO_QUEUE_NOTIFY, 4, q);
}

static void command_register(struct driver *drv, struct input *in)
{
	uint8_t how = take8(in);
	uint16_t offset = take16(in) & 0x1ff;
	uint32_t value = take32(in);
	unsigned int size = 1u << (how & 3);

	/* A status write of 0 is a reset the driver then recovers from
	 * with RESET; any other access is as the guest makes it. */
	if (how & 0x80)
		(void)fuzz_reg_read(drv->d, offset, size);
	else
		(void)fuzz_reg_write(drv->d, offset, size, value);
}

static void command_avail(struct driver *drv, struct input *in)
{
	uint16_t delta = take16(in);
	struct driver_queue *dq = &drv->queues[delta % drv->d->queue_count];
	unsigned int q = (unsigned int)(dq - drv->queues);

	if (!dq->size)
		return;
	dq->avail_idx = (uint16_t)(dq->avail_idx + (delta >> 2));
	ram_put16(drv, (uint64_t)RING_STRIDE * q + RING_AVAIL + 2, dq->avail_idx);
}

static void play(struct driver *drv, struct input *in, fuzz_host_fn host)
{
	while (in->left) {
		uint8_t op = take8(in);
		uint16_t len;

		switch (op % 8) {
		case 0:
			command_chain(drv, in);
			break;
		case 1:
			fuzz_reg_write(drv->d, VIRTIO_MMIO_QUEUE_NOTIFY, 4, take8(in));
			break;
		case 2:
			len = take16(in);
			len = (uint16_t)MIN((size_t)len, in->left);
			if (host)
				host(in->p, len);
			in->p += len;
			in->left -= len;
			break;
		case 3:
			for (unsigned int q = 0; q < drv->d->queue_count; q++)
				fuzz_reg_write(drv->d, VIRTIO_MMIO_QUEUE_NOTIFY, 4, q);
			break;
		case 4:
			command_avail(drv, in);
			break;
		case 5:
			driver_init(drv);
			break;
		case 6:
			command_register(drv, in);
			break;
		default:
			fuzz_reg_write(drv->d, VIRTIO_MMIO_INTERRUPT_ACK, 4,
				       (uint32_t)fuzz_reg_read(drv->d, VIRTIO_MMIO_INTERRUPT_STATUS, 4));
			break;
		}
		work_run(WORK_PER_COMMAND);
	}
}

void fuzz_work_drain(void)
{
	for (unsigned int i = 0; i < WORK_DRAIN_MAX && work_run(1); i++)
		;
}

/* Keel memory in use: the same after every input, or an input leaked. */
static void check_no_leak(const struct fuzz_device *d)
{
	static bool measured;
	static uint64_t live_objects, free_pages;
	struct heap_stats heap;
	struct page_stats pages;

	heap_stats(&heap);
	page_alloc_stats(&pages);
	if (!measured) {
		live_objects = heap.allocations - heap.frees;
		free_pages = pages.free_pages;
		measured = true;
		return;
	}
	fuzz_promise(heap.allocations - heap.frees == live_objects);
	fuzz_promise(pages.free_pages <= free_pages &&
		     pages.free_pages + d->pages_kept_max >= free_pages);
}

void fuzz_virtio_run(struct fuzz_device *d, const uint8_t *data, size_t size,
		     fuzz_host_fn host)
{
	static void *chunks[1];
	struct guest *g = d->guest;
	struct input in = { data, size };
	struct driver drv = { .d = d };

	if (size < sizeof(drv.header))
		return;
	drv.ram = calloc(1, FUZZ_RAM_SIZE);
	if (!drv.ram)
		return;
	chunks[0] = drv.ram;
	g->mem[0] = (struct guest_mem){ .base = FUZZ_RAM_BASE, .size = FUZZ_RAM_SIZE,
					.chunk_count = 1, .chunks = chunks };
	g->mem_count = 1;
	take(&in, drv.header, sizeof(drv.header));

	d->emulator->reset(d->state);
	driver_init(&drv);
	play(&drv, &in, host);
	fuzz_work_drain();
	for (unsigned int q = 0; verbose && q < d->queue_count; q++) {
		const uint8_t *used = drv.ram + RING_STRIDE * q + RING_USED;

		fprintf(stderr, "fuzz: %s queue %u: size %u, avail %u, used %u, status 0x%x\n",
			d->config.compatible, q, drv.queues[q].size, drv.queues[q].avail_idx,
			used[2] | used[3] << 8, (unsigned int)fuzz_reg_read(d, VIRTIO_MMIO_STATUS, 4));
	}
	/* Nothing the device keeps may point into this input's RAM. */
	d->emulator->reset(d->state);
	g->mem_count = 0;
	g->mem[0] = (struct guest_mem){ 0 };
	free(drv.ram);
	check_no_leak(d);
}
