# IceSight: `make demo` runs the main job, `make test` the test suite. Both set everything up on a
# fresh Debian 12 machine (as root) and reuse what an earlier run installed.

SHELL := /bin/bash
SYSTEM_PYTHON := /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python
# CPU build by default; e.g. `make demo TORCH_SPEC="torch==2.13.0" PIP_EXTRA="--index-url ..."` for a GPU build.
TORCH_SPEC ?= torch==2.13.0
PIP_EXTRA ?=
STAMPS := .stamps
export QT_QPA_PLATFORM ?= offscreen
export PYTHONUNBUFFERED := 1

.PHONY: demo test setup plugin-zip translations lint bench clean screenshot

demo: setup
	$(PY) demo/run_demo.py --out out/demo

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

setup: $(STAMPS)/venv
	@# A moved or copied checkout leaves the editable install pointing elsewhere: reinstall then.
	@$(PY) -c "import icesight_backend, icesight_contract" 2>/dev/null || \
		{ echo "re-installing the project into $(VENV)"; rm -f $(STAMPS)/venv; $(MAKE) --no-print-directory $(STAMPS)/venv; }

# QGIS Python bindings and the tools the tests use, from Debian, when missing.
$(STAMPS)/system:
	@mkdir -p $(STAMPS)
	@# lrelease: the tests check that the shipped translations compile to the shipped .qm files.
	@if ! $(SYSTEM_PYTHON) -c "import qgis.core" 2>/dev/null || ! command -v Xvfb >/dev/null || ! $(SYSTEM_PYTHON) -c "import ensurepip" 2>/dev/null \
		|| ! QT_SELECT=qt5 lrelease -version >/dev/null 2>&1; then \
		echo "Installing QGIS Python bindings from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			python3-qgis qgis-providers python3-venv xvfb qttools5-dev-tools >/dev/null; \
	fi
	@touch $@

# Virtual environment over Debian's Python (so it sees qgis) with the backend's packages.
$(STAMPS)/venv: $(STAMPS)/system pyproject.toml
	@test -x $(PY) || $(SYSTEM_PYTHON) -m venv --system-site-packages $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(PIP_EXTRA) "$(TORCH_SPEC)"
	$(PY) -m pip install -q -e ".[test]"
	# Debian's numerical packages are built for numpy 1; the venv's numpy 2 needs its own copies.
	$(PY) -m pip install -q --ignore-installed "numpy>=2" "scipy>=1.13" "matplotlib>=3.8" "contourpy" "kiwisolver" "pillow"
	$(PY) -c "import torch, distributed, rasterio, geopandas, captum, fastapi, qgis.core; print('environment ready: torch', torch.__version__)"
	@touch $@

# The real QGIS desktop on a virtual screen with the plugin, one PNG per dock tab, in out/screenshots/.
screenshot: setup $(STAMPS)/desktop
	$(PY) tools/screenshot.py --out out/screenshots

# The QGIS desktop and Xvfb, from Debian, when missing (only `make screenshot` needs them).
$(STAMPS)/desktop:
	@mkdir -p $(STAMPS)
	@if ! command -v qgis >/dev/null || ! command -v Xvfb >/dev/null; then \
		echo "Installing the QGIS desktop and Xvfb from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			qgis xvfb >/dev/null; \
	fi
	@touch $@

plugin-zip: setup
	$(PY) qgis_plugin/build_zip.py --output dist/icesight_qgis.zip

# The plugin's translations in $(I18N)/: pylupdate5 rewrites the catalogue icesight.ts (every tr()
# string of the plugin) and brings each translation icesight_<lang>.ts up to date with it (new strings
# come in unfinished, translated ones stay, those of strings gone from the code go); lrelease compiles
# each translation to the icesight_<lang>.qm the plugin loads. A new language: copy icesight.ts to
# icesight_<lang>.ts, set language="<lang>" in its <TS> tag, translate (Qt Linguist, or by hand) and
# run this again. Both tools come from Debian (pyqt5-dev-tools, qttools5-dev-tools), installed when
# missing.
PLUGIN_DIR := qgis_plugin/icesight_qgis
I18N := $(PLUGIN_DIR)/i18n
translations:
	@if ! command -v pylupdate5 >/dev/null || ! QT_SELECT=qt5 lrelease -version >/dev/null 2>&1; then \
		echo "Installing pylupdate5 and lrelease from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			pyqt5-dev-tools qttools5-dev-tools >/dev/null; \
	fi
	cd $(PLUGIN_DIR) && PYTHONWARNINGS=ignore pylupdate5 -noobsolete \
		$$(find . -name '*.py' -not -path './ext/*' | LC_ALL=C sort) -ts i18n/icesight.ts $$(ls i18n/icesight_*.ts 2>/dev/null)
	@for ts in $(I18N)/icesight_*.ts; do \
		test -e "$$ts" || continue; \
		QT_SELECT=qt5 lrelease -silent "$$ts" -qm "$${ts%.ts}.qm" || exit 1; \
		echo "$${ts%.ts}.qm"; \
	done

lint: setup
	$(PY) -m ruff check backend shared qgis_plugin tests bench demo tools

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf out dist $(STAMPS) .pytest_cache
