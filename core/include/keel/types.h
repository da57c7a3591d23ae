/* SPDX-License-Identifier: GPL-2.0-only */
/* Basic types shared by every part of Keel. */
#ifndef KEEL_TYPES_H
#define KEEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Host-physical address. Keel maps host RAM and devices 1:1, so a host
 * physical address converts to a pointer with hpa_to_ptr(). */
typedef uint64_t hpa_t;
/* Guest-physical address; never dereferenced directly. */
typedef uint64_t gpa_t;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noreturn __attribute__((noreturn))
#define __unused __attribute__((unused))
#define __section(s) __attribute__((section(s)))
#define __aligned(n) __attribute__((aligned(n)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * A value shared with other CPUs without a lock: read or written whole,
 * once. Relaxed atomics (plain loads and stores on the CPU), so that
 * ThreadSanitizer in the threaded unit tests knows them as intended races.
 */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static inline void *hpa_to_ptr(hpa_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline hpa_t ptr_to_hpa(const void *p)
{
	return (hpa_t)(uintptr_t)p;
}

#endif
