# SPDX-License-Identifier: GPL-2.0-only
"""Hostile guests that storm what the per-guest budgets cover
(docs/virtualization.md, "Throttling"): IPIs (arm64 SGIs, riscv64 SBI
IPIs), timer reprogramming, firmware calls (PSCI, SBI) and resets in a
loop, all at once beside a well-behaved neighbour (the nodes and attacker
names per arch: tests/regress/arches.py). Each attacker must be throttled with a message and counted in
`stats`, the neighbour must keep passing its checks, the shell must answer,
and `guest destroy` of every attacker must complete."""

import re
import time

from keel import check, indent
from test_guests import GuestScenario, without_log

# Under TCG on a loaded machine a guest may take a while to get going.
STORM_TIMEOUT = 150


class Storms(GuestScenario):
    name = 'storms'
    arches = ('arm64', 'riscv64')
    run_args = ['--direct']

    @property
    def attackers(self):
        """(guest, its budget: `stats` and the log line), per arch."""
        return self.for_arch('storm_attackers')

    def throttled(self, name, budget):
        out = self.keel.run(f'stats {name}')
        m = re.search(rf'^throttle {budget}\s.*: (\d+) charged, (\d+) throttled$', out, re.M)
        return out, (int(m.group(1)), int(m.group(2))) if m else None

    @check('a well-behaved neighbour runs its checks in rounds')
    def neighbour_runs(self):
        keel = self.keel
        for f in self.for_arch('storm_nodes'):
            out = keel.run(f'guest load /tests/nodes/{f}.dtb')
            self.expect_output(f'guest load /tests/nodes/{f}.dtb', out,
                               'loaded' in out, 'guest nodes loaded')
        keel.run('guest start loop0')
        self.watch('loop0', r'basic: round 2: \d+ passed, 0 failed')

    @check('IPI, timer, firmware-call and reset storms are each throttled with a message')
    def storms_throttled(self):
        keel = self.keel
        mark = len(keel.transcript())
        for name, _ in self.attackers:
            keel.run(f'guest start {name}')
        deadline = time.monotonic() + STORM_TIMEOUT
        pending = list(self.attackers)
        while pending and time.monotonic() < deadline:
            time.sleep(5)
            keel.run('')
            log = keel.transcript()[mark:]
            pending = [(name, budget) for name, budget in pending
                       if not re.search(rf'guest {name}: throttled: {budget} storm \(over \S+, '
                                        rf'burst \d+\); \d+ throttled so far '
                                        rf'\(`stats {name}`\)', log)]
        for name, budget in self.attackers:
            out, counts = self.throttled(name, budget)
            if (name, budget) in pending:
                self.fail(f'expected the log line "guest {name}: throttled: {budget} storm '
                          f'(over <rate>, burst N); N throttled so far (`stats {name}`)" '
                          f'within {STORM_TIMEOUT} s; `stats {name}` shows:\n' + indent(out))
            self.expect_output(f'stats {name}', out, counts and counts[1] > 0,
                               f'"throttle {budget} ...: N charged, N throttled" with '
                               'N throttled > 0')

    @check('the attackers keep running (slowed, not stopped) and the reset loop restarts')
    def attackers_alive(self):
        for name, _ in self.attackers:
            out, row = self.guest_row(name)
            ok = row and (row.group(1) == 'running' or
                          (name == 'resetloop0' and 'restarting (guest reset)' in row.group(0)))
            self.expect_output('guest list', out, ok,
                               f'{name} "running" (or restarting, for the reset loop)')
        out, before = self.throttled('resetloop0', 'reset')
        deadline = time.monotonic() + STORM_TIMEOUT
        after = before
        while time.monotonic() < deadline and before and after and after[0] <= before[0]:
            time.sleep(2)
            out, after = self.throttled('resetloop0', 'reset')
        self.expect_output('stats resetloop0', out,
                           before and after and after[0] > before[0],
                           'more resets charged later: restarts are delayed, not lost')

    @check('the neighbour kept passing and the shell answers during the storms')
    def neighbour_passes(self):
        keel = self.keel
        start = time.monotonic()
        out = keel.run('version')
        took = time.monotonic() - start
        self.expect_output('version', out, 'Keel' in out and took < 10,
                           f'the version within 10 s (took {took:.1f} s)')
        # A round takes about a second alone; beside four guests that
        # never rest, on a loaded TCG host, stretches of 20-30 s without
        # a tick were seen with and without the budgets.
        seen = self.watch('loop0', r'(basic: round \d+: \d+ passed, 0 failed[\s\S]*){2}',
                          timeout=300, new=True)
        if 'FAIL' in seen:
            self.fail('expected loop0 to keep passing; it printed:\n' + indent(seen[-2000:]))
        out, counts = self.throttled('loop0', 'ipi')
        self.expect_output('stats loop0', out, counts and counts[1] == 0,
                           'nothing throttled for the neighbour ("throttle ipi ...: 0 throttled")')

    def destroy(self, name):
        """guest destroy, which prints nothing when it works. The attackers'
        warnings come once a second: one that lands between the prompt and
        the typed command makes the echo look like output, so the echo is
        not counted."""
        command = f'guest destroy {name}'
        out = without_log(self.keel.run(command, timeout=120))
        out = '\n'.join(line for line in out.split('\n') if line.strip() != command)
        self.expect_output(command, out, out.strip() == '', 'nothing (success)')

    @check('guest destroy of every attacker completes and leaves it loaded')
    def destroy_attackers(self):
        for name, _ in self.attackers:
            self.destroy(name)
            out, row = self.guest_row(name)
            self.expect_output('guest list', out, row and row.group(1) == 'loaded',
                               f'{name} "loaded" after guest destroy')
        self.destroy('loop0')
