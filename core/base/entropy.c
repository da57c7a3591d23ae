/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The entropy service (keel/entropy.h): a ChaCha20 generator with fast key
 * erasure. Input is absorbed 32 bytes at a time by XORing it into the key
 * and replacing the key with a ChaCha20 block of itself; output is
 * ChaCha20 blocks of the key, which is replaced again afterwards.
 */
#include <arch/cpu.h>
#include <keel/devtree.h>
#include <keel/entropy.h>
#include <keel/spinlock.h>
#include <libfdt.h>
#include <string.h>

#define CHACHA20_KEY_WORDS 8
#define CHACHA20_BLOCK_WORDS 16
#define CHACHA20_BLOCK_BYTES 64

/* Words 14 of the block input: keeps the key-derivation blocks and the
 * output blocks apart even at the same counter. */
#define ENTROPY_DOMAIN_REKEY 0x6b657921u    /* "!yek" */
#define ENTROPY_DOMAIN_OUTPUT 0x74756f21u   /* "!out" */

#define ENTROPY_JITTER_ROUNDS 32

struct entropy_pool {
	spinlock_t lock;
	uint32_t key[CHACHA20_KEY_WORDS];
	uint64_t counter;
	bool seeded;
};

static struct entropy_pool entropy_pool = { .lock = SPINLOCK_INIT };

static inline uint32_t rotl32(uint32_t x, unsigned int n)
{
	return (x << n) | (x >> (32 - n));
}

#define CHACHA_QUARTER(a, b, c, d)                                     \
	do {                                                           \
		a += b; d ^= a; d = rotl32(d, 16);                     \
		c += d; b ^= c; b = rotl32(b, 12);                     \
		a += b; d ^= a; d = rotl32(d, 8);                      \
		c += d; b ^= c; b = rotl32(b, 7);                      \
	} while (0)

void entropy_chacha20_block(const uint32_t key[8], const uint32_t input[4],
			    uint32_t out[16])
{
	/* "expand 32-byte k" */
	static const uint32_t sigma[4] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	uint32_t s[CHACHA20_BLOCK_WORDS];
	unsigned int i;

	memcpy(s, sigma, sizeof(sigma));
	memcpy(s + 4, key, 8 * sizeof(uint32_t));
	memcpy(s + 12, input, 4 * sizeof(uint32_t));
	memcpy(out, s, sizeof(s));
	for (i = 0; i < 10; i++) {
		/* Columns, then diagonals. */
		CHACHA_QUARTER(out[0], out[4], out[8], out[12]);
		CHACHA_QUARTER(out[1], out[5], out[9], out[13]);
		CHACHA_QUARTER(out[2], out[6], out[10], out[14]);
		CHACHA_QUARTER(out[3], out[7], out[11], out[15]);
		CHACHA_QUARTER(out[0], out[5], out[10], out[15]);
		CHACHA_QUARTER(out[1], out[6], out[11], out[12]);
		CHACHA_QUARTER(out[2], out[7], out[8], out[13]);
		CHACHA_QUARTER(out[3], out[4], out[9], out[14]);
	}
	for (i = 0; i < CHACHA20_BLOCK_WORDS; i++)
		out[i] += s[i];
	/* The state held the key: do not leave it on the stack. */
	memset(s, 0, sizeof(s));
	__asm__ volatile("" : : "r"(s) : "memory");
}

/* Lock held. One block of the current key in the given domain. */
static void entropy_block(struct entropy_pool *pool, uint32_t domain,
			  uint32_t out[CHACHA20_BLOCK_WORDS])
{
	const uint32_t input[4] = {
		(uint32_t)pool->counter, (uint32_t)(pool->counter >> 32), domain, 0,
	};

	pool->counter++;
	entropy_chacha20_block(pool->key, input, out);
}

/* Lock held. Replaces the key by a block derived from it. */
static void entropy_rekey(struct entropy_pool *pool)
{
	uint32_t block[CHACHA20_BLOCK_WORDS];

	entropy_block(pool, ENTROPY_DOMAIN_REKEY, block);
	memcpy(pool->key, block, sizeof(pool->key));
	memset(block, 0, sizeof(block));
	__asm__ volatile("" : : "r"(block) : "memory");
}

/* Lock held. */
static void entropy_absorb(struct entropy_pool *pool, const void *data, size_t len)
{
	const uint8_t *bytes = data;

	while (len) {
		size_t n = MIN(len, (size_t)CHACHA20_KEY_WORDS * 4);

		for (size_t i = 0; i < n; i++)
			pool->key[i / 4] ^= (uint32_t)bytes[i] << (8 * (i % 4));
		entropy_rekey(pool);
		bytes += n;
		len -= n;
	}
}

/* Lock held. The CPU's randomness and the counter, whatever they give. */
static void entropy_absorb_fresh(struct entropy_pool *pool)
{
	uint64_t fresh[3] = { arch_counter_read(), 0, 0 };

	if (!arch_random_u64(&fresh[1]))
		fresh[1] = 0;
	if (!arch_random_u64(&fresh[2]))
		fresh[2] = 0;
	entropy_absorb(pool, fresh, sizeof(fresh));
}

static void entropy_absorb_property(struct entropy_pool *pool, const void *fdt,
				    int node, const char *name)
{
	int len;
	const void *value = fdt_getprop(fdt, node, name, &len);

	if (value && len > 0)
		entropy_absorb(pool, value, (size_t)len);
}

/* Lock held. Everything there is to seed from, once. */
static void entropy_seed(struct entropy_pool *pool)
{
	const void *fdt = devtree_host();
	uint64_t where = (uint64_t)(uintptr_t)pool;

	entropy_absorb(pool, &where, sizeof(where));
	if (fdt) {
		int chosen = fdt_path_offset(fdt, "/chosen");

		if (chosen >= 0) {
			entropy_absorb_property(pool, fdt, chosen, "rng-seed");
			entropy_absorb_property(pool, fdt, chosen, "kaslr-seed");
		}
	}
	/* How long the generator itself takes varies a little with caches,
	 * interrupts and the memory system: the low counter bits of each
	 * round add a little unpredictability. */
	for (unsigned int i = 0; i < ENTROPY_JITTER_ROUNDS; i++) {
		uint64_t before = arch_counter_read();

		entropy_absorb_fresh(pool);
		before ^= arch_counter_read() << 32;
		entropy_absorb(pool, &before, sizeof(before));
	}
	pool->seeded = true;
}

void entropy_add(const void *data, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&entropy_pool.lock);

	entropy_absorb(&entropy_pool, data, len);
	spin_unlock_irqrestore(&entropy_pool.lock, flags);
}

void entropy_fill(void *buf, size_t len)
{
	struct entropy_pool *pool = &entropy_pool;
	uint8_t *out = buf;
	uint32_t block[CHACHA20_BLOCK_WORDS];
	unsigned long flags = spin_lock_irqsave(&pool->lock);

	if (!pool->seeded)
		entropy_seed(pool);
	entropy_absorb_fresh(pool);
	while (len) {
		size_t n = MIN(len, (size_t)CHACHA20_BLOCK_BYTES);

		entropy_block(pool, ENTROPY_DOMAIN_OUTPUT, block);
		for (size_t i = 0; i < n; i++)
			out[i] = (uint8_t)(block[i / 4] >> (8 * (i % 4)));
		out += n;
		len -= n;
	}
	/* Fast key erasure: what was just handed out cannot be recomputed
	 * from the state that remains. */
	entropy_rekey(pool);
	spin_unlock_irqrestore(&pool->lock, flags);
	memset(block, 0, sizeof(block));
	__asm__ volatile("" : : "r"(block) : "memory");
}
