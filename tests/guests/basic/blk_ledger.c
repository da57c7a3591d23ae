// SPDX-License-Identifier: GPL-2.0-only
/*
 * The blk-ledger check (basic.blk-ledger=<blocks per round>): the
 * neighbour's side of the hostile-guest suite. Every round it writes that
 * many checksummed 4 KiB blocks to its virtio-blk disk, round-robin over
 * 64 slots from 1 MiB, remembers in RAM which generation each slot holds,
 * and then reads back and verifies every slot written so far: a block
 * that reads back older (or never written) is a lost write, one whose
 * slot, generation or checksum is wrong a corrupted one. The counts are
 * kept since boot, so the last line says it all:
 *
 *   basic: PASS blk-ledger (round 12: 8 blocks written, 96 in all, 64 verified, lost or corrupted writes: 0)
 *
 * Without the option the check SKIPs.
 */
#include "arch.h"
#include "virtio.h"

#define LEDGER_SLOTS 64U
#define LEDGER_FIRST_SECTOR 2048U	/* 1 MiB: clear of the virtio-blk check's */
#define LEDGER_BLOCK 4096U
#define LEDGER_WORDS (LEDGER_BLOCK / 8)
#define LEDGER_MAGIC 0x6b65656c6c656467ULL	/* "keelledg" */
#define SECTORS_PER_BLOCK (LEDGER_BLOCK / 512)
#define BLK_T_IN 0U
#define BLK_T_OUT 1U

static struct virtq ledger_queue;
static uint64_t ledger_data[LEDGER_WORDS] __attribute__((aligned(16)));
static struct {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
} ledger_header __attribute__((aligned(16)));
static uint8_t ledger_status __attribute__((aligned(16)));

/* What each slot must hold: its generation (0: never written). */
static uint64_t ledger_generation[LEDGER_SLOTS];
static unsigned int ledger_next;
static uint64_t ledger_written, ledger_rounds, ledger_bad;

static uint64_t ledger_word(unsigned int slot, uint64_t generation, unsigned int i)
{
	uint64_t x = (uint64_t)slot << 40 ^ generation * 0x9e3779b97f4a7c15ULL ^ i;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x;
}

/* FNV-1a over the words before the last. */
static uint64_t ledger_checksum(const uint64_t *w)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (unsigned int i = 0; i < LEDGER_WORDS - 1; i++) {
		h ^= w[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void ledger_fill(unsigned int slot, uint64_t generation)
{
	ledger_data[0] = LEDGER_MAGIC;
	ledger_data[1] = slot;
	ledger_data[2] = generation;
	ledger_data[3] = ledger_rounds;
	for (unsigned int i = 4; i < LEDGER_WORDS - 1; i++)
		ledger_data[i] = ledger_word(slot, generation, i);
	ledger_data[LEDGER_WORDS - 1] = ledger_checksum(ledger_data);
}

/* NULL, or what is wrong with ledger_data for slot. */
static const char *ledger_verify(unsigned int slot, char *why, size_t size)
{
	uint64_t want = ledger_generation[slot];

	if (ledger_data[LEDGER_WORDS - 1] != ledger_checksum(ledger_data) ||
	    ledger_data[0] != LEDGER_MAGIC) {
		if (!ledger_data[0] && !ledger_data[LEDGER_WORDS - 1])
			format_string(why, size, "slot %u: lost: reads as never written (expected generation %lu)",
				      slot, want);
		else
			format_string(why, size, "slot %u: corrupted: checksum or magic wrong (word 0 0x%lx)",
				      slot, ledger_data[0]);
		return why;
	}
	if (ledger_data[1] != slot) {
		format_string(why, size, "slot %u: corrupted: holds slot %lu's block", slot,
			      ledger_data[1]);
		return why;
	}
	if (ledger_data[2] != want) {
		format_string(why, size, "slot %u: %s: generation %lu, expected %lu", slot,
			      ledger_data[2] < want ? "lost write" : "corrupted",
			      ledger_data[2], want);
		return why;
	}
	for (unsigned int i = 4; i < LEDGER_WORDS - 1; i++) {
		if (ledger_data[i] != ledger_word(slot, want, i)) {
			format_string(why, size, "slot %u: corrupted at byte %u", slot, i * 8);
			return why;
		}
	}
	return NULL;
}

static const char *ledger_io(struct virtio_device *dev, uint32_t type, unsigned int slot)
{
	struct virtq_buffer bufs[3] = {
		{ &ledger_header, sizeof(ledger_header), false },
		{ ledger_data, LEDGER_BLOCK, type == BLK_T_IN },
		{ &ledger_status, 1, true },
	};
	uint32_t written;
	const char *why;

	ledger_header.type = type;
	ledger_header.reserved = 0;
	ledger_header.sector = LEDGER_FIRST_SECTOR + (uint64_t)slot * SECTORS_PER_BLOCK;
	ledger_status = 0xff;
	why = virtq_transfer(dev, &ledger_queue, bufs, 3, counter_hz, &written);
	if (!why && ledger_status != 0)
		why = type == BLK_T_IN ? "a read came back with a status other than OK" :
					 "a write came back with a status other than OK";
	return why;
}

static void check_blk_ledger(struct check_result *r)
{
	char value[8] = "", why[128], first[128] = "";
	struct virtio_device dev;
	unsigned int per_round = 0, verified = 0, bad = 0;
	uint64_t capacity;
	const char *err;

	bootargs_option(board.bootargs, "basic.blk-ledger=", value, sizeof(value));
	for (const char *p = value; *p; p++) {
		if (*p < '0' || *p > '9') {
			check_fail(r, "basic.blk-ledger=\"%s\" is not a number of blocks", value);
			return;
		}
		per_round = per_round * 10 + (unsigned int)(*p - '0');
	}
	if (!per_round) {
		check_skip(r, "no basic.blk-ledger=");
		return;
	}
	if (per_round > LEDGER_SLOTS)
		per_round = LEDGER_SLOTS;
	if (!virtio_find(VIRTIO_ID_BLOCK, &dev)) {
		check_skip(r, "%s", dev.error);
		return;
	}
	err = virtio_start(&dev, 0, 8);
	if (!err)
		err = virtio_queue_start(&dev, &ledger_queue, 0);
	if (!err)
		err = virtio_driver_ok(&dev);
	if (err) {
		check_fail(r, "%s", err);
		goto out;
	}
	capacity = virtio_config_read64(&dev, 0);
	if (capacity < LEDGER_FIRST_SECTOR + LEDGER_SLOTS * SECTORS_PER_BLOCK) {
		check_fail(r, "needs a disk of at least %u sectors; capacity is %lu",
			   LEDGER_FIRST_SECTOR + LEDGER_SLOTS * SECTORS_PER_BLOCK, capacity);
		goto out;
	}
	ledger_rounds++;
	for (unsigned int i = 0; i < per_round; i++) {
		unsigned int slot = ledger_next;

		ledger_next = (ledger_next + 1) % LEDGER_SLOTS;
		ledger_fill(slot, ledger_generation[slot] + 1);
		err = ledger_io(&dev, BLK_T_OUT, slot);
		if (err) {
			check_fail(r, "writing slot %u: %s", slot, err);
			goto out;
		}
		/* Written with status OK: from now on it must read back so. */
		ledger_generation[slot]++;
		ledger_written++;
	}
	for (unsigned int slot = 0; slot < LEDGER_SLOTS; slot++) {
		if (!ledger_generation[slot])
			continue;
		memset(ledger_data, 0, sizeof(ledger_data));
		err = ledger_io(&dev, BLK_T_IN, slot);
		if (err) {
			check_fail(r, "reading slot %u: %s", slot, err);
			goto out;
		}
		verified++;
		if (ledger_verify(slot, why, sizeof(why))) {
			if (!bad++)
				format_string(first, sizeof(first), "%s", why);
			/* Count it once: from now on expect what is there. */
			ledger_generation[slot] = ledger_data[1] == slot ? ledger_data[2] : 0;
		}
	}
	ledger_bad += bad;
	if (ledger_bad)
		check_fail(r, "round %lu: %u blocks written, %lu in all, %u verified, lost or corrupted writes: %lu%s%s",
			   ledger_rounds, per_round, ledger_written, verified, ledger_bad,
			   first[0] ? "; this round: " : "", first);
	else
		check_pass(r, "round %lu: %u blocks written, %lu in all, %u verified, lost or corrupted writes: 0",
			   ledger_rounds, per_round, ledger_written, verified);
out:
	virtio_stop(&dev);
}
CHECK_DEFINE(95, blk_ledger, "blk-ledger", check_blk_ledger, false);
