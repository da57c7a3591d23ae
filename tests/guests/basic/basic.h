/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The "basic" test guest: what its arch-neutral parts share. The guest runs
 * with the MMU off, so every access is Device memory: no unaligned accesses
 * and no exclusives; memory shared between vCPUs is volatile and ordered
 * with arch_memory_barrier().
 */
#ifndef BASIC_H
#define BASIC_H

/* vCPUs the guest runs on: the boot vCPU and the one sgi-cpu-on starts. */
#define BASIC_MAX_CPUS 2

#ifndef __ASSEMBLER__
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BASIC_MAX_RAM_RANGES 4
/* QEMU's virt machine has 32 virtio-mmio slots. */
#define BASIC_MAX_VIRTIO_MMIO 32
#define MiB(x) ((uint64_t)(x) << 20)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What the guest learned from its DTB (see fdt.c). */
struct ram_range {
	uint64_t base;
	uint64_t size;
};

/* A device node from the DTB: the first "reg" entry and "interrupts". */
struct dt_device {
	uint64_t base;
	uint64_t size;
	uint32_t interrupt[3];		/* the first up to 3 cells */
	unsigned int interrupt_cells;	/* cells in "interrupts", 0 if none */
};

struct board {
	uintptr_t dtb;			/* 0 when there is none */
	size_t dtb_size;		/* totalsize from its header */
	struct ram_range ram[BASIC_MAX_RAM_RANGES];
	unsigned int ram_count;
	unsigned int cpu_count;		/* nodes under /cpus named cpu or cpu@... */
	bool have_cpu1_reg;
	uint64_t cpu1_reg;		/* "reg" of /cpus/cpu@1: its MPIDR */
	uint64_t timebase_hz;		/* /cpus/timebase-frequency, 0 if none */
	char bootargs[256];		/* /chosen/bootargs, "" when absent */
	char cpu_isa[128];		/* the first cpu's "riscv,isa", "" if none */
	/* Enabled nodes directly under / with compatible "virtio,mmio",
	 * in DTB order; ignored counts those that did not fit. */
	struct dt_device virtio_mmio[BASIC_MAX_VIRTIO_MMIO];
	unsigned int virtio_mmio_count;
	unsigned int virtio_mmio_ignored;
};

extern struct board board;

/* End of the highest RAM range, 0 when no RAM is known. */
uint64_t board_ram_end(void);

/* Copies the value of the last `key` (ending in '=') in args into out,
 * truncated to size; leaves out alone when the key is absent. */
void bootargs_option(const char *args, const char *key, char *out,
		     size_t size);

/* Counter ticks per second (checked and fixed up once at boot). */
extern uint64_t counter_hz;

/* Fills board from the DTB at dtb; returns NULL or what is wrong with it. */
const char *fdt_read_board(uintptr_t dtb, struct board *b);

/* console.c: every line the guest prints starts with "basic: ". */
/* hostile.c: malformed virtqueues for the guest's own virtio-rng. */
void mode_hostile(void) __attribute__((noreturn));
/* attacks.c: one attack on Keel and its neighbours (basic.attack=). */
void mode_attack(void) __attribute__((noreturn));
/* blkbench.c: sequential virtio-blk throughput. */
void mode_blkbench(void) __attribute__((noreturn));
/* netbench.c: guest-to-guest virtio-net throughput (send or receive). */
void mode_netbench(void) __attribute__((noreturn));
/* vsockbench.c: 1-byte round trips to the host's vsock echo service. */
void mode_vsockbench(void) __attribute__((noreturn));

/*
 * virtio_net.c, for netbench.c: the net device with the check's ARP, but
 * with every receive buffer of the queue posted.
 */
struct virtio_device;
struct virtq;
/* Parses both addresses, finds and starts the device; NULL or why not.
 * other_frame gets each received frame that is neither ARP nor IPv4. */
const char *net_bench_open(const char *ip, const char *peer,
			   void (*other_frame)(const uint8_t *frame, size_t len));
/* ARP-resolves the peer (a request every 200 ms) within timeout ticks,
 * answering ARP for our own address meanwhile. */
bool net_bench_resolve(uint64_t timeout);
/* Handles every frame received so far and posts its buffer again. */
void net_bench_poll(void);
/* The first driver failure, or NULL. */
const char *net_bench_error(void);
/* Our MAC and the peer's (valid once net_bench_resolve() succeeded). */
void net_bench_addresses(uint8_t *mac, uint8_t *peer_mac);
/* The device and its transmit queue, for several frames in flight (no
 * chain of the ARP code is outstanding between calls). */
void net_bench_transmit_queue(struct virtio_device **dev, struct virtq **tx);
/* Resets the device. */
void net_bench_close(void);

/* virtio_vsock.c, for vsockbench.c: connects to the host's echo service
 * (CID 2 port 7) and times count 1-byte round trips into ticks; NULL or
 * why it failed. */
const char *vsock_echo_round_trips(uint64_t *ticks, unsigned int count);

void print_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void format_string(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void format_string_va(char *buf, size_t size, const char *fmt, va_list ap);

/* string.c */
size_t string_length(const char *s);
bool string_starts_with(const char *s, const char *prefix);
bool string_equal(const char *a, const char *b);
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

/* Checks (checks.c). A check fills its result; the runner prints it. */
enum check_outcome { CHECK_PASS, CHECK_FAIL, CHECK_SKIP };

struct check_result {
	enum check_outcome outcome;
	char detail[192];
};

struct check {
	const char *name;
	void (*run)(struct check_result *result);
	bool first_round_only;		/* in loop mode */
};

/*
 * Registers a check: the runner runs checks in the order of their two-digit
 * order keys, which the linker sorts (.checks.<order> sections).
 */
#define CHECK_DEFINE(order, ident, check_name, fn, once)		\
	static const struct check check_descriptor_##ident				\
	__attribute__((section(".checks." #order), used, aligned(8))) = { \
		.name = check_name, .run = fn, .first_round_only = once }

void check_pass(struct check_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void check_fail(struct check_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void check_skip(struct check_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct check_totals {
	unsigned int passed;
	unsigned int failed;
};

/* Runs every check once (round 1 runs those marked first_round_only too). */
void checks_run_all(unsigned int round, struct check_totals *totals);

/* Microseconds in a span of counter ticks (at counter_hz). */
uint64_t ticks_to_us(uint64_t ticks);

/* Entry points called from the arch's start code. */
void basic_main(uintptr_t dtb);
void secondary_main(unsigned int cpu);

#endif /* __ASSEMBLER__ */
#endif
