/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entropy for guests (virtio-rng) and Keel itself: a ChaCha20 generator
 * seeded on first use from the host device tree (/chosen/rng-seed,
 * /chosen/kaslr-seed), counter jitter and the CPU's random number
 * instruction when it has one, re-mixed with the counter and the CPU's
 * randomness on every call, and re-keyed after every call so that output
 * already given cannot be recomputed from a later state.
 */
#ifndef KEEL_ENTROPY_H
#define KEEL_ENTROPY_H

#include <keel/types.h>

/* Fills buf with len random bytes. Any context; never fails. */
void entropy_fill(void *buf, size_t len);
/* Mixes len bytes of (possibly guessable) data into the generator. */
void entropy_add(const void *data, size_t len);

/* One ChaCha20 block (RFC 8439): 256-bit key, words 12..15 of the state
 * (counter and nonce) from input, the 16 output words in out. Exposed for
 * the known-answer test. */
void entropy_chacha20_block(const uint32_t key[8], const uint32_t input[4],
			    uint32_t out[16]);

/* ---- the hook each arch implements (arch/<arch>/cpu/random.c) ---- */
/* One 64-bit value from the CPU's hardware random number generator; false
 * when the CPU has none or it could not deliver (the caller goes on
 * without it). */
bool arch_random_u64(uint64_t *value);

#endif
