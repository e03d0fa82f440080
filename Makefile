# gwtrigger: the two commands a fresh machine needs (see README.md).
.PHONY: test demo bootstrap mirror release bench clean-demo

## make test: every check CI runs (fmt, clippy, build, Rust tests, Terraform/moto end-to-end tests)
test:
	@bash scripts/test.sh

## make demo: build the provider, install it from a local mirror, run Terraform against a local
## API Gateway emulator with a sample API, and show the hash change when a route changes
demo:
	@bash scripts/demo.sh

## make mirror: release-build both binaries and write build/mirror/{packed,unpacked}
## (see docs/guides/install-from-a-mirror.md)
mirror:
	@bash scripts/mirror.sh

## make release: write a signed registry release + static registry into build/release
## (needs GWTRIGGER_GPG_KEY; see docs/guides/publishing-to-a-private-registry.md)
release:
	@bash scripts/release.sh

## make bench: every benchmark of BENCHMARKS.md (slow, machine-dependent; not part of make test)
bench:
	@bash scripts/bench.sh

## make bootstrap: only create/refresh the project venv (.venv)
bootstrap:
	@bash scripts/bootstrap.sh

clean-demo:
	rm -rf build/demo
