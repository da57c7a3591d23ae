# SPDX-License-Identifier: GPL-2.0-only
"""Linux guests on arm64 and riscv64: the Linux test guest (tests/images:
Linux 6.1, our init and busybox) in test mode, two at once and beside a
basic guest; the demo of the defconfig (linux0 and linux1 with a busybox
shell on their console); guest reboot and poweroff from the shell; one
guest stopped in the middle of blk and net traffic started from the
shell. Guest node files, boot lines, console ttys and stop reasons per
arch: tests/regress/arches.py."""

import re
import time

from keel import check, indent
from test_guests import GuestScenario, DETACH, guest_text

LINUX_TIMEOUT = 240
# What the init prints in test mode (tests/images/README).
INIT_CHECKS = ['virtio-devices', 'cpus', 'virtio-rng', 'virtio-blk', 'virtio-console',
               'virtio-net', 'vsock-host', 'vsock-peer']
PEER_CHECKS = ['virtio-net', 'vsock-peer']
INIT_SUMMARY = re.compile(r'init: (\d+) passed, (\d+) failed')
SHELL_PROMPT = r':/\S*[#$] '    # busybox's "linux0:/root# "


class LinuxScenario(GuestScenario):
    """Helpers for scenarios with Linux guests."""

    def load_test_nodes(self):
        """ltest0, ltest1 and lsolo0, from the arch's node file."""
        path = self.for_arch('linux_test_nodes')
        out = self.keel.run(f'guest load {path}')
        self.expect_output(f'guest load {path}', out,
                           '3 guest nodes loaded' in out, '"3 guest nodes loaded"')

    def check_init_passed(self, name, text, skipped=()):
        """The init of guest name ran every check: each passed, but those
        in skipped, which must say SKIP; then it powered off."""
        raw = text
        # Keel's log lines go, and with them the kernel's: they look alike.
        text = guest_text(text)
        failed = re.findall(r'init: FAIL [^\n]*', text)
        missing = [c for c in INIT_CHECKS if c not in skipped
                   and not re.search(rf'init: PASS {re.escape(c)}\b', text)]
        missing += [c for c in skipped
                    if not re.search(rf'init: SKIP {re.escape(c)}\b', text)]
        summary = INIT_SUMMARY.search(text)
        if failed or missing or not summary or summary.group(2) != '0':
            self.fail(f'expected the init of {name} to pass every check '
                      f'({", ".join(c for c in INIT_CHECKS if c not in skipped)}) '
                      f'and print "init: N passed, 0 failed"; failed: '
                      f'{failed or "none"}, missing: {missing or "none"}; its '
                      'console:\n' + indent(text[-4000:]))
        if 'reboot: Power down' not in raw or \
                f'[console {name}: guest stopped: powered off' not in raw:
            self.fail(f'expected Linux in {name} to power down ("reboot: Power '
                      f'down") and the console to say "[console {name}: guest '
                      'stopped: powered off ..."; it showed:\n' + indent(raw[-1500:]))

    def attach(self, name):
        """Attaches to the console of guest name (output replayed)."""
        keel = self.keel
        keel.send_keys(f'console {name}\r')
        keel.expect(rf'\[console {name}: attached', 15, f'console {name} to attach')

    def detach(self, name):
        keel = self.keel
        keel.send_keys(DETACH)
        keel.expect(rf'\[console {name}: detached\]', 15, 'Ctrl-] to detach')
        keel.expect(r'(?<!\] )keel# ', 15, 'the prompt after detaching')

    def type_line(self, line):
        """Types a line at an attached guest's shell a few keys at a time,
        as a person would: a UART has a small receive FIFO."""
        keel = self.keel
        for i in range(0, len(line), 8):
            keel.send_keys(line[i:i + 8])
            time.sleep(0.05)
        keel.send_keys('\r')

    def shell(self, line, pattern, timeout=60, what=None):
        """Runs line in the attached guest's shell and waits for pattern;
        returns the text from the command to the match."""
        keel = self.keel
        mark = len(keel.transcript())
        self.type_line(line)
        keel.expect(pattern, timeout, what or f'`{line}` in the guest to print {pattern!r}')
        return guest_text(keel.transcript()[mark:])

    def command_at_prompt(self, name, line):
        """Attaches to name's console, waits for a fresh prompt and types
        line (for commands that end the shell: reboot, poweroff)."""
        self.attach(name)
        self.shell('', SHELL_PROMPT, 30)
        self.type_line(line)

    def wait_ready(self, name, timeout=LINUX_TIMEOUT):
        """With name's console attached: waits for its init's ready line,
        which names the console's tty as the shell's, and a shell prompt."""
        tty = self.for_arch('linux_console_tty')
        self.keel.expect(rf'init: {name} ready: busybox shell on {tty};', timeout,
                         f'Linux in {name} to reach its shell ("init: {name} ready: '
                         f'busybox shell on {tty}; ...")')
        self.shell('', SHELL_PROMPT, 30, f'a shell prompt in {name}')


class Linux(LinuxScenario):
    name = 'linux'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct']

    @check('two Linux guests boot to init at once and each passes every init check')
    def two_guests(self):
        keel = self.keel
        self.load_test_nodes()
        self.quiet_run('guest start ltest0 ltest1')
        for name in ('ltest0', 'ltest1'):
            text = keel.run(f'console {name}', timeout=LINUX_TIMEOUT)
            self.check_init_passed(name, text)

    @check('guest poweroff stops each guest cleanly, and guest list says why')
    def powered_off(self):
        reason = self.for_arch('poweroff_reason')
        for name in ('ltest0', 'ltest1'):
            out, row = self.guest_row(name)
            self.expect_output('guest list', out,
                               row and row.group(1) == 'stopped' and reason in row.group(0),
                               f'{name} "stopped" with "{reason} ...)"')

    @check('stats shows the per-guest budgets and nothing throttled for a Linux boot')
    def nothing_throttled(self):
        for name in ('ltest0', 'ltest1'):
            out = self.keel.run(f'stats {name}')
            lines = re.findall(r'^throttle (\S+)\s.*: (\d+) charged, (\d+) throttled$',
                               out, re.M)
            names = [n for n, _, _ in lines]
            self.expect_output(f'stats {name}', out,
                               names == ['ipi', 'timer', 'firmware', 'maintenance', 'reset']
                               and all(t == '0' for _, _, t in lines)
                               and int(dict((n, c) for n, c, _ in lines)['firmware']) > 0,
                               'a "throttle <budget> ...: N charged, 0 throttled" line for '
                               'ipi, timer, firmware, maintenance and reset, firmware calls charged')

    @check('console ltest0 hvc0 shows the line init wrote to the virtio console')
    def hvc0(self):
        out = guest_text(self.keel.run('console ltest0 hvc0', timeout=30))
        self.expect_output('console ltest0 hvc0', out,
                           re.search(r'ltest0: hello on hvc0', out),
                           'the line "ltest0: hello on hvc0" init wrote to /dev/hvc0')

    @check('a Linux guest and a basic test guest run together and both pass')
    def beside_basic(self):
        keel = self.keel
        out = keel.run('guest load /guests/basic2.dtb')
        self.expect_output('guest load /guests/basic2.dtb', out,
                           '1 guest node loaded' in out, '"1 guest node loaded"')
        self.quiet_run('guest start lsolo0 basic2')
        self.check_init_passed('lsolo0', keel.run('console lsolo0', timeout=LINUX_TIMEOUT),
                               skipped=PEER_CHECKS)
        self.check_all_passed('basic2', keel.run('console basic2', timeout=LINUX_TIMEOUT))

    @check('after the Linux guests, destroying them gives their memory back')
    def memory_back(self):
        keel = self.keel
        before = keel.run('mem')
        # Those the checks before created (all three when all ran).
        created = [name for name in ('ltest0', 'ltest1', 'lsolo0')
                   if self.guest_row(name)[1].group(1) != 'loaded']
        if not created:
            self.fail('expected the checks before to have created Linux guests')
        for name in created:
            self.quiet_run(f'guest destroy {name}')
        after = keel.run('mem')
        free = [int(m.group(1)) for m in
                (re.search(r'pages: (\d+) of \d+ free', t) for t in (before, after)) if m]
        self.expect_output('mem', after,
                           len(free) == 2 and free[1] - free[0] >= len(created) * 128 * 256,
                           f'at least {len(created)} x 128 MiB more free pages than before '
                           f'destroying {", ".join(created)} (before:\n{indent(before)})')


class LinuxDemo(LinuxScenario):
    """The defconfig's demo, as `make run` shows it (through U-Boot):
    docs/linux-guest.md walks through the same steps."""
    name = 'linux-demo'
    arches = ('arm64', 'riscv64')
    run_args = []
    autostart = True

    @check('linux0 and linux1 start at boot and guest list shows them running')
    def started(self):
        out = self.keel.run('guest list')
        ok = all(re.search(rf'^{g}\s+running\s+2\s+256 MiB', out, re.M)
                 for g in ('linux0', 'linux1'))
        self.expect_output('guest list', out, ok,
                           'rows "linux0 running 2 256 MiB" and "linux1 running ..."')

    @check('console linux0 shows Linux booting and a busybox shell on the console\'s '
           'tty that runs commands')
    def shell_works(self):
        tty = self.for_arch('linux_console_tty')
        self.attach('linux0')
        self.keel.expect(self.for_arch('linux_boot_line'), 30, 'the replayed Linux boot log')
        self.wait_ready('linux0')
        self.shell('echo sum=$((6*7))', r'sum=42', 30)
        self.shell('cat /sys/devices/system/cpu/online', r'0-1\s', 30,
                   'both vCPUs of linux0 to be online (0-1)')
        self.shell('tty', rf'/dev/{tty}\s', 30, f'the shell\'s terminal to be /dev/{tty}')

    @check('linux0\'s shell edits the line: Backspace takes a key back, Up brings back '
           'the last command')
    def line_editing(self):
        keel = self.keel
        # DEL is what a terminal sends for Backspace.
        self.shell('echo edit=abx\x7fc', r'\nedit=abc\r*\n', 30,
                   'Backspace to remove the x: "edit=abc" printed')
        keel.send_keys('\x1b[A')
        time.sleep(0.5)
        keel.send_keys('\r')
        keel.expect(r'\nedit=abc\r*\n', 30,
                    'Up and Enter to run `echo edit=abc` again from the history')

    @check('from linux0\'s shell, ping reaches linux1 over the switch')
    def ping(self):
        # linux1 starts with linux0 but may reach its init later (on a
        # loaded machine, seconds later): wait for its first answer, then
        # count three.
        text = self.shell('for i in $(seq 60); do ping -c 1 -W 1 10.0.0.11 >/dev/null '
                          '&& break; done; ping -c 3 10.0.0.11',
                          r'3 packets transmitted, (\d+) packets received', 120)
        received = re.findall(r'3 packets transmitted, (\d+) packets received', text)
        if not received or int(received[-1]) < 1:
            self.fail('expected linux1 to answer ping; the shell showed:\n'
                      + indent(text[-1500:]))

    @check('keel-check run in linux0\'s shell passes every check against linux1')
    def keel_check(self):
        text = self.shell('keel-check', INIT_SUMMARY, LINUX_TIMEOUT)
        failed = re.findall(r'init: FAIL [^\n]*', text)
        summary = INIT_SUMMARY.search(text)
        if failed or not summary or summary.group(2) != '0' \
                or int(summary.group(1)) < len(INIT_CHECKS):
            self.fail(f'expected keel-check to pass all {len(INIT_CHECKS)} checks; '
                      'it printed:\n' + indent(text[-3000:]))

    @check('Ctrl-] detaches and guest stop linux1 stops it')
    def stop_linux1(self):
        self.detach('linux0')
        self.quiet_run('guest stop linux1')
        out, row = self.guest_row('linux1')
        self.expect_output('guest list', out, row and row.group(1) == 'stopped',
                           'linux1 "stopped"')

    @check('reboot in linux0\'s shell restarts Linux in the same guest')
    def reboot(self):
        keel = self.keel
        self.command_at_prompt('linux0', 'reboot')
        keel.expect(r'reboot: Restarting system', 60, 'Linux to restart ("reboot: Restarting system")')
        keel.expect(self.for_arch('linux_boot_line'), 60, 'Linux to boot again in linux0')
        self.wait_ready('linux0')
        self.detach('linux0')
        out, row = self.guest_row('linux0')
        self.expect_output('guest list', out, row and row.group(1) == 'running',
                           'linux0 "running" again after its reboot')

    @check('poweroff in linux0\'s shell stops the guest, powered off')
    def poweroff(self):
        keel = self.keel
        self.command_at_prompt('linux0', 'poweroff')
        keel.expect(r'\[console linux0: guest stopped: powered off', 60,
                    'linux0 to power off and the console to say so')
        keel.expect(r'(?<!\] )keel# ', 15, 'the prompt')
        out, row = self.guest_row('linux0')
        self.expect_output('guest list', out,
                           row and row.group(1) == 'stopped' and 'powered off' in row.group(0),
                           'linux0 "stopped" with "powered off ..."')


class LinuxTraffic(LinuxScenario):
    """Two Linux guests, the demo's linux0 and linux1, stream blk and net
    traffic at each other (`keel-check traffic`, started from their
    shells); one is stopped in the middle of it."""
    name = 'linux-traffic'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct']

    TRAFFIC = re.compile(r'traffic: blk (\d+) MiB verified, net sent (\d+) recv (\d+)')
    TRAFFIC_GUESTS = ('linux0', 'linux1')

    def traffic_counts(self, text):
        return [tuple(int(x) for x in m) for m in self.TRAFFIC.findall(text)]

    @staticmethod
    def traffic_grows(c):
        """Blk MiB verified and net packets sent grew, and some came back."""
        return len(c) >= 2 and c[-1][0] > c[0][0] and c[-1][1] > c[0][1] and c[-1][2] > 0

    def start_traffic(self, name):
        """With name's console attached: starts its traffic from the shell."""
        self.wait_ready(name)
        self.type_line('keel-check traffic > /dev/hvc0 &')
        time.sleep(1)

    @check('both guests run blk and net traffic at each other')
    def traffic_runs(self):
        keel = self.keel
        first, second = self.TRAFFIC_GUESTS
        self.quiet_run(f'guest start {first} {second}')
        for name in (second, first):
            self.attach(name)
            self.start_traffic(name)
            self.detach(name)
        # The progress lines go to hvc0, so that the shell stays usable.
        # Each look shows what came since the last one; on a loaded
        # machine the first lines may take a while, so look again (up to
        # a minute) until two lines show the traffic growing.
        texts = {first: '', second: ''}
        for _ in range(6):
            time.sleep(10)
            for name in texts:
                texts[name] += self.peek_endpoint(name, 'hvc0')
            if all(self.traffic_grows(self.traffic_counts(t)) for t in texts.values()):
                break
        # Linux drives its queues as the specification asks: Keel must
        # never find one broken (a torn read of a ring index once did).
        broken = re.findall(rf'warning: guest (?:{first}|{second}): device \S+ \([^)]*\): '
                            r'queue \d+: [^\n]*', self.keel.transcript())
        if broken:
            self.fail(f'expected no virtio queue of {first} or {second} to need a reset under '
                      'traffic; Keel said:\n' + indent('\n'.join(broken)))
        for name, text in texts.items():
            c = self.traffic_counts(text)
            if not self.traffic_grows(c):
                self.fail(f'expected {name}\'s traffic lines on hvc0 to show blk MiB '
                          'verified and net packets sent and received growing; '
                          'it showed:\n' + indent(text[-1500:]))
            if 'FAIL' in text:
                self.fail(f'{name}\'s traffic reported a failure:\n' + indent(text[-1500:]))

    def peek_endpoint(self, name, endpoint, seconds=1.0):
        keel = self.keel
        mark = len(keel.transcript())
        keel.send_keys(f'console {name} {endpoint}\r')
        keel.expect(rf'\[console {name} {endpoint}: attached.*\n', 15,
                    f'console {name} {endpoint} to attach')
        time.sleep(seconds)
        keel.send_keys(DETACH)
        keel.expect(rf'\[console {name} {endpoint}: detached\]', 15, 'Ctrl-] to detach')
        keel.expect(r'(?<!\] )keel# ', 15, 'the prompt after detaching')
        return guest_text(keel.transcript()[mark:])

    @check('guest stop of the second guest in the middle of the traffic leaves the shell '
           'responsive')
    def stop_mid_traffic(self):
        keel = self.keel
        second = self.TRAFFIC_GUESTS[1]
        self.quiet_run(f'guest stop {second}', timeout=30)
        out, row = self.guest_row(second)
        self.expect_output('guest list', out, row and row.group(1) == 'stopped',
                           f'{second} "stopped"')
        out = keel.run('uptime')
        self.expect_output('uptime', out, 'up' in out, 'the uptime')

    @check('the first guest keeps verifying its disk after its peer is gone')
    def survivor_blk(self):
        first = self.TRAFFIC_GUESTS[0]
        mark_text = self.peek_endpoint(first, 'hvc0', seconds=0.2)
        before = self.traffic_counts(mark_text)
        time.sleep(8)
        text = self.peek_endpoint(first, 'hvc0', seconds=0.2)
        after = self.traffic_counts(text)
        if not before or not after or after[-1][0] <= before[-1][0] or 'FAIL' in text:
            self.fail(f'expected {first}\'s blk MiB verified to keep growing with no FAIL '
                      'after its peer stopped; hvc0 showed:\n' + indent(text[-1500:]))

    @check('linux1 started again, linux0\'s keel-check passes every check against it')
    def checks_after(self):
        self.quiet_run('guest start linux1')
        self.attach('linux1')
        self.wait_ready('linux1')
        self.detach('linux1')
        self.attach('linux0')
        self.shell('kill %1', SHELL_PROMPT, 30)
        text = self.shell('keel-check', INIT_SUMMARY, LINUX_TIMEOUT)
        self.detach('linux0')
        failed = re.findall(r'init: FAIL [^\n]*', text)
        summary = INIT_SUMMARY.search(text)
        if failed or not summary or summary.group(2) != '0':
            self.fail('expected keel-check in linux0 to pass every check; it printed:\n'
                      + indent(text[-3000:]))
        out = self.keel.run('guest list')
        self.expect_output('guest list', out,
                           all(re.search(rf'^{g}\s+running', out, re.M)
                               for g in ('linux0', 'linux1')),
                           'linux0 and linux1 "running"')


class LinuxCpuMax(LinuxScenario):
    """QEMU's "max" CPU has SVE, SME, MTE, pointer authentication and BTI;
    the test kernel is built to use all of them (tests/images)."""
    name = 'linux-cpu-max'
    run_args = ['--direct', '--', '-cpu', 'max']

    @check('on a CPU with SVE and MTE, Linux is not offered them and passes every init check')
    def cpu_max(self):
        keel = self.keel
        self.load_test_nodes()
        self.quiet_run('guest start lsolo0')
        text = keel.run('console lsolo0', timeout=LINUX_TIMEOUT)
        self.check_init_passed('lsolo0', text, skipped=PEER_CHECKS)
        offered = [f for f in ('Scalable Vector', 'Memory Tagging', 'Scalable Matrix')
                   if re.search(rf'CPU features: detected: [^\n]*{f}', text)]
        if offered or 'Address authentication' not in text:
            self.fail('expected the kernel to detect pointer authentication but not '
                      f'SVE, SME or MTE; it detected {offered or "no pointer authentication"}:\n'
                      + indent('\n'.join(re.findall(r'CPU features: detected: [^\n]*', text))))
