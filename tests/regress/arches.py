# SPDX-License-Identifier: GPL-2.0-only
"""What the regression scenarios expect that differs between arches, in
one table: a scenario asks self.expected('key') and gets its arch's
value, so that one check serves every arch it applies to.

Which arches exist, and how QEMU starts them, is tools/keelarch.py's.
"""

EXPECTED = {
    'arm64': {
        # The host UART: its compatible string in `dt`, and a word that
        # appears only in its node.
        'uart_compatible': 'arm,pl011',
        'uart_word': 'pl011',
    },
    'riscv64': {
        'uart_compatible': 'ns16550a',
        'uart_word': 'serial@10000000',
    },
}


def expected(arch, key):
    try:
        return EXPECTED[arch][key]
    except KeyError:
        raise KeyError(f'tests/regress/arches.py has no "{key}" for {arch}')
