/* SPDX-License-Identifier: GPL-2.0-only */
/* The unit test runner: registration, checks, console capture, main(). */
#include <keel/console.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <arch/guest_platform.h>
#include <keel/time.h>
#include <arch/cpu.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unit.h"

#define UNIT_CAPTURE_SIZE (256 * 1024)

static struct unit_test *unit_tests;
static unsigned int unit_test_count;
static const struct unit_test *unit_current;
static unsigned int unit_current_failures;

static unsigned long unit_lock_reports_allowed;

static char unit_capture[UNIT_CAPTURE_SIZE];
static size_t unit_capture_len;
static bool unit_verbose;

void unit_register(struct unit_test *test)
{
	test->next = unit_tests;
	unit_tests = test;
	unit_test_count++;
}

static void unit_report_failure(const char *file, int line)
{
	/* Checks may fail on several test threads at once. */
	__atomic_fetch_add(&unit_current_failures, 1, __ATOMIC_RELAXED);
	fprintf(stdout, "%s:%d: %s: check failed: ", file, line,
		unit_current ? unit_current->name : "?");
}

bool unit_check(bool ok, const char *file, int line, const char *expr)
{
	if (ok)
		return true;
	unit_report_failure(file, line);
	fprintf(stdout, "%s\n", expr);
	return false;
}

bool unit_check_eq(long long a, long long b, const char *file, int line,
		   const char *a_text, const char *b_text)
{
	if (a == b)
		return true;
	unit_report_failure(file, line);
	fprintf(stdout, "%s == %s\n    left:  %lld (0x%llx)\n    right: %lld (0x%llx)\n",
		a_text, b_text, a, (unsigned long long)a, b,
		(unsigned long long)b);
	return false;
}

bool unit_check_str_eq(const char *a, const char *b, const char *file,
		       int line, const char *a_text, const char *b_text)
{
	if (a == b || (a && b && strcmp(a, b) == 0))
		return true;
	unit_report_failure(file, line);
	fprintf(stdout, "%s == %s\n    left:  %s%s%s\n    right: %s%s%s\n",
		a_text, b_text, a ? "\"" : "", a ? a : "NULL", a ? "\"" : "",
		b ? "\"" : "", b ? b : "NULL", b ? "\"" : "");
	return false;
}

/* The capturing console: keeps text for the test, drops the '\r' of
 * "\r\n" so expectations read naturally. */
static void unit_console_putc(char c)
{
	if (unit_verbose)
		fputc(c, stdout);
	if (c == '\r')
		return;
	if (unit_capture_len < UNIT_CAPTURE_SIZE - 1)
		unit_capture[unit_capture_len++] = c;
	unit_capture[unit_capture_len] = '\0';
}

static const struct console_ops unit_console_ops = {
	.name = "unit-capture",
	.putc = unit_console_putc,
};

const char *unit_console_text(void)
{
	return unit_capture;
}

void unit_console_clear(void)
{
	unit_capture_len = 0;
	unit_capture[0] = '\0';
}

void unit_console_install(void)
{
	console_register(&unit_console_ops);
}

/* In a child of unit_expect_abort_saying(): where its console output goes
 * when it aborts. */
static int unit_abort_pipe = -1;

static void unit_child_on_abort(int sig)
{
	(void)!write(unit_abort_pipe, unit_capture, unit_capture_len);
	signal(SIGABRT, SIG_DFL);
	raise(SIGABRT);
}

bool unit_expect_abort_saying(void (*fn)(void *arg), void *arg, const char *text)
{
	static char out[UNIT_CAPTURE_SIZE];
	size_t len = 0;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(fds))
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		close(fds[0]);
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		unit_abort_pipe = fds[1];
		unit_console_clear();
		signal(SIGABRT, unit_child_on_abort);
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	while (len < sizeof(out) - 1 &&
	       (n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return false;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
		return false;
	if (!strstr(out, text)) {
		printf("expected abort message \"%s\" not in:\n%s\n", text, out);
		return false;
	}
	return true;
}

bool unit_expect_abort(void (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		/* The child's abort message is expected: keep it quiet. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		signal(SIGABRT, SIG_DFL);
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

void unit_expect_lock_order_reports(unsigned long count)
{
	unit_lock_reports_allowed = count;
}

struct unit_cpu_thread {
	pthread_t thread;
	unsigned int cpu;
	void (*fn)(unsigned int cpu, void *arg);
	void *arg;
	pthread_barrier_t *start;
};

static void *unit_cpu_thread_main(void *p)
{
	struct unit_cpu_thread *t = p;

	host_set_cpu_id(t->cpu);
	pthread_barrier_wait(t->start);
	t->fn(t->cpu, t->arg);
	return NULL;
}

void unit_run_cpus(unsigned int ncpus, void (*fn)(unsigned int cpu, void *arg),
		   void *arg)
{
	struct unit_cpu_thread threads[UNIT_MAX_THREADS];
	pthread_barrier_t start;
	unsigned int started = 0;

	if (!CHECK(ncpus >= 1 && ncpus <= UNIT_MAX_THREADS))
		return;
	if (pthread_barrier_init(&start, NULL, ncpus)) {
		CHECK(!"pthread_barrier_init failed");
		return;
	}
	for (unsigned int i = 0; i < ncpus; i++) {
		threads[i] = (struct unit_cpu_thread){
			.cpu = i, .fn = fn, .arg = arg, .start = &start,
		};
		if (pthread_create(&threads[i].thread, NULL,
				   unit_cpu_thread_main, &threads[i])) {
			/* The barrier would never open: nothing can go on. */
			fprintf(stderr, "unit: cannot create a test thread\n");
			abort();
		}
		started++;
	}
	for (unsigned int i = 0; i < started; i++)
		pthread_join(threads[i].thread, NULL);
	pthread_barrier_destroy(&start);
}

/* A panic or failed assert aborts: show which test and what it printed. */
static void unit_on_abort(int sig)
{
	static const char head[] = "\nunit: aborted; console output of the test:\n";

	(void)sig;
	(void)!write(STDERR_FILENO, head, sizeof(head) - 1);
	(void)!write(STDERR_FILENO, unit_capture, unit_capture_len);
	if (unit_current) {
		(void)!write(STDERR_FILENO, "unit: in test ", 14);
		(void)!write(STDERR_FILENO, unit_current->name,
			     strlen(unit_current->name));
		(void)!write(STDERR_FILENO, "\n", 1);
	}
	signal(SIGABRT, SIG_DFL);
	raise(SIGABRT);
}

static int unit_compare_tests(const void *a, const void *b)
{
	const struct unit_test *x = *(const struct unit_test *const *)a;
	const struct unit_test *y = *(const struct unit_test *const *)b;
	int c = strcmp(x->file, y->file);

	return c ? c : x->line - y->line;
}

/* The page allocator needs memory before any test can kmalloc. */
static void unit_setup_memory(void)
{
	void *arena = aligned_alloc(PAGE_SIZE << PAGE_MAX_ORDER, UNIT_MEMORY_SIZE);

	if (!arena) {
		fprintf(stderr, "unit: cannot allocate the test memory arena\n");
		exit(2);
	}
	page_alloc_add_range(ptr_to_hpa(arena), UNIT_MEMORY_SIZE);
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	struct unit_test **order;
	unsigned int passed = 0, failed = 0, i = 0;
	const char *verbose = getenv("KEEL_UNIT_VERBOSE");

	unit_verbose = verbose && *verbose && strcmp(verbose, "0") != 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGABRT, unit_on_abort);
	time_init(0);
	unit_console_install();
	unit_setup_memory();

	/* Run in file order and, within a file, in source order. */
	order = calloc(unit_test_count ? unit_test_count : 1, sizeof(*order));
	if (!order)
		return 2;
	for (struct unit_test *t = unit_tests; t; t = t->next)
		order[i++] = t;
	qsort(order, unit_test_count, sizeof(*order), unit_compare_tests);

	for (i = 0; i < unit_test_count; i++) {
		const struct unit_test *t = order[i];

		if (filter && !strstr(t->name, filter))
			continue;
		unit_current = t;
		unit_current_failures = 0;
		host_guest_platform_select(NULL);
		unit_lock_reports_allowed = 0;
		unit_console_clear();
#ifdef CONFIG_DEBUG_LOCK_ORDER
		unsigned long lock_reports = lock_order_reports();
#endif
		t->run();
#ifdef CONFIG_DEBUG_LOCK_ORDER
		/* A lock-order inversion is a failure of the test that ran
		 * into it, even though the code went on. */
		lock_reports = lock_order_reports() - lock_reports;
		if (lock_reports != unit_lock_reports_allowed) {
			unit_current_failures++;
			printf("%s: %lu lock-order reports, %lu expected:\n%s", t->name,
			       lock_reports, unit_lock_reports_allowed, unit_console_text());
		}
#endif
		if (unit_current_failures) {
			printf("FAIL %s (%s:%d)\n", t->name, t->file, t->line);
			failed++;
		} else {
			passed++;
		}
	}
	unit_current = NULL;
	free(order);
	printf("unit: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
