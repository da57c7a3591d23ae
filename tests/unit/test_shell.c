/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of the shell: command table, running lines and scripts, and
 * the built-in commands, with the console output checked. */
#include <stdio.h>
#include <string.h>

#include <keel/devtree.h>
#include <keel/errno.h>
#include <keel/fs.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/shell_internal.h>
#include <arch/cpu.h>

#include "unit.h"

/* ---- a command of our own ---- */

static int test_argc;
static char test_argv[SHELL_MAX_ARGS][SHELL_LINE_MAX];
static unsigned int test_runs;

static int unit_test_run(int argc, char **argv)
{
	int i;

	test_runs++;
	test_argc = argc;
	for (i = 0; i < argc && i < SHELL_MAX_ARGS; i++)
		snprintf(test_argv[i], sizeof(test_argv[i]), "%s", argv[i]);
	if (argc > 1 && !strcmp(argv[1], "bad")) {
		kprintf("unit-test: bad is not a good word\n");
		return -KEEL_EINVAL;
	}
	if (argc > 1 && !strcmp(argv[1], "fail"))
		return -KEEL_EIO;
	return 0;
}

SHELL_COMMAND(unit_test,
	.name = "unit-test",
	.usage = "unit-test <word>...",
	.summary = "records its arguments for the unit tests",
	.help = "Says \"bad\" is bad; fails on \"fail\".",
	.run = unit_test_run);

static void test_reset(void)
{
	test_runs = 0;
	test_argc = 0;
	unit_console_clear();
}

/* ---- the command table ---- */

TEST(shell_table_is_sorted_and_searchable)
{
	unsigned int i, count = shell_command_count();

	CHECK(count >= 12);
	for (i = 1; i < count; i++)
		CHECK(strcmp(shell_command_at(i - 1)->name,
			     shell_command_at(i)->name) < 0);
	CHECK(shell_command_at(count) == NULL);
	CHECK(shell_command_find("unit-test") != NULL);
	CHECK_STR_EQ(shell_command_find("unit-test")->usage, "unit-test <word>...");
	CHECK(shell_command_find("help") != NULL);
	CHECK(shell_command_find("help")->run != NULL);
	CHECK(shell_command_find("hel") == NULL);
	CHECK(shell_command_find("") == NULL);
	CHECK(shell_command_find("zzz") == NULL);
}

/* ---- shell_run_line ---- */

TEST(shell_run_line_passes_words)
{
	test_reset();
	CHECK_EQ(shell_run_line("  unit-test a 'b c' \"d\\\"e\"  "), 0);
	CHECK_EQ(test_runs, 1);
	CHECK_EQ(test_argc, 4);
	CHECK_STR_EQ(test_argv[0], "unit-test");
	CHECK_STR_EQ(test_argv[1], "a");
	CHECK_STR_EQ(test_argv[2], "b c");
	CHECK_STR_EQ(test_argv[3], "d\"e");
	CHECK_STR_EQ(unit_console_text(), "");
}

TEST(shell_run_line_ignores_blank_and_comment_lines)
{
	test_reset();
	CHECK_EQ(shell_run_line(""), 0);
	CHECK_EQ(shell_run_line("   "), 0);
	CHECK_EQ(shell_run_line("# unit-test"), 0);
	CHECK_EQ(test_runs, 0);
	CHECK_STR_EQ(unit_console_text(), "");
}

TEST(shell_unknown_command_message)
{
	test_reset();
	CHECK_EQ(shell_run_line("frobnicate now"), -KEEL_ENOENT);
	CHECK_STR_EQ(unit_console_text(), "unknown command \"frobnicate\" — type \"help\" "
			       "for the list of commands\n");
}

TEST(shell_bad_arguments_show_usage)
{
	test_reset();
	CHECK_EQ(shell_run_line("unit-test bad"), -KEEL_EINVAL);
	CHECK_STR_EQ(unit_console_text(), "unit-test: bad is not a good word\n"
			       "usage: unit-test <word>...  (see \"help unit-test\")\n");
	/* Other failures are the command's to explain. */
	unit_console_clear();
	CHECK_EQ(shell_run_line("unit-test fail"), -KEEL_EIO);
	CHECK_STR_EQ(unit_console_text(), "");
}

TEST(shell_syntax_errors_do_not_run_the_command)
{
	test_reset();
	CHECK_EQ(shell_run_line("unit-test \"open"), -KEEL_EINVAL);
	CHECK_EQ(test_runs, 0);
	CHECK_STR_EQ(unit_console_text(), "unterminated quote\n");
}

TEST(shell_over_long_line_is_refused)
{
	char line[SHELL_LINE_MAX + 64];

	test_reset();
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "unit-test ", 10);
	CHECK_EQ(shell_run_line(line), -KEEL_EINVAL);
	CHECK_EQ(test_runs, 0);
	CHECK_STR_EQ(unit_console_text(), "line too long (at most 255 characters)\n");
	/* The longest line that fits still runs. */
	line[SHELL_LINE_MAX - 1] = '\0';
	CHECK_EQ(shell_run_line(line), 0);
	CHECK_EQ(test_runs, 1);
	CHECK_EQ(strlen(test_argv[1]), SHELL_LINE_MAX - 1 - 10);
}

TEST(shell_many_arguments)
{
	char line[SHELL_LINE_MAX];
	size_t len;
	int i;

	test_reset();
	len = (size_t)snprintf(line, sizeof(line), "unit-test");
	for (i = 1; i < SHELL_MAX_ARGS; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %d", i);
	CHECK_EQ(shell_run_line(line), 0);
	CHECK_EQ(test_argc, SHELL_MAX_ARGS);
	CHECK_STR_EQ(test_argv[SHELL_MAX_ARGS - 1], "15");
	snprintf(line + len, sizeof(line) - len, " one-too-many");
	CHECK_EQ(shell_run_line(line), -KEEL_EINVAL);
	CHECK_EQ(test_runs, 1);
	CHECK_STR_EQ(unit_console_text(), "too many arguments (at most 16 words)\n");
}

/* ---- shell_run_script ---- */

TEST(shell_script_echoes_and_counts_failures)
{
	static const char script[] =
		"unit-test a; unit-test 'x;y'\n"
		"# a comment; not a command\n"
		"nope\n"
		"unit-test bad";

	test_reset();
	CHECK_EQ(shell_run_script(script, sizeof(script) - 1, "test"), 2);
	CHECK_EQ(test_runs, 3);
	CHECK_STR_EQ(test_argv[1], "bad");
	CHECK_STR_EQ(unit_console_text(),
		     "[test] keel# unit-test a\n"
		     "[test] keel# unit-test 'x;y'\n"
		     "[test] keel# nope\n"
		     "unknown command \"nope\" — type \"help\" for the list of commands\n"
		     "[test] keel# unit-test bad\n"
		     "unit-test: bad is not a good word\n"
		     "usage: unit-test <word>...  (see \"help unit-test\")\n"
		     "[test] 2 of 4 commands failed\n");
}

TEST(shell_script_keeps_quoted_separators)
{
	static const char script[] = "unit-test \"a; b\nc\"";

	test_reset();
	CHECK_EQ(shell_run_script(script, sizeof(script) - 1, "q"), 0);
	CHECK_EQ(test_runs, 1);
	CHECK_EQ(test_argc, 2);
	CHECK_STR_EQ(test_argv[1], "a; b\nc");
}

TEST(shell_script_runs_past_an_over_long_command)
{
	char script[600];
	size_t len;

	test_reset();
	memset(script, 'y', 400);
	memcpy(script, "unit-test ", 10);
	len = 400;
	len += (size_t)snprintf(script + len, sizeof(script) - len,
				";unit-test ok");
	CHECK_EQ(shell_run_script(script, len, "long"), 1);
	CHECK_EQ(test_runs, 1);
	CHECK_STR_EQ(test_argv[1], "ok");
	CHECK(strstr(unit_console_text(), "line too long") != NULL);
	CHECK(strstr(unit_console_text(), "[long] 1 of 2 commands failed\n") != NULL);
}

TEST(shell_script_with_nothing_to_run)
{
	test_reset();
	CHECK_EQ(shell_run_script("", 0, "empty"), 0);
	CHECK_EQ(shell_run_script(" ;\n# only a comment\n", 20, "empty"), 0);
	CHECK_STR_EQ(unit_console_text(), "");
}

/* ---- built-in commands ---- */

TEST(shell_cmd_echo)
{
	unit_console_clear();
	CHECK_EQ(shell_run_line("echo a  \"b  c\" d"), 0);
	CHECK_STR_EQ(unit_console_text(), "a b  c d\n");
	unit_console_clear();
	CHECK_EQ(shell_run_line("echo"), 0);
	CHECK_STR_EQ(unit_console_text(), "\n");
}

TEST(shell_cmd_help_lists_and_describes)
{
	unit_console_clear();
	CHECK_EQ(shell_run_line("help"), 0);
	CHECK(strstr(unit_console_text(), "unit-test") != NULL);
	CHECK(strstr(unit_console_text(), "  records its arguments for the unit tests\n"));
	CHECK(strstr(unit_console_text(), "  echo ") != NULL);

	unit_console_clear();
	CHECK_EQ(shell_run_line("help unit-test"), 0);
	CHECK_STR_EQ(unit_console_text(), "usage: unit-test <word>...\n"
			       "records its arguments for the unit tests\n"
			       "\n"
			       "Says \"bad\" is bad; fails on \"fail\".\n");

	unit_console_clear();
	CHECK_EQ(shell_run_line("help nope"), -KEEL_ENOENT);
	CHECK_STR_EQ(unit_console_text(), "help: no command \"nope\" — type \"help\" for "
			       "the list of commands\n");

	unit_console_clear();
	CHECK_EQ(shell_run_line("help a b"), -KEEL_EINVAL);
	CHECK(strstr(unit_console_text(), "usage: help [command]  (see \"help help\")\n"));
}

TEST(shell_cmd_version)
{
	char expect[128];

	unit_console_clear();
	CHECK_EQ(shell_run_line("version"), 0);
	snprintf(expect, sizeof(expect), "Keel v%s (%s), for %s\n",
		 keel_version(), keel_config_name(), KEEL_ARCH);
	CHECK(strncmp(unit_console_text(), expect, strlen(expect)) == 0);
	CHECK(strstr(unit_console_text(), "built with ") != NULL);
	/* The devices of the configuration (the unit build's has them all). */
	CHECK(strstr(unit_console_text(), "devices: arm,pl011 ") != NULL);
	CHECK(strstr(unit_console_text(), " virtio,net") != NULL);
	CHECK(strstr(unit_console_text(), "CONFIG_") == NULL);
	unit_console_clear();
	CHECK_EQ(shell_run_line("version -v"), 0);
	CHECK(strstr(unit_console_text(), "\nCONFIG_VIRTIO_NET=y\n") != NULL);
	CHECK(strstr(unit_console_text(), "\nCONFIG_DEBUG_LOCK_ORDER=y\n") != NULL);
	CHECK_EQ(shell_run_line("version x"), -KEEL_EINVAL);
	CHECK_EQ(shell_run_line("version -v x"), -KEEL_EINVAL);
}

TEST(shell_cmd_log_replays_the_log)
{
	log_info("shell-test marker %d", 42);
	unit_console_clear();
	CHECK_EQ(shell_run_line("log"), 0);
	CHECK(strstr(unit_console_text(), "shell-test marker 42\n") != NULL);
}

TEST(shell_cmd_uptime)
{
	uint64_t saved_counter = arch_counter_read();
	uint64_t saved_boot_ms = keel_boot_ms;

	/* The host fake counts nanoseconds from zero. */
	host_counter_set((((26ULL * 60 + 3) * 60 + 4) * 1000 + 567) * 1000000ULL);
	keel_boot_ms = 1234;
	unit_console_clear();
	CHECK_EQ(shell_run_line("uptime"), 0);
	CHECK_STR_EQ(unit_console_text(), "up 1d 02:03:04.567\n"
		     "boot took 1234 ms (from Keel's entry to the banner)\n");
	unit_console_clear();
	CHECK(shell_run_line("uptime now") != 0);
	keel_boot_ms = saved_boot_ms;
	host_counter_set(saved_counter);
}

TEST(shell_cmd_mem)
{
	unit_console_clear();
	CHECK_EQ(shell_run_line("mem"), 0);
	CHECK(strstr(unit_console_text(), "RAM:\n") != NULL);
	CHECK(strstr(unit_console_text(), "reserved:\n") != NULL);
	CHECK(strstr(unit_console_text(), "pages: ") != NULL);
	CHECK(strstr(unit_console_text(), "heap:  ") != NULL);
	CHECK_EQ(shell_run_line("mem all"), -KEEL_EINVAL);
}

TEST(shell_cmd_cpus)
{
	struct cpu_info saved_info[KEEL_MAX_CPUS];
	unsigned int saved_count = cpu_count;
	uint64_t saved_counter = arch_counter_read();

	memcpy(saved_info, cpu_info, sizeof(saved_info));
	memset(cpu_info, 0, sizeof(cpu_info));
	cpu_count = 2;
	cpu_info[0] = (struct cpu_info){ .hwid = 0x0, .state = CPU_ONLINE,
					 .boot_ns = 1000000, .irqs = 1234,
					 .idle_ns = 750000000 };
	cpu_info[1] = (struct cpu_info){ .hwid = 0x80000001,
					 .state = CPU_FAILED };
	host_counter_set(1001000000);

	CHECK_EQ(shell_run_line("cpus"), 0);
	CHECK_STR_EQ(unit_console_text(),
		     "cpu  hwid        state             irqs  idle\n"
		     "  0  0x0         online            1234   75%\n"
		     "  1  0x80000001  failed               0     -\n"
		     "1 of 2 CPUs online\n");
	CHECK_EQ(shell_run_line("cpus now"), -KEEL_EINVAL);

	memcpy(cpu_info, saved_info, sizeof(saved_info));
	cpu_count = saved_count;
	host_counter_set(saved_counter);
}

TEST(shell_cmd_dt_without_a_tree)
{
	const void *saved = devtree_host();

	devtree_set_host(NULL);
	unit_console_clear();
	CHECK_EQ(shell_run_line("dt"), -KEEL_ENOENT);
	CHECK_STR_EQ(unit_console_text(), "dt: no valid host device tree\n");
	devtree_set_host(saved);
}

/* ---- ls and cat over a small archive ---- */

struct cpio_builder {
	unsigned char data[2048];
	size_t len;
};

static void cpio_pad(struct cpio_builder *b)
{
	while (b->len % 4)
		b->data[b->len++] = 0;
}

/* Appends one "newc" entry: header, name, padding, data, padding. */
static void cpio_add(struct cpio_builder *b, const char *name, unsigned int mode,
		     const void *data, size_t size)
{
	static unsigned int inode = 1;
	size_t name_size = strlen(name) + 1;

	b->len += (size_t)snprintf((char *)b->data + b->len, sizeof(b->data) - b->len,
				   "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
				   inode++, mode, 0U, 0U, 1U, 0U, size, 0U, 0U, 0U, 0U,
				   name_size, 0U);
	memcpy(b->data + b->len, name, name_size);
	b->len += name_size;
	cpio_pad(b);
	memcpy(b->data + b->len, data, size);
	b->len += size;
	cpio_pad(b);
}

static const char readme[] = "Hello from the image.\nSecond line.";
static const unsigned char blob[] = { 0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 0x40 };

static struct cpio_builder archive;

static int mount_test_archive(void)
{
	archive.len = 0;
	cpio_add(&archive, ".", 040755, "", 0);
	cpio_add(&archive, "README", 0100644, readme, sizeof(readme) - 1);
	cpio_add(&archive, "dir", 040755, "", 0);
	cpio_add(&archive, "dir/inner.txt", 0100644, "inner\n", 6);
	cpio_add(&archive, "bin.dtb", 0100644, blob, sizeof(blob));
	cpio_add(&archive, "TRAILER!!!", 0, "", 0);
	return fs_mount_cpio(archive.data, archive.len);
}

TEST(shell_cmd_ls)
{
	CHECK_EQ(mount_test_archive(), 0);
	unit_console_clear();
	CHECK_EQ(shell_run_line("ls"), 0);
	CHECK(strstr(unit_console_text(), "        34  README\n") != NULL);
	CHECK(strstr(unit_console_text(), "  dir/\n") != NULL);
	CHECK(strstr(unit_console_text(), "         8  bin.dtb\n") != NULL);
	CHECK(strstr(unit_console_text(), "inner") == NULL);

	unit_console_clear();
	CHECK_EQ(shell_run_line("ls /dir"), 0);
	CHECK_STR_EQ(unit_console_text(), "         6  inner.txt\n");

	unit_console_clear();
	CHECK_EQ(shell_run_line("ls /nope"), -KEEL_ENOENT);
	CHECK_STR_EQ(unit_console_text(), "ls: /nope: no such file or directory\n");

	unit_console_clear();
	CHECK_EQ(shell_run_line("ls / /dir"), -KEEL_EINVAL);
	fs_unmount();
}

TEST(shell_cmd_cat)
{
	char expect[128];

	CHECK_EQ(mount_test_archive(), 0);
	unit_console_clear();
	CHECK_EQ(shell_run_line("cat /README"), 0);
	/* A missing final newline is added for the prompt's sake. */
	CHECK_STR_EQ(unit_console_text(), "Hello from the image.\nSecond line.\n");

	unit_console_clear();
	CHECK_EQ(shell_run_line("cat dir/inner.txt"), 0);
	CHECK_STR_EQ(unit_console_text(), "inner\n");

	unit_console_clear();
	CHECK_EQ(shell_run_line("cat /bin.dtb"), 0);
	snprintf(expect, sizeof(expect),
		 "cat: /bin.dtb: binary file (%zu bytes); not shown\n", sizeof(blob));
	CHECK_STR_EQ(unit_console_text(), expect);

	unit_console_clear();
	CHECK_EQ(shell_run_line("cat /dir"), -KEEL_EISDIR);
	CHECK_STR_EQ(unit_console_text(), "cat: /dir: is a directory\n");

	unit_console_clear();
	CHECK_EQ(shell_run_line("cat /missing"), -KEEL_ENOENT);
	CHECK_STR_EQ(unit_console_text(), "cat: /missing: no such file or directory\n");

	unit_console_clear();
	CHECK_EQ(shell_run_line("cat"), -KEEL_EINVAL);
	CHECK_STR_EQ(unit_console_text(), "cat: which file?\n"
			       "usage: cat <file>  (see \"help cat\")\n");
	fs_unmount();
}

/* ---- helpers ---- */

TEST(shell_format_size_is_human)
{
	char buf[SHELL_SIZE_BUF];

	CHECK_STR_EQ(shell_format_size(0, buf, sizeof(buf)), "0 B");
	CHECK_STR_EQ(shell_format_size(1023, buf, sizeof(buf)), "1023 B");
	CHECK_STR_EQ(shell_format_size(1024, buf, sizeof(buf)), "1 KiB");
	CHECK_STR_EQ(shell_format_size(1536, buf, sizeof(buf)), "1.5 KiB");
	CHECK_STR_EQ(shell_format_size(128ULL << 20, buf, sizeof(buf)), "128 MiB");
	CHECK_STR_EQ(shell_format_size(3ULL << 29, buf, sizeof(buf)), "1.5 GiB");
	/* Rounded to a tenth, carrying into the next unit. */
	CHECK_STR_EQ(shell_format_size((1ULL << 20) - 1, buf, sizeof(buf)), "1 MiB");
	CHECK_STR_EQ(shell_format_size(1126, buf, sizeof(buf)), "1.1 KiB");
	CHECK_STR_EQ(shell_format_size(~0ULL, buf, sizeof(buf)), "16 EiB");
}
