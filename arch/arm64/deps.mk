# Debian packages arm64 needs (`make deps` installs every arch's).
DEPS += gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross \
	qemu-system-arm
