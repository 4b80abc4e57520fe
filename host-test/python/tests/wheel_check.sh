#!/usr/bin/env bash
# The wheel a Talemate user installs, proven complete: built once with the
# README's command (`pip wheel ./host-test/python`), installed into a fresh
# virtual environment, then checked from there by wheel_check.py (the files a
# wheel must hold; the bundled OpenAI backend loads and draws an image against
# `visual-host mock-server`; the Talemate adapter finds it).
#
# Run from .ci/run after `cargo test --workspace` (which builds visual-host
# and the guest components). It needs python3 and PyPI (pip fetches maturin).
# The build uses the dev profile (dependencies at opt-level 2), stripped, in
# the workspace's target directory: maturin builds this package alone, whose
# feature set differs from the workspace's, so some crates (wasmtime's among
# them) are compiled again for it, but everything whose features agree is
# reused from the `cargo test` that ran before. It replaces the extension that
# `cargo test` built for the pytest suite (the next `cargo test` rebuilds it),
# which is why this runs after the tests. What the wheel holds does not depend
# on the profile.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=target/wheel-check
rm -rf "$out" && mkdir -p "$out"
python3 -m venv "$out/build-venv"
started=$(date +%s)
CARGO_TARGET_DIR="$PWD/target" MATURIN_PEP517_ARGS="--profile dev --strip" \
    "$out/build-venv/bin/pip" wheel ./host-test/python -w "$out/dist" --disable-pip-version-check --quiet
wheel=$(ls "$out"/dist/talemate_visual-*.whl)
echo "built $(basename "$wheel") ($(du -h "$wheel" | cut -f1)) in $(( $(date +%s) - started )) s"

python3 -m venv "$out/venv"
"$out/venv/bin/pip" install --disable-pip-version-check --quiet "$wheel"

target/debug/visual-host mock-server >"$out/mock.json" &
mock=$!
trap 'kill $mock 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out/mock.json" ] && break; sleep 0.1; done
# From outside the repository, so only the installed wheel can be imported.
(cd "$out" && venv/bin/python "$OLDPWD/host-test/python/tests/wheel_check.py" "$OLDPWD/$wheel" mock.json)
