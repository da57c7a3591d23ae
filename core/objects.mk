# core/ is built whole except its optional parts, listed here by option
# (core/Kconfig, emulators/Kconfig). The host unit and fuzz builds take
# every file under core/.
CORE_OPTIONAL := core/base/hostdisk.c core/shell/cmd_disk.c \
	core/net/l2switch.c core/shell/cmd_switch.c core/shell/cmd_vsock.c \
	core/shell/cmd_dt.c core/shell/cmd_mem.c core/shell/cmd_crash.c
obj-$(CONFIG_HOSTDISK) += core/base/hostdisk.c core/shell/cmd_disk.c
obj-$(CONFIG_BACKEND_SWITCH) += core/net/l2switch.c core/shell/cmd_switch.c
obj-$(CONFIG_VSOCK_HOST) += core/shell/cmd_vsock.c
obj-$(CONFIG_SHELL_CMD_DT) += core/shell/cmd_dt.c
obj-$(CONFIG_SHELL_CMD_MEM) += core/shell/cmd_mem.c
obj-$(CONFIG_SHELL_CMD_CRASH) += core/shell/cmd_crash.c
