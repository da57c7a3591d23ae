/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The init of Keel's Linux test guest (tests/images/README): declarations
 * shared by its files. One static binary is both /init (PID 1) and
 * /bin/keel-check (a command run from the shell).
 */
#ifndef KEEL_INIT_H
#define KEEL_INIT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PRINTF_FORMAT(f, a) __attribute__((format(printf, f, a)))

/* Ports and addresses agreed with Keel and with the peer guest. */
#define VSOCK_SERVICE_PORT 1234U	/* ours: answers "NAME: " + the line */
#define VSOCK_HOST_CID 2U		/* Keel */
#define VSOCK_HOST_ECHO_PORT 7U		/* Keel's echo service */
#define NETBENCH_PORT 5001
#define TRAFFIC_PORT 5002

/* How long checks wait for a peer guest that boots at the same time. */
#define PEER_WAIT_SECONDS 20

#define BLOCK_DEVICE "/dev/vda"
#define MiB(n) ((size_t)(n) << 20)

/* ---- params.c: keel.* parameters from /proc/cmdline ---- */

struct params {
	char name[64];		/* keel.name, "linux" when absent */
	char mode[32];		/* keel.mode, "" for the interactive shell */
	struct in_addr ip;	/* keel.ip: eth0's address, a /24 */
	struct in_addr peer;	/* keel.peer: the other guest's eth0 */
	unsigned int peer_cid;	/* keel.peer-cid: the other guest's vsock CID */
	bool has_ip, has_peer, has_peer_cid;
};

/* Fills *p from /proc/cmdline; malformed values are reported and ignored. */
void params_read(struct params *p);

/* ---- console.c: every line the program prints ---- */

/* PID 1: lines go to /dev/console, each starting with `prefix`. */
void console_open(const char *prefix);
/* A command run from the shell: lines go to stdout instead. */
void console_use_stdout(const char *prefix);
/* Prints prefix + the formatted text + "\n" and flushes it. */
void console_print(const char *fmt, ...) PRINTF_FORMAT(1, 2);
/* Flushes stdio before fork() so that no child repeats buffered text. */
void console_flush(void);

/* ---- mounts.c, power.c, netconfig.c: system set-up ---- */

/* Mounts proc, sysfs, devtmpfs (/dev) and tmpfs (/tmp). */
void mounts_setup(void);
/* Ends every other process, syncs, and powers off, halts or reboots. */
void power_down(int how) __attribute__((noreturn));
/* Sets `ifname` up, with `addr`/24 when addr is not NULL. 0 or -errno. */
int netconfig_up(const char *ifname, const struct in_addr *addr);
/* Reads `ifname`'s IPv4 address. 0 or -errno. */
int netconfig_get_address(const char *ifname, struct in_addr *addr);

/* ---- sockets.c: socket helpers that never wait forever ---- */

/* connect() that gives up after timeout_ms; 0 or -errno. */
int socket_connect_timeout(int fd, const void *addr, size_t len, int timeout_ms);
/* Makes every later read/write on fd fail after timeout_ms of waiting. */
void socket_set_timeouts(int fd, int timeout_ms);
/* Reads one line (the "\n" dropped) within timeout_ms; length or -errno. */
int socket_read_line(int fd, char *buf, size_t size, int timeout_ms);
/* Writes the whole buffer; 0 or -errno. */
int fd_write_all(int fd, const void *buf, size_t len);
/* This guest's vsock CID, or VMADDR_CID_ANY without a virtio-vsock device. */
unsigned int vsock_local_cid(void);
/* Connects a vsock stream socket to cid:port; fd or -errno. */
int vsock_connect(unsigned int cid, unsigned int port, int timeout_ms);

/* ---- vsock_service.c ---- */

/*
 * Starts the port 1234 service in a child process; it writes one byte to
 * notify_fd (when >= 0) after each answer. Returns the child's pid or -1.
 */
int vsock_service_start(const struct params *p, int notify_fd);

/* ---- blockdev.c: /dev/vda with O_DIRECT ---- */

struct blockdev {
	int fd;
	uint64_t size;		/* bytes */
	void *buf;		/* page-aligned, as O_DIRECT requires */
	size_t buf_size;
};

/* Opens BLOCK_DEVICE for O_DIRECT I/O of up to buf_size bytes at a time. */
int blockdev_open(struct blockdev *dev, size_t buf_size);
void blockdev_close(struct blockdev *dev);
/* Fills len bytes of the buffer with a pattern unique to (seed, offset). */
void blockdev_fill(struct blockdev *dev, size_t len, uint64_t seed, uint64_t offset);
/* Returns the first differing byte's index into the buffer, or -1. */
long blockdev_compare(const struct blockdev *dev, size_t len, uint64_t seed,
		      uint64_t offset);
/* Whole-buffer pwrite/pread of len bytes at offset; 0 or -errno. */
int blockdev_write(struct blockdev *dev, size_t len, uint64_t offset);
int blockdev_read(struct blockdev *dev, size_t len, uint64_t offset);

/* ---- checks.c and check_*.c: the test-mode checks ---- */

enum check_result { CHECK_PASS, CHECK_FAIL, CHECK_SKIP };

struct check {
	const char *name;
	int timeout_seconds;	/* the check is stopped and FAILs after it */
	enum check_result (*run)(const struct params *p, char *detail, size_t size);
};

/* For a check's return: formats the detail and returns the result. */
enum check_result check_result(enum check_result result, char *detail, size_t size,
			       const char *fmt, ...) PRINTF_FORMAT(4, 5);
#define check_pass(...) check_result(CHECK_PASS, __VA_ARGS__)
#define check_fail(...) check_result(CHECK_FAIL, __VA_ARGS__)
#define check_skip(...) check_result(CHECK_SKIP, __VA_ARGS__)

/* Runs every check in order, one line each, then the summary; returns failures. */
int checks_run_all(const struct params *p);

enum check_result check_virtio_devices(const struct params *p, char *detail, size_t size);
enum check_result check_cpus(const struct params *p, char *detail, size_t size);
enum check_result check_virtio_rng(const struct params *p, char *detail, size_t size);
enum check_result check_virtio_console(const struct params *p, char *detail, size_t size);
enum check_result check_virtio_blk(const struct params *p, char *detail, size_t size);
enum check_result check_virtio_net(const struct params *p, char *detail, size_t size);
enum check_result check_vsock_host(const struct params *p, char *detail, size_t size);
enum check_result check_vsock_peer(const struct params *p, char *detail, size_t size);

/* ---- the modes ---- */

/* keel.mode=test: checks, wait for the peer, power off. */
void test_mode_run(const struct params *p, int service_notify_fd)
	__attribute__((noreturn));
/* keel.mode=bench: the time from power-on to init. */
void bench_print_boot_time(void);
/* keel.mode=blkbench. */
void bench_run_blk(void);
/* keel.mode=netbench-send / netbench-recv. */
void netbench_send(const struct params *p);
void netbench_receive(void);
/* No keel.mode: the busybox shell, respawned; never returns. */
void interactive_run(const struct params *p) __attribute__((noreturn));
/* `keel-check traffic`: block and network load until killed. */
int traffic_run(const struct params *p);

/* Seconds on the monotonic clock, for measuring intervals. */
static inline double time_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Milliseconds left until `deadline` (a time_now() value), never negative. */
static inline int time_left_ms(double deadline)
{
	double left = deadline - time_now();

	return left > 0 ? (int)(left * 1000) + 1 : 0;
}

#endif /* KEEL_INIT_H */
