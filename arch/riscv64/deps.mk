# Debian packages riscv64 needs (`make deps` installs every arch's):
# QEMU's riscv64 machines are in qemu-system-misc; OpenSBI is the machine
# firmware under U-Boot (u-boot-qemu's qemu-riscv64_smode) and Keel.
DEPS += gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross \
	qemu-system-misc opensbi
