# alien-install — the two commands of the README, and the rest.
#   make demo   the main job end to end on the embedded defaults
#   make test   every test (installs what is missing first)
SWIFT ?= swift
CONFIG ?= debug

.PHONY: all deps build release dist lint test test-unit test-interop test-fresh demo bench fuzz clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG)

# Release binaries with the Swift runtime linked in (what the installer deploys).
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-release

# Unit, interop (aliBuild differential) and CLI tests, in one Swift Testing run.
# The binary release a site installs from: dist/alien-install-linux-<machine>.tar.gz.
dist: deps
	@scripts/dist.sh

# The formatter's check (.swift-format; scripts/lint.sh --fix rewrites).
lint:
	@SWIFT=$(SWIFT) scripts/lint.sh

test: deps lint
	ALIEN_REQUIRE_INTEROP=1 $(SWIFT) test

test-unit: deps
	$(SWIFT) test --skip InteropTests

# The README's "Running a site" steps on a fresh Debian 12 root (debootstrap + chroot; root).
test-fresh: deps
	@scripts/test_fresh.sh

demo: deps
	@scripts/demo.sh

bench: deps
	@scripts/bench.sh

fuzz: deps
	@scripts/fuzz.sh

clean:
	rm -rf .build .demo dist
