/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * No keel.mode: a busybox shell on ttyAMA0 for a person at `console
 * linux0` (or, in an initramfs without busybox, the checks and an idle
 * init: interactive_run_without_shell). The shell is a session leader with ttyAMA0 as its controlling
 * terminal, so Ctrl-C and job control work; init respawns it when it exits
 * and reaps every orphan. busybox's poweroff, halt and reboot do not touch
 * the hardware themselves: they signal PID 1 (SIGUSR2, SIGUSR1, SIGTERM),
 * and init does the rest.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>	/* before linux/vm_sockets.h, which uses it */
#include <linux/vm_sockets.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

#define SHELL_TTY "/dev/ttyAMA0"
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

/* The child's side: new session, ttyAMA0 as its terminal, then the shell. */
static void __attribute__((noreturn)) shell_exec(const struct params *p)
{
	char ps1[96], *envp[] = { "HOME=/root", "PATH=/bin", "TERM=vt100", "SHELL=/bin/sh",
				  ps1, NULL };
	sigset_t none;
	int fd;

	snprintf(ps1, sizeof(ps1), "PS1=%s:\\w# ", p->name);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	/* Opening a tty without O_NOCTTY as a session leader makes it ours. */
	fd = open(SHELL_TTY, O_RDWR);
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

static pid_t shell_start(const struct params *p)
{
	pid_t pid;

	console_flush();
	pid = fork();
	if (pid == 0)
		shell_exec(p);
	if (pid < 0)
		console_print("shell: fork: %m");
	return pid;
}

static void interactive_print_banner(const struct params *p)
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
	console_print("%s ready: busybox shell on ttyAMA0; eth0 %s, peer %s; vsock CID %s; try: %skeel-check, poweroff",
		      p->name, ip, peer, cid, try_ping);
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

/*
 * An initramfs without busybox (riscv64's: Debian 12 ships no riscv64
 * busybox-static) has no shell to offer. What `console linux0` shows is
 * still worth reading: the checks run once against the peer (which may
 * boot later: the network and vsock checks retry for a while), then init
 * stays up serving the peer's ping and vsock calls until the guest is
 * stopped from Keel's shell. Power requests (signals) still work.
 */
static void __attribute__((noreturn)) interactive_run_without_shell(const struct params *p)
{
	char ip[INET_ADDRSTRLEN] = "no address", peer[INET_ADDRSTRLEN] = "none";
	char cid[16] = "none";
	unsigned int local_cid = vsock_local_cid();
	sigset_t wait_mask;

	if (p->has_ip)
		inet_ntop(AF_INET, &p->ip, ip, sizeof(ip));
	if (p->has_peer)
		inet_ntop(AF_INET, &p->peer, peer, sizeof(peer));
	if (local_cid != VMADDR_CID_ANY)
		snprintf(cid, sizeof(cid), "%u", local_cid);
	interactive_catch_signals(&wait_mask);
	console_print("%s ready: no shell (this initramfs has no %s); eth0 %s, peer %s; vsock CID %s; running keel-check",
		      p->name, BUSYBOX_PATH, ip, peer, cid);
	checks_run_all(p);
	console_print("%s idle: checks done; serving the peer (ping, vsock port 1234) until the guest is stopped",
		      p->name);
	for (;;) {
		if (power_request)
			power_down(power_request == SIGUSR2 ? RB_POWER_OFF :
				   power_request == SIGUSR1 ? RB_HALT_SYSTEM : RB_AUTOBOOT);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		sigsuspend(&wait_mask);
	}
}

void interactive_run(const struct params *p)
{
	char *install[] = { BUSYBOX_PATH, "--install", "-s", "/bin", NULL };
	double started = 0;
	pid_t shell = -1;
	sigset_t wait_mask;

	if (access(BUSYBOX_PATH, X_OK))
		interactive_run_without_shell(p);
	/* Links for every applet: sh, ping, poweroff... */
	if (interactive_run_program(install))
		console_print("%s --install failed; only %s itself is available",
			      BUSYBOX_PATH, BUSYBOX_PATH);
	interactive_catch_signals(&wait_mask);
	interactive_print_banner(p);
	for (;;) {
		if (power_request)
			power_down(power_request == SIGUSR2 ? RB_POWER_OFF :
				   power_request == SIGUSR1 ? RB_HALT_SYSTEM : RB_AUTOBOOT);
		if (shell < 0) {
			if (started && time_now() - started < SHELL_MIN_LIFETIME_S)
				sleep(1);
			started = time_now();
			shell = shell_start(p);
		}
		shell = interactive_reap(shell);
		if (shell >= 0 && !power_request)
			sigsuspend(&wait_mask);
	}
}
