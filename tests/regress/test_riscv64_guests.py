# SPDX-License-Identifier: GPL-2.0-only
"""Guests on riscv64: the basic test guest pair in checks mode with every
virtio device (SBI, HSM and IPIs, the timer, WFI, RAM, isolation, virtio),
and guests Keel must stop (an illegal instruction with no trap vector, an
atomic outside RAM that no device could take, an IPI storm) while a
well-behaved one runs on. The guest nodes are riscv64's own
(tests/guests/nodes/riscv64-*.dts)."""

import re

from keel import check, indent
from test_guests import GUEST_TIMEOUT, GuestScenario, guest_text

# Every check the riscv64 basic guest runs in "checks" mode that passes
# without a peer; virtio-net passes with its peer running.
RISCV64_CHECKS = ['sbi-version', 'ram', 'timer-interrupt', 'sstc', 'wfi-wakes',
                  'ipi-hart-start', 'sbi-errors', 'isolation', 'sbi-debug-console',
                  'virtio-rng', 'virtio-blk', 'virtio-console', 'virtio-vsock',
                  'virtio-net']
SUMMARY = re.compile(r'basic: (\d+) passed, (\d+) failed')


class Riscv64Guests(GuestScenario):
    name = 'riscv64-guests'
    arches = ('riscv64',)
    run_args = ['--direct']

    def both_passed(self, name, text):
        failed = [line for line in text.split('\n') if 'basic: FAIL' in line]
        missing = [c for c in RISCV64_CHECKS
                   if not re.search(rf'basic: PASS {re.escape(c)}\b', text)]
        summary = SUMMARY.search(text)
        if failed or missing or not summary or summary.group(2) != '0':
            self.fail(f'expected guest {name} to pass every check '
                      f'({", ".join(RISCV64_CHECKS)}); failed: {failed or "none"}, '
                      f'missing: {missing or "none"}; its console:\n' + indent(text[-3000:]))
        if f'[console {name}: guest stopped: powered off (SBI system reset: shutdown' not in text:
            self.fail(f'expected the console to end with "[console {name}: guest stopped: '
                      'powered off (SBI system reset: shutdown ...)"; it showed:\n'
                      + indent(text[-1500:]))

    @check('two riscv64 basic guests pass every check, pinging each other')
    def pair_passes(self):
        keel = self.keel
        out = keel.run('guest load /tests/nodes/riscv64-basic.dtb')
        self.expect_output('guest load /tests/nodes/riscv64-basic.dtb', out,
                           '2 guest nodes loaded' in out, '"2 guest nodes loaded"')
        self.quiet_run('guest start rvbasic0 rvbasic1')
        first = guest_text(keel.run('console rvbasic0', timeout=GUEST_TIMEOUT))
        self.both_passed('rvbasic0', first)
        second = guest_text(keel.run('console rvbasic1', timeout=GUEST_TIMEOUT))
        self.both_passed('rvbasic1', second)

    @check('the guests can be started again from a fresh payload')
    def restart(self):
        keel = self.keel
        self.quiet_run('guest start rvbasic0 rvbasic1')
        self.both_passed('rvbasic0', guest_text(keel.run('console rvbasic0',
                                                         timeout=GUEST_TIMEOUT)))
        guest_text(keel.run('console rvbasic1', timeout=GUEST_TIMEOUT))
        self.quiet_run('guest destroy rvbasic0 rvbasic1')


class Riscv64Misbehaving(GuestScenario):
    name = 'riscv64-misbehave'
    arches = ('riscv64',)
    run_args = ['--direct']

    # guest, what `guest list` must give as its reason
    CASES = [
        # unhandled-mmio = "stop": the trap vector's fetch from 0, and an
        # atomic aimed outside RAM, which no device could take.
        ('rvundef0', 'instruction fetch at 0x0'),
        ('rvwild0', 'undecodable instruction 0x0005302f (atomic (LR/SC/AMO))'),
    ]

    @check('each misbehaving guest is stopped with the reason named')
    def bad_guests_stopped(self):
        keel = self.keel
        out = keel.run('guest load /tests/nodes/riscv64-misbehave.dtb')
        self.expect_output('guest load /tests/nodes/riscv64-misbehave.dtb', out,
                           '3 guest nodes loaded' in out, '"3 guest nodes loaded"')
        for name, reason in self.CASES:
            keel.run(f'guest start {name}')
            keel.expect(rf'guest {name} stopped: .*{re.escape(reason)}', 60,
                        f'the log line "guest {name} stopped: ...{reason}..."')
            keel.run('')
            out, row = self.guest_row(name)
            self.expect_output('guest list', out,
                               row and row.group(1) == 'stopped' and reason in row.group(0),
                               f'{name} "stopped" with "{reason}"')

    @check('the fault report shows the guest registers and the trap')
    def registers_shown(self):
        text = self.keel.transcript()
        at = text.find('guest rvwild0: vCPU 0: store at 0x')
        dump = text[at:at + 3000] if at >= 0 else ''
        if at < 0 or not re.search(r'\ba0\b', dump) or 'scause 0x17' not in dump:
            self.fail('expected the console to show the rvwild0 fault followed by its '
                      'registers (a0, ..., last exit: scause 0x17); ' + self.keel.tail())

    @check('an IPI storm is throttled while a well-behaved guest passes its checks')
    def storm_throttled(self):
        keel = self.keel
        keel.run('guest load /tests/nodes/riscv64-basic.dtb')
        keel.run('guest start rvstorm0')
        keel.expect(r'guest rvstorm0: throttled: ipi storm', 60,
                    'the log line "guest rvstorm0: throttled: ipi storm"')
        keel.run('')
        keel.run('guest start rvbasic0 rvbasic1')
        text = guest_text(keel.run('console rvbasic0', timeout=GUEST_TIMEOUT))
        summary = SUMMARY.search(text)
        if 'basic: FAIL' in text or not summary or summary.group(2) != '0':
            self.fail('expected rvbasic0 to pass its checks beside the storm; its console:\n'
                      + indent(text[-3000:]))
        out, row = self.guest_row('rvstorm0')
        self.expect_output('guest list', out, row and row.group(1) == 'running',
                           'rvstorm0 still "running" (slowed, not stopped)')
        self.quiet_run('guest stop rvstorm0')


class Riscv64NoSstc(Riscv64Guests):
    """The same pair on harts without Sstc: Keel emulates the guests'
    timers from host timer events (and must not touch vstimecmp)."""
    name = 'riscv64-no-sstc'
    arches = ('riscv64',)
    run_args = ['--direct', '--', '-cpu', 'rv64,sstc=false']

    @check('Keel says the guest timers are emulated')
    def timers_emulated(self):
        text = self.keel.transcript()
        if 'virt: guest timers: emulated (no Sstc)' not in text:
            self.fail('expected the boot log to say "virt: guest timers: emulated (no Sstc)"; '
                      + self.keel.tail())
