/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the tests that run guests on the host fake arch share: an in-memory
 * cpio "newc" image to mount as the image file system, loading guest nodes
 * from a compiled tree, the node checks' error messages, and a small
 * virtio-mmio driver that works a device through its registers and split
 * virtqueues in the guest's RAM, as a guest driver would.
 *
 * All tests run in one process and the image file system is global: each
 * test file builds its own archive and mounts it again in its set-up, so
 * it finds its files whatever another file mounted in between.
 */
#ifndef GUEST_FIXTURE_H
#define GUEST_FIXTURE_H

#include <keel/guest.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the image file system ---- */

struct fixture_archive {
	char *data;
	size_t len;
	bool finished;                  /* the trailer is written */
	bool guests_loaded;             /* by fixture_archive_mount_guests() */
};

/* Appends a file or directory; data NULL with a size appends zeros. */
void fixture_archive_add(struct fixture_archive *archive, const char *name,
			 uint32_t mode, const void *data, size_t size);
/* Adds the guests directory and a 4 KiB guests/kernel.bin of zeros: the
 * payload most test nodes name. */
void fixture_archive_add_kernel(struct fixture_archive *archive);
/* Ends the archive (once) and mounts it; false when the mount fails. */
bool fixture_archive_mount(struct fixture_archive *archive);
/* Mounts the archive and, the first time, loads the count guests of the
 * tree in dtb_path (see fixture_load_guests_from()): true when both are
 * done. */
bool fixture_archive_mount_guests(struct fixture_archive *archive, const char *dtb_path,
				  int count);

/* ---- guest nodes ---- */

/* A whole file into a fresh malloc()ed buffer (at most 64 KiB); false
 * when it cannot be read or is empty. */
bool fixture_read_file(const char *path, char **data, size_t *len);
/* Starts the scheduler and loads the guest nodes of a tree: true when
 * exactly count guests were loaded, otherwise prints the error. */
bool fixture_load_guests(const void *dtb, size_t dtb_len, int count);
/* The same from a compiled tree in a file. */
bool fixture_load_guests_from(const char *dtb_path, int count);

struct fixture_node_error {
	const char *guest;              /* the node /guests/<guest> */
	const char *message;            /* what guest_config_parse() says */
};

/* Checks that each guest node of the tree in dtb_path is refused by
 * guest_config_parse() with its message. */
void fixture_check_node_errors(const char *dtb_path, const struct fixture_node_error *cases,
			       size_t count);

/* ---- guest memory ---- */

/* What the page allocator and the heap hold now: a guest destroyed (or
 * one that failed to be created) must give back all it took. */
uint64_t fixture_free_pages(void);
uint64_t fixture_live_allocations(void);

/* A guest that is only RAM: no devices, never created, for tests of one
 * part of an emulator. */
struct fixture_ram_guest {
	struct guest g;
	uint8_t *ram;                   /* kept from one test to the next */
	void *chunks[1];
};

/* Makes rg's guest afresh, named name, with size bytes of zeroed RAM at
 * base (one chunk: size at most GUEST_MEM_CHUNK_SIZE, the same each
 * call). */
struct guest *fixture_ram_guest_reset(struct fixture_ram_guest *rg, const char *name, gpa_t base,
				      size_t size);

/* Little-endian values of 1 to 8 bytes in a guest's RAM. */
void fixture_guest_put_le(struct guest *g, gpa_t at, uint64_t value, unsigned int bytes);
uint64_t fixture_guest_get_le(struct guest *g, gpa_t at, unsigned int bytes);

/* ---- a virtio-mmio driver ---- */

#define FIXTURE_QUEUE_SIZE 8
#define FIXTURE_QUEUES_MAX 3
/* Queue q's descriptors, available and used ring are 0x1000 apart from
 * rings + FIXTURE_QUEUE_STRIDE * q. */
#define FIXTURE_QUEUE_STRIDE 0x4000

struct fixture_queue {
	gpa_t desc, avail, used;
	uint16_t avail_idx, used_seen, next_desc;
};

struct fixture_virtio {
	struct guest *g;
	const struct mmio_region *region;
	struct fixture_queue queues[FIXTURE_QUEUES_MAX];
};

struct fixture_buffer {
	gpa_t addr;
	uint32_t len;
	bool writable;
};

/* A 32-bit register of the device, as a guest's access would reach it. */
uint32_t fixture_virtio_read(struct fixture_virtio *d, uint64_t offset);
void fixture_virtio_write(struct fixture_virtio *d, uint64_t offset, uint32_t value);
/* Resets the device at base of guest g and brings it up as a driver does:
 * VERSION_1 and features (low word) accepted, queue_count queues of
 * FIXTURE_QUEUE_SIZE entries with zeroed rings from rings. True when the
 * device took it all. */
bool fixture_virtio_start(struct fixture_virtio *d, struct guest *g, gpa_t base, gpa_t rings,
			  unsigned int queue_count, uint32_t features);
/* Makes a chain of buffers available on queue q (without notifying). */
void fixture_virtio_add(struct fixture_virtio *d, unsigned int q,
			const struct fixture_buffer *bufs, unsigned int count);
/* Notifies queue q, then runs the deferred work that asked for (as the
 * scheduler does between two vCPU runs). */
void fixture_virtio_notify(struct fixture_virtio *d, unsigned int q);
/* Runs queued deferred work items (keel/work.h), at most
 * FIXTURE_WORK_RUNS_MAX; returns how many ran. */
#define FIXTURE_WORK_RUNS_MAX 1000
unsigned int fixture_run_work(void);
/* Takes the next used entry of queue q (after running deferred work): its
 * length, or -1 when the device has not returned one. */
long fixture_virtio_used(struct fixture_virtio *d, unsigned int q);

#endif
