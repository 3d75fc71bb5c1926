# Field evidence (核查外勤): developer and CI entry points.
# Works on a fresh Debian 12 machine as root with no venv: `make test`.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: venv system-deps run check test bench

venv: $(STAMP)

# Re-runs pip only when pyproject.toml or a lock file is newer than the stamp. The product's packages are held
# to the versions in requirements/*.lock (written by `python -m scripts.lock`); the test tools are not.
LOCKS := requirements/server.lock requirements/tablet.lock
$(STAMP): pyproject.toml $(LOCKS)
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
	$(PY) -m pip install --disable-pip-version-check -q $(foreach lock,$(LOCKS),-c $(lock)) -e '.[server,tablet,test]'
	touch $(STAMP)

# Debian's Chromium drives the Flet web client in end-to-end tests (never `playwright install`);
# PostgreSQL's server binaries (initdb, pg_ctl under /usr/lib/postgresql/*/bin) let the server tests
# start a throwaway cluster of their own; poppler-utils (pdftotext, pdftoppm) reads the PDFs back in the
# document tests; Ceph's mon, OSD and RADOS Gateway give the object-store tests a real S3 server
# (scripts/ceph_rgw_up.sh starts it per test run); openssl's s_client probes the server's TLS settings;
# nginx runs deploy/nginx's site in front of a real server and systemd-analyze verifies deploy/systemd's units
# (tests/deploy).
# Installs only what is missing; apt-get update only then. No package starts a service while it installs
# (policy-rc.d answers 101): nginx, PostgreSQL and Ceph run only as the tests start them, bound to 127.0.0.1.
CEPH_PACKAGES := ceph-mon ceph-osd radosgw ceph-common bc curl
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/bin/pdftoppm ] || missing="$$missing poppler-utils"; \
	[ -x /usr/bin/openssl ] || missing="$$missing openssl"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	[ -x /usr/bin/systemd-analyze ] || missing="$$missing systemd"; \
	[ -e /usr/lib/softhsm/libsofthsm2.so ] || missing="$$missing softhsm2"; \
	ceph=""; for p in $(CEPH_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || ceph="$$ceph $$p"; \
	done; \
	if [ -z "$$missing$$ceph" ]; then \
	  echo "chromium present; postgresql present; poppler-utils present; softhsm2 present; nginx present; ceph radosgw present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing:$$missing$$ceph"; \
	  apt-get update; \
	  norc=""; if [ ! -e /usr/sbin/policy-rc.d ]; then norc=1; printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; \
	    chmod +x /usr/sbin/policy-rc.d; fi; \
	  [ -z "$$missing" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	  [ -z "$$ceph" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$ceph; \
	  [ -z "$$norc" ] || rm -f /usr/sbin/policy-rc.d; \
	else \
	  echo "SKIP: missing$$missing and not root; run 'sudo make system-deps' (PostgreSQL tests fail without it)"; \
	fi

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: each later start of the server and the app
# reads it instead of compiling ~300 modules again (0.2 s of CPU each, issue 19).
run: venv
	PYTHONDONTWRITEBYTECODE= $(PY) -m scripts.run_demo

# The quick loop: lint, types and the two fast tiers (no server process, database server or browser;
# tests/tiers.py says which test is in which), on two cores. Needs only the venv, no system package.
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: pytest then keeps its rewritten test
# modules instead of parsing ~300 of them again in each worker on every run.
check: venv
	$(PY) -m ruff check .
	$(PY) -m mypy
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -m "(pure or inprocess) and not sweep" -n 2 -q -p no:cacheprovider

# Everything, the slow tiers included (PostgreSQL, Ceph, server processes, Chromium).
test: venv system-deps
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m scripts.run_tests

bench: venv
	@set -e; found=0; for f in bench/*.py; do \
	  [ -e "$$f" ] || continue; \
	  case "$$(basename $$f)" in __init__.py|_*) continue;; esac; \
	  found=1; echo "== $$f"; PYTHONPATH=. $(PY) "$$f"; \
	done; [ $$found = 1 ] || echo "no bench/*.py found"
