GO      ?= go
BIN     ?= bin/frontdesk
PKGS    := ./...
FUZZTIME ?= 30s

.PHONY: build run demo test bench fuzz lint faults gif

build:
	$(GO) build -o $(BIN) .

run: build
	./$(BIN)

demo: build
	./$(BIN) demo

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

test: lint
	$(GO) test -race -count=1 -timeout 240s $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 $(PKGS)

fuzz:
	@for target in $$(grep -rho --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's/^func //' | sort -u); do \
		pkg=$$(grep -rl --include='*_test.go' "^func $$target(" . | head -n1 | xargs dirname); \
		echo "fuzz $$pkg $$target"; \
		$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

gif:
	vhs demo.tape
