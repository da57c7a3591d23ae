/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The attack mode (basic.mode=attack basic.attack=<name>): one hostile
 * guest behaviour per run, for the hostile-guest suite
 * (tests/regress/test_hostile.py, docs/testing.md). What the arch-neutral
 * attacks (attacks.c, attacks_net.c) and the arch's (arm64/attack_*.c)
 * share.
 *
 * Output: "basic: attack <name>: ..." lines. An attack that ends prints
 * "basic: attack <name>: PASS ..." or "... FAIL ...", then
 * "basic: attack <name>: done" and sleeps with interrupts masked (so that
 * the suite destroys a running guest). A storm never ends: it prints
 * "basic: attack <name>: running, ..." about once a second of its own
 * time, so that the suite sees it is throttled, not stuck.
 */
#ifndef BASIC_ATTACKS_H
#define BASIC_ATTACKS_H

#include "arch.h"

/* The attack's verdict line (once per attack). */
void attack_pass(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void attack_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A progress line: "basic: attack <name>: <text>". */
void attack_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For storms: true about once a second (counter time), to print progress. */
bool attack_second_passed(uint64_t *last);
/* A small per-caller pseudo-random generator (xorshift64). */
uint64_t attack_random(uint64_t *state);
/* Ticks in ms milliseconds. */
uint64_t attack_ms(uint64_t ms);

/*
 * The second vCPU: runs fn(arg) on vCPU 1 (PSCI CPU_ON to its own entry,
 * not the checks' secondary_main). NULL or why it could not start.
 * attack_secondary_running() is true from its start until fn returns.
 */
const char *arch_attack_cpu_on(void (*fn)(void *), void *arg);
bool attack_secondary_running(void);
void attack_secondary_run(void *arg);	/* called by the arch on vCPU 1 */

/* Probing accesses that may fault (arm64/attack_probe.S): true when the
 * access raised a synchronous exception (its ESR in *syndrome). */
bool arch_attack_read(uintptr_t addr, unsigned int bytes, uint64_t *value,
		      uint64_t *syndrome);
bool arch_attack_write(uintptr_t addr, unsigned int bytes, uint64_t value,
		       uint64_t *syndrome);
void arch_mmio_write8(uintptr_t addr, uint8_t value);
void arch_mmio_write16(uintptr_t addr, uint16_t value);

/* The arch's attacks (arm64/attack_cpu.c, attack_gic.c). Each either
 * returns (after its verdict) or never does (a storm). */
void arch_attack_pmu_probe(void);
void arch_attack_debug_probe(void);
void arch_attack_sgi_storm(void) __attribute__((noreturn));
void arch_attack_timer_storm(void) __attribute__((noreturn));
void arch_attack_psci_storm(void) __attribute__((noreturn));
void arch_attack_reset_storm(void) __attribute__((noreturn));
void arch_attack_timer_reset_race(void) __attribute__((noreturn));
void arch_attack_mmio_sweep(void);

/* mmio-sweep (attacks.c): in each range, every width its bits allow
 * (bit n: 1 << n bytes) at every aligned offset, a load and then a store
 * of what it read. Passes when each access was served or got the fault
 * a hypervisor gives for an access no device takes (arch_attack_refused();
 * named by arch_attack_refusal, "a data abort"); the arch lists its
 * ranges and calls it. */
struct sweep_range {
	const char *name;
	uintptr_t base;
	uint64_t size;
	unsigned int widths;
};
void attack_mmio_sweep(const struct sweep_range *ranges, unsigned int n);
bool arch_attack_refused(uint64_t syndrome, bool write);
extern const char arch_attack_refusal[];
void arch_attack_fetch_unmapped(void);
void arch_attack_vgic_abuse(void);
void arch_attack_timer_level(void);

/* The arch's attacks beyond the shared ones (riscv64: SBI arguments,
 * undecodable accesses, the decode fetch race); NULL when none. */
struct attack_entry {
	const char *name;
	void (*run)(void);
};
const struct attack_entry *arch_attacks(unsigned int *count);

/* attacks_net.c */
void attack_mac_spoof(void);
void attack_mac_flood(void);
void attack_vsock_flood(void);

#endif
