# bash for pipefail: a recipe that filters a command's output still fails
# when the command does.
SHELL   := /bin/bash
GO      ?= go
BIN     ?= bin/frontdesk
# What `frontdesk version` reports: the nearest tag or commit, -dirty with
# uncommitted changes; "devel" outside a git checkout.
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo devel)
LDFLAGS ?= -X main.version=$(VERSION)
PKGS    := ./...
FUZZTIME ?= 30s

.PHONY: build run demo test tests bench fuzz lint vet staticcheck faults gif

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

run: build
	./$(BIN)

demo: build
	./$(BIN) demo

# staticcheck comes from the module proxy at a pinned version, so that it
# stays out of go.mod; the first run downloads and compiles it into bin/.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The environment for a go command that should compile as the tests do.
RACE_ENV = GOFLAGS="$$($(GO) env GOFLAGS) -race"

lint: vet staticcheck

# vet builds with -race like the tests, so that `make test` compiles every
# package for vet and tests once, not twice. With -v it names each package
# it compiles: on a first run (a clean build cache) several hundred, which
# takes minutes, so a count is printed every 25 (any other line, such as
# vet's findings, as it comes).
vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	@echo "== go vet -race $(PKGS) (compiles whatever the build cache lacks)"
	@set -o pipefail; $(GO) vet -race -v $(PKGS) 2>&1 | awk '!/^[A-Za-z0-9._~\/-]+$$/ { print; next } \
		{ n++; last = $$0; if (n % 25 == 0) printf "   %d packages built or checked (%s)\n", n, last; fflush() } \
		END { if (n % 25) printf "   %d packages built or checked\n", n }'
	$(GO) mod tidy -diff

# staticcheck reads every dependency from the compiler's export data: with
# -race that is the build vet and the tests share, not a second whole build.
staticcheck:
	@echo "== staticcheck $(PKGS) (the first run downloads and compiles it)"
	@GOBIN=$(CURDIR)/bin $(STATICCHECK_NICE) $(GO) install $(STATICCHECK)
	$(RACE_ENV) $(STATICCHECK_NICE) bin/staticcheck $(PKGS)

# One line per package as its tests end; a package's tests are bounded by
# -timeout, the whole run by the size of the slowest package. -vet=off: go
# vet has just run every check go test would repeat, and more.
tests:
	$(GO) test -race -vet=off -count=1 -timeout 240s $(PKGS)

# After vet, go list compiles the tests' own packages once (with -race, as
# staticcheck and go test both want them); then staticcheck runs beside the
# tests at the lowest priority, on the CPU they leave idle while they wait
# on servers and terminals, so that it does not slow them.
test: vet
	@echo "== go test -race $(PKGS), staticcheck beside it (compiling the tests first)"
	@$(RACE_ENV) $(GO) list -test -export -deps $(PKGS) >/dev/null
	@$(MAKE) --no-print-directory -j2 STATICCHECK_NICE="nice -n 19" staticcheck tests

# Every package's benchmarks BENCHCOUNT times (the SSH session benchmark,
# with up to 1,000 consoles, once), then the end-to-end figures of perf/,
# then one summary (medians against the goals) by perf/report. Raw outputs
# are kept in bin/bench-*.txt. About 20 minutes on 2 cores.
BENCHCOUNT ?= 5
BENCHTIME  ?= 200ms
bench:
	@mkdir -p bin
	@set -o pipefail; { $(GO) test -run '^$$' -bench . -skip '^BenchmarkSessions$$' -benchmem -count $(BENCHCOUNT) \
		-benchtime $(BENCHTIME) -timeout 20m $$($(GO) list ./... | grep -v '/perf') && \
	  $(GO) test -run '^$$' -bench '^BenchmarkSessions$$' -benchtime 1x -count 1 -timeout 30m ./sshserver; } \
		| tee bin/bench-packages.txt
	@set -o pipefail; { $(GO) test -run '^$$' -bench 'EventToScreen|KeyToWire|CommandRoundTrip|View|DemoFirstFrame' -benchmem \
		-count $(BENCHCOUNT) -timeout 20m ./perf && \
	  $(GO) test -run '^$$' -bench 'TerminalLatency|WholeFrame' -benchtime 200x -count 3 -timeout 20m ./perf && \
	  $(GO) test -run '^$$' -bench 'ConsoleFirstFrame' -benchtime 20x -count 3 -timeout 20m ./perf && \
	  $(GO) test -run '^$$' -bench 'Idle' -count 3 -timeout 20m ./perf && \
	  $(GO) test -run '^$$' -bench 'MillionEvents$$' -count 1 -timeout 20m ./perf; } | tee bin/bench-perf.txt
	@$(GO) run ./perf/report bin/bench-packages.txt bin/bench-perf.txt | tee bin/bench-report.md

# Every Fuzz target of every package, FUZZTIME each (go test fuzzes one
# target of one package at a time). A crasher is saved by go test under the
# package's testdata/fuzz and runs as a regression test from then on; the
# remaining targets still run, and the recipe fails at the end.
fuzz:
	@fail=; \
	for f in $$(grep -rl --include='*_test.go' --exclude-dir=.git '^func Fuzz' . | sort); do \
		pkg=./$$(dirname "$${f#./}"); \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$f"); do \
			echo "== fuzz $$pkg $$target for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) "$$pkg" || fail="$$fail $$pkg:$$target"; \
		done; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz: failed:$$fail (crashers are saved under each package's testdata/fuzz)"; exit 1; fi

# The end-to-end fault suite alone (it also runs in test, as part of ./...).
faults:
	$(GO) test -race -count=1 ./faults

gif:
	vhs demo.tape
