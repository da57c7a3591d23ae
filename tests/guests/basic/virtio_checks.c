/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checks of virtio devices through the guest's own driver (virtio.c). Each
 * runs only when the DTB has such a device, and resets the device when it
 * is done, so that the device holds none of the guest's buffers afterwards.
 * Buffers are static: the ram check leaves the guest's image alone.
 */
#include "arch.h"
#include "virtio.h"

/* Finds the device with device_id and brings it up with the queues given:
 * false (r says SKIP or FAIL) when the check cannot go on. */
static bool device_open(struct check_result *r, struct virtio_device *dev,
			uint32_t device_id, uint64_t wanted,
			uint32_t config_size, struct virtq *const *queues,
			unsigned int queue_count)
{
	const char *why;

	if (!virtio_find(device_id, dev)) {
		check_skip(r, "%s", dev->error);
		return false;
	}
	why = virtio_start(dev, wanted, config_size);
	for (unsigned int i = 0; !why && i < queue_count; i++)
		why = virtio_queue_start(dev, queues[i], i);
	if (!why)
		why = virtio_driver_ok(dev);
	if (why) {
		check_fail(r, "%s", why);
		virtio_stop(dev);
		return false;
	}
	return true;
}

/* Reads option `key` from the command line: its index in values, or -1
 * (r failed) when it has a value not among them; absent is index 0. */
static int option_choice(struct check_result *r, const char *key,
			 const char *const *values, unsigned int count)
{
	char value[16] = "";

	bootargs_option(board.bootargs, key, value, sizeof(value));
	if (!value[0])
		return 0;
	for (unsigned int i = 0; i < count; i++)
		if (string_equal(value, values[i]))
			return (int)i;
	check_fail(r, "option %s\"%s\" is not one this check knows", key, value);
	return -1;
}

static char printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f ? (char)c : '?';
}

/* ----------------------------------------------------------- virtio-rng --- */

#define RNG_BYTES 64

static struct virtq rng_queue;
static uint8_t rng_buffers[2][RNG_BYTES] __attribute__((aligned(16)));

/* Fills buf with RNG_BYTES from the device, in as many requests as it takes,
 * within 1 s. */
static bool rng_read(struct check_result *r, struct virtio_device *dev,
		     uint8_t *buf, unsigned int read)
{
	uint64_t start = arch_counter_read();
	uint32_t filled = 0;

	memset(buf, 0, RNG_BYTES);
	while (filled < RNG_BYTES) {
		struct virtq_buffer b = {
			.data = buf + filled,
			.len = RNG_BYTES - filled,
			.device_writes = true,
		};
		uint64_t spent = arch_counter_read() - start;
		uint32_t written = 0;
		const char *why;

		if (spent >= counter_hz) {
			check_fail(r, "read %u: expected %u bytes within 1 s; the device gave %u",
				   read, RNG_BYTES, filled);
			return false;
		}
		why = virtq_transfer(dev, &rng_queue, &b, 1, counter_hz - spent,
				     &written);
		if (why) {
			check_fail(r, "read %u: %s", read, why);
			return false;
		}
		filled += written;
	}
	return true;
}

static bool rng_all_one_value(const uint8_t *buf)
{
	for (unsigned int i = 1; i < RNG_BYTES; i++)
		if (buf[i] != buf[0])
			return false;
	return true;
}

static void check_virtio_rng(struct check_result *r)
{
	struct virtq *const queues[] = { &rng_queue };
	const uint8_t *a = rng_buffers[0], *b = rng_buffers[1];
	struct virtio_device dev;
	bool differ = false;

	if (!device_open(r, &dev, VIRTIO_ID_RNG, 0, 0, queues, 1))
		return;
	if (!rng_read(r, &dev, rng_buffers[0], 1) ||
	    !rng_read(r, &dev, rng_buffers[1], 2))
		goto out;
	for (unsigned int i = 0; i < RNG_BYTES; i++)
		differ |= a[i] != b[i];
	if (!differ)
		check_fail(r, "expected two reads of %u bytes to differ; both are the same", RNG_BYTES);
	else if (rng_all_one_value(a) || rng_all_one_value(b))
		check_fail(r, "expected random bytes; read %u is %u times 0x%02x",
			   rng_all_one_value(a) ? 1 : 2, RNG_BYTES,
			   rng_all_one_value(a) ? a[0] : b[0]);
	else
		check_pass(r, "%s, queue size %u: 2 reads of %u bytes, different; %02x%02x%02x%02x... and %02x%02x%02x%02x...",
			   dev.name, rng_queue.size, RNG_BYTES, a[0], a[1], a[2],
			   a[3], b[0], b[1], b[2], b[3]);
out:
	virtio_stop(&dev);
}
CHECK_DEFINE(90, virtio_rng, "virtio-rng", check_virtio_rng, false);

/* ----------------------------------------------------------- virtio-blk --- */

#define VIRTIO_BLK_F_RO (1ULL << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ULL << 6)
#define VIRTIO_BLK_F_FLUSH (1ULL << 9)

#define VIRTIO_BLK_T_IN 0U
#define VIRTIO_BLK_T_OUT 1U
#define VIRTIO_BLK_T_FLUSH 4U
#define VIRTIO_BLK_T_GET_ID 8U

#define VIRTIO_BLK_S_OK 0U
#define VIRTIO_BLK_S_IOERR 1U
#define VIRTIO_BLK_S_UNSUPP 2U

/* struct virtio_blk_config: capacity (le64) at 0, blk_size (le32) at 20. */
#define BLK_CONFIG_CAPACITY 0
#define BLK_CONFIG_BLK_SIZE 20
#define BLK_CONFIG_SIZE 24

#define BLK_SECTOR_BYTES 512U		/* virtio-blk's unit, whatever blk_size */
#define BLK_CHUNK_BYTES 4096U
#define BLK_ID_BYTES 20U
/* The same on every boot, so that basic.blk=keep finds what it wrote. */
#define BLK_PATTERN_SEED 0x6b65656c2d626c6bULL	/* "keel-blk" */
#define BLK_STATUS_UNWRITTEN 0xffU

struct blk_request_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct virtq blk_queue;
static struct blk_request_header blk_header __attribute__((aligned(16)));
static uint64_t blk_data[BLK_CHUNK_BYTES / 8] __attribute__((aligned(16)));
static uint8_t blk_id[BLK_ID_BYTES] __attribute__((aligned(16)));
static uint8_t blk_status __attribute__((aligned(16)));

static const char *blk_type_name(uint32_t type)
{
	switch (type) {
	case VIRTIO_BLK_T_IN:
		return "IN";
	case VIRTIO_BLK_T_OUT:
		return "OUT";
	case VIRTIO_BLK_T_FLUSH:
		return "FLUSH";
	default:
		return "GET_ID";
	}
}

/* Word `word` of the pattern for the 4 KiB at `sector`. */
static uint64_t blk_pattern(uint64_t sector, unsigned int word)
{
	uint64_t x = BLK_PATTERN_SEED + sector * 0x9e3779b97f4a7c15ULL + word;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return x;
}

/* The first word of blk_data that differs from the pattern, or -1. */
static int blk_pattern_mismatch(uint64_t sector)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(blk_data); i++)
		if (blk_data[i] != blk_pattern(sector, i))
			return (int)i;
	return -1;
}

/*
 * One request: the header, len bytes of data (none when len is 0), the
 * status byte. *status is what the device wrote there; false (r failed)
 * when the request did not come back or the status byte stayed unwritten.
 */
static bool blk_request(struct check_result *r, struct virtio_device *dev,
			uint32_t type, uint64_t sector, void *data,
			uint32_t len, uint8_t *status)
{
	struct virtq_buffer bufs[3];
	unsigned int n = 0;
	uint32_t written = 0;
	const char *why;

	blk_header.type = type;
	blk_header.reserved = 0;
	blk_header.sector = sector;
	blk_status = BLK_STATUS_UNWRITTEN;
	bufs[n++] = (struct virtq_buffer){ &blk_header, sizeof(blk_header), false };
	if (len)
		bufs[n++] = (struct virtq_buffer){ data, len,
						   type != VIRTIO_BLK_T_OUT };
	bufs[n++] = (struct virtq_buffer){ &blk_status, 1, true };
	why = virtq_transfer(dev, &blk_queue, bufs, n, counter_hz, &written);
	if (why) {
		check_fail(r, "%s request: %s", blk_type_name(type), why);
		return false;
	}
	if (blk_status == BLK_STATUS_UNWRITTEN) {
		check_fail(r, "%s request: the device returned it without writing the status byte",
			   blk_type_name(type));
		return false;
	}
	*status = blk_status;
	return true;
}

/* A request that must end with status OK. */
static bool blk_request_ok(struct check_result *r, struct virtio_device *dev,
			   uint32_t type, uint64_t sector, void *data,
			   uint32_t len)
{
	uint8_t status;

	if (!blk_request(r, dev, type, sector, data, len, &status))
		return false;
	if (status == VIRTIO_BLK_S_OK)
		return true;
	check_fail(r, "expected status OK (0) for %s at sector %lu; got %u%s",
		   blk_type_name(type), sector, status,
		   status == VIRTIO_BLK_S_IOERR ? " (IOERR)" :
		   status == VIRTIO_BLK_S_UNSUPP ? " (UNSUPP)" : "");
	return false;
}

/* GET_ID into id (a C string, "?" for what does not print); false (r
 * failed) on an error other than UNSUPP, which gives "(unsupported)". */
static bool blk_get_id(struct check_result *r, struct virtio_device *dev,
		       char *id)
{
	uint8_t status;
	unsigned int n = 0;

	memset(blk_id, 0, sizeof(blk_id));
	if (!blk_request(r, dev, VIRTIO_BLK_T_GET_ID, 0, blk_id, BLK_ID_BYTES,
			 &status))
		return false;
	if (status == VIRTIO_BLK_S_UNSUPP) {
		format_string(id, BLK_ID_BYTES + 3, "(unsupported)");
		return true;
	}
	if (status != VIRTIO_BLK_S_OK) {
		check_fail(r, "expected status OK (0) or UNSUPP (2) for GET_ID; got %u",
			   status);
		return false;
	}
	id[n++] = '"';
	for (unsigned int i = 0; i < BLK_ID_BYTES && blk_id[i]; i++)
		id[n++] = printable(blk_id[i]);
	id[n++] = '"';
	id[n] = '\0';
	return true;
}

/* Where the check writes: the middle of the disk, aligned to 4 KiB and to
 * blk_size when that is a larger power of 2. */
static uint64_t blk_test_sector(uint64_t capacity, uint32_t blk_size)
{
	uint64_t align = BLK_CHUNK_BYTES / BLK_SECTOR_BYTES;

	if (blk_size > BLK_CHUNK_BYTES && blk_size <= MiB(1) &&
	    !(blk_size & (blk_size - 1)))
		align = blk_size / BLK_SECTOR_BYTES;
	return capacity / 2 / align * align;
}

static void check_virtio_blk(struct check_result *r)
{
	static const char *const modes[] = { "", "keep" };
	struct virtq *const queues[] = { &blk_queue };
	char id[BLK_ID_BYTES + 3];
	struct virtio_device dev;
	uint64_t capacity, sector;
	uint32_t blk_size = 0;
	int keep, bad;

	keep = option_choice(r, "basic.blk=", modes, ARRAY_SIZE(modes));
	if (keep < 0)
		return;
	if (!device_open(r, &dev, VIRTIO_ID_BLOCK,
			 VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH,
			 BLK_CONFIG_SIZE, queues, 1))
		return;
	if (dev.offered & VIRTIO_BLK_F_RO) {
		check_fail(r, "%s is read-only (VIRTIO_BLK_F_RO); the check writes to it",
			   dev.name);
		goto out;
	}
	capacity = virtio_config_read64(&dev, BLK_CONFIG_CAPACITY);
	if (dev.accepted & VIRTIO_BLK_F_BLK_SIZE)
		blk_size = virtio_config_read32(&dev, BLK_CONFIG_BLK_SIZE);
	sector = blk_test_sector(capacity, blk_size);
	if (sector + BLK_CHUNK_BYTES / BLK_SECTOR_BYTES > capacity) {
		check_fail(r, "expected a disk of at least %u sectors (4 KiB); capacity is %lu",
			   BLK_CHUNK_BYTES / BLK_SECTOR_BYTES, capacity);
		goto out;
	}

	if (keep) {
		if (!blk_request_ok(r, &dev, VIRTIO_BLK_T_IN, sector, blk_data,
				    BLK_CHUNK_BYTES))
			goto out;
		print_line("virtio-blk: pattern %s",
			   blk_pattern_mismatch(sector) < 0 ? "already present" :
							      "not present");
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(blk_data); i++)
		blk_data[i] = blk_pattern(sector, i);
	if (!blk_request_ok(r, &dev, VIRTIO_BLK_T_OUT, sector, blk_data,
			    BLK_CHUNK_BYTES))
		goto out;
	memset(blk_data, 0, sizeof(blk_data));
	if (!blk_request_ok(r, &dev, VIRTIO_BLK_T_IN, sector, blk_data,
			    BLK_CHUNK_BYTES))
		goto out;
	bad = blk_pattern_mismatch(sector);
	if (bad >= 0) {
		check_fail(r, "wrote 4096 bytes at sector %lu; byte %u read back as 0x%lx, written 0x%lx",
			   sector, (unsigned int)bad * 8, blk_data[bad],
			   blk_pattern(sector, (unsigned int)bad));
		goto out;
	}
	if ((dev.accepted & VIRTIO_BLK_F_FLUSH) &&
	    !blk_request_ok(r, &dev, VIRTIO_BLK_T_FLUSH, 0, NULL, 0))
		goto out;
	if (!blk_get_id(r, &dev, id))
		goto out;
	check_pass(r, "%s: %lu sectors, blk_size %u, %u bytes at sector %lu written and read back, %s, id %s",
		   dev.name, capacity, blk_size, BLK_CHUNK_BYTES, sector,
		   dev.accepted & VIRTIO_BLK_F_FLUSH ? "flushed" : "no FLUSH offered",
		   id);
out:
	virtio_stop(&dev);
}
CHECK_DEFINE(91, virtio_blk, "virtio-blk", check_virtio_blk, false);

/* ------------------------------------------------------- virtio-console --- */

/* Port 0 without VIRTIO_CONSOLE_F_MULTIPORT: queue 0 receives, 1 transmits. */
#define CONSOLE_RECEIVEQ 0
#define CONSOLE_TRANSMITQ 1
#define CONSOLE_RX_BUFFERS 4
#define CONSOLE_RX_BYTES 64
#define CONSOLE_LINE_MAX 64
#define CONSOLE_ECHO_WAIT_S 5

static struct virtq console_rx, console_tx;
static uint8_t console_rx_buffers[CONSOLE_RX_BUFFERS][CONSOLE_RX_BYTES]
	__attribute__((aligned(16)));
static uint16_t console_rx_heads[CONSOLE_RX_BUFFERS];
static char console_tx_buffer[CONSOLE_LINE_MAX + 16] __attribute__((aligned(16)));

static const char console_hello[] = "basic: virtio-console hello\r\n";

/* Transmits text (up to the buffer's size) and waits for it to come back. */
static bool console_send(struct check_result *r, struct virtio_device *dev,
			 const char *text)
{
	struct virtq_buffer b = { .data = console_tx_buffer };
	uint32_t written;
	const char *why;

	format_string(console_tx_buffer, sizeof(console_tx_buffer), "%s", text);
	b.len = (uint32_t)string_length(console_tx_buffer);
	why = virtq_transfer(dev, &console_tx, &b, 1, counter_hz, &written);
	if (why) {
		check_fail(r, "transmitting %u bytes: %s", b.len, why);
		return false;
	}
	return true;
}

static bool console_post(struct check_result *r, struct virtio_device *dev,
			 unsigned int i)
{
	struct virtq_buffer b = {
		.data = console_rx_buffers[i],
		.len = CONSOLE_RX_BYTES,
		.device_writes = true,
	};
	const char *why = virtq_submit(dev, &console_rx, &b, 1,
				       &console_rx_heads[i]);

	if (why)
		check_fail(r, "posting receive buffer %u: %s", i, why);
	return !why;
}

/*
 * Collects what the host types until a line ends (empty lines are skipped)
 * or the wait is over; line gets the line, '?' for what does not print.
 */
static bool console_read_line(struct check_result *r,
			      struct virtio_device *dev, char *line)
{
	uint64_t deadline = arch_counter_read() + CONSOLE_ECHO_WAIT_S * counter_hz;
	unsigned int len = 0, received = 0, i;

	for (;;) {
		uint16_t head;
		uint32_t written;

		switch (virtq_wait_used(dev, &console_rx, deadline, &head,
					&written)) {
		case VIRTQ_USED:
			break;
		case VIRTQ_TIMEOUT:
			line[len] = '\0';
			check_fail(r, "expected a line from the host within %u s; got %u bytes%s%s%s",
				   CONSOLE_ECHO_WAIT_S, received,
				   len ? ", no line end: \"" : "", line,
				   len ? "\"" : "");
			return false;
		case VIRTQ_BROKEN:
			check_fail(r, "receiving: %s", dev->error);
			return false;
		}
		/* The driver checked head is a chain it gave: one of these. */
		for (i = 0; i < CONSOLE_RX_BUFFERS - 1; i++)
			if (console_rx_heads[i] == head)
				break;
		for (uint32_t k = 0; k < written; k++) {
			uint8_t c = console_rx_buffers[i][k];

			received++;
			if ((c == '\r' || c == '\n') && len) {
				line[len] = '\0';
				return true;
			}
			if (c != '\r' && c != '\n' && len < CONSOLE_LINE_MAX)
				line[len++] = printable(c);
		}
		if (!console_post(r, dev, i))
			return false;
	}
}

static void check_virtio_console(struct check_result *r)
{
	static const char *const echo_modes[] = { "0", "1" };
	struct virtq *const queues[] = { &console_rx, &console_tx };
	char line[CONSOLE_LINE_MAX + 1];
	char echo[CONSOLE_LINE_MAX + 16];
	struct virtio_device dev;
	int echo_mode;

	echo_mode = option_choice(r, "basic.console-echo=", echo_modes,
				  ARRAY_SIZE(echo_modes));
	if (echo_mode < 0)
		return;
	if (!device_open(r, &dev, VIRTIO_ID_CONSOLE, 0, 0, queues, 2))
		return;
	for (unsigned int i = 0; i < CONSOLE_RX_BUFFERS; i++)
		if (!console_post(r, &dev, i))
			goto out;
	if (!console_send(r, &dev, console_hello))
		goto out;
	if (!echo_mode) {
		check_pass(r, "%s: %u-byte line sent on port 0 and returned; %u receive buffers posted",
			   dev.name, (unsigned int)string_length(console_hello),
			   CONSOLE_RX_BUFFERS);
		goto out;
	}
	if (!console_read_line(r, &dev, line))
		goto out;
	format_string(echo, sizeof(echo), "echo: %s\r\n", line);
	if (!console_send(r, &dev, echo))
		goto out;
	check_pass(r, "%s: hello sent and returned; echoed \"%s\"", dev.name,
		   line);
out:
	virtio_stop(&dev);
}
CHECK_DEFINE(92, virtio_console, "virtio-console", check_virtio_console,
	     false);
