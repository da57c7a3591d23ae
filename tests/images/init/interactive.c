/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * No keel.mode: a busybox shell on the kernel's console (ttyAMA0 on arm64,
 * ttyS0 on riscv64) for a person at `console linux0`. The shell is a
 * session leader with that tty as its controlling terminal, so Ctrl-C and
 * job control work; init respawns it when it exits and reaps every
 * orphan. busybox's poweroff, halt and reboot do not touch the hardware
 * themselves: they signal PID 1 (SIGUSR2, SIGUSR1, SIGTERM), and init does
 * the rest.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>	/* before linux/vm_sockets.h, which uses it */
#include <linux/vm_sockets.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

/* The console's tty: the last of those the kernel lists is /dev/console. */
#define CONSOLE_ACTIVE "/sys/class/tty/console/active"
#define SHELL_PATH "/bin/sh"
#define BUSYBOX_PATH "/bin/busybox"
/* A shell that dies sooner than this is respawned after a pause. */
#define SHELL_MIN_LIFETIME_S 2.0

static volatile sig_atomic_t power_request;

static void interactive_on_signal(int sig)
{
	if (sig != SIGCHLD)
		power_request = sig;
}

/*
 * The signals stay blocked except inside sigsuspend(), so a request that
 * arrives while init is busy is seen at the next wait, never lost between
 * a check and a blocking call. SIGCHLD gets a handler only so that it ends
 * sigsuspend(); the reaping is done by waitpid().
 */
static void interactive_catch_signals(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = interactive_on_signal };
	const int signals[] = { SIGCHLD, SIGUSR1, SIGUSR2, SIGTERM };
	sigset_t blocked;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&blocked);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		sigaction(signals[i], &sa, NULL);
		sigaddset(&blocked, signals[i]);
	}
	sigprocmask(SIG_BLOCK, &blocked, wait_mask);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigdelset(wait_mask, signals[i]);
}

/* Runs argv and waits for it; its exit status, or -1. */
static int interactive_run_program(char *const argv[])
{
	int status;
	pid_t pid;

	console_flush();
	pid = fork();
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * The name of the tty behind /dev/console ("ttyAMA0", "ttyS0") into tty,
 * from the kernel's list of console ttys; "console" if it cannot be read.
 * The shell opens that tty by its own name: opening /dev/console never
 * makes it the opener's controlling terminal.
 */
static void interactive_console_tty(char *tty, size_t size)
{
	char line[128], *name = NULL, *word, *save;
	FILE *f = fopen(CONSOLE_ACTIVE, "re");

	snprintf(tty, size, "console");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f))
		for (word = strtok_r(line, " \n", &save); word; word = strtok_r(NULL, " \n", &save))
			name = word;
	fclose(f);
	/* A name, not a path: nothing but /dev/<name> is opened. */
	if (name && !strchr(name, '/'))
		snprintf(tty, size, "%s", name);
}

/* The child's side: new session, the console's tty as its terminal, then the shell. */
static void __attribute__((noreturn)) shell_exec(const struct params *p, const char *tty)
{
	char path[64];
	char ps1[96], *envp[] = { "HOME=/root", "PATH=/bin", "TERM=vt100", "SHELL=/bin/sh",
				  ps1, NULL };
	sigset_t none;
	int fd;

	snprintf(ps1, sizeof(ps1), "PS1=%s:\\w# ", p->name);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	/* Opening a tty without O_NOCTTY as a session leader makes it ours. */
	snprintf(path, sizeof(path), "/dev/%s", tty);
	fd = open(path, O_RDWR);
	if (fd < 0)
		fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		_exit(126);
	ioctl(fd, TIOCSCTTY, 0);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	if (chdir("/root") && chdir("/"))
		_exit(126);
	/* "-sh": a login shell, the convention for a console session. */
	execle(SHELL_PATH, "-sh", (char *)NULL, envp);
	execle(BUSYBOX_PATH, "-sh", (char *)NULL, envp);
	_exit(127);
}

static pid_t shell_start(const struct params *p, const char *tty)
{
	pid_t pid;

	console_flush();
	pid = fork();
	if (pid == 0)
		shell_exec(p, tty);
	if (pid < 0)
		console_print("shell: fork: %m");
	return pid;
}

static void interactive_print_banner(const struct params *p, const char *tty)
{
	char ip[INET_ADDRSTRLEN] = "no address", peer[INET_ADDRSTRLEN] = "none";
	char cid[16] = "none", try_ping[48] = "";
	unsigned int local_cid = vsock_local_cid();

	if (p->has_ip)
		inet_ntop(AF_INET, &p->ip, ip, sizeof(ip));
	if (p->has_peer) {
		inet_ntop(AF_INET, &p->peer, peer, sizeof(peer));
		snprintf(try_ping, sizeof(try_ping), "ping %s, ", peer);
	}
	if (local_cid != VMADDR_CID_ANY)
		snprintf(cid, sizeof(cid), "%u", local_cid);
	console_print("%s ready: busybox shell on %s; eth0 %s, peer %s; vsock CID %s; try: %skeel-check, poweroff",
		      p->name, tty, ip, peer, cid, try_ping);
}

/* Reaps every child that has ended; notes when the shell was one. */
static pid_t interactive_reap(pid_t shell)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != shell)
			continue;
		console_print("shell exited (%s %d); starting a new one",
			      WIFEXITED(status) ? "status" : "signal",
			      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		shell = -1;
	}
	return shell;
}

void interactive_run(const struct params *p)
{
	char *install[] = { BUSYBOX_PATH, "--install", "-s", "/bin", NULL };
	char tty[32];
	double started = 0;
	pid_t shell = -1;
	sigset_t wait_mask;
	bool have_shell = !access(BUSYBOX_PATH, X_OK);

	interactive_console_tty(tty, sizeof(tty));
	/* Links for every applet: sh, ping, poweroff... */
	if (have_shell && interactive_run_program(install))
		console_print("%s --install failed; only %s itself is available",
			      BUSYBOX_PATH, BUSYBOX_PATH);
	interactive_catch_signals(&wait_mask);
	if (have_shell)
		interactive_print_banner(p, tty);
	else
		/* Not an initramfs tools/mkinitramfs wrote: say so, and stay up. */
		console_print("%s: no such program, so no shell on %s; the guest idles until it is stopped",
			      BUSYBOX_PATH, tty);
	for (;;) {
		if (power_request)
			power_down(power_request == SIGUSR2 ? RB_POWER_OFF :
				   power_request == SIGUSR1 ? RB_HALT_SYSTEM : RB_AUTOBOOT);
		if (have_shell && shell < 0) {
			if (started && time_now() - started < SHELL_MIN_LIFETIME_S)
				sleep(1);
			started = time_now();
			shell = shell_start(p, tty);
		}
		shell = interactive_reap(shell);
		if ((shell >= 0 || !have_shell) && !power_request)
			sigsuspend(&wait_mask);
	}
}
