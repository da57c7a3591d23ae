# SPDX-License-Identifier: GPL-2.0-only
"""The management shell, on a board-like boot: U-Boot (on riscv64 under
OpenSBI) loads Keel and the image fs from a virtio disk, 4 CPUs, 2 GiB of
RAM. One boot serves every check; reboot and poweroff come last."""

import os
import re
import time

from keel import Scenario, check, lines

COMMANDS = ['help', 'version', 'cpus', 'mem', 'dt', 'ls', 'cat', 'log',
            'uptime', 'echo', 'reboot', 'poweroff']

UP, DOWN, RIGHT, LEFT = b'\x1b[A', b'\x1b[B', b'\x1b[C', b'\x1b[D'
BACKSPACE = b'\x7f'
TAB = b'\t'
ENTER = b'\r'

ROOTFS = ('configs', 'rootfs')
KNOWN_FILE = '/etc/keel-release'


def words(text):
    return text.split()


class Shell(Scenario):
    name = 'shell'
    arches = ('arm64', 'riscv64')
    # The commands check that bootargs survive U-Boot's boot script intact,
    # quotes and ";" included.
    run_args = ['--smp', '4', '--mem', '2G',
                '--bootcmd', 'echo set by U-Boot; echo done']

    def rootfs(self, *parts):
        return self.source_path(*ROOTFS, *parts)

    @check('Keel boots through U-Boot to the keel# prompt')
    def boot_through_u_boot(self):
        keel = self.keel
        for marker, meaning in [('U-Boot 20', "U-Boot's banner"),
                                ('Found U-Boot script /boot.scr',
                                 'U-Boot finding boot.scr on the disk'),
                                ('Starting kernel', 'U-Boot starting keel.bin')]:
            if marker not in keel.boot_output:
                self.fail(f'expected {meaning} ("{marker}") before Keel; '
                          + keel.boot_tail())

    # riscv64's S-mode U-Boot keeps no environment (tools/keelarch.py), so
    # nothing can take its 2 s countdown away.
    @check('U-Boot starts Keel without counting down a boot delay',
           arches=['arm64'])
    def no_boot_delay(self):
        keel = self.keel
        delay = re.search(r'Hit any key to stop autoboot:\s*(\d+)',
                          keel.boot_output)
        if not delay or delay.group(1) != '0':
            self.fail('expected "Hit any key to stop autoboot:  0" (the '
                      'environment image from tools/mkdisk sets bootdelay=0); '
                      + keel.boot_tail())

    @check('the banner says 4 CPUs online and 2048 MiB RAM')
    def banner_counts(self):
        banner = self.keel.banner()
        if banner.group('cpus') != '4' or banner.group('mib') != '2048':
            self.fail('expected "4 CPUs online, 2048 MiB RAM" for -smp 4 '
                      f'-m 2G; the banner says: {banner.group(0)}')

    @check('/boot.keel runs at boot and prints its welcome')
    def boot_script_welcome(self):
        keel = self.keel
        with open(self.rootfs('boot.keel')) as f:
            script = f.read()
        echoes = [' '.join(line.split()[1:]) for line in script.split('\n')
                  if line.split()[:1] == ['echo']]
        if not echoes:
            self.fail('configs/rootfs/boot.keel has no echo line to look for')
        seen = lines(keel.boot_output)
        for text in echoes:
            if '[/boot.keel] keel# echo ' + text not in seen:
                self.fail(f'expected the line "[/boot.keel] keel# echo {text}"'
                          ' (the command echoed before it runs); '
                          + keel.boot_tail())
            if text not in seen:
                self.fail(f'expected the line "{text}" printed by '
                          f'/boot.keel; ' + keel.boot_tail())

    @check('keel.bootcmd passed through U-Boot runs at boot')
    def bootcmd_through_u_boot(self):
        self.expect_boot_lines(['[keel.bootcmd] keel# echo set by U-Boot',
                                'set by U-Boot',
                                '[keel.bootcmd] keel# echo done', 'done'])

    @check('help lists every command, one per line')
    def help_lists_commands(self):
        out = self.keel.run('help')
        first_words = [line.split()[0] for line in lines(out) if line.split()]
        missing = [c for c in COMMANDS if c not in first_words]
        self.expect_output('help', out, not missing,
                           'a line starting with each of ' + ' '.join(COMMANDS)
                           + f' (missing: {" ".join(missing)})')

    @check('help cat shows how to use cat')
    def help_cat(self):
        out = self.keel.run('help cat')
        self.expect_output('help cat', out,
                           re.search(r'(?m)^\s*usage: cat\b', out),
                           'a line "usage: cat ..."')

    @check('cpus shows 4 of 4 CPUs online')
    def cpus(self):
        out = self.keel.run('cpus')
        rows = [line for line in lines(out) if line]
        self.expect_output('cpus', out,
                           rows and rows[-1].strip() == '4 of 4 CPUs online',
                           'a last line "4 of 4 CPUs online"')
        online = [r for r in rows[:-1] if re.search(r'\bonline\b', r)]
        self.expect_output('cpus', out, len(online) == 4,
                           f'one row saying "online" per CPU (4), '
                           f'found {len(online)}')

    @check('mem shows RAM, reserved memory, pages and the heap')
    def mem(self):
        out = self.keel.run('mem')
        for word in ['RAM', 'reserved', 'pages', 'heap']:
            self.expect_output('mem', out,
                               re.search(rf'\b{word}\b', out),
                               f'a line about "{word}"')

    @check('dt prints the device tree as source')
    def dt(self):
        out = self.keel.run('dt', timeout=30)
        uart = self.for_arch('uart_compatible')
        for text in ['cpus {', f'compatible = "{uart}"']:
            self.expect_output('dt', out, text in out, f'"{text}"')

    @check('dt /cpus prints only the cpus node')
    def dt_cpus(self):
        out = self.keel.run('dt /cpus')
        self.expect_output('dt /cpus', out,
                           'cpus {' in out and 'cpu@0' in out,
                           '"cpus {" with its "cpu@0" child')
        uart = self.for_arch('uart_word')
        self.expect_output('dt /cpus', out, uart not in out,
                           f'nothing outside /cpus (no "{uart}")')

    @check('dt /nope says there is no such node')
    def dt_missing(self):
        out = self.keel.run('dt /nope')
        self.expect_output('dt /nope', out,
                           re.search(r'/nope: no such', out) and '{' not in out,
                           'an error "/nope: no such ..." and no tree')

    @check('ls / lists the image fs, directories with a trailing /')
    def ls_root(self):
        out = self.keel.run('ls /')
        expected = sorted(name + ('/' if os.path.isdir(self.rootfs(name)) else '')
                          for name in os.listdir(self.rootfs()))
        missing = [name for name in expected if name not in words(out)]
        self.expect_output('ls /', out, not missing,
                           'the entries of configs/rootfs: ' + ' '.join(expected)
                           + f' (missing: {" ".join(missing)})')

    @check('ls /nope says no such file or directory')
    def ls_missing(self):
        out = self.keel.run('ls /nope')
        self.expect_output('ls /nope', out,
                           'ls: /nope: no such file or directory' in lines(out),
                           'the line "ls: /nope: no such file or directory"')

    @check(f'cat {KNOWN_FILE} prints the file')
    def cat_known_file(self):
        with open(self.rootfs(KNOWN_FILE.lstrip('/'))) as f:
            expected = f.read().rstrip('\n')
        out = self.keel.run('cat ' + KNOWN_FILE)
        self.expect_output('cat ' + KNOWN_FILE, out,
                           lines(out) == lines(expected),
                           f'exactly the contents of configs/rootfs{KNOWN_FILE}:'
                           f'\n{expected}\n')

    @check('cat /nope says no such file or directory')
    def cat_missing(self):
        out = self.keel.run('cat /nope')
        self.expect_output('cat /nope', out,
                           'cat: /nope: no such file or directory' in lines(out),
                           'the line "cat: /nope: no such file or directory"')

    @check('an unknown command is named and points at help')
    def unknown_command(self):
        out = self.keel.run('foo')
        expected = 'unknown command "foo" — type "help" for the list of commands'
        self.expect_output('foo', out, expected in lines(out),
                           f'the line \'{expected}\'')

    @check('a command with bad arguments says what is wrong and shows usage')
    def bad_arguments(self):
        out = self.keel.run('cat')
        rows = [line for line in lines(out) if line.strip()]
        usage = [i for i, row in enumerate(rows) if row.startswith('usage: cat')]
        self.expect_output('cat', out, usage and usage[0] > 0,
                           'an error line followed by a line "usage: cat ..."')

    @check('version prints the version and configuration in the banner')
    def version(self):
        banner = self.keel.banner()
        out = self.keel.run('version')
        self.expect_output('version', out, self.keel.shows_version(out),
                           f'version {banner.group("version")} and '
                           f'configuration {banner.group("config")}, as the '
                           'boot banner does')

    @check('uptime counts up')
    def uptime(self):
        first = self.keel.run('uptime')
        self.expect_output('uptime', first, re.search(r'\d', first),
                           'a time')
        time.sleep(1.2)
        second = self.keel.run('uptime')
        self.expect_output('uptime', second, second != first,
                           f'a later time than the first call ("{first}")')

    @check('log holds the boot messages and the banner')
    def log(self):
        banner = self.keel.banner().group(0)
        out = self.keel.run('log')
        self.expect_output('log', out, banner in out,
                           f'the banner "{banner}"')

    @check('echo prints its arguments')
    def echo(self):
        out = self.keel.run('echo hello   world')
        self.expect_output('echo hello   world', out,
                           lines(out) == ['hello world'],
                           'exactly "hello world"')

    @check('backspace and the left and right arrows edit the line being typed')
    def line_editing(self):
        # Types "ecx", rubs out the x, types "ho wrld", goes back four
        # characters and forward one (just after the "w") and inserts the
        # missing "o": "echo world".
        keys = (b'ecx' + BACKSPACE + b'ho wrld' + LEFT * 4 + RIGHT + b'o'
                + ENTER)
        out = self.keel.run_keys(keys, what='the edited line "echo world"')
        self.expect_output('echo world (typed with corrections)', out,
                           lines(out) == ['world'], 'exactly "world"')

    @check('the up arrow recalls earlier commands')
    def history_up(self):
        self.keel.run('echo one')
        self.keel.run('echo two')
        out = self.keel.run_keys(UP + UP + ENTER, what='up, up, Enter')
        self.expect_output('up, up, Enter after "echo one", "echo two"', out,
                           lines(out) == ['one'], '"one"')

    @check('the down arrow goes forward again in the history')
    def history_down(self):
        self.keel.run('echo three')
        out = self.keel.run_keys(UP + UP + DOWN + ENTER,
                                 what='up, up, down, Enter')
        self.expect_output('up, up, down, Enter after "echo three"', out,
                           lines(out) == ['three'], '"three"')

    @check('Tab completes a command name')
    def tab_completion(self):
        expected = self.keel.run('version')
        out = self.keel.run_keys(b'ver' + TAB + ENTER, what='"ver", Tab, Enter')
        self.expect_output('ver<Tab>', out, out == expected,
                           f'the same as `version`:\n{expected}\n')

    @check('reboot restarts the machine back to the banner and prompt')
    def reboot(self):
        keel = self.keel
        keel.send_keys(b'reboot' + ENTER)
        # Waits for the banner, then the prompt, of the new boot.
        keel.wait_for_prompt()
        out = keel.run('echo back')
        self.expect_output('echo back', out, lines(out) == ['back'],
                           '"back" from the restarted shell')

    @check('poweroff makes QEMU exit with status 0')
    def poweroff(self):
        keel = self.keel
        keel.send_keys(b'poweroff' + ENTER)
        status = keel.wait_exit()
        self.session = None
        if status != 0:
            self.fail(f'expected exit status 0, got {status}; ' + keel.tail())
