# SPDX-License-Identifier: GPL-2.0-only
"""Boots Keel in QEMU through tools/run and drives its shell, for the
regression scenarios (tests/regress/test_*.py).

A scenario is a class derived from Scenario; its checks are methods marked
with @check("what a user would check"), run in the order they are written
against one QEMU session that is booted the first time a check needs it.
A check fails by raising CheckFailed with a message that says what was
expected and shows what was seen.
"""

import os
import re
import signal
import sys
import time

import pexpect

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS_RUN = os.path.join(REPO, 'tools', 'run')
sys.path.insert(0, os.path.join(REPO, 'tools'))

from arches import expected  # noqa: E402
from keelarch import build_arch  # noqa: E402

# The interactive prompt. Commands that Keel runs from keel.bootcmd or
# /boot.keel are echoed as "[origin] keel# cmd"; those are not prompts.
PROMPT = re.compile(r'(?<!\] )keel# ')
# A message from Keel's log: "[  104.403619] warning: ...".
LOG_MESSAGE = re.compile(r'\[\s*\d+\.\d{6}\] ')
LOG_LINES_BEFORE_ECHO_MAX = 50
BANNER = re.compile(r'Keel v(?P<version>\S+) \((?P<config>[^)]+)\), '
                    r'(?P<cpus>\d+) CPUs online, (?P<mib>\d+) MiB RAM, '
                    r'booted in (?P<ms>\d+) ms')
ANSI_ESCAPE = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]')

BOOT_TIMEOUT = 60
COMMAND_TIMEOUT = 15
RESYNC_TIMEOUT = 5
EXIT_TIMEOUT = 20
TAIL_CHARS = 1200


class CheckFailed(Exception):
    pass


def clean(text):
    """Console text roughly as a terminal shows it: a carriage return goes
    back to the start of the line (so a line editor's redraws overwrite
    what they redraw), terminal control sequences are dropped."""
    shown = []
    for line in text.replace('\r\n', '\n').split('\n'):
        screen = ''
        for part in line.split('\r'):
            visible = ANSI_ESCAPE.sub('', part)
            if '\x1b[K' in part or '\x1b[0K' in part:
                screen = visible
            else:
                screen = visible + screen[len(visible):]
        shown.append(screen)
    return '\n'.join(shown)


def lines(text):
    """Output split into lines, trailing blanks dropped."""
    return [line.rstrip() for line in text.split('\n')]


def indent(text, prefix='    | '):
    """Quotes console text in a failure message, control characters made
    visible."""
    if not text.strip():
        return prefix + '(nothing)'
    shown = []
    for line in text.rstrip('\n').split('\n'):
        line = line.expandtabs(8)
        shown.append(prefix + (line if line.isprintable() else repr(line)[1:-1]))
    return '\n'.join(shown)


class _Tee:
    """pexpect's logfile_read: keeps the transcript in memory and in the
    scenario's log file."""

    def __init__(self, log):
        self.log = log
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        self.log.write(text)

    def flush(self):
        self.log.flush()

    def text(self):
        return ''.join(self.parts)


class Console:
    """One QEMU session: Keel's serial console through tools/run."""

    def __init__(self, run_args, log_path, build_dir):
        self.run_args = ['--build-dir', build_dir] + list(run_args)
        self.log_path = log_path
        self.log = open(log_path, 'a', encoding='utf-8', errors='replace')
        self.log.write('\n#### tools/run ' + ' '.join(self.run_args) + '\n')
        self.log.flush()
        self.tee = _Tee(self.log)
        self.child = pexpect.spawn(
            TOOLS_RUN, self.run_args, cwd=REPO, encoding='utf-8',
            codec_errors='replace', dimensions=(50, 200),
            timeout=COMMAND_TIMEOUT)
        self.child.logfile_read = self.tee
        self.boot_output = ''
        self.exit_status = None

    # -- what was seen -------------------------------------------------
    def transcript(self):
        return self.tee.text()

    def tail(self, chars=TAIL_CHARS):
        text = clean(self.transcript())[-chars:]
        return (f'last console output (full log: {self.log_path}):\n'
                + indent(text))

    def boot_tail(self, chars=TAIL_CHARS):
        """The end of the last boot's output, up to its first prompt."""
        return (f'the boot printed (full log: {self.log_path}):\n'
                + indent(self.boot_output[-chars:]))

    def expect(self, pattern, timeout, waiting_for):
        """Waits for pattern (a regular expression, or pexpect.EOF) on the
        console; fails the check, saying it was waiting_for, on timeout or
        if QEMU exits. Returns pexpect's index of what matched."""
        try:
            return self.child.expect(pattern, timeout=timeout)
        except pexpect.TIMEOUT:
            raise CheckFailed(f'expected {waiting_for} within {timeout} s; '
                              + self.tail())
        except pexpect.EOF:
            raise CheckFailed(f'expected {waiting_for}, but QEMU exited; '
                              + self.tail())

    # The name scenarios written before expect() was public use.
    _expect = expect

    # -- boot ------------------------------------------------------------
    def wait_for_prompt(self, timeout=BOOT_TIMEOUT):
        """Waits for the banner and then the first prompt; returns the
        console output up to the prompt."""
        mark = len(self.transcript())
        self.expect(BANNER, timeout, 'the boot banner "Keel v... CPUs online"')
        self.expect(PROMPT, timeout, 'the keel# prompt after the banner')
        self.boot_output = clean(self.transcript()[mark:])
        return self.boot_output

    def banner(self):
        found = BANNER.search(self.boot_output)
        if not found:
            raise CheckFailed('expected the boot banner; ' + self.tail())
        return found

    def shows_version(self, text):
        """Whether text names the version and configuration of the banner
        (as `version` prints them)."""
        banner = self.banner()
        version = re.escape(banner.group('version'))
        return bool(re.search(rf'\bv?{version}\b', text)
                    and banner.group('config') in text)

    # -- the shell ---------------------------------------------------------
    def send_keys(self, keys):
        """Types raw bytes (or text) at the console, as a terminal would."""
        if isinstance(keys, str):
            keys = keys.encode()
        os.write(self.child.child_fd, keys)

    def run_keys(self, keys, timeout=COMMAND_TIMEOUT, what=None):
        """Types keys that end with Enter ("\\r") and returns what the
        command printed: the text between the end of the echoed line and
        the next prompt."""
        what = what or repr(keys)
        self.send_keys(keys)
        # A log line printed just before the echo (after the last prompt)
        # ends a line too: the echo's line is the first one that is not
        # only a log message, or that holds the typed command.
        typed = keys.rstrip('\r') if isinstance(keys, str) else None
        for _ in range(LOG_LINES_BEFORE_ECHO_MAX):
            self.expect('\n', timeout, f'the echo of {what} to end its line')
            line = clean(self.child.before)
            if (not LOG_MESSAGE.search(line) or not typed or typed in line):
                break
        self.expect(PROMPT, timeout,
                     f'{what} to finish and the keel# prompt to come back')
        return clean(self.child.before).strip('\n')

    def run(self, command, timeout=COMMAND_TIMEOUT):
        """Runs one shell command; returns its output."""
        return self.run_keys(command + '\r', timeout, f'`{command}`')

    def resync(self):
        """After a failed check: gets back to an idle prompt, if Keel still
        answers. Returns whether it does."""
        if not self.child.isalive():
            return False
        try:
            # Ctrl-C abandons a half-typed line; the Enter after it makes
            # sure a prompt comes even if Ctrl-C printed none.
            self.send_keys(b'\x03\r')
            self.child.expect(PROMPT, timeout=RESYNC_TIMEOUT)
        except (pexpect.TIMEOUT, pexpect.EOF):
            return False
        try:
            # Prompts still queued from a command that finished late.
            while True:
                self.child.expect(PROMPT, timeout=0.5)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False

    # -- the end -----------------------------------------------------------
    def wait_exit(self, timeout=EXIT_TIMEOUT):
        """Waits for QEMU to exit by itself; returns tools/run's status."""
        self.expect(pexpect.EOF, timeout, 'QEMU to exit')
        self.child.close()
        self.exit_status = self.child.exitstatus
        if self.exit_status is None:
            self.exit_status = 128 + (self.child.signalstatus or 0)
        self._close_log()
        return self.exit_status

    def close(self):
        """Stops QEMU (and tools/run) if they still run."""
        if self.child.isalive():
            try:
                os.killpg(self.child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 5
            while self.child.isalive() and time.monotonic() < deadline:
                time.sleep(0.1)
            if self.child.isalive():
                try:
                    os.killpg(self.child.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            self.child.read_nonblocking(size=1 << 20, timeout=0)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError):
            pass
        self.child.close(force=True)
        self._close_log()

    def _close_log(self):
        if not self.log.closed:
            self.log.write('\n#### session ended\n')
            self.log.close()


def check(name, arches=None):
    """Marks a Scenario method as a check named for what a user checks.
    arches: the arches it applies to when only some of the scenario's do
    (default: all of the scenario's)."""
    def mark(method):
        method.check_name = name
        method.check_arches = tuple(arches) if arches else None
        return method
    return mark


class Scenario:
    """A group of checks that share one QEMU boot.

    name:      used in check names and for the log, BUILD/regress/<name>.log
    arches:    the arches it applies to (a build is for one arch; the
               runner skips scenarios that do not apply to it)
    run_args:  options for tools/run (the build directory is added)
    autostart: whether built-in guests marked "autostart" start at boot;
               off unless a scenario is about them (keel.autostart=0)
    """

    name = None
    arches = ('arm64',)
    run_args = []
    autostart = False

    def __init__(self, build_dir):
        self.build_dir = build_dir
        self.arch = build_arch(build_dir)
        self.log_dir = os.path.join(build_dir, 'regress')
        self.log_path = os.path.join(self.log_dir, self.name + '.log')
        self.session = None
        self.boot_failure = None
        self.boots = 0

    @classmethod
    def checks(cls, arch=None):
        """(name, method) of every check, in the order they are written;
        with arch, only those that apply to it."""
        found = {}
        for klass in reversed(cls.__mro__):
            for attr_name, attr in vars(klass).items():
                if callable(attr) and hasattr(attr, 'check_name'):
                    # A subclass's method replaces its base's in place.
                    found[attr_name] = attr
        return [(f'{cls.name}: {method.check_name}', method)
                for method in found.values()
                if arch is None or (arch in cls.arches and
                                    arch in (getattr(method, 'check_arches', None) or cls.arches))]

    def prepare(self):
        """Called before the first boot: make files the boot needs."""

    def boot_args(self):
        return list(self.run_args)

    def tools_run_args(self):
        args = self.boot_args()
        if not self.autostart:
            # Options for tools/run come before "--" (QEMU's own after it).
            at = args.index('--') if '--' in args else len(args)
            args[at:at] = ['--append', 'keel.autostart=0']
        return args

    @property
    def keel(self):
        """The running session, booted (to the prompt) on first use."""
        if self.session is not None:
            return self.session
        if self.boot_failure:
            raise CheckFailed('not run: Keel did not boot in this scenario '
                              f'({self.boot_failure})')
        self.boots += 1
        if self.boots == 1:
            os.makedirs(self.log_dir, exist_ok=True)
            open(self.log_path, 'w').close()
            try:
                self.prepare()
            except CheckFailed as e:
                self.boot_failure = 'see its first failure'
                raise CheckFailed(f'could not prepare the boot: {e}')
        console = Console(self.tools_run_args(), self.log_path, self.build_dir)
        try:
            console.wait_for_prompt()
        except CheckFailed as e:
            console.close()
            self.boot_failure = 'see its first failure'
            raise CheckFailed(f'Keel did not boot: {e}')
        self.session = console
        return console

    def after_failure(self):
        """Gets the session back to a prompt, or ends it so that the next
        check boots a fresh one."""
        if self.session is not None and not self.session.resync():
            self.session.close()
            self.session = None

    def finish(self):
        if self.session is not None:
            self.session.close()
            self.session = None

    # -- helpers for checks ------------------------------------------------
    def for_arch(self, key):
        """What this arch expects for key (tests/regress/arches.py)."""
        return expected(self.arch, key)

    def fail(self, message):
        raise CheckFailed(message)

    def expect_output(self, command, output, condition, expected):
        """Fails unless condition holds, saying what `command` should have
        printed and what it did print."""
        if not condition:
            self.fail(f'expected `{command}` to print {expected}; it printed '
                      f'(full log: {self.log_path}):\n{indent(output)}')

    def expect_boot_lines(self, expected):
        """Fails unless the boot output has each of the expected lines, in
        this order; returns the boot output's lines after the last one."""
        keel = self.keel
        seen = lines(keel.boot_output)
        at = 0
        for line in expected:
            try:
                at = seen.index(line, at) + 1
            except ValueError:
                self.fail('expected the boot output to have, in this order, '
                          'the lines ' + ', '.join(f'"{e}"' for e in expected)
                          + f'; "{line}" is missing; ' + keel.boot_tail())
        return seen[at:]

    def source_path(self, *parts):
        return os.path.join(REPO, *parts)
