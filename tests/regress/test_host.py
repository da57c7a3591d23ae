# SPDX-License-Identifier: GPL-2.0-only
"""The host side under load of its own: timer events, a single CPU, and what
a Keel bug looks like (the fault report) with page 0 and W^X protections."""

import re

from keel import Scenario, check


def uptime_seconds(text):
    found = re.search(r'up (\d+)d (\d+):(\d+):(\d+)\.(\d+)', text)
    if not found:
        return None
    d, h, m, s, ms = (int(x) for x in found.groups())
    return ((d * 24 + h) * 60 + m) * 60 + s + ms / 1000


class Timer(Scenario):
    name = 'timer'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct']

    @check('sleep 500 waits at least half a second on a timer event')
    def sleep_waits(self):
        keel = self.keel
        before = uptime_seconds(keel.run('uptime'))
        keel.run('sleep 500', timeout=20)
        after = uptime_seconds(keel.run('uptime'))
        if before is None or after is None:
            self.fail('expected `uptime` to print "up Nd HH:MM:SS.mmm"; '
                      + keel.tail())
        if after - before < 0.5:
            self.fail(f'expected uptime to advance by at least 0.5 s across '
                      f'`sleep 500`; it went from {before} to {after}')

    @check('the timer interrupt is counted on the CPU that slept')
    def timer_irq_counted(self):
        out = self.keel.run('cpus')
        # The boot CPU's hardware id need not be 0 (OpenSBI's boot hart
        # is whichever got there first).
        row = re.search(r'^\s*0\s+0x[0-9a-f]+\s+online\s+(\d+)', out, re.M)
        self.expect_output('cpus', out, row and int(row.group(1)) > 0,
                           'a row for CPU 0 with a non-zero interrupt count')

    @check('the boot log names the interrupt controller, timer and firmware')
    def drivers_logged(self):
        out = self.keel.run('log')
        wanted = self.for_arch('driver_log_lines')
        missing = [w for w in wanted if w not in out]
        self.expect_output('log', out, not missing,
                           'lines containing ' + ', '.join(
                               f'"{w}"' for w in wanted))


class SingleCpu(Scenario):
    name = 'smp1'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct', '--smp', '1']

    @check('with one CPU the banner and cpus say 1 of 1 online')
    def one_cpu(self):
        keel = self.keel
        if '1 CPUs online' not in keel.boot_output:
            self.fail('expected the banner to say "1 CPUs online"; '
                      + keel.tail())
        out = keel.run('cpus')
        self.expect_output('cpus', out, '1 of 1 CPUs online' in out,
                           '"1 of 1 CPUs online"')


class _Crash(Scenario):
    """Runs `crash <kind>` and checks the report. The CPU parks, so every
    kind gets its own boot."""

    kind = None
    arches = ('arm64', 'riscv64')
    run_args = ['--direct']

    @check('a fault in Keel prints the syndrome, registers and a backtrace, '
           'then parks the CPU')
    def report(self):
        keel = self.keel
        keel.send_keys(f'crash {self.kind}\r')
        keel.expect(r'CPU 0 parked; Keel image loaded at 0x[0-9a-f]+', 20,
                     'the fault report to end with "CPU 0 parked"')
        text = keel.transcript()
        wanted = (['unexpected exception on CPU 0', self.for_arch('fault_syndrome'),
                   self.for_arch('fault_pc'), 'backtrace'] +
                  self.for_arch('crash_' + self.kind))
        missing = [w for w in wanted if w not in text]
        if missing:
            self.fail('expected the fault report to contain '
                      + ', '.join(f'"{w}"' for w in missing) + '; '
                      + keel.tail())
        if not re.search(r'#1\s+0x[0-9a-f]+', text):
            self.fail('expected at least two backtrace frames; ' + keel.tail())
        # The report is the end of that CPU: the session is not reusable.
        self.finish()


class CrashRead(_Crash):
    name = 'crash-read'
    kind = 'read'


class CrashExec(_Crash):
    name = 'crash-exec'
    kind = 'exec'


class CrashTrap(_Crash):
    name = 'crash-trap'
    kind = 'trap'
