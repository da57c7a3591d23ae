/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host disks a driver registered, the byte ranges users claimed on
 * them, and sector I/O serialised per disk.
 */
#include <keel/errno.h>
#include <keel/hostdisk.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <lib/format.h>
#include <string.h>

/* Guards the disk list and every disk's claim list. */
static spinlock_t hostdisk_registry_lock = SPINLOCK_INIT;
static struct hostdisk *hostdisk_list;

int hostdisk_register(struct hostdisk *disk)
{
	struct hostdisk **tail;
	unsigned long flags;

	if (!disk->ops || !disk->ops->read || !disk->ops->write || !disk->name[0])
		return -KEEL_EINVAL;
	disk->lock = (spinlock_t)SPINLOCK_INIT;
	disk->claims = NULL;
	disk->next = NULL;
	disk->reads = disk->writes = disk->errors = 0;
	flags = spin_lock_irqsave(&hostdisk_registry_lock);
	for (tail = &hostdisk_list; *tail; tail = &(*tail)->next) {
		if (strcmp((*tail)->name, disk->name) == 0) {
			spin_unlock_irqrestore(&hostdisk_registry_lock, flags);
			return -KEEL_EEXIST;
		}
	}
	*tail = disk;
	spin_unlock_irqrestore(&hostdisk_registry_lock, flags);
	return 0;
}

struct hostdisk *hostdisk_find(const char *name)
{
	struct hostdisk *disk;
	unsigned long flags = spin_lock_irqsave(&hostdisk_registry_lock);

	for (disk = hostdisk_list; disk; disk = disk->next)
		if (strcmp(disk->name, name) == 0)
			break;
	spin_unlock_irqrestore(&hostdisk_registry_lock, flags);
	return disk;
}

struct hostdisk *hostdisk_at(unsigned int index)
{
	struct hostdisk *disk;
	unsigned long flags = spin_lock_irqsave(&hostdisk_registry_lock);

	for (disk = hostdisk_list; disk && index; disk = disk->next)
		index--;
	spin_unlock_irqrestore(&hostdisk_registry_lock, flags);
	return disk;
}

uint64_t hostdisk_capacity(const struct hostdisk *disk)
{
	return disk->sectors * HOSTDISK_SECTOR_SIZE;
}

static bool hostdisk_range_ok(const struct hostdisk *disk, uint64_t sector, size_t count)
{
	return count && sector <= disk->sectors && count <= disk->sectors - sector;
}

int hostdisk_read(struct hostdisk *disk, uint64_t sector, void *buf, size_t count)
{
	unsigned long flags;
	int ret;

	if (!hostdisk_range_ok(disk, sector, count))
		return -KEEL_ERANGE;
	flags = spin_lock_irqsave(&disk->lock);
	ret = disk->ops->read(disk, sector, buf, count);
	disk->reads++;
	if (ret)
		disk->errors++;
	spin_unlock_irqrestore(&disk->lock, flags);
	return ret;
}

int hostdisk_write(struct hostdisk *disk, uint64_t sector, const void *buf, size_t count)
{
	unsigned long flags;
	int ret;

	if (!hostdisk_range_ok(disk, sector, count))
		return -KEEL_ERANGE;
	flags = spin_lock_irqsave(&disk->lock);
	ret = disk->ops->write(disk, sector, buf, count);
	disk->writes++;
	if (ret)
		disk->errors++;
	spin_unlock_irqrestore(&disk->lock, flags);
	return ret;
}

int hostdisk_flush(struct hostdisk *disk)
{
	unsigned long flags;
	int ret = 0;

	if (!disk->ops->flush)
		return 0;
	flags = spin_lock_irqsave(&disk->lock);
	ret = disk->ops->flush(disk);
	if (ret)
		disk->errors++;
	spin_unlock_irqrestore(&disk->lock, flags);
	return ret;
}

int hostdisk_claim(struct hostdisk *disk, uint64_t offset, uint64_t length,
		   const char *owner, struct hostdisk_claim **out, char *err,
		   size_t err_len)
{
	uint64_t capacity = hostdisk_capacity(disk);
	struct hostdisk_claim *claim, **pos;
	unsigned long flags;

	if (offset % HOSTDISK_SECTOR_SIZE || length % HOSTDISK_SECTOR_SIZE || !length) {
		fmt_snprintf(err, err_len,
			     "%s: offset %llu and length %llu must be non-zero multiples of 512 bytes",
			     disk->name, (unsigned long long)offset, (unsigned long long)length);
		return -KEEL_EINVAL;
	}
	if (offset > capacity || length > capacity - offset) {
		fmt_snprintf(err, err_len,
			     "%s: bytes %llu-%llu are outside the disk (%llu bytes)",
			     disk->name, (unsigned long long)offset,
			     (unsigned long long)(offset + length - 1),
			     (unsigned long long)capacity);
		return -KEEL_ERANGE;
	}
	claim = kzalloc(sizeof(*claim));
	if (!claim)
		return -KEEL_ENOMEM;
	claim->disk = disk;
	claim->offset = offset;
	claim->length = length;
	fmt_snprintf(claim->owner, sizeof(claim->owner), "%s", owner);

	flags = spin_lock_irqsave(&hostdisk_registry_lock);
	for (pos = &disk->claims; *pos; pos = &(*pos)->next) {
		const struct hostdisk_claim *c = *pos;

		if (offset < c->offset + c->length && c->offset < offset + length) {
			fmt_snprintf(err, err_len,
				     "%s: bytes %llu-%llu overlap bytes %llu-%llu, which %s uses",
				     disk->name, (unsigned long long)offset,
				     (unsigned long long)(offset + length - 1),
				     (unsigned long long)c->offset,
				     (unsigned long long)(c->offset + c->length - 1), c->owner);
			spin_unlock_irqrestore(&hostdisk_registry_lock, flags);
			kfree(claim);
			return -KEEL_EBUSY;
		}
		if (c->offset > offset)
			break;
	}
	/* No later claim can overlap: they start after this one ends. */
	claim->next = *pos;
	*pos = claim;
	spin_unlock_irqrestore(&hostdisk_registry_lock, flags);
	*out = claim;
	return 0;
}

void hostdisk_release(struct hostdisk_claim *claim)
{
	struct hostdisk_claim **pos;
	unsigned long flags;

	if (!claim)
		return;
	flags = spin_lock_irqsave(&hostdisk_registry_lock);
	for (pos = &claim->disk->claims; *pos; pos = &(*pos)->next) {
		if (*pos == claim) {
			*pos = claim->next;
			break;
		}
	}
	spin_unlock_irqrestore(&hostdisk_registry_lock, flags);
	kfree(claim);
}

void hostdisk_for_each_claim(struct hostdisk *disk,
			     void (*fn)(const struct hostdisk_claim *claim, void *ctx),
			     void *ctx)
{
	unsigned long flags = spin_lock_irqsave(&hostdisk_registry_lock);

	for (const struct hostdisk_claim *c = disk->claims; c; c = c->next)
		fn(c, ctx);
	spin_unlock_irqrestore(&hostdisk_registry_lock, flags);
}

void hostdisk_reset_all(void)
{
	unsigned long flags = spin_lock_irqsave(&hostdisk_registry_lock);

	hostdisk_list = NULL;
	spin_unlock_irqrestore(&hostdisk_registry_lock, flags);
}
