# Shared by tests/unit and tests/fuzz, which build Keel's arch-neutral code
# for the build machine: libfdt copied beside Keel's own libfdt_env.h, and
# the configuration header made from a shipped defconfig through the same
# Kconfig files as the target build. The including Makefile sets REPO, Q,
# LIBFDT_SRC, FDT_DIR, FDT_STAMP, FDT_NAMES, FDT_HEADERS, CONFIG_DIR,
# CONFIG_HEADER, UNIT_DEFCONFIG, HOST_CONFIG_EXTRA (CONFIG_X=y lines set on
# top of the defconfig, may be empty), UNIT_KCONFIG_ARCH, KCONFIG_FILES, PYTHON,
# KCONFIGLIB, and a check-libfdt target.

$(FDT_STAMP): $(wildcard $(LIBFDT_SRC)/*.c $(LIBFDT_SRC)/*.h) | check-libfdt
	@mkdir -p $(FDT_DIR)
	$(Q)cp $(addprefix $(LIBFDT_SRC)/,$(FDT_NAMES) $(FDT_HEADERS)) $(FDT_DIR)/
	@rm -f $(FDT_DIR)/libfdt_env.h
	@touch $@

HOST_CONFIG_NAMES = $(subst $(eval) ,|,$(strip $(foreach e,$(HOST_CONFIG_EXTRA),$(firstword $(subst =, ,$(e))))))

$(CONFIG_HEADER): $(REPO)/configs/$(UNIT_DEFCONFIG) $(addprefix $(REPO)/,$(KCONFIG_FILES)) \
		$(filter-out %.d,$(MAKEFILE_LIST))
	@mkdir -p $(CONFIG_DIR) $(dir $@)
	@echo "  CONFIG  $(UNIT_DEFCONFIG) $(HOST_CONFIG_EXTRA)"
	$(Q)cd $(CONFIG_DIR) && ARCH=$(UNIT_KCONFIG_ARCH) srctree=$(REPO) \
		KCONFIG_CONFIG=$(CONFIG_DIR)/.config PYTHONPATH=$(KCONFIGLIB) \
		$(PYTHON) $(KCONFIGLIB)/defconfig.py --kconfig $(REPO)/Kconfig \
		$(REPO)/configs/$(UNIT_DEFCONFIG) >/dev/null && \
		$(if $(HOST_CONFIG_EXTRA),{ grep -vwE '$(HOST_CONFIG_NAMES)' .config; \
			printf '%s\n' $(HOST_CONFIG_EXTRA); } > .config.extra && \
			mv .config.extra .config &&) \
		ARCH=$(UNIT_KCONFIG_ARCH) srctree=$(REPO) \
		KCONFIG_CONFIG=$(CONFIG_DIR)/.config PYTHONPATH=$(KCONFIGLIB) \
		$(PYTHON) $(KCONFIGLIB)/genconfig.py --header-path $@ \
		$(REPO)/Kconfig >/dev/null && \
		$(REPO)/tools/mkconfiglist $(CONFIG_DIR)/.config $(dir $@)config_list.h && touch $@
