/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Limits on the RAM that file-backed virtio-blk disks copy on write.
 *
 * A file:<path> disk serves the image file in place and copies a 4 KiB
 * block to RAM on its first write, so a guest that writes its whole disk
 * takes the file's size in Keel memory. The copies are charged to the
 * guest: at most BLK_COW_GUEST_MAX bytes for all of a guest's file disks
 * together, and at most BLK_COW_GLOBAL_MAX for all guests. A write that
 * needs a block over either limit fails with IOERR (the guest sees a
 * failing disk, not Keel running out of memory), is counted, and logged
 * at most twice a second per disk, naming the guest and the device. A
 * guest's charge goes away with its disks (guest destroy); a reset keeps
 * the disk's contents and so its charge.
 *
 * Locking: blk_cow_lock, shared by all guests, guards the charges and is
 * held only to add or take away a count (never across guest-sized work);
 * it is taken under a disk's own lock, and nothing is taken under it.
 */
#ifndef EMULATORS_VIRTIO_BLK_COW_H
#define EMULATORS_VIRTIO_BLK_COW_H

#include <keel/types.h>

#define BLK_COW_GUEST_MAX (64ULL << 20)   /* copied bytes, one guest */
#define BLK_COW_GLOBAL_MAX (256ULL << 20) /* copied bytes, all guests */

struct guest;
struct blk_cow_account;

/* The account g's file disks share, made with the first; NULL when out of
 * memory. Each get is matched by a put. */
struct blk_cow_account *blk_cow_account_get(struct guest *g);
/* Gives back a disk's blocks of block_size bytes and its share of the
 * account (nothing for NULL). */
void blk_cow_account_put(struct blk_cow_account *a, uint64_t blocks, uint64_t block_size);
enum blk_cow_verdict {
	BLK_COW_CHARGED,
	BLK_COW_OVER_GUEST,              /* BLK_COW_GUEST_MAX reached */
	BLK_COW_OVER_GLOBAL,             /* BLK_COW_GLOBAL_MAX reached */
};

/* Charges one block of block_size bytes, or counts a refusal. */
enum blk_cow_verdict blk_cow_charge(struct blk_cow_account *a, uint64_t block_size);
/* Takes back a charge whose block could not be made. */
void blk_cow_uncharge(struct blk_cow_account *a, uint64_t block_size);
/* What g's file disks hold in copies and how many writes the limits
 * refused; false when g has no file disk. */
bool blk_cow_usage(const struct guest *g, uint64_t *bytes, uint64_t *refused);

#endif
