/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry point. The binary is two programs, chosen by the name it was run
 * under: /init, PID 1 of Keel's Linux test guest, and /bin/keel-check (a
 * symbolic link to /init), which runs init's checks from the shell. One
 * binary keeps the checks identical in both and the initramfs small.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

static void init_setup_network(const struct params *p)
{
	int err;

	err = netconfig_up("lo", NULL);
	if (err)
		console_print("lo: %s", strerror(-err));
	/* Without keel.ip eth0 is still brought up, with no address. */
	err = netconfig_up("eth0", p->has_ip ? &p->ip : NULL);
	if (err)
		console_print("eth0: %s", strerror(-err));
}

static void __attribute__((noreturn)) init_main(void)
{
	int notify[2] = { -1, -1 };
	struct timespec t;
	struct params p;

	console_open("init: ");
	mounts_setup();
	params_read(&p);
	/* Nothing else first: this is the number tools/bench wants. */
	if (!strcmp(p.mode, "bench")) {
		bench_print_boot_time();
		power_down(RB_POWER_OFF);
	}
	clock_gettime(CLOCK_BOOTTIME, &t);
	console_print("started on %s at %ld.%03ld s (mode %s)", p.name, (long)t.tv_sec,
		      t.tv_nsec / 1000000, *p.mode ? p.mode : "interactive");
	if (sethostname(p.name, strlen(p.name)))
		console_print("hostname %s: %m", p.name);
	init_setup_network(&p);
	/* The service tells test mode, through this pipe, that the peer came. */
	if (pipe2(notify, O_NONBLOCK | O_CLOEXEC))
		notify[0] = notify[1] = -1;
	vsock_service_start(&p, notify[1]);
	if (notify[1] >= 0)
		close(notify[1]);

	if (!strcmp(p.mode, "test"))
		test_mode_run(&p, notify[0]);
	if (notify[0] >= 0)
		close(notify[0]);
	if (!strcmp(p.mode, "blkbench")) {
		bench_run_blk();
		power_down(RB_POWER_OFF);
	}
	if (!strcmp(p.mode, "netbench-send")) {
		netbench_send(&p);
		power_down(RB_POWER_OFF);
	}
	if (!strcmp(p.mode, "netbench-recv")) {
		netbench_receive();
		power_down(RB_POWER_OFF);
	}
	if (*p.mode)
		console_print("keel.mode=%s: unknown mode; starting the shell", p.mode);
	interactive_run(&p);
}

static int keel_check_usage(void)
{
	fprintf(stderr,
		"usage: keel-check            run the guest checks (exit status 1 if one fails)\n"
		"       keel-check traffic    disk and network load until killed\n");
	return 2;
}

static int keel_check_main(int argc, char **argv)
{
	struct params p;

	/* init's own lines, so that one parser reads test mode and keel-check. */
	console_use_stdout("init: ");
	params_read(&p);
	if (argc == 1)
		return checks_run_all(&p) ? 1 : 0;
	if (argc == 2 && !strcmp(argv[1], "traffic")) {
		console_use_stdout("traffic: ");
		return traffic_run(&p);
	}
	return keel_check_usage();
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');

	name = name ? name + 1 : argv[0];
	if (!strcmp(name, "keel-check"))
		return keel_check_main(argc, argv);
	if (getpid() != 1) {
		fprintf(stderr, "%s: this is the guest's PID 1; run it as keel-check\n", name);
		return keel_check_usage();
	}
	init_main();
}
