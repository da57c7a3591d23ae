# SPDX-License-Identifier: GPL-2.0-only
"""Guests: the basic test guest (tests/guests/basic) from built-in and
loaded guest nodes, several at once, guests that misbehave, hostile guest
nodes, and the life cycle (pause/resume, reset, create/destroy).

Every scenario here runs on arm64 and riscv64: the checks are the same,
what differs between the arches (the guest node files, the reasons a guest
is stopped, the checks the basic guest runs) comes from
tests/regress/arches.py. Each loaded node file has a version per arch in
tests/guests/nodes (riscv64's named riscv64-<name>.dts); GuestScenario.node()
names the running arch's."""

import re
import time

from keel import Scenario, check, indent

GUEST_TIMEOUT = 120
DETACH = b'\x1d'
SUMMARY = re.compile(r'basic: (\d+) passed, (\d+) failed')
# Keel's log lines ("[   1.234567] warning: ...") may show up in the middle
# of a command's output: guests run while the shell works.
LOG_LINE = re.compile(r'^\[\s*\d+\.\d+\] .*$\n?', re.M)


# The same, anywhere: a log line printed while a guest's console is attached
# may land in the middle of one of the guest's lines.
LOG_INSIDE = re.compile(r'\[\s*\d+\.\d{6}\] [^\n]*\n')


def without_log(text):
    return LOG_LINE.sub('', text).strip('\n')


def guest_text(text):
    """A guest's console output with Keel's log lines taken out, so that a
    guest line split by one reads whole again."""
    return LOG_INSIDE.sub('', text)


def page_and_heap(text):
    """(free pages, live heap allocations) from `mem`."""
    pages = re.search(r'pages: (\d+) of \d+ free', text)
    heap = re.search(r'heap:.*\n\s+(\d+) allocations, (\d+) frees', text)
    if not pages or not heap:
        return None
    return int(pages.group(1)), int(heap.group(1)) - int(heap.group(2))


class GuestScenario(Scenario):
    """Helpers shared by the guest scenarios."""

    def node(self, name):
        """The image fs path of test guest node file name
        (tests/guests/nodes/<name>.dts) in this arch's version."""
        return self.for_arch('test_node_file').format(name)

    def load_nodes(self, name, wanted='loaded'):
        """guest load of this arch's node file name; fails unless the
        output says wanted. Returns the output."""
        path = self.node(name)
        out = self.keel.run(f'guest load {path}')
        self.expect_output(f'guest load {path}', out, wanted in out, f'"{wanted}"')
        return out

    def quiet_run(self, command, timeout=15):
        """Runs a command that prints nothing when it works."""
        out = without_log(self.keel.run(command, timeout=timeout))
        self.expect_output(command, out, out == '', 'nothing (success)')

    def run_to_poweroff(self, name):
        """Starts guest name and stays on its console until it powers
        off; returns the console text."""
        keel = self.keel
        self.quiet_run(f'guest start {name}')
        return guest_text(keel.run(f'console {name}', timeout=GUEST_TIMEOUT))

    def check_all_passed(self, name, text, extra=()):
        """extra: checks expected to pass besides the arch's basic_checks
        (those that SKIP when the guest runs alone, as virtio-net without
        its peer)."""
        text = guest_text(text)
        expected = self.for_arch('basic_checks') + list(extra)
        failed = [line for line in text.split('\n') if 'basic: FAIL' in line]
        summary = SUMMARY.search(text)
        missing = [c for c in expected
                   if not re.search(rf'basic: PASS {re.escape(c)}\b', text)]
        if failed or missing or not summary or summary.group(2) != '0':
            self.fail(f'expected guest {name} to pass every check '
                      f'({", ".join(expected)}) and print "basic: N '
                      f'passed, 0 failed"; failed: {failed or "none"}, '
                      f'missing: {missing or "none"}; its console:\n'
                      + indent(text[-3000:]))
        if f'[console {name}: guest stopped: powered off' not in text:
            self.fail(f'expected the console to end with "[console {name}: '
                      f'guest stopped: {self.for_arch("poweroff_reason")} ...)"; '
                      'it showed:\n' + indent(text[-1500:]))

    def watch(self, name, pattern, timeout=GUEST_TIMEOUT, new=False):
        """Attaches to guest name's console until pattern shows, then
        detaches with Ctrl-]; returns what the console showed."""
        keel = self.keel
        keel.send_keys(f'console {name}{" --new" if new else ""}\r')
        keel.expect(rf'\[console {name}: attached', 15, f'console {name} to attach')
        keel.expect(pattern, timeout, f'guest {name} to print {pattern!r}')
        # What pexpect read between the two matches, the match included
        # (the transcript may already hold more than was matched).
        seen = guest_text(keel.child.before + keel.child.after)
        keel.send_keys(DETACH)
        keel.expect(rf'\[console {name}: detached\]', 15, 'Ctrl-] to detach')
        keel.expect(r'(?<!\] )keel# ', 15, 'the prompt after detaching')
        return seen

    def peek(self, name, new=False, seconds=0.5):
        """Attaches to guest name's console for a moment; returns what it
        showed (the replayed output unless new)."""
        keel = self.keel
        mark = len(keel.transcript())
        keel.send_keys(f'console {name}{" --new" if new else ""}\r')
        keel.expect(rf'\[console {name}: attached.*\n', 15, f'console {name} to attach')
        time.sleep(seconds)
        keel.send_keys(DETACH)
        keel.expect(rf'\[console {name}: detached\]', 15, 'Ctrl-] to detach')
        keel.expect(r'(?<!\] )keel# ', 15, 'the prompt after detaching')
        text = keel.transcript()[mark:]
        return text[text.index('attached'):]

    def guest_row(self, name):
        out = self.keel.run('guest list')
        row = re.search(rf'^{name}\s+(\S+).*$', out, re.M)
        return out, row


class Guests(GuestScenario):
    name = 'guests'
    arches = ('arm64', 'riscv64')
    run_args = []          # through U-Boot, as `make run`

    @check('guest list shows the built-in guests basic0 and basic1, loaded')
    def builtin_listed(self):
        out = self.keel.run('guest list')
        ok = all(re.search(rf'^{g}\s+loaded\s+2\s+16 MiB', out, re.M)
                 for g in ('basic0', 'basic1'))
        self.expect_output('guest list', out, ok,
                           'rows "basic0 loaded 2 16 MiB" and "basic1 ..."')

    @check('the basic guest from a built-in node passes every check and powers off')
    def basic0_passes(self):
        self.check_all_passed('basic0', self.run_to_poweroff('basic0'))

    @check('console basic0 hvc0 shows what the guest wrote to its virtio console')
    def virtio_console(self):
        out = guest_text(self.keel.run('console basic0 hvc0', timeout=30))
        self.expect_output('console basic0 hvc0', out,
                           'basic: virtio-console hello' in out,
                           'the line "basic: virtio-console hello" the guest sent on hvc0')

    @check('a line typed on hvc0 reaches the guest and comes back echoed')
    def virtio_console_echo(self):
        keel = self.keel
        self.load_nodes('console', '1 guest node loaded')
        self.quiet_run('guest start echo0')
        keel.send_keys('console echo0 hvc0\r')
        keel.expect(r'basic: virtio-console hello', 60, 'the guest\'s hello on hvc0')
        keel.send_keys('ping from keel\r')
        keel.expect(r'echo: ping from keel', 15, 'the guest to echo the line on hvc0')
        keel.expect(r'\[console echo0 hvc0: guest stopped', 60, 'echo0 to power off')
        keel.expect(r'(?<!\] )keel# ', 15, 'the prompt')
        out = keel.run('console echo0')
        self.expect_output('console echo0', out,
                           re.search(r'basic: PASS virtio-console .*echoed "ping from keel"', out),
                           'the check passing with \'echoed "ping from keel"\'')
        self.quiet_run('guest destroy echo0')

    @check('guest list says basic0 stopped because it powered off')
    def basic0_stopped(self):
        out, row = self.guest_row('basic0')
        reason = self.for_arch('poweroff_reason')
        self.expect_output('guest list', out,
                           row and row.group(1) == 'stopped' and reason in row.group(0),
                           f'basic0 "stopped" with "{reason} ...)"')

    @check('stats counts basic0\'s MMIO, hypercall and WFI exits')
    def stats_counted(self):
        out = self.keel.run('stats basic0')
        counts = {m.group(1): int(m.group(2)) for m in
                  re.finditer(r'^(\S+)\s+(?:\d+\s+)*?(\d+)$', out, re.M)}
        kinds = self.for_arch('guest_exits')
        ok = all(counts.get(k, 0) > 0 for k in kinds)
        self.expect_output('stats basic0', out, ok,
                           'non-zero totals for ' + ', '.join(kinds))

    @check('two basic guests run at once on 4 CPUs, on different CPUs, and both pass')
    def two_at_once(self):
        keel = self.keel
        self.quiet_run('guest start basic0 basic1')
        placement = keel.run('vcpu list')
        cpus = re.findall(r'^basic[01]\s+\d+\s+\S+\s+(\d+)', placement, re.M)
        self.expect_output('vcpu list', placement, len(cpus) == 4 and len(set(cpus)) == 4,
                           'the four vCPUs of basic0 and basic1 on four different host CPUs')
        # Each pings the other over virtio-net (switch br0); alone it SKIPs.
        self.check_all_passed('basic0', keel.run('console basic0', timeout=GUEST_TIMEOUT),
                              extra=['virtio-net'])
        self.check_all_passed('basic1', keel.run('console basic1', timeout=GUEST_TIMEOUT),
                              extra=['virtio-net'])

    @check('switch list shows br0 with basic0\'s and basic1\'s ports and their traffic')
    def switch_list(self):
        out = self.keel.run('switch list')
        # "  basic0/net0  02:..  rx frames  rx bytes  tx frames  tx bytes
        #  rx full  spoofed  no dest  malformed"
        rows = {g: re.search(rf'^\s+{g}/net0\s+(?:[0-9a-f]{{2}}:){{5}}[0-9a-f]{{2}}'
                             r'\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+(\d+)\s+\d+\s+\d+$',
                             out, re.M)
                for g in ('basic0', 'basic1')}
        # A well-behaved guest never sends from another address.
        ok = (re.search(r'^switch br0: ', out, re.M) and all(rows.values())
              and all(int(n) > 0 for row in rows.values() for n in row.groups()[:4])
              and all(row.group(5) == '0' for row in rows.values()))
        self.expect_output('switch list', out, ok,
                           'switch br0 with ports basic0/net0 and basic1/net0, each with '
                           'non-zero rx and tx frames and bytes and no spoofed frame')

    @check('guest load adds a guest node from the image fs, and it passes')
    def guest_load(self):
        keel = self.keel
        out = keel.run('guest load /guests/basic2.dtb')
        self.expect_output('guest load /guests/basic2.dtb', out,
                           '1 guest node loaded' in out, '"1 guest node loaded"')
        self.check_all_passed('basic2', self.run_to_poweroff('basic2'))

    @check('create, start and destroy 20 times leaves mem where it started')
    def create_destroy_cycles(self):
        keel = self.keel
        self.quiet_run('guest destroy basic2')
        before = page_and_heap(keel.run('mem'))
        for i in range(20):
            for action in ('create', 'start', 'destroy'):
                out = without_log(keel.run(f'guest {action} basic2'))
                if out:
                    self.fail(f'round {i + 1}: `guest {action} basic2` printed:\n'
                              + indent(out))
        after_text = keel.run('mem')
        after = page_and_heap(after_text)
        if before is None or after != before:
            self.fail(f'expected free pages and live heap allocations to be '
                      f'back to {before} after 20 rounds; they are {after}:\n'
                      + indent(after_text))
        out, row = self.guest_row('basic2')
        self.expect_output('guest list', out, row and row.group(1) == 'loaded',
                           'basic2 "loaded" again')

    @check('the shell refuses impossible transitions with the state named')
    def refused_transitions(self):
        keel = self.keel
        out = keel.run('guest pause basic2')
        self.expect_output('guest pause basic2', out,
                           'not created (`guest create basic2` first)' in out,
                           'that basic2 is not created')
        out = keel.run('guest resume basic0')
        self.expect_output('guest resume basic0', out,
                           'not possible while the guest is stopped' in out,
                           'that resume is not possible while stopped')
        out = keel.run('guest start nosuch')
        self.expect_output('guest start nosuch', out,
                           'no guest named "nosuch"' in out, 'no guest named "nosuch"')

    @check('vsock send reaches a listening guest\'s port and prints its answer line')
    def vsock_send(self):
        keel = self.keel
        self.load_nodes('vsock', '1 guest node loaded')
        self.quiet_run('guest start vsock0')
        self.vsock0_console = self.watch('vsock0',
                                         r'basic: vsock-listen: CID 7 port 1234 listening')
        out = without_log(keel.run('vsock send vsock0 1234 hello from keel', timeout=10))
        self.expect_output('vsock send vsock0 1234 hello from keel', out,
                           out == 'guest vsock0: hello from keel',
                           'the guest\'s answer "guest vsock0: hello from keel"')

    @check('vsock list shows each created guest\'s vsock device and CID')
    def vsock_list(self):
        out = self.keel.run('vsock list')
        rows = {g: re.search(rf'^{g}\s+vsock0\s+{cid}$', out, re.M)
                for g, cid in (('basic0', 3), ('basic1', 4), ('vsock0', 7))}
        self.expect_output('vsock list', out, all(rows.values()),
                           'rows "basic0 vsock0 3", "basic1 vsock0 4" and "vsock0 vsock0 7"')
        # The console replays only what was not shown at the first attach.
        text = (getattr(self, 'vsock0_console', '')
                + self.keel.run('console vsock0', timeout=GUEST_TIMEOUT))
        if 'basic: PASS virtio-vsock' not in text or 'vsock-listen: answered' not in text:
            self.fail('expected vsock0 to pass virtio-vsock and print "vsock-listen: '
                      'answered ..."; its console:\n' + indent(text[-2500:]))
        self.quiet_run('guest destroy vsock0')


class HostileNodes(GuestScenario):
    name = 'guest-nodes'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct']

    def cases(self):
        """(file, what the message must name: the guest, the node or
        property, and what would fix it)."""
        return [
            ('bad-memory-cells', ['guest bad0', 'node /guests/bad0/memory', '"reg"',
                                  '(2 address + 2 size cells) per entry']),
            ('bad-overlap', ['guest bad1', 'node /guests/bad1/devices/uart1', '"reg"',
                             'overlaps memory region 0']),
            ('bad-typo', ['guest bad2', 'node /guests/bad2', 'unknown property "vcpu"',
                          'docs/guest-binding.md']),
            # The known emulators are listed, the arch's UART among them.
            ('bad-device', ['guest bad3', 'node /guests/bad3/devices/net0',
                            '"acme,frobnicator" has no emulator',
                            'known: ', self.for_arch('uart_compatible')]),
            ('bad-vcpus', ['guest bad4', 'node /guests/bad4', '"vcpus" must be 1..', '99']),
            ('bad-string', ['guest bad6', 'node /guests/bad6/boot', '"bootargs"',
                            'one NUL-terminated string']),
            ('bad-platform', ['guest bad7', 'node /guests/bad7/memory', '"reg"',
                              'overlaps the ' + self.for_arch('intc_name')]),
        ]

    @check('each hostile guest node is refused with its guest, node and property named')
    def refused(self):
        keel = self.keel
        before = keel.run('guest list')
        for name, wanted in self.cases():
            path = self.node(name)
            out = keel.run(f'guest load {path}')
            missing = [w for w in wanted if w not in out]
            self.expect_output(f'guest load {path}', out,
                               not missing and 'loaded' not in out,
                               'an error naming ' + ', '.join(wanted))
        after = keel.run('guest list')
        self.expect_output('guest list', after, after == before,
                           'the same list as before the refused loads:\n' + indent(before))

    @check('a file that is not a device tree is refused by guest load')
    def not_a_dtb(self):
        out = self.keel.run('guest load /etc/keel-release')
        self.expect_output('guest load /etc/keel-release', out,
                           'not a valid device tree' in out, '"not a valid device tree"')

    @check('a missing kernel is refused at create, naming it, and nothing leaks')
    def missing_kernel(self):
        keel = self.keel
        self.load_nodes('bad-kernel', '1 guest node loaded')
        before = page_and_heap(keel.run('mem'))
        out = keel.run('guest create bad5')
        self.expect_output('guest create bad5', out,
                           '/guests/no-such-kernel.bin' in out and 'does not exist' in out,
                           'that kernel "/guests/no-such-kernel.bin" does not exist')
        after = page_and_heap(keel.run('mem'))
        if after != before:
            self.fail(f'expected mem unchanged by the failed create: {before} -> {after}')
        out, row = self.guest_row('bad5')
        self.expect_output('guest list', out, row and row.group(1) == 'loaded',
                           'bad5 still "loaded"')


class Misbehaving(GuestScenario):
    name = 'misbehave'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct']

    @check('a well-behaved guest runs its checks in rounds')
    def loop_runs(self):
        keel = self.keel
        for f in ('loop', 'misbehave'):
            self.load_nodes(f)
        keel.run('guest start loop0')
        self.watch('loop0', r'basic: round 2: \d+ passed, 0 failed')

    @check('each misbehaving guest is stopped with the reason named')
    def bad_guests_stopped(self):
        keel = self.keel
        # unhandled-mmio = "stop" (undef0, wild0), max-irq-rate (storm0):
        # guest, what `guest list` must give as its reason.
        for name, reason in self.for_arch('misbehave_reasons'):
            # A guest that faults at once has its registers printed
            # right away, maybe before the prompt: that output is fine.
            keel.run(f'guest start {name}')
            keel.expect(rf'guest {name} stopped: .*{re.escape(reason)}', 60,
                        f'the log line "guest {name} stopped: ...{reason}..."')
            keel.run('')
            out, row = self.guest_row(name)
            self.expect_output('guest list', out,
                               row and row.group(1) == 'stopped' and reason in row.group(0),
                               f'{name} "stopped" with "{reason}"')

    @check('the fault report shows the guest registers')
    def registers_shown(self):
        text = self.keel.transcript()
        first, registers = self.for_arch('misbehave_report')
        at = text.find(first)
        dump = text[at:at + 3000] if at >= 0 else ''
        if at < 0 or not all(re.search(r, dump) for r in registers):
            self.fail(f'expected the console to show "{first}" followed by the '
                      f'guest registers ({", ".join(registers)}); ' + self.keel.tail())

    @check('the well-behaved guest kept passing and the shell answers')
    def loop_still_passes(self):
        keel = self.keel
        seen = self.watch('loop0', r'(basic: round \d+: \d+ passed, 0 failed[\s\S]*){2}',
                          new=True)
        if 'FAIL' in seen:
            self.fail('expected loop0 to keep passing; it printed:\n' + indent(seen[-2000:]))
        out = keel.run('version')
        self.expect_output('version', out, 'Keel' in out, 'the version')
        out, row = self.guest_row('loop0')
        self.expect_output('guest list', out, row and row.group(1) == 'running',
                           'loop0 still "running"')


class Lifecycle(GuestScenario):
    name = 'lifecycle'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct']

    def last_tick(self, text):
        ticks = re.findall(r'basic: tick (\d+) at (\d+) ms', text)
        return (int(ticks[-1][0]), int(ticks[-1][1])) if ticks else None

    @check('pause stops a guest\'s output and its clock; resume carries on')
    def pause_resume(self):
        keel = self.keel
        self.load_nodes('loop')
        keel.run('guest start loop0')
        seen = self.watch('loop0', r'basic: tick 5 at \d+ ms')
        self.quiet_run('guest pause loop0')
        # Whatever was written before the pause took effect.
        before = self.last_tick(seen + self.peek('loop0'))
        keel.run('sleep 2000', timeout=20)
        out, row = self.guest_row('loop0')
        self.expect_output('guest list', out, row and row.group(1) == 'paused', 'loop0 "paused"')
        vlist = keel.run('vcpu list loop0')
        self.expect_output('vcpu list loop0', vlist, 'paused' in vlist and 'running' not in vlist,
                           'its vCPUs "paused"')
        quiet = self.peek('loop0')
        if 'basic: tick' in quiet:
            self.fail('expected no output while paused; got:\n' + indent(quiet))
        self.quiet_run('guest resume loop0')
        seen = self.watch('loop0', rf'basic: tick {before[0] + 2} at \d+ ms')
        after = re.findall(r'basic: tick (\d+) at (\d+) ms', seen)
        if not before or not after or int(after[0][0]) != before[0] + 1:
            self.fail(f'expected the ticks to go on from {before} with the next '
                      f'number; after resume they were {after[:3]}')
        gap = int(after[0][1]) - before[1]
        if gap > 1500:
            self.fail(f'expected the guest clock to stop while paused (2 s): '
                      f'the tick after resume came {gap} ms of guest time after '
                      'the one before the pause')
        keel.run('guest destroy loop0')

    @check('a guest that resets itself restarts from the beginning')
    def guest_reset(self):
        keel = self.keel
        self.load_nodes('lifecycle')
        keel.run('guest start reset0')
        self.watch('reset0', r'(basic: reset0 started[\s\S]*){3}')
        self.quiet_run('guest stop reset0')
        keel.run('sleep 200')
        out, row = self.guest_row('reset0')
        self.expect_output('guest list', out, row and row.group(1) == 'stopped',
                           'reset0 "stopped"')

    @check('guest reset from the shell restarts an idle guest')
    def shell_reset(self):
        keel = self.keel
        keel.run('guest start idle0')
        self.watch('idle0', r'basic: idle0 started')
        out = keel.run('vcpu list idle0')
        self.expect_output('vcpu list idle0', out,
                           re.search(r'^idle0\s+0\s+\S+\s+3\s', out, re.M),
                           'vCPU 0 on host CPU 3, as its node\'s cpu-affinity says')
        self.quiet_run('guest reset idle0')
        # The console replays what came since the last detach: the start
        # line again, if the reset restarted the guest.
        self.watch('idle0', r'basic: idle0 started')
        self.quiet_run('guest stop idle0')
        self.quiet_run('guest destroy idle0 reset0')


class OneCpu(GuestScenario):
    name = 'guests-smp1'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct', '--smp', '1']

    @check('on one host CPU the shell and both vCPUs of basic0 take turns, and it passes')
    def one_cpu(self):
        self.check_all_passed('basic0', self.run_to_poweroff('basic0'))
        out = self.keel.run('vcpu list basic0')
        cpus = re.findall(r'^basic0\s+\d+\s+\S+\s+(\d+)', out, re.M)
        self.expect_output('vcpu list basic0', out, cpus == ['0', '0'],
                           'both vCPUs on host CPU 0')

    @check('a guest that never stops leaves the shell responsive on its CPU')
    def shell_responsive(self):
        keel = self.keel
        self.load_nodes('loop')
        self.quiet_run('guest start loop0')
        self.watch('loop0', r'basic: round 1: \d+ passed, 0 failed')
        start = time.monotonic()
        out = keel.run('version')
        took = time.monotonic() - start
        self.expect_output('version', out, 'Keel' in out, 'the version')
        if took > 5:
            self.fail(f'expected `version` to answer promptly beside a busy guest; it took {took:.1f} s')
        self.quiet_run('guest destroy loop0')


class HostileRings(GuestScenario):
    name = 'hostile-rings'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct']

    CASES = ['avail-index-jump', 'next-out-of-range', 'descriptor-loop',
             'buffer-outside-ram', 'address-wraps', 'indirect-not-negotiated',
             'readable-after-writable', 'length-past-ram', 'recovers']
    ROUND = r'basic: round \d+: \d+ passed, 0 failed'

    @check('two neighbours ping each other and do blk I/O, round after round')
    def neighbours_start(self):
        for f in ('neighbours', 'hostile'):
            self.load_nodes(f)
        self.quiet_run('guest start nbr0 nbr1')
        for name in ('nbr0', 'nbr1'):
            seen = self.watch(name, rf'basic: PASS virtio-net[\s\S]*{self.ROUND}')
            if 'basic: PASS virtio-blk' not in seen:
                self.fail(f'expected {name} to pass virtio-blk and virtio-net in its '
                          'first round; it printed:\n' + indent(seen[-2500:]))

    @check('malformed virtqueues each make the device need a reset, and it recovers')
    def hostile_cases(self):
        out = self.run_to_poweroff('hostile0')
        missing = [c for c in self.CASES if f'basic: PASS hostile-{c}' not in out]
        if missing or 'FAIL' in out:
            self.fail(f'expected every hostile case to pass ({", ".join(self.CASES)}); '
                      f'missing: {missing or "none"}; the console:\n' + indent(out[-3000:]))

    @check('Keel warned about the broken rings, naming the guest and device')
    def warned(self):
        out = self.keel.run('log')
        self.expect_output('log', out,
                           re.search(r'guest hostile0: device rng0 \(virtio-rng\): .*needs reset', out),
                           'a warning "guest hostile0: device rng0 (virtio-rng): ... needs reset"')

    @check('the neighbours kept pinging, doing blk I/O and passing meanwhile')
    def neighbours_pass(self):
        for name in ('nbr0', 'nbr1'):
            # Everything since the last look: the rounds run during the attack.
            seen = self.watch(name, rf'({self.ROUND}[\s\S]*){{2}}')
            if ('FAIL' in seen or 'basic: PASS virtio-blk' not in seen
                    or 'basic: PASS virtio-net' not in seen):
                self.fail(f'expected {name} to keep passing, virtio-blk and virtio-net '
                          'included; it printed:\n' + indent(seen[-2500:]))
        self.quiet_run('guest destroy nbr0 nbr1 hostile0')


class CpuMax(GuestScenario):
    """The most-featured CPU QEMU offers the arch (arches.py cpu_max):
    arm64's "max" has pointer authentication, SVE, RAS, and more that the
    default cortex-a57 lacks; riscv64's rv64 with vectors and every other
    extension QEMU 7.2 can add. Each must stay hidden or be switched
    between guests sharing a CPU."""
    name = 'guests-cpu-max'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct', '--smp', '1']

    def boot_args(self):
        return self.run_args + ['--'] + self.for_arch('cpu_max')

    @check('two guests sharing one CPU of QEMU\'s most-featured CPU pass every check, '
           'its extra features hidden or kept apart')
    def pointer_auth(self):
        keel = self.keel
        self.quiet_run('guest start basic0 basic1')
        for name in ('basic0', 'basic1'):
            text = guest_text(keel.run(f'console {name}', timeout=GUEST_TIMEOUT))
            self.check_all_passed(name, text, extra=self.for_arch('cpu_max_checks'))


class NoSstc(GuestScenario):
    """riscv64 only: harts without the Sstc extension, whose guest timers
    Keel emulates from host timer events (and must not touch vstimecmp).
    arm64's generic timer has no such optional part."""
    name = 'riscv64-no-sstc'
    arches = ('riscv64',)
    run_args = ['--direct', '--', '-cpu', 'rv64,sstc=false']

    @check('Keel says the guest timers are emulated')
    def timers_emulated(self):
        text = self.keel.transcript()
        if 'virt: guest timers: emulated (no Sstc)' not in text:
            self.fail('expected the boot log to say "virt: guest timers: emulated (no Sstc)"; '
                      + self.keel.tail())

    @check('two basic guests pass every check, pinging each other, twice')
    def pair_passes(self):
        keel = self.keel
        for _ in range(2):
            self.quiet_run('guest start basic0 basic1')
            for name in ('basic0', 'basic1'):
                self.check_all_passed(name, keel.run(f'console {name}', timeout=GUEST_TIMEOUT),
                                      extra=['virtio-net'])
