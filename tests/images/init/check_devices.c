/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checks of what the guest was given: its virtio devices, its CPUs, and the
 * two devices that need no peer to prove they move data (rng, console).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

#define VIRTIO_DEVICES_DIR "/sys/bus/virtio/devices"
#define RNG_BYTES 64

struct virtio_kind {
	unsigned int id;	/* the virtio device ID */
	const char *name;
};

/* Every device a Keel Linux guest node declares. */
static const struct virtio_kind virtio_kinds[] = {
	{ 1, "net" }, { 2, "blk" }, { 3, "console" }, { 4, "rng" }, { 19, "vsock" },
};
#define VIRTIO_KIND_COUNT (sizeof(virtio_kinds) / sizeof(virtio_kinds[0]))

/* Reads the first line of a sysfs file, without its "\n"; 0 or -errno. */
static int sysfs_read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Appends " word" (no space when first) to a string of size `size`. */
static void words_append(char *list, size_t size, const char *word)
{
	size_t len = strlen(list);

	snprintf(list + len, size - len, "%s%s", len ? " " : "", word);
}

enum check_result check_virtio_devices(const struct params *p, char *detail, size_t size)
{
	unsigned int found[VIRTIO_KIND_COUNT] = { 0 }, total = 0;
	char missing[64] = "", present[64] = "";
	struct dirent *e;
	DIR *dir;

	dir = opendir(VIRTIO_DEVICES_DIR);
	if (!dir)
		return check_fail(detail, size, "%s: %m", VIRTIO_DEVICES_DIR);
	while ((e = readdir(dir))) {
		char path[300], id[32];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/device", VIRTIO_DEVICES_DIR, e->d_name);
		if (sysfs_read_line(path, id, sizeof(id)))
			continue;
		total++;
		for (size_t k = 0; k < VIRTIO_KIND_COUNT; k++)
			if (strtoul(id, NULL, 0) == virtio_kinds[k].id)
				found[k]++;
	}
	closedir(dir);
	for (size_t k = 0; k < VIRTIO_KIND_COUNT; k++) {
		if (found[k])
			words_append(present, sizeof(present), virtio_kinds[k].name);
		else
			words_append(missing, sizeof(missing), virtio_kinds[k].name);
	}
	if (*missing)
		return check_fail(detail, size, "missing: %s (found %u device(s): %s)", missing,
				  total, *present ? present : "none");
	return check_pass(detail, size, "%u devices: %s", total, present);
}

/* Counts the CPUs in a sysfs CPU list such as "0-1,3"; -1 if malformed. */
static int cpu_list_count(const char *list)
{
	int count = 0;

	while (*list) {
		char *end;
		long first = strtol(list, &end, 10), last = first;

		if (end == list)
			return -1;
		if (*end == '-')
			last = strtol(end + 1, &end, 10);
		if (last < first)
			return -1;
		count += (int)(last - first + 1);
		list = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return count;
}

enum check_result check_cpus(const struct params *p, char *detail, size_t size)
{
	char online[64], possible[64];
	int n_online, n_possible;

	if (sysfs_read_line("/sys/devices/system/cpu/online", online, sizeof(online)) ||
	    sysfs_read_line("/sys/devices/system/cpu/possible", possible, sizeof(possible)))
		return check_fail(detail, size, "/sys/devices/system/cpu: %m");
	n_online = cpu_list_count(online);
	n_possible = cpu_list_count(possible);
	if (n_online < 1 || n_possible < 1)
		return check_fail(detail, size, "cannot read online \"%s\", possible \"%s\"",
				  online, possible);
	if (n_online != n_possible)
		return check_fail(detail, size, "%d of %d CPUs online (online %s, possible %s)",
				  n_online, n_possible, online, possible);
	return check_pass(detail, size, "%d of %d CPUs online", n_online, n_possible);
}

/* Reads exactly len bytes; 0 or -errno. */
static int rng_read(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		got += (size_t)n;
	}
	return 0;
}

enum check_result check_virtio_rng(const struct params *p, char *detail, size_t size)
{
	unsigned char first[RNG_BYTES], second[RNG_BYTES];
	char current[64];
	int fd, err;

	if (sysfs_read_line("/sys/class/misc/hw_random/rng_current", current, sizeof(current)))
		return check_fail(detail, size, "no hw_random device: %m");
	/* Another source (the SMCCC TRNG) would mean we are not testing virtio. */
	if (!strstr(current, "virtio"))
		return check_fail(detail, size, "current rng is \"%s\", not virtio", current);
	fd = open("/dev/hwrng", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return check_fail(detail, size, "/dev/hwrng: %m");
	err = rng_read(fd, first, sizeof(first));
	if (!err)
		err = rng_read(fd, second, sizeof(second));
	close(fd);
	if (err)
		return check_fail(detail, size, "read /dev/hwrng: %s", strerror(-err));
	if (!memcmp(first, second, sizeof(first)))
		return check_fail(detail, size, "two %d-byte reads from %s are equal", RNG_BYTES,
				  current);
	return check_pass(detail, size, "%s: two %d-byte reads differ", current, RNG_BYTES);
}

enum check_result check_virtio_console(const struct params *p, char *detail, size_t size)
{
	double deadline = time_now() + 5;
	int fd, len, written = 0, err = 0;
	char line[128];

	len = snprintf(line, sizeof(line), "%s: hello on hvc0\n", p->name);
	/* Non-blocking: a port nobody drains must not stall the check. */
	fd = open("/dev/hvc0", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return check_fail(detail, size, "/dev/hvc0: %m");
	while (written < len && !err) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t n = write(fd, line + written, (size_t)(len - written));

		if (n > 0)
			written += (int)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			err = errno;
		else if (poll(&pfd, 1, time_left_ms(deadline)) == 0)
			err = ETIMEDOUT;
	}
	close(fd);
	if (err)
		return check_fail(detail, size, "write to /dev/hvc0: %s", strerror(err));
	return check_pass(detail, size, "wrote \"%.*s\" to /dev/hvc0", len - 1, line);
}
