/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `crash`: makes Keel take a fault on purpose, to check what a Keel bug
 * looks like (register dump, decoded syndrome, backtrace) and that the
 * protections hold: page 0 unmapped, data never executable.
 */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/shell_internal.h>
#include <string.h>

/* Not static and not inlined, so the backtrace shows a real call chain. */
__attribute__((noinline)) void crash_read_null(void);
__attribute__((noinline)) void crash_execute_data(void);

__attribute__((noinline)) void crash_read_null(void)
{
	uintptr_t address = 0x8;

	/* Hide the constant so the compiler emits a plain load. */
	__asm__ volatile("" : "+r"(address));
	kprintf("crash: reading address 0x8 (page 0 is never mapped)\n");
	(void)*(volatile uint64_t *)address;
}

__attribute__((noinline)) void crash_execute_data(void)
{
	static uint32_t data_code[4];
	void (*fn)(void) = (void (*)(void))(uintptr_t)data_code;

	kprintf("crash: jumping into writable data (never executable)\n");
	fn();
}

static int crash_run(int argc, char **argv)
{
	if (argc != 2) {
		kprintf("crash: name one kind of fault: read, exec or trap\n");
		return -KEEL_EINVAL;
	}
	if (strcmp(argv[1], "read") == 0)
		crash_read_null();
	else if (strcmp(argv[1], "exec") == 0)
		crash_execute_data();
	else if (strcmp(argv[1], "trap") == 0)
		__builtin_trap();
	else {
		kprintf("crash: unknown kind \"%s\" (read, exec or trap)\n", argv[1]);
		return -KEEL_EINVAL;
	}
	kprintf("crash: %s did not fault: the protection is missing\n", argv[1]);
	return -KEEL_EFAULT;
}

SHELL_COMMAND(crash,
	.name = "crash",
	.usage = "crash read|exec|trap",
	.summary = "take a fault on purpose (tests the fault report)",
	.help = "read: load from address 0x8; exec: call into writable data;\n"
		"trap: a trap instruction. The CPU running the shell reports\n"
		"the exception and parks: the shell stops. For testing only.",
	.run = crash_run);
