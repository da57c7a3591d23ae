/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The unit test harness. A test is
 *
 *	TEST(page_alloc_coalesces) { CHECK_EQ(a, b); ... }
 *
 * in any tests/unit/ C file; it registers itself before main() runs. A
 * failed CHECK prints file:line and the expression and the test goes on;
 * REQUIRE stops the test at once (for checks later code depends on). A
 * test passes when no check failed.
 *
 * Before the first test main() gives the page allocator UNIT_MEMORY_SIZE
 * bytes (so kmalloc works) and registers a console that captures output.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UNIT_MEMORY_SIZE (64UL << 20)

struct unit_test {
	const char *name;
	void (*run)(void);
	const char *file;
	int line;
	struct unit_test *next;
};

void unit_register(struct unit_test *test);

#define TEST(test_name)                                                    \
	static void unit_test_run_##test_name(void);                       \
	static struct unit_test unit_test_##test_name = {                  \
		.name = #test_name,                                        \
		.run = unit_test_run_##test_name,                          \
		.file = __FILE__,                                          \
		.line = __LINE__,                                          \
	};                                                                 \
	__attribute__((constructor)) static void                           \
	unit_test_register_##test_name(void)                               \
	{                                                                  \
		unit_register(&unit_test_##test_name);                     \
	}                                                                  \
	static void unit_test_run_##test_name(void)

/* Each returns true when the check held; on failure it prints and
 * marks the running test failed. */
bool unit_check(bool ok, const char *file, int line, const char *expr);
bool unit_check_eq(long long a, long long b, const char *file, int line,
		   const char *a_text, const char *b_text);
bool unit_check_str_eq(const char *a, const char *b, const char *file,
		       int line, const char *a_text, const char *b_text);

#define CHECK(cond) unit_check(!!(cond), __FILE__, __LINE__, #cond)
/* Integers of any width and signedness; both values are printed. */
#define CHECK_EQ(a, b)                                                     \
	unit_check_eq((long long)(a), (long long)(b), __FILE__, __LINE__,  \
		      #a, #b)
#define CHECK_STR_EQ(a, b)                                                 \
	unit_check_str_eq((a), (b), __FILE__, __LINE__, #a, #b)
#define REQUIRE(cond)                                                      \
	do {                                                               \
		if (!CHECK(cond))                                          \
			return;                                            \
	} while (0)

/*
 * Console output since the current test started (or since the last
 * unit_console_clear()), with "\r\n" shown as "\n". Set KEEL_UNIT_VERBOSE=1
 * in the environment to also see it on stdout.
 */
const char *unit_console_text(void);
void unit_console_clear(void);
/* Makes the harness's capturing console the console again, for tests that
 * registered their own. */
void unit_console_install(void);

/*
 * Runs fn in a child process and returns true when it ended by aborting
 * (as panic() and BUG_ON() do in unit builds), so tests can check that a
 * bug is caught without ending the test run.
 */
bool unit_expect_abort(void (*fn)(void *arg), void *arg);
/* The same, and true only when the child's console output (what panic()
 * printed, say) contains text. */
bool unit_expect_abort_saying(void (*fn)(void *arg), void *arg, const char *text);

/*
 * Runs fn(cpu, arg) on ncpus new threads at once and returns when all have
 * returned. Thread i acts as CPU i (arch_cpu_id() == i, its own interrupt
 * mask); all start together after a barrier, so races are real. Checks may
 * be used inside fn. The calling thread waits and runs no Keel code
 * meanwhile, so a thread acting as CPU 0 does not overlap with it.
 */
/* With CONFIG_DEBUG_LOCK_ORDER (on in the unit build), a test fails when
 * the lock-order checker reports during it, unless it expects count
 * reports (a test of the checker itself). */
void unit_expect_lock_order_reports(unsigned long count);

#define UNIT_MAX_THREADS 8
void unit_run_cpus(unsigned int ncpus, void (*fn)(unsigned int cpu, void *arg),
		   void *arg);

#endif
