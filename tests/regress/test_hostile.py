# SPDX-License-Identifier: GPL-2.0-only
"""The hostile-guest suite: one attack after another against Keel, each by a
guest of its own (the basic guest in attack mode, tests/guests/basic/
attacks.c and its arch's half; nodes in tests/guests/nodes/attacks-*.dts,
riscv64-attacks-*.dts on riscv64), while two neighbours (neighbours.dts,
riscv64-neighbours.dts) ping each other and write and verify checksummed
blocks round after round. The arch-neutral attacks run on arm64 and
riscv64, each arch's own on it (ATTACKS). docs/testing.md lists every
attack and what it checks.

For every attack, as a user would check it:
- the attacker's own verdict: an attack that ends prints `basic: attack
  <name>: PASS ...` (and no FAIL) and `... done`; a storm never ends, and
  Keel must stop it with a reason (`guest list`) or throttle it with a
  message (a throttled count in `stats <name>`, or a log line naming it);
- Keel's shell answers (`version` within 5 s) during and after the attack;
- `guest destroy <name>` completes, and the guest is back to `loaded`;
- both neighbours completed a round since the attack started, every round
  with 0 failed and blk-ledger's "lost or corrupted writes: 0".
"""

import re
import time

import pexpect

from keel import CheckFailed, check, indent
from test_guests import GuestScenario, guest_text, without_log

NEIGHBOURS = ('nbr0', 'nbr1')
ROUND = re.compile(r'basic: round (\d+): (\d+) passed, (\d+) failed')
LEDGER = re.compile(r'basic: (PASS|FAIL) blk-ledger\b.*?lost or corrupted writes: (\d+)')
FULL_ROUND = (r'basic: (?:PASS|FAIL) blk-ledger[\s\S]*?'
              r'basic: round \d+: \d+ passed, \d+ failed')
SHELL_ANSWER_S = 5          # `version` must come back within this
ATTACK_TIMEOUT = 90         # for an attack that ends to print "done"
STORM_SECONDS = 4           # how long a storm runs before it is judged
NEIGHBOUR_ROUND_TIMEOUT = 90   # a round is ~15 s on a quiet machine; TCG on a loaded one is slower
DETACH = b'\x1d'
RAW_CONTROL = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')

ALL = ('arm64', 'riscv64')
ARM64 = ('arm64',)
RISCV64 = ('riscv64',)

# name, kind, what it does (the check's title), extra checks, arches.
# kind: "ends" (verdict lines, then done), "storm" (never ends) or
# "stopped" (Keel must stop it, with the reason in STOP_REASONS).
# The arch-neutral attacks run on every arch; the others on the arch
# whose machinery they attack (the nodes: tests/regress/arches.py,
# "hostile_nodes").
ATTACKS = [
    ('ring-self-feed-avail', 'ends',
     'a writable rng buffer over its own avail ring is refused', ('refused-log',), ALL),
    ('ring-self-feed-used', 'ends',
     'a writable rng buffer over its own used ring is refused', ('refused-log',), ALL),
    ('blk-self-feed-desc', 'ends',
     'a blk read into its own descriptor table and avail ring is refused', ('refused-log',),
     ALL),
    ('ring-overlap', 'ends',
     'a used ring overlapping the descriptor table is refused', ('refused-log',), ALL),
    ('publish-race', 'ends',
     'a second vCPU publishing forever during notifies: every notify returns', (), ALL),
    ('reset-during-notify', 'ends',
     'resets from vCPU 1 during blk notifies from vCPU 0', (), ALL),
    ('virtio-reset-storm', 'ends',
     'a thousand resets of a device while another vCPU notifies', (), ALL),
    ('status-race', 'ends',
     'random transport register writes from two vCPUs at once', (), ALL),
    ('mac-spoof', 'ends',
     "frames with a neighbour's MAC as source: the neighbour keeps its traffic",
     ('switch-drops',), ALL),
    ('mac-flood', 'ends',
     'frames from 5000 random source MACs: the switch table is not the guest\'s',
     ('switch-drops',), ALL),
    ('vsock-flood', 'ends',
     'a flood of vsock connections is refused by a limit, with a message', ('log',), ALL),
    ('cow-fill', 'ends',
     'blk writes fill its copy-on-write disk; a refusal is reported; pages come back',
     ('cow-log', 'mem'), ALL),
    ('pmu-probe', 'ends',
     'PMU registers: hidden and undefined, or its own (per vCPU, no EL2 counting)',
     ('pmu-log',), ARM64),
    ('pmu-probe', 'ends',
     'the counters Keel does not offer (cycle, instret, hpmcounter3) are illegal '
     'instructions', (), RISCV64),
    ('debug-probe', 'ends',
     'breakpoint and watchpoint registers are per vCPU on a shared host CPU', (), ARM64),
    ('sgi-storm', 'storm', 'SGIs from both vCPUs to both, forever', (), ARM64),
    ('ipi-storm', 'storm', 'SBI IPIs to every hart, forever', (), RISCV64),
    ('timer-storm', 'storm',
     'timer deadlines at or just after now reprogrammed in a tight loop, forever', (), ALL),
    ('psci-storm', 'storm', 'CPU_ON/AFFINITY_INFO/CPU_OFF in a loop, forever', (), ARM64),
    ('sbi-storm', 'storm', 'SBI HSM hart_get_status in a loop, forever', (), RISCV64),
    ('reset-storm', 'storm',
     'a system reset (PSCI SYSTEM_RESET, SBI SRST reboot) at once after every boot', (), ALL),
    ('timer-reset-race', 'storm',
     'SYSTEM_RESET from vCPU 0 while vCPU 1\'s emulated timer fires, after every boot', (),
     ARM64),
    ('mmio-sweep', 'ends',
     'every width at every offset of every device window and unmapped space', (), ALL),
    ('fetch-unmapped', 'ends',
     'an instruction fetch from no RAM gives it a prefetch abort (arm64) or an '
     'instruction access fault (riscv64), logged with the address', ('fetch-log',), ALL),
    ('vgic-abuse', 'ends',
     'every GIC register of every interrupt written with hostile values', (), ARM64),
    ('timer-level', 'ends',
     'timer interrupts are levels: ENABLE = 0 and IMASK = 1 take them away', (), ARM64),
    ('mmio-undecodable', 'stopped',
     'a floating-point load from a device register stops it, the instruction named', (),
     RISCV64),
    ('sbi-bad-args', 'ends',
     'SBI calls with bad harts, masks, addresses, lengths, types and random arguments '
     'are answered as SBI 2.0 says', (), RISCV64),
    ('decode-fetch-race', 'ends',
     'device loads from a page its other vCPU takes away or replaces while Keel reads '
     'the instruction: it takes its own faults, Keel never completes the wrong '
     'instruction and retries ("retry" in `stats`)',
     ('retry-exits',), RISCV64),
]

# For kind "stopped": what `guest list` must give as the reason.
STOP_REASONS = {
    'mmio-undecodable': r'load at 0x10001000 by an undecodable instruction 0x[0-9a-f]{8} '
                        r'\(floating-point load\)',
}
# fetch-unmapped's first target, which Keel's log must name.
FETCH_TARGET = '0x30000000'


class HostileGuests(GuestScenario):
    name = 'hostile'
    arches = ALL
    run_args = ['--direct']

    # -- helpers -------------------------------------------------------
    def ensure_neighbours(self):
        """Loads the nodes and starts the neighbours, unless this session
        already did (a failed check may have booted a fresh one)."""
        keel = self.keel
        if getattr(self, '_neighbours_session', None) is keel:
            return
        for f in self.for_arch('hostile_nodes'):
            out = keel.run(f'guest load /tests/nodes/{f}.dtb')
            if not f.endswith('attack-escape'):
                self.expect_output(f'guest load /tests/nodes/{f}.dtb', out,
                                   'loaded' in out, 'guest nodes loaded')
            else:
                self.escape_load_output = keel.child.before
        self.quiet_run('guest start ' + ' '.join(NEIGHBOURS))
        self._neighbours_session = keel
        self.neighbour_rounds = {n: 0 for n in NEIGHBOURS}

    def timed_version(self, what):
        """`version` must answer within SHELL_ANSWER_S seconds."""
        keel = self.keel
        start = time.monotonic()
        try:
            out = keel.run('version', timeout=SHELL_ANSWER_S * 3)
        except CheckFailed as e:
            raise CheckFailed(f'{what}: expected Keel\'s shell to answer `version`; {e}')
        took = time.monotonic() - start
        if 'Keel' not in out or took > SHELL_ANSWER_S:
            self.fail(f'{what}: expected `version` to print the version within '
                      f'{SHELL_ANSWER_S} s; it took {took:.1f} s and printed:\n'
                      + indent(out))

    def console_until(self, name, pattern, timeout):
        """Attaches to name's console until pattern shows (or timeout, or
        the guest stops); detaches; returns (text, matched)."""
        keel = self.keel
        keel.send_keys(f'console {name}\r')
        keel.expect(rf'\[console {re.escape(name)}: attached', 15,
                    f'console {name} to attach')
        stopped = rf'\[console {re.escape(name)}: guest stopped[^\]]*\]'
        try:
            i = keel.child.expect([pattern, stopped], timeout=timeout)
        except pexpect.TIMEOUT:
            i = None
        except pexpect.EOF:
            raise CheckFailed(f'QEMU exited while watching {name}; ' + keel.tail())
        text = guest_text(keel.child.before + (keel.child.after if i is not None else ''))
        if i == 1:
            keel.expect(r'(?<!\] )keel# ', 15, 'the prompt after the guest stopped')
            return text, False
        keel.send_keys(DETACH)
        # The guest may stop (or reset) before Ctrl-] arrives: then the
        # console has ended by itself, and the Ctrl-] went to the shell's
        # line, which Ctrl-C clears.
        j = keel.expect([rf'\[console {re.escape(name)}: detached\]', stopped], 15,
                        'Ctrl-] to detach')
        keel.expect(r'(?<!\] )keel# ', 15, 'the prompt after detaching')
        if j == 1 and not keel.resync():
            raise CheckFailed(f'Keel stopped answering after {name}\'s console ended; '
                              + keel.tail())
        return text, i == 0

    def guest_state(self, name):
        out, row = self.guest_row(re.escape(name))
        return (row.group(1) if row else None), (row.group(0) if row else out)

    def containment(self, name):
        """How Keel stopped or throttled name, or None."""
        keel = self.keel
        state, row = self.guest_state(name)
        if state == 'stopped' and 'restarting' not in row:
            return f'stopped: {row}'
        stats = keel.run(f'stats {name}')
        for line in stats.split('\n'):
            # Any count above 0 on a line about throttling.
            if re.search(r'throttl', line, re.I) and any(
                    int(n) > 0 for n in re.findall(r'(?<![\w.])(\d+)(?![\w.])', line)):
                return f'`stats {name}`: {line.strip()}'
        log = keel.run('log')
        for line in log.split('\n'):
            # The guest's own name (e.g. "sgi-storm") does not count.
            if (f'guest {name}' in line and re.search(
                    r'throttl|\brate\b|\blimit|\bstorm\b', line.replace(name, ''), re.I)):
                return f'log: {line.strip()}'
        return None

    def check_neighbours(self, what):
        """Each neighbour finished a round since the last look, and every
        round it printed passed with blk-ledger's 0 lost or corrupted
        writes."""
        for n in NEIGHBOURS:
            # A whole round: its blk-ledger line, then its summary.
            text, matched = self.console_until(n, FULL_ROUND, NEIGHBOUR_ROUND_TIMEOUT)
            rounds = ROUND.findall(text)
            ledgers = LEDGER.findall(text)
            fails = [line for line in text.split('\n') if 'basic: FAIL' in line]
            bad_rounds = [r for r in rounds if r[2] != '0']
            lost = [int(l[1]) for l in ledgers if l[1] != '0' or l[0] != 'PASS']
            if not matched or not rounds:
                self.fail(f'{what}: expected neighbour {n} to finish a round (blk-ledger '
                          f'included) within '
                          f'{NEIGHBOUR_ROUND_TIMEOUT} s; its console:\n'
                          + indent(text[-2500:]))
            if fails or bad_rounds or lost or not ledgers:
                self.fail(f'{what}: expected neighbour {n} to keep passing every check '
                          'with "lost or corrupted writes: 0"; failures: '
                          f'{fails or "none"}, rounds with failures: {bad_rounds or "none"}, '
                          f'lost or corrupted writes: {lost or "none"}'
                          + ('' if ledgers else ', no blk-ledger line seen')
                          + ':\n' + indent(text[-2500:]))

    def switch_drops(self, name):
        """`switch list` counts the attacker's refused frames by reason."""
        out = self.keel.run('switch list')
        lines_ = out.split('\n')
        header = next((l for l in lines_ if l.strip().startswith('port')), '')
        row = next((l for l in lines_ if l.strip().startswith(f'{name}/net0')), None)
        if 'spoofed' not in header or row is None:
            self.fail(f'{name}: expected `switch list` to show the attacker\'s port '
                      f'{name}/net0 with a "spoofed" drop count; it printed:\n' + indent(out))
        # Columns: port, mac, then numbers in the header's order after them.
        names = re.findall(r'[a-z]+(?: [a-z]+)?', header.split('mac', 1)[1])
        values = row.split()[2:]
        counts = dict(zip(names, values))
        if int(counts.get('spoofed', '0')) == 0:
            self.fail(f'{name}: expected `switch list` to count the frames it sent from '
                      'addresses not its own as spoofed; it printed:\n' + indent(out))

    def destroy(self, name):
        start = time.monotonic()
        out = without_log(self.keel.run(f'guest destroy {name}', timeout=30))
        took = time.monotonic() - start
        state, row = self.guest_state(name)
        self.destroyed = state == 'loaded'
        if out or state != 'loaded':
            self.fail(f'{name}: expected `guest destroy {name}` to complete silently and '
                      f'leave it "loaded"; after {took:.1f} s it printed:\n{indent(out)}\n'
                      f'and `guest list` shows: {row}')

    def free_pages(self):
        m = re.search(r'pages: (\d+) of \d+ free', self.keel.run('mem'))
        return int(m.group(1)) if m else None

    # -- one attack --------------------------------------------------------
    def run_attack(self, name, kind, extra):
        self.ensure_neighbours()
        self.destroyed = False
        try:
            self._run_attack(name, kind, extra)
        finally:
            # After a failure: take the attacker away if Keel still answers,
            # so that it does not run into the next attack.
            session = self.session
            if not self.destroyed and session is not None and session.child.isalive():
                try:
                    session.run(f'guest destroy {name}', timeout=30)
                except CheckFailed:
                    pass

    def _run_attack(self, name, kind, extra):
        keel = self.keel
        problems = []
        pages_before = self.free_pages() if 'mem' in extra else None
        self.quiet_run(f'guest start {name}')
        if kind == 'ends':
            text, done = self.console_until(
                name, rf'basic: attack {re.escape(name)}: done', ATTACK_TIMEOUT)
            verdicts = re.findall(rf'basic: attack {re.escape(name)}: (PASS|FAIL) ([^\n]*)', text)
            fails = [v for v in verdicts if v[0] == 'FAIL']
            if not done:
                state, row = self.guest_state(name)
                problems.append(f'expected the attacker to report "done" within '
                                f'{ATTACK_TIMEOUT} s; `guest list`: {row}')
            if fails or not any(v[0] == 'PASS' for v in verdicts):
                problems.append('expected only PASS verdicts from the attacker; it '
                                'printed:\n' + indent('\n'.join(f'{v} {d}' for v, d in verdicts)
                                                      or text[-1500:]))
        elif kind == 'stopped':
            text, _ = self.console_until(name, rf'basic: attack {re.escape(name)}: start', 20)
            deadline = time.monotonic() + ATTACK_TIMEOUT
            state, row = self.guest_state(name)
            while state != 'stopped' and time.monotonic() < deadline:
                time.sleep(1)
                state, row = self.guest_state(name)
            if state != 'stopped' or not re.search(STOP_REASONS[name], row):
                problems.append(f'expected Keel to stop it with a reason matching '
                                f'"{STOP_REASONS[name]}" within {ATTACK_TIMEOUT} s; '
                                f'`guest list` shows: {row}')
        else:
            text, _ = self.console_until(name, rf'basic: attack {re.escape(name)}: start', 20)
            for _ in range(STORM_SECONDS):
                self.timed_version(f'{name} (during the storm)')
                keel.run('sleep 1000', timeout=20)
            how = self.containment(name)
            if not how:
                state, row = self.guest_state(name)
                problems.append('expected Keel to stop it with a reason (`guest list`) or '
                                f'throttle it with a message (a throttled count in `stats '
                                f'{name}`, or a log line naming "guest {name}" and the '
                                f'rate or limit); after {STORM_SECONDS} s `guest list` '
                                f'shows: {row}')
        self.timed_version(name)
        if 'switch-drops' in extra:
            try:
                self.switch_drops(name)
            except CheckFailed as e:
                problems.append(str(e))
        if 'log' in extra:
            log = keel.run('log')
            if not any(f'guest {name}' in l and re.search(r'limit|full|refus', l)
                       for l in log.split('\n')):
                problems.append(f'expected a log line naming "guest {name}" and the limit '
                                'it hit')
        if 'refused-log' in extra:
            log = keel.run('log')
            if not any(f'guest {name}' in l and re.search(r'needs reset|refus|overlap', l)
                       for l in log.split('\n')):
                problems.append(f'expected a log line naming "guest {name}", its device and '
                                'why the queue was refused')
        if 'pmu-log' in extra:
            # The log names the hidden feature the guest probed, once,
            # never as an "unhandled" register.
            log = keel.run('log')
            pmu = re.compile(r'unhandled system register access '
                             r'<3,(0,9,14|3,9,1[2-4]|3,14,([89]|1[0-5])),')
            wrong = [l.strip() for l in log.split('\n') if pmu.search(l)]
            named = [l for l in log.split('\n')
                     if f'guest {name}:' in l and 'uses the PMU' in l]
            if wrong:
                problems.append('expected PMU accesses to be logged as a PMU that guests '
                                f'do not get, not as unhandled; the log says: {wrong[0]}')
            elif len(named) != 1:
                problems.append(f'expected one log line saying guest {name} uses the PMU, '
                                f'which Keel does not offer; found {len(named)}')
        if 'fetch-log' in extra:
            log = keel.run('log')
            if not any(f'guest {name}' in l and f'instruction fetch at {FETCH_TARGET}' in l
                       for l in log.split('\n')):
                problems.append(f'expected a log line naming "guest {name}" and '
                                f'"instruction fetch at {FETCH_TARGET}"')
        if 'retry-exits' in extra:
            stats = keel.run(f'stats {name}')
            m = re.search(r'^retry\s.*\s(\d+)\s*$', stats, re.M)
            if not m or int(m.group(1)) == 0:
                problems.append('expected `stats` to count "retry" exits (the instruction '
                                'of a device load could not be read: Keel met the race); '
                                'it printed:\n' + indent(stats))
        if 'cow-log' in extra:
            refused = re.search(rf'attack {re.escape(name)}: PASS \d+ blocks written and '
                                r'read back, (\d+) refused', text)
            log = keel.run('log')
            if refused and int(refused.group(1)) > 0 and not any(
                    f'guest {name}' in l and re.search(r'limit|copy-on-write', l)
                    for l in log.split('\n')):
                problems.append(f'{refused.group(1)} writes were refused, but no log line '
                                f'names "guest {name}" and the copy-on-write limit')
        self.destroy(name)
        if pages_before is not None:
            after = self.free_pages()
            if after != pages_before:
                problems.append(f'expected `mem` to show {pages_before} free pages again '
                                f'after destroying it; it shows {after}')
        self.check_neighbours(name)
        if problems:
            self.fail(f'attack {name}: ' + '\n'.join(problems))

    # -- the checks ----------------------------------------------------------
    @check('the neighbours ping each other and write and verify checksummed blocks')
    def neighbours_start(self):
        self.ensure_neighbours()
        self.check_neighbours('before any attack')

    for _name, _kind, _what, _extra, _arches in ATTACKS:
        def _attack(self, _n=_name, _k=_kind, _e=_extra):
            self.run_attack(_n, _k, _e)
        _attack.check_name = f'attack {_name}: {_what}'
        _attack.check_arches = _arches
        vars()[f'attack_{_name.replace("-", "_")}'
               + ('' if _arches == ALL else '_' + _arches[0])] = _attack
    del _name, _kind, _what, _extra, _arches, _attack

    @check('attack console-flood: a guest printing as fast as it can, detached and '
           'attached, blocks neither the shell nor Ctrl-]')
    def attack_console_flood(self):
        keel = self.keel
        name = 'console-flood'
        self.ensure_neighbours()
        problems = []
        # Nobody attached: the shell answers while it floods.
        self.quiet_run(f'guest start {name}')
        for _ in range(3):
            self.timed_version(f'{name} (detached, during the flood)')
        text, done = self.console_until(name, rf'basic: attack {name}: done', ATTACK_TIMEOUT)
        if not done or not re.search(rf'attack {name}: PASS \d+ lines', text):
            problems.append(f'expected the flood to end with "attack {name}: PASS <n> lines" '
                            f'and "done" within {ATTACK_TIMEOUT} s (the guest must not be '
                            'blocked on the terminal); the console ended with:\n'
                            + indent(text[-800:]))
        # Attached while it floods: Ctrl-] still detaches at once.
        self.quiet_run(f'guest reset {name}')
        keel.send_keys(f'console {name} --new\r')
        keel.expect(rf'\[console {name}: attached', 15, f'console {name} to attach')
        time.sleep(1.5)
        start = time.monotonic()
        keel.send_keys(DETACH)
        keel.expect(rf'\[console {name}: detached\]', 15, 'Ctrl-] to detach during the flood')
        keel.expect(r'(?<!\] )keel# ', 15, 'the prompt after detaching')
        took = time.monotonic() - start
        if took > SHELL_ANSWER_S:
            problems.append(f'Ctrl-] took {took:.1f} s to detach from the flooding guest')
        self.timed_version(f'{name} (after detaching from the flood)')
        text, done = self.console_until(name, rf'basic: attack {name}: done', ATTACK_TIMEOUT)
        if not done:
            problems.append('expected the second flood (console attached at its start) to '
                            f'finish within {ATTACK_TIMEOUT} s')
        self.destroy(name)
        self.check_neighbours(name)
        if problems:
            self.fail(f'attack {name}: ' + '\n'.join(problems))

    @check('attack escape-output: control characters from a guest (name, vsock answer) '
           'are escaped outside console')
    def attack_escape_output(self):
        keel = self.keel
        name = 'escape-output'
        self.ensure_neighbours()
        problems = []
        load = getattr(self, 'escape_load_output', '')
        if RAW_CONTROL.search(load):
            problems.append('`guest load /tests/nodes/attack-escape.dtb` printed raw control '
                            'characters:\n' + indent(repr(load)))
        state, row = self.guest_state(name)
        if state is None:
            self.fail(f'attack {name}: the node was not loaded; `guest load` printed:\n'
                      + indent(repr(load)))
        self.quiet_run(f'guest start {name}')
        text, listening = self.console_until(name, r'vsock-listen: CID 39 port 1234 listening',
                                             30)
        if not listening:
            self.fail(f'attack {name}: expected the guest to listen on vsock port 1234; '
                      'its console:\n' + indent(repr(text[-800:])))

        def raw(command):
            keel.send_keys(command + '\r')
            keel.expect('\n', 15, f'the echo of `{command}`')
            keel.expect(r'(?<!\] )keel# ', 15, f'`{command}` to finish')
            return keel.child.before

        for command in ('vsock send escape-output 1234 hi', 'guest info escape-output',
                        'guest list', 'vsock list'):
            out = raw(command)
            if RAW_CONTROL.search(out.replace('\r', '').replace('\n', '')):
                problems.append(f'`{command}` printed raw control characters from the guest '
                                'to the operator\'s terminal:\n' + indent(repr(out)))
            if command.startswith('vsock send') and 'hi' not in out:
                problems.append(f'`{command}` printed no answer with "hi":\n' + indent(repr(out)))
        self.timed_version(name)
        self.destroy(name)
        self.check_neighbours(name)
        if problems:
            self.fail(f'attack {name}: ' + '\n'.join(problems))

    @check('after every attack the neighbours are still passing and are destroyed cleanly')
    def neighbours_end(self):
        self.ensure_neighbours()
        self.check_neighbours('at the end')
        for n in NEIGHBOURS:
            self.destroy(n)
