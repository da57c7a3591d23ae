/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vCPU scheduling: one run queue per host CPU, round robin with a time
 * slice. A vCPU is pinned to one host CPU. Host CPUs run vCPUs whenever
 * they would otherwise idle: the shell's CPU runs them while it waits for
 * a key, the others from their idle loop.
 */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <keel/types.h>

struct vcpu;

#define SCHED_SLICE_NS (10 * 1000000ULL)

/* Sets up the run queues; once, on the boot CPU, before guests exist. */
void sched_init(void);

/* Puts v on its host CPU's run queue when it can run (its guest is
 * running, it is powered on and not waiting); otherwise does nothing. */
void sched_enqueue(struct vcpu *v);
/* Takes v off its run queue (it may still be on its CPU; see on_cpu). */
void sched_dequeue(struct vcpu *v);
/* Kicks v's host CPU and waits until no host CPU holds v (on_cpu false),
 * up to time_now_ns() == deadline_ns: 0, or -KEEL_ETIMEDOUT when v is still
 * on its CPU then (e.g. in a long exit). Interrupts enabled. */
int sched_wait_off_cpu(struct vcpu *v, uint64_t deadline_ns);
/* Without waiting: true when no host CPU holds v. When one does, CPU 0 gets
 * sched_request_service() as soon as it lets v go. */
bool sched_vcpu_left(struct vcpu *v);
/* Runs one vCPU of the calling CPU's run queue up to its next exit and
 * handles the exit. Call with interrupts masked; returns with them masked.
 * Returns false when there was nothing to run. */
bool sched_run_once(void);
/* Number of vCPUs queued on cpu. */
unsigned int sched_queue_length(unsigned int cpu);
/* The WFI path: blocks v unless an interrupt is pending or a kick came in
 * since kick_seen was read. */
void sched_block(struct vcpu *v, uint64_t kick_seen);
/* Ends v's wait (vcpu_kick). */
void sched_wake(struct vcpu *v);

/*
 * Work that must wait for vCPUs to leave (guest resets asked for by a
 * guest) is done on the management CPU (CPU 0) between shell commands and
 * from its idle loop. Exit handlers ask for it with this call.
 */
void sched_request_service(void);
/* True when service work waits for CPU 0. */
bool sched_service_requested(void);
/* Runs requested service work; called by CPU 0's idle path. */
void sched_service(void);

#endif
