# supportbot: common tasks. Everything runs from the project's .venv (scripts/setup.sh).
#
#   make setup   create/refresh .venv (torch CPU first, then the project with test extras)
#   make run     start the bot on the embedded default with the example knowledge
#   make test    import contracts + pytest with a throw-away PostgreSQL (ARGS="-k foo" for pytest)
#   make bench   retrieval benchmark (ARGS="..." for its arguments)
#   make clean   delete local state (var/)

SHELL := /bin/bash
.DEFAULT_GOAL := setup

OFFLINE_ENV := HF_HUB_OFFLINE=1 HAYSTACK_TELEMETRY_ENABLED=False TRANSFORMERS_OFFLINE=1
ARGS ?=

.PHONY: setup run test bench clean

setup:
	bash scripts/setup.sh

run: setup
	$(OFFLINE_ENV) .venv/bin/supportbot init
	$(OFFLINE_ENV) .venv/bin/supportbot chat

test:
	bash scripts/test.sh $(ARGS)

bench: setup
	$(OFFLINE_ENV) .venv/bin/python benchmarks/retrieval.py $(ARGS)

clean:
	rm -rf var
