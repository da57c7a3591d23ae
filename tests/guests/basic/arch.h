/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hooks every arch of the basic guest provides (arm64/ implements them).
 * Times are in ticks of the guest's virtual counter.
 */
#ifndef BASIC_ARCH_H
#define BASIC_ARCH_H

#include "basic.h"

/* Writes one byte to the console UART, waiting while its FIFO is full. */
void arch_console_putc(char c);

/* Orders this vCPU's memory accesses before any later ones, system-wide. */
void arch_memory_barrier(void);

/*
 * Device registers: exactly one access of that width at addr, which must be
 * aligned to it. Accesses to one device stay in program order; order them
 * against memory (a ring in RAM the device reads) with arch_memory_barrier.
 */
uint8_t arch_mmio_read8(uintptr_t addr);
uint16_t arch_mmio_read16(uintptr_t addr);
uint32_t arch_mmio_read32(uintptr_t addr);
void arch_mmio_write32(uintptr_t addr, uint32_t value);

/* The interrupt number that the first specifier of a DTB "interrupts"
 * property names (count: cells in the property); 0 when it cannot tell. */
unsigned int arch_irq_from_dt(const uint32_t *cells, unsigned int count);

/* Index of the running vCPU: 0 for the boot vCPU. */
unsigned int arch_cpu_index(void);

/* The virtual counter now, and its frequency in Hz as the platform states
 * it (0 when it does not). */
uint64_t arch_counter_read(void);
uint64_t arch_counter_frequency(void);

/*
 * Runs fn(arg). Returns 0 when fn returned, -1 when an unexpected exception
 * abandoned it; the exception has then been reported, IRQs are masked again.
 */
int arch_run_guarded(void (*fn)(void *), void *arg);

/* Reads 64 bits at addr; true when that raised a data abort (then *syndrome
 * holds the arch's syndrome), false when it returned *value. */
bool arch_probe_read(uint64_t addr, uint64_t *value, uint64_t *syndrome);

/* Sets up this vCPU's interrupt controller; NULL or what went wrong. */
const char *arch_irq_init(void);

/* Unmasks interrupts for exactly one wait-for-interrupt, then masks them;
 * returns after any interrupt that ended the wait has been handled. */
void arch_wait_for_interrupt(void);

/* One-shot timer interrupt at deadline on this vCPU (the check timer). */
void arch_timer_start(uint64_t deadline);
void arch_timer_stop(void);
/* Whether its interrupt was taken since arch_timer_start; *at = counter then. */
bool arch_timer_fired(uint64_t *at);

/* A second, independent timer that only ends a wait that went on too long. */
void arch_watchdog_start(uint64_t deadline);
void arch_watchdog_stop(void);
bool arch_watchdog_fired(void);

/* Power: return only when the firmware/hypervisor refused. */
void arch_power_off(void);
void arch_reset(void);
/* Sleeps forever with interrupts masked. */
void __attribute__((noreturn)) arch_halt(void);

/* The misbehaving modes: never return. */
void __attribute__((noreturn)) arch_misbehave_undefined(void);
void __attribute__((noreturn)) arch_misbehave_wild_load(uint64_t addr);
void __attribute__((noreturn)) arch_misbehave_interrupt_storm(void);
/* arm64/storms.c: timer reprogramming and PSCI calls without end. */
void __attribute__((noreturn)) arch_misbehave_timer_storm(void);
void __attribute__((noreturn)) arch_misbehave_psci_loop(void);

/* Times n null hypercalls into ticks[]; NULL or why it could not. */
const char *arch_hypercall_round_trips(uint64_t *ticks, unsigned int n);

#endif
