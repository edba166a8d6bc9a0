# logtally — `make demo` and `make test` are the two commands a fresh
# Debian 12 clone needs; both install what is missing (scripts/deps.sh).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
GO ?= go
BIN := bin
# Packages whose code runs goroutines: tested with the race detector.
RACE_PKGS := ./tally/... ./outputs/... ./pipeline/... ./cmd/... ./omprog/... ./aireport/... ./dashboard/... ./internal/exactcount/...
FUZZTIME ?= 5s

# staticcheck, pinned: `make lint` installs this version into bin/tools.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(BIN)/tools/staticcheck-$(STATICCHECK_VERSION)
# Binaries with a man page (docs/man/NAME.1, generated from their flags by
# `NAME --help-man`); a new binary is one more word here.
MAN_CMDS := summarize aireport rrdgraph dashboard logcheck2rules
# make install: PREFIX for binaries and pages, SYSCONFDIR for the rule file
# and the rsyslog snippet, DESTDIR for staging (packages).
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
DESTDIR ?=

.PHONY: all build nocgo deps deps-bench test test-go test-short lint man install deb fuzz fuzz-short demo bench bench-peers bench-rsyslog bench-templates bench-grouping bench-dashboard vendor-uplot soak clean

all: build

deps:
	@scripts/deps.sh test

deps-bench:
	@scripts/deps.sh bench

# aireport needs no C library: built static, it starts ~1.3 ms sooner
# (no dynamic loader) and a cron job can copy it anywhere. summarize,
# rrdgraph and dashboard link librrd.
# -buildvcs=auto: --version reports the git revision when built from a
# clone, whatever GOFLAGS the machine sets.
build: deps
	$(GO) build -buildvcs=auto -o $(BIN)/ ./cmd/summarize ./cmd/rrdgraph ./cmd/dashboard
	CGO_ENABLED=0 $(GO) build -buildvcs=auto -o $(BIN)/ ./cmd/aireport ./cmd/loggen ./cmd/logcheck2rules

# The engine links no C: every package but the RRD output, the dashboard
# (it reads the RRD files through librrd) and the programs that use them
# builds with CGO_ENABLED=0.
CGO_PKGS := /outputs/rrd$$|/cmd/summarize$$|/cmd/rrdgraph$$|/examples/holtwinters$$|/dashboard$$|/cmd/dashboard$$
nocgo:
	CGO_ENABLED=0 $(GO) build $$($(GO) list ./... | grep -Ev '$(CGO_PKGS)')

# lint: formatting, vet, staticcheck, a tidy go.mod and man pages that match
# the flags.
lint: $(STATICCHECK)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
	@$(GO) mod tidy -diff || { echo "lint: go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; $(MAKE) -s man MANDIR=$$tmp && \
		diff -ru docs/man $$tmp || { echo "lint: docs/man differs from the flags: run make man"; exit 1; }

$(STATICCHECK):
	@mkdir -p $(BIN)/tools
	GOBIN=$(CURDIR)/$(BIN)/tools $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(BIN)/tools/staticcheck $@

# man: regenerate the man pages from the binaries' flag definitions.
MANDIR ?= docs/man
man:
	@mkdir -p $(MANDIR)
	@for c in $(MAN_CMDS); do $(GO) run ./cmd/$$c --help-man > $(MANDIR)/$$c.1 || exit 1; done

# install: the binaries, their man pages, the rsyslog snippet (pointing at
# PREFIX's summarize) and the example rules where README.md puts them. An
# existing /etc/logtally/rules.yaml or rsyslog snippet is never replaced.
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/logtally/examples $(DESTDIR)$(SYSCONFDIR)/logtally \
		$(DESTDIR)$(SYSCONFDIR)/rsyslog.d $(DESTDIR)$(LOCALSTATEDIR)/lib/logtally $(DESTDIR)$(LOCALSTATEDIR)/log/logtally \
		$(addprefix $(DESTDIR)$(LOCALSTATEDIR)/lib/logtally/,state queue spool rrd top reports) \
		$(DESTDIR)$(LOCALSTATEDIR)/lib/prometheus/node-exporter
	install -m 755 $(addprefix $(BIN)/,$(MAN_CMDS)) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(addprefix docs/man/,$(addsuffix .1,$(MAN_CMDS))) $(DESTDIR)$(PREFIX)/share/man/man1/
	for d in examples/*/rules.yaml; do n=$$(basename $$(dirname $$d)); \
		install -D -m 644 $$d $(DESTDIR)$(PREFIX)/share/logtally/examples/$$n/rules.yaml || exit 1; done
	[ -e $(DESTDIR)$(SYSCONFDIR)/logtally/rules.yaml ] || \
		install -m 644 examples/sshd/rules.yaml $(DESTDIR)$(SYSCONFDIR)/logtally/rules.yaml
	[ -e $(DESTDIR)$(SYSCONFDIR)/rsyslog.d/50-logtally.conf ] || \
		sed -e 's|/usr/local/bin/summarize|$(PREFIX)/bin/summarize|g' -e 's|/etc/logtally/|$(SYSCONFDIR)/logtally/|g' \
		examples/rsyslog/logtally.conf > $(DESTDIR)$(SYSCONFDIR)/rsyslog.d/50-logtally.conf

# deb: logtally_VERSION_amd64.deb in DEB_OUT, holding everything make install
# installs with PREFIX=/usr (a new binary joins the package by itself); the
# rest is packaging/build-deb.sh (packaging/README.md). Built as PIE, as
# Debian builds every executable (aireport too: lintian refuses static ones),
# into a bin directory of its own so `make build`'s binaries stay as they are.
DEB_OUT ?= .
DEB_STAGE = $(BIN)/deb-staging
deb:
	rm -rf $(DEB_STAGE)
	$(MAKE) -s install BIN=$(BIN)/deb-bin GOFLAGS="$(GOFLAGS) -buildmode=pie" \
		DESTDIR=$(abspath $(DEB_STAGE)) PREFIX=/usr SYSCONFDIR=/etc LOCALSTATEDIR=/var
	packaging/build-deb.sh $(DEB_STAGE) $(DEB_OUT)

test: build lint nocgo test-go fuzz-short

# test-go runs every test and fails on any skip (scripts/gotest.sh).
test-go:
	@scripts/gotest.sh -count=1 ./...
	@scripts/gotest.sh -count=1 -race $(RACE_PKGS)

# test-short: the fast tier; needs Go (and the C toolchain with librrd-dev
# for the RRD package) but no system daemon or program.
test-short:
	$(GO) test -short -count=1 ./...

# Every fuzz target, briefly (make test) or longer (make fuzz FUZZTIME=2m).
fuzz-short:
	@scripts/fuzz.sh $(FUZZTIME)

fuzz:
	@scripts/fuzz.sh $(if $(filter 5s,$(FUZZTIME)),60s,$(FUZZTIME))

demo: build
	@scripts/demo.sh

bench: build deps-bench
	@scripts/bench.sh

bench-peers: build deps-bench
	@scripts/bench-peers.sh

bench-rsyslog: build
	@scripts/bench-rsyslog.sh

# aireport's template mode (default flags) against BASE (default: the
# revision before the grouping work), alternating runs. Measurement only.
bench-templates:
	@scripts/bench-templates.sh

# aireport's grouping accuracy on the Loghub-2k datasets, read from
# $(LOGHUB_DIR) (default ../shared/loghub; not part of the repository).
bench-grouping:
	CGO_ENABLED=0 $(GO) build -o $(BIN)/ ./cmd/aireport
	@$(GO) run ./bench/cmd/benchgrouping --aireport $(BIN)/aireport

# The dashboard at 50 categories × 20 counters with two days of minutes:
# data latency (overview, category pages, HTTP API), then the real binary's
# peak RSS and the first render in headless Chromium. Measurements only.
bench-dashboard: build
	$(GO) test -run '^$$' -bench 'DashboardData' -benchtime 20x ./dashboard
	$(GO) test -run '^$$' -bench 'DashboardProcess' -benchtime 1x -v ./dashboard | grep -v '^=== '

# uPlot is committed (dashboard/assets/vendor/uplot) so that a plain
# `go build` works; this re-fetches the pinned version from the npm registry.
vendor-uplot:
	@scripts/vendor-uplot.sh

# The crash suite of make test (TestKillsLoseNothing: SIGKILL of summarize
# under a real rsyslogd, every line's id counted) with SOAK_KILLS kills.
SOAK_KILLS ?= 50
soak: build
	LOGTALLY_KILLS=$(SOAK_KILLS) $(GO) test -count=1 -timeout 30m -v -run '^TestKillsLoseNothing$$' ./integration | grep -E 'kills,|^(---|ok|FAIL)'

clean:
	rm -rf $(BIN)
