/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shared set-up of the tests that run guests on the host fake arch:
 * see guest_fixture.h.
 */
#include <keel/fs.h>
#include <keel/mm.h>
#include <keel/sched.h>
#include <keel/work.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <virtio/virtio.h>
#include <virtio/virtio_mmio_regs.h>
#include "guest_fixture.h"
#include "unit.h"

#define CPIO_HEADER_SIZE 110
#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define FEATURE_VERSION_1 1u            /* bit 32: the high feature word's bit 0 */

static void archive_pad(struct fixture_archive *archive)
{
	while (archive->len % 4)
		archive->data[archive->len++] = 0;
}

void fixture_archive_add(struct fixture_archive *archive, const char *name,
			 uint32_t mode, const void *data, size_t size)
{
	char header[CPIO_HEADER_SIZE + 1];
	size_t name_size = strlen(name) + 1;

	archive->data = realloc(archive->data,
				archive->len + CPIO_HEADER_SIZE + name_size + size + 16);
	snprintf(header, sizeof(header),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 (unsigned int)archive->len + 1, mode, 0U, 0U, 1U, 0U, (unsigned int)size,
		 0U, 0U, 0U, 0U, (unsigned int)name_size, 0U);
	memcpy(archive->data + archive->len, header, CPIO_HEADER_SIZE);
	archive->len += CPIO_HEADER_SIZE;
	memcpy(archive->data + archive->len, name, name_size);
	archive->len += name_size;
	archive_pad(archive);
	if (data)
		memcpy(archive->data + archive->len, data, size);
	else
		memset(archive->data + archive->len, 0, size);
	archive->len += size;
	archive_pad(archive);
}

bool fixture_archive_mount(struct fixture_archive *archive)
{
	if (!archive->finished) {
		fixture_archive_add(archive, "TRAILER!!!", 0, NULL, 0);
		archive->finished = true;
	}
	return fs_mount_cpio(archive->data, archive->len) == 0;
}

void fixture_archive_add_kernel(struct fixture_archive *archive)
{
	fixture_archive_add(archive, "guests", 0040755, NULL, 0);
	fixture_archive_add(archive, "guests/kernel.bin", 0100644, NULL, 4096);
}

bool fixture_archive_mount_guests(struct fixture_archive *archive, const char *dtb_path,
				  int count)
{
	if (!fixture_archive_mount(archive))
		return false;
	if (!archive->guests_loaded)
		archive->guests_loaded = fixture_load_guests_from(dtb_path, count);
	return archive->guests_loaded;
}

bool fixture_read_file(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	*data = malloc(65536);
	*len = fread(*data, 1, 65536, f);
	fclose(f);
	return *len > 0;
}

bool fixture_load_guests(const void *dtb, size_t dtb_len, int count)
{
	char err[GUEST_ERROR_MAX];
	bool loaded;

	sched_init();
	loaded = guest_load_tree(dtb, dtb_len, err, sizeof(err)) == count;
	if (!loaded)
		printf("load: %s\n", err);
	return loaded;
}

bool fixture_load_guests_from(const char *dtb_path, int count)
{
	char *dtb;
	size_t dtb_len;
	bool loaded;

	if (!fixture_read_file(dtb_path, &dtb, &dtb_len))
		return false;
	/* The guests keep copies of what they need: the tree can go. */
	loaded = fixture_load_guests(dtb, dtb_len, count);
	free(dtb);
	return loaded;
}

void fixture_check_node_errors(const char *dtb_path, const struct fixture_node_error *cases,
			       size_t count)
{
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX], path[64], *dtb;
	size_t dtb_len;

	REQUIRE(fixture_read_file(dtb_path, &dtb, &dtb_len));
	for (size_t i = 0; i < count; i++) {
		int node;

		snprintf(path, sizeof(path), "/guests/%s", cases[i].guest);
		node = fdt_path_offset(dtb, path);
		if (!CHECK(node >= 0))
			break;
		CHECK(guest_config_parse(dtb, node, &cfg, err, sizeof(err)) < 0);
		CHECK_STR_EQ(err, cases[i].message);
	}
	free(dtb);
}

uint64_t fixture_free_pages(void)
{
	struct page_stats s;

	page_alloc_stats(&s);
	return s.free_pages;
}

uint64_t fixture_live_allocations(void)
{
	struct heap_stats s;

	heap_stats(&s);
	return s.allocations - s.frees;
}

struct guest *fixture_ram_guest_reset(struct fixture_ram_guest *rg, const char *name, gpa_t base,
				      size_t size)
{
	struct guest *g = &rg->g;

	if (!rg->ram)
		rg->ram = malloc(size);
	memset(rg->ram, 0, size);
	memset(g, 0, sizeof(*g));
	rg->chunks[0] = rg->ram;
	g->name = name;
	g->mem[0] = (struct guest_mem){ .base = base, .size = size, .chunk_count = 1,
					.chunks = rg->chunks };
	g->mem_count = 1;
	return g;
}

void fixture_guest_put_le(struct guest *g, gpa_t at, uint64_t value, unsigned int bytes)
{
	uint8_t b[8];

	for (unsigned int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(value >> (8 * i));
	CHECK_EQ(guest_copy_to(g, at, b, bytes), 0);
}

uint64_t fixture_guest_get_le(struct guest *g, gpa_t at, unsigned int bytes)
{
	uint8_t b[8] = { 0 };
	uint64_t value = 0;

	CHECK_EQ(guest_copy_from(g, b, at, bytes), 0);
	for (unsigned int i = 0; i < bytes; i++)
		value |= (uint64_t)b[i] << (8 * i);
	return value;
}

uint32_t fixture_virtio_read(struct fixture_virtio *d, uint64_t offset)
{
	uint64_t value = 0;

	CHECK_EQ(d->region->ops->read(d->region->state, NULL, offset, 4, &value), 0);
	return (uint32_t)value;
}

void fixture_virtio_write(struct fixture_virtio *d, uint64_t offset, uint32_t value)
{
	CHECK_EQ(d->region->ops->write(d->region->state, NULL, offset, 4, value), 0);
}

static void write_address(struct fixture_virtio *d, uint64_t low, gpa_t address)
{
	fixture_virtio_write(d, low, (uint32_t)address);
	fixture_virtio_write(d, low + 4, (uint32_t)(address >> 32));
}

bool fixture_virtio_start(struct fixture_virtio *d, struct guest *g, gpa_t base, gpa_t rings,
			  unsigned int queue_count, uint32_t features)
{
	static const uint8_t zero[0x3000];
	const uint32_t up = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			    VIRTIO_STATUS_FEATURES_OK;

	memset(d, 0, sizeof(*d));
	d->g = g;
	d->region = mmio_table_find(&g->mmio, base);
	if (!d->region || queue_count > FIXTURE_QUEUES_MAX)
		return false;
	fixture_virtio_write(d, VIRTIO_MMIO_STATUS, 0);
	fixture_virtio_write(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	fixture_virtio_write(d, VIRTIO_MMIO_STATUS,
			     VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	fixture_virtio_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	fixture_virtio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, features);
	fixture_virtio_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	fixture_virtio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, FEATURE_VERSION_1);
	fixture_virtio_write(d, VIRTIO_MMIO_STATUS, up);
	if (!(fixture_virtio_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return false;
	for (unsigned int q = 0; q < queue_count; q++) {
		struct fixture_queue *tq = &d->queues[q];
		gpa_t at = rings + FIXTURE_QUEUE_STRIDE * q;

		tq->desc = at;
		tq->avail = at + 0x1000;
		tq->used = at + 0x2000;
		CHECK_EQ(guest_copy_to(g, at, zero, sizeof(zero)), 0);
		fixture_virtio_write(d, VIRTIO_MMIO_QUEUE_SEL, q);
		if (fixture_virtio_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX) < FIXTURE_QUEUE_SIZE)
			return false;
		fixture_virtio_write(d, VIRTIO_MMIO_QUEUE_NUM, FIXTURE_QUEUE_SIZE);
		write_address(d, VIRTIO_MMIO_QUEUE_DESC_LOW, tq->desc);
		write_address(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, tq->avail);
		write_address(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, tq->used);
		fixture_virtio_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
		if (fixture_virtio_read(d, VIRTIO_MMIO_QUEUE_READY) != 1)
			return false;
	}
	fixture_virtio_write(d, VIRTIO_MMIO_STATUS, up | VIRTIO_STATUS_DRIVER_OK);
	return fixture_virtio_read(d, VIRTIO_MMIO_STATUS) == (up | VIRTIO_STATUS_DRIVER_OK);
}

void fixture_virtio_add(struct fixture_virtio *d, unsigned int q,
			const struct fixture_buffer *bufs, unsigned int count)
{
	struct fixture_queue *tq = &d->queues[q];
	uint16_t head = tq->next_desc;

	for (unsigned int i = 0; i < count; i++) {
		uint16_t index = (uint16_t)((head + i) % FIXTURE_QUEUE_SIZE);
		uint16_t flags = (uint16_t)((bufs[i].writable ? DESC_F_WRITE : 0) |
					    (i + 1 < count ? DESC_F_NEXT : 0));
		gpa_t desc = tq->desc + 16ULL * index;

		fixture_guest_put_le(d->g, desc, bufs[i].addr, 8);
		fixture_guest_put_le(d->g, desc + 8, bufs[i].len, 4);
		fixture_guest_put_le(d->g, desc + 12, flags, 2);
		fixture_guest_put_le(d->g, desc + 14, (index + 1) % FIXTURE_QUEUE_SIZE, 2);
	}
	tq->next_desc = (uint16_t)((head + count) % FIXTURE_QUEUE_SIZE);
	fixture_guest_put_le(d->g, tq->avail + 4 + 2ULL * (tq->avail_idx % FIXTURE_QUEUE_SIZE),
			     head, 2);
	tq->avail_idx++;
	fixture_guest_put_le(d->g, tq->avail + 2, tq->avail_idx, 2);
}

unsigned int fixture_run_work(void)
{
	unsigned int ran = 0;

	/* Bounded: a device that keeps itself busy must not hang a test. */
	for (unsigned int i = 0; i < FIXTURE_WORK_RUNS_MAX && work_pending(); i++)
		ran += work_run(1);
	return ran;
}

void fixture_virtio_notify(struct fixture_virtio *d, unsigned int q)
{
	fixture_virtio_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
	fixture_run_work();
}

long fixture_virtio_used(struct fixture_virtio *d, unsigned int q)
{
	struct fixture_queue *tq = &d->queues[q];
	gpa_t entry;

	fixture_run_work();
	if (fixture_guest_get_le(d->g, tq->used + 2, 2) == tq->used_seen)
		return -1;
	entry = tq->used + 4 + 8ULL * (tq->used_seen % FIXTURE_QUEUE_SIZE);
	tq->used_seen++;
	return (long)fixture_guest_get_le(d->g, entry + 4, 4);
}
