# Field evidence (核查外勤): developer and CI entry points.
# Works on a fresh Debian 12 machine as root with no venv: `make test`.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: venv system-deps run test bench

venv: $(STAMP)

# Re-runs pip only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  if ! $(PYTHON) -m venv $(VENV); then \
	    rm -rf $(VENV); \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "installing python3-venv, then retrying"; \
	      apt-get update && apt-get install -y python3-venv python3.11-venv && $(PYTHON) -m venv $(VENV); \
	    else \
	      echo "cannot create $(VENV): install python3.11-venv"; exit 1; \
	    fi; \
	  fi; \
	fi
	$(PY) -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $(STAMP)

# Debian's Chromium drives the Flet web client in end-to-end tests (never `playwright install`).
system-deps:
	@if [ -x /usr/bin/chromium ]; then \
	  echo "chromium present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
	  echo "SKIP: /usr/bin/chromium missing and not root; run 'sudo make system-deps'"; \
	fi

run: venv
	$(PY) -m scripts.run_demo

test: venv system-deps
	$(PY) -m pytest

bench: venv
	@set -e; found=0; for f in bench/*.py; do \
	  [ -e "$$f" ] || continue; \
	  case "$$(basename $$f)" in __init__.py|_*) continue;; esac; \
	  found=1; echo "== $$f"; PYTHONPATH=. $(PY) "$$f"; \
	done; [ $$found = 1 ] || echo "no bench/*.py found"
