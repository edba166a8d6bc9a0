# logtally — `make demo` and `make test` are the two commands a fresh
# Debian 12 clone needs; both install what is missing (scripts/deps.sh).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
GO ?= go
BIN := bin
# Packages whose code runs goroutines: tested with the race detector.
RACE_PKGS := ./tally/... ./outputs/... ./pipeline/... ./cmd/... ./omprog/... ./aireport/...
FUZZTIME ?= 5s

.PHONY: all build nocgo deps deps-bench test test-go lint fuzz fuzz-short demo bench bench-peers bench-rsyslog clean

all: build

deps:
	@scripts/deps.sh test

deps-bench:
	@scripts/deps.sh bench

# aireport needs no C library: built static, it starts ~1.3 ms sooner
# (no dynamic loader) and a cron job can copy it anywhere. summarize and
# rrdgraph link librrd (through outputs/rrd, the only cgo package).
build: deps
	$(GO) build -o $(BIN)/ ./cmd/summarize ./cmd/rrdgraph
	CGO_ENABLED=0 $(GO) build -o $(BIN)/ ./cmd/aireport ./cmd/loggen ./cmd/logcheck2rules

# The engine links no C: every package but the RRD output and the programs
# that use it builds with CGO_ENABLED=0.
CGO_PKGS := /outputs/rrd$$|/cmd/summarize$$|/cmd/rrdgraph$$|/examples/holtwinters$$
nocgo:
	CGO_ENABLED=0 $(GO) build $$($(GO) list ./... | grep -Ev '$(CGO_PKGS)')

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

test: build lint nocgo test-go fuzz-short

test-go:
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race $(RACE_PKGS)

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

clean:
	rm -rf $(BIN)
