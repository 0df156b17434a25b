# Encore's set-up, test and demo targets. Every target is idempotent: it installs
# what is missing (system packages, the virtual environment, the models) and does
# nothing more on a second run.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
ENCORE := $(BIN)/encore
APT_PACKAGES := espeak-ng libespeak-ng1 libportaudio2 pulseaudio pulseaudio-utils sox \
	libsndfile1 libasound2-plugins python3-dev build-essential
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
DEPS_STAMP := $(VENV)/.encore-deps
BENCH_STAMP := $(VENV)/.encore-bench

.PHONY: help sysdeps venv models demo test lint typecheck unit bench test-deploy clean

help:
	@echo "make demo   set up and run the demo conversation on bundled recordings"
	@echo "make test   set up and run ruff, mypy and pytest"
	@echo "make lint | make bench | make test-deploy | make clean"

sysdeps:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# torch goes first, pinned to the CPU build, so nothing later pulls a CUDA wheel.
$(DEPS_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[dev]'
	$(PIP) install -q --no-deps openwakeword==0.5.1
	touch $@

venv: sysdeps $(DEPS_STAMP)

models: venv
	$(ENCORE) models install

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

typecheck: lint

unit: models
	$(BIN)/python -m pytest -q

test: lint unit

$(BENCH_STAMP): $(DEPS_STAMP)
	$(PIP) install -q -e '.[dev,bench]'
	touch $@

bench: models $(BENCH_STAMP)
	$(BIN)/python -m bench.run_all

demo: models
	$(ENCORE) demo

test-deploy: sysdeps
	bash deploy/test-in-chroot.sh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
