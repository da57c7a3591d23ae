/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `disk`: the host's disks (keel/hostdisk.h) with their size, serial and
 * device, and which guest device uses which range of each.
 */
#include <keel/errno.h>
#include <keel/hostdisk.h>
#include <keel/log.h>
#include <keel/shell.h>
#include <lib/format.h>
#include <string.h>

#define DISK_CLAIMS_SHOWN 16

struct disk_claims {
	struct hostdisk_claim copy[DISK_CLAIMS_SHOWN];
	unsigned int count;
	unsigned int more;
};

/* "4 MiB", "12 KiB" or "1000 B": the largest unit that divides bytes. */
static void disk_format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int unit = 0;

	while (bytes && bytes % 1024 == 0 && unit + 1 < ARRAY_SIZE(units)) {
		bytes /= 1024;
		unit++;
	}
	fmt_snprintf(buf, len, "%llu %s", (unsigned long long)bytes, units[unit]);
}

static void disk_copy_claim(const struct hostdisk_claim *claim, void *ctx)
{
	struct disk_claims *claims = ctx;

	if (claims->count < DISK_CLAIMS_SHOWN)
		claims->copy[claims->count++] = *claim;
	else
		claims->more++;
}

static void disk_print(struct hostdisk *disk)
{
	static struct disk_claims claims;
	char size[24], offset[24], length[24];

	disk_format_size(size, sizeof(size), hostdisk_capacity(disk));
	kprintf("%-7s  %-10s  %12llu  %-20s  %s\n", disk->name, size,
		(unsigned long long)disk->sectors, disk->serial[0] ? disk->serial : "-",
		disk->where);
	/* Copied first: printing is slow, the claim list's lock masks interrupts. */
	memset(&claims, 0, sizeof(claims));
	hostdisk_for_each_claim(disk, disk_copy_claim, &claims);
	for (unsigned int i = 0; i < claims.count; i++) {
		const struct hostdisk_claim *c = &claims.copy[i];

		disk_format_size(offset, sizeof(offset), c->offset);
		disk_format_size(length, sizeof(length), c->length);
		kprintf("         used by %s: %s+%s (bytes %llu-%llu)\n", c->owner,
			offset, length, (unsigned long long)c->offset,
			(unsigned long long)(c->offset + c->length - 1));
	}
	if (claims.more)
		kprintf("         and %u more ranges\n", claims.more);
	if (!claims.count)
		kprintf("         not used by any guest\n");
}

static int disk_list(void)
{
	struct hostdisk *disk;
	unsigned int i;

	for (i = 0; (disk = hostdisk_at(i)) != NULL; i++) {
		if (!i)
			kprintf("%-7s  %-10s  %12s  %-20s  %s\n", "name", "capacity",
				"sectors", "serial", "device");
		disk_print(disk);
	}
	if (!i)
		kprintf("(no host disks: QEMU gives Keel one with tools/run --disk FILE)\n");
	return 0;
}

static int disk_run(int argc, char **argv)
{
	if (argc == 1 || (argc == 2 && strcmp(argv[1], "list") == 0))
		return disk_list();
	kprintf("disk: unknown arguments; the only subcommand is `disk list`\n");
	return -KEEL_EINVAL;
}

SHELL_COMMAND(disk,
	.name = "disk",
	.usage = "disk [list]",
	.summary = "list the host's disks and the guests that use them",
	.help = "list (the default): each host disk (vda, vdb, ... in the order\n"
		"of the host device tree's virtio-mmio nodes) with its capacity,\n"
		"512-byte sectors, serial (\"-\" when the device has none) and\n"
		"device, then each range a guest's hostdisk: backend uses.",
	.run = disk_run);
