# canteen-till: `make demo` to see the till, `make test` to run every test.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
UV ?= uv
ARGS ?=
PYTEST_ARGS ?=
SCREENSHOT_CARD ?= 72BF9961
# Sofia has no photo on file: the warnings before money, in each language
SCREENSHOT_HELD_CARD ?= 3C4D5E6F
SCREEN_LANGUAGES ?= de sv da

.PHONY: demo test bench soak lint mutate screenshot screenshots setup clean

setup:
	@scripts/bootstrap.sh

demo: setup
	$(UV) run --frozen canteen-till demo $(ARGS)

test: setup
	QT_QPA_PLATFORM=offscreen $(UV) run --frozen pytest $(PYTEST_ARGS)

# The long fault run: tills killed at random, a lossy proxy, the back office writing, then the
# exactly-once check (docs/reliability.md). MINUTES=N; SOAK_ARGS=--postgres for PostgreSQL.
MINUTES ?= 10
SOAK_ARGS ?=
soak: setup
	$(UV) run --frozen python -m tests.sync.soak --minutes $(MINUTES) $(SOAK_ARGS)

bench: setup
	@QT_QPA_PLATFORM=offscreen $(UV) run --frozen python -m bench

# Mutation testing of the rule modules (docs/testing.md): a few minutes, not part of `make test`.
# Fails when a module's score over reached mutants is under MUTATE_FLOOR percent.
MUTATE_JOBS ?= 2
MUTATE_FLOOR ?= 95
mutate: setup
	@rm -rf mutants && mkdir -p var
	@echo "mutate: mutmut run (log in var/mutmut.log)"
	@QT_QPA_PLATFORM=offscreen $(UV) run --frozen mutmut run --max-children $(MUTATE_JOBS) \
		> var/mutmut.log 2>&1 || { tail -n 40 var/mutmut.log; exit 1; }
	@$(UV) run --frozen python scripts/mutation_score.py --floor $(MUTATE_FLOOR)

# Qt's lupdate brings the catalogues in assets/i18n up to date with the code (new texts come in
# unfinished, for a translator); lrelease then checks and compiles them (docs/translations.md).
translations: setup
	$(UV) run --frozen python scripts/translations.py update
	$(UV) run --frozen python scripts/translations.py release
	@$(UV) run --frozen python scripts/translations.py check || \
		echo "translations: the texts above still need a translator"

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen mypy

screenshot: setup
	$(UV) run --frozen canteen-till demo --offscreen --data-dir var/screenshot \
		--screenshot docs/screenshot.png --exit-after 2 --ring 1,7 --tap $(SCREENSHOT_CARD)

# The till at each screen size it is made for (docs/screens.md): docs/screens/<W>x<H>.png.
SCREEN_SIZES ?= 1024x768 1366x768 1920x1080 1080x1920
screenshots: setup
	@mkdir -p docs/screens
	@for size in $(SCREEN_SIZES); do \
		$(UV) run --frozen canteen-till demo --standalone --offscreen \
			--data-dir var/screenshots/$$size --size $$size --screenshot docs/screens/$$size.png \
			--exit-after 3 --ring 1,2,7 --tap $(SCREENSHOT_CARD) > /dev/null || exit 1; \
		echo "docs/screens/$$size.png"; \
	done
	@for lang in $(SCREEN_LANGUAGES); do \
		$(UV) run --frozen canteen-till demo --standalone --offscreen --language $$lang \
			--data-dir var/screenshots/$$lang --size 1366x768 \
			--screenshot docs/screens/1366x768-$$lang.png \
			--exit-after 3 --ring 1,7 --tap $(SCREENSHOT_HELD_CARD) > /dev/null || exit 1; \
		echo "docs/screens/1366x768-$$lang.png"; \
	done

clean:
	rm -rf .venv .mypy_cache .ruff_cache .pytest_cache .hypothesis var mutants
