/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Powering off, halting and rebooting. The other processes get SIGTERM and
 * a moment to finish before SIGKILL, and the file systems are synced, so
 * that what the shell wrote to /dev/vda reaches the disk.
 */
#include <errno.h>
#include <signal.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

#define POWER_GRACE_MS 1000

/* Reaps children until none is left or the grace time is over. */
static void power_reap_children(int timeout_ms)
{
	double deadline = time_now() + timeout_ms / 1000.0;

	while (time_now() < deadline) {
		pid_t pid = waitpid(-1, NULL, WNOHANG);

		if (pid < 0 && errno == ECHILD)
			return;
		if (pid <= 0)
			usleep(20000);
	}
}

void power_down(int how)
{
	const char *what;

	switch (how) {
	case RB_AUTOBOOT:
		what = "rebooting";
		break;
	case RB_HALT_SYSTEM:
		what = "halting";
		break;
	default:
		what = "powering off";
	}

	/* kill(-1) spares the caller; only PID 1 may take everything down. */
	if (getpid() == 1) {
		kill(-1, SIGTERM);
		power_reap_children(POWER_GRACE_MS);
		kill(-1, SIGKILL);
		power_reap_children(POWER_GRACE_MS);
	}
	console_print("%s", what);
	sync();
	reboot(how);
	console_print("reboot(): %m");
	/* PID 1 must not exit: the kernel would panic. */
	for (;;)
		pause();
}
