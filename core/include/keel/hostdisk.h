/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host disks: block devices of the machine Keel runs on (the host
 * virtio-blk driver registers them as vda, vdb, ...), for backends such as
 * virtio-blk's hostdisk:vda[@offset+length].
 *
 * A driver fills a struct hostdisk and registers it; users find it by
 * name, claim a byte range of it (two claims never overlap, so two guests
 * cannot share sectors) and read, write and flush whole 512-byte sectors.
 * Requests to one disk are serialised by its lock: the driver's ops never
 * run twice at once for one disk.
 */
#ifndef KEEL_HOSTDISK_H
#define KEEL_HOSTDISK_H

#include <keel/spinlock.h>
#include <keel/types.h>

#define HOSTDISK_SECTOR_SIZE 512u
#define HOSTDISK_NAME_MAX 8         /* "vda" ... "vdz", with room to spare */
#define HOSTDISK_SERIAL_MAX 20      /* virtio-blk GET_ID: up to 20 bytes */
#define HOSTDISK_WHERE_MAX 32       /* "virtio-mmio@0xa003e00" */
#define HOSTDISK_OWNER_MAX 64       /* "guest hd0 vblk0" */

struct hostdisk;

/* What a driver provides. buf is Keel memory (heap or pages); count is in
 * sectors and never 0. Each returns 0 or a negative -KEEL_E* code. */
struct hostdisk_ops {
	int (*read)(struct hostdisk *disk, uint64_t sector, void *buf, size_t count);
	int (*write)(struct hostdisk *disk, uint64_t sector, const void *buf,
		     size_t count);
	/* Optional: makes earlier writes durable. */
	int (*flush)(struct hostdisk *disk);
};

/* A byte range of a disk that one user holds. */
struct hostdisk_claim {
	struct hostdisk_claim *next;
	struct hostdisk *disk;
	uint64_t offset;
	uint64_t length;
	char owner[HOSTDISK_OWNER_MAX];
};

struct hostdisk {
	char name[HOSTDISK_NAME_MAX];
	char serial[HOSTDISK_SERIAL_MAX + 1]; /* "" when the device has none */
	char where[HOSTDISK_WHERE_MAX];       /* the device, for messages */
	uint64_t sectors;
	const struct hostdisk_ops *ops;
	void *driver_data;
	/* Managed by hostdisk.c. */
	spinlock_t lock;                      /* serialises requests */
	struct hostdisk_claim *claims;        /* sorted by offset */
	uint64_t reads, writes, errors;       /* requests served (lock) */
	struct hostdisk *next;
};

/* Adds disk (name, sectors and ops filled in) to the list, after those
 * registered before it. -KEEL_EEXIST when the name is taken. */
int hostdisk_register(struct hostdisk *disk);
/* The disk called name, or NULL. */
struct hostdisk *hostdisk_find(const char *name);
/* The index-th registered disk (registration order), or NULL. */
struct hostdisk *hostdisk_at(unsigned int index);
/* Capacity in bytes. */
uint64_t hostdisk_capacity(const struct hostdisk *disk);

/* Sector I/O: sector + count must be inside the disk. */
int hostdisk_read(struct hostdisk *disk, uint64_t sector, void *buf, size_t count);
int hostdisk_write(struct hostdisk *disk, uint64_t sector, const void *buf,
		   size_t count);
int hostdisk_flush(struct hostdisk *disk);

/*
 * Reserves bytes [offset, offset + length) of disk for owner. Both must be
 * multiples of 512 and the range inside the disk; a range that overlaps
 * an existing claim is refused with -KEEL_EBUSY. On failure writes one
 * message into err (without the owner's name: the caller says who asks).
 */
int hostdisk_claim(struct hostdisk *disk, uint64_t offset, uint64_t length,
		   const char *owner, struct hostdisk_claim **out, char *err,
		   size_t err_len);
void hostdisk_release(struct hostdisk_claim *claim);
/* Calls fn for each claim of disk, in offset order, under the registry
 * lock (fn must not claim or release). */
void hostdisk_for_each_claim(struct hostdisk *disk,
			     void (*fn)(const struct hostdisk_claim *claim, void *ctx),
			     void *ctx);

/* Forgets every disk (unit tests). Claims must have been released. */
void hostdisk_reset_all(void);

#endif
