# bcfork — a thin Makefile over the go command.
GO       ?= go
prefix   ?= /usr/local
DESTDIR  ?=
BIN      := bin/bcfork
# Real pristine Bucardo 5.6.0 (Debian's orig tarball), used by tests; see scripts/debian-orig.sh.
PRISTINE ?= $(CURDIR)/.cache/bucardo_5.6.0.orig.tar.gz
export BCFORK_PRISTINE_TARBALL := $(PRISTINE)
# Debian's packaged bucardo 5.6.0-4 files (flavor debian); see scripts/debian-deb.sh.
DEBIAN_FILES ?= $(CURDIR)/.cache/debian-5.6.0-4
export BCFORK_DEBIAN_FILES := $(DEBIAN_FILES)
# Real pristine Bucardo 5.4.1, 5.5.0 and master d9919c8 (release-style tarballs, shared by
# every checkout, never copied into it): the first of these folders that exists.
FIXTURES ?= $(firstword $(wildcard $(CURDIR)/../shared/fixtures /work/shared/fixtures))
export BCFORK_FIXTURES := $(FIXTURES)

.PHONY: all build docs test pristine series series-check series-lint check cross golden bench bench-smoke e2e e2e-systemd demo install uninstall clean

all: check test build

# urfave_cli_no_docs leaves out urfave/cli's Markdown and man page writers
# (blackfriday, go-md2man), which bcfork never calls but every start-up
# initialised: a third of its start-up instructions.
BUILDTAGS ?= urfave_cli_no_docs

# The linker writes its output through mmap, which leaves the binary in the
# page cache as single pages; a copy written by cp is held in large folios,
# which every start of bcfork maps and unmaps with fewer, cheaper faults
# (0.3-0.6 ms less CPU a run on Linux 6.18, ext4; bench/compare does the
# same, and make install's copy has it too).
build:
	CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=auto -tags '$(BUILDTAGS)' -o $(BIN).linked ./cmd/bcfork
	cp $(BIN).linked $(BIN).new && mv -f $(BIN).new $(BIN) && rm -f $(BIN).linked

# -race needs cgo and a C compiler; a machine with only Go runs without it.
RACE ?= $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v gcc >/dev/null && echo -race)

## test: the test command (unit, golden, CLI scripts, the real Bucardo files, the derived series)
test:
	@$(MAKE) --no-print-directory pristine || { [ "$$BCFORK_REQUIRE_PRISTINE" != 1 ] && \
		echo "make test: WARNING: could not get $(PRISTINE) or $(DEBIAN_FILES); the tests on real Bucardo files are SKIPPED" >&2; }
	$(GO) test $(RACE) ./...
	@$(MAKE) --no-print-directory series-check series-lint

## series: carry the canonical series (upstream/5.6.0) onto every release with a derived series
series: build
	PRISTINE=$(PRISTINE) FIXTURES=$(FIXTURES) DEBIAN_FILES=$(DEBIAN_FILES) scripts/series.sh $(BIN) patches

## series-check: fail when a committed derived series is not what make series writes
series-check: build
	PRISTINE=$(PRISTINE) FIXTURES=$(FIXTURES) DEBIAN_FILES=$(DEBIAN_FILES) scripts/series.sh --check $(BIN) patches

# The real pristine files that are here, for bcfork lint.
LINT_FILES = $(foreach p,$(PRISTINE) $(DEBIAN_FILES) $(FIXTURES),$(if $(wildcard $(p)),--pristine $(p)))

## series-lint: bcfork lint over the whole patches tree, every series against its real files
series-lint: build
	$(BIN) lint --no-cache $(LINT_FILES) $(if $(filter 1,$(BCFORK_REQUIRE_PRISTINE)),--require-files) patches

pristine: $(PRISTINE)
	scripts/debian-deb.sh $(DEBIAN_FILES)
$(PRISTINE):
	scripts/debian-orig.sh $@

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

check: cross
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@if command -v shellcheck >/dev/null; then shellcheck -x e2e/*.sh scripts/*.sh .ci/run; \
	else echo "make check: shellcheck not installed, shell scripts not checked (.ci/run installs it)"; fi
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go mod tidy would change go.mod/go.sum (the diff above)"; exit 1; }

# Other systems bcfork must build on (maintainers rebase and generate on laptops).
CROSS_GOOS ?= darwin freebsd

## cross: go build and go vet (tests included) for each of CROSS_GOOS
cross:
	@for os in $(CROSS_GOOS); do echo "GOOS=$$os $(GO) build ./... && $(GO) vet ./..."; \
		GOOS=$$os $(GO) build ./... && GOOS=$$os $(GO) vet ./... || exit 1; done

## golden: rewrite golden files from the current code (review the diff!)
golden:
	$(GO) test ./patch ./install ./cmd/bcfork -run 'Golden|Script' -update

## bench: Go benchmarks, then one table of bcfork against GNU patch, git apply
## and git merge-file on the same work (bench/compare; BENCHFLAGS="-n 41 -instr")
BENCHFLAGS ?=
bench: pristine
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./bench/compare -tags '$(BUILDTAGS)' $(BENCHFLAGS)

## bench-smoke: every benchmark once and every bench/compare case once with its
## outputs checked, so that make bench keeps working (CI runs it; no timings judged)
bench-smoke: pristine
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...
	$(GO) run ./bench/compare -tags '$(BUILDTAGS)' -n 1 -scale 1,10

## e2e: two real Bucardo daemons on this host (needs root; installs what it lacks)
e2e: build pristine
	e2e/run.sh

## e2e-systemd: the instances run by a real systemd, in a container that boots this host's system (root)
e2e-systemd: build pristine
	e2e/systemd.sh

## demo: the operator's path on this host, each command shown (root; refuses a host in use; see e2e/demo.sh)
demo: build pristine
	e2e/demo.sh

## docs: the man page and the shell completions, generated from the commands by the built binary
docs: build
	$(BIN) man > bin/bcfork.1
	$(BIN) completion bash > bin/bcfork.bash
	$(BIN) completion zsh > bin/_bcfork
	$(BIN) completion fish > bin/bcfork.fish

# Where make install puts the man page and the completions, below $(prefix)/share.
MAN1 := share/man/man1/bcfork.1
BASHCOMP := share/bash-completion/completions/bcfork
ZSHCOMP := share/zsh/site-functions/_bcfork
FISHCOMP := share/fish/vendor_completions.d/bcfork.fish

install: docs
	install -d $(addprefix $(DESTDIR)$(prefix)/,bin $(dir $(MAN1) $(BASHCOMP) $(ZSHCOMP) $(FISHCOMP)))
	install -m 0755 $(BIN) $(DESTDIR)$(prefix)/bin/bcfork
	install -m 0644 bin/bcfork.1 $(DESTDIR)$(prefix)/$(MAN1)
	install -m 0644 bin/bcfork.bash $(DESTDIR)$(prefix)/$(BASHCOMP)
	install -m 0644 bin/_bcfork $(DESTDIR)$(prefix)/$(ZSHCOMP)
	install -m 0644 bin/bcfork.fish $(DESTDIR)$(prefix)/$(FISHCOMP)

uninstall:
	rm -f $(DESTDIR)$(prefix)/bin/bcfork $(addprefix $(DESTDIR)$(prefix)/,$(MAN1) $(BASHCOMP) $(ZSHCOMP) $(FISHCOMP))

clean:
	rm -rf bin .cache
