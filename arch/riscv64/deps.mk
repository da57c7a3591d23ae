# Debian packages riscv64 needs (`make deps` installs every arch's):
# QEMU's riscv64 machines are in qemu-system-misc; OpenSBI is the machine
# firmware under U-Boot (u-boot-qemu's qemu-riscv64_smode) and Keel.
# dpkg-dev: dpkg-source, which unpacks Debian's busybox source package for
# the Linux guest's busybox (tools/mkbusybox).
DEPS += gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross \
	qemu-system-misc opensbi dpkg-dev debian-archive-keyring
# Debian source packages `make deps` downloads (tools/getsource): Debian 12
# ships no riscv64 busybox-static, so the guest's is built from source.
DEPS_SOURCES += busybox
