#!/usr/bin/env bash
# The wheel a Talemate user installs, as `cargo xtask dist` writes it, proven
# portable and complete: `auditwheel show` must give it manylinux_2_28 or an
# older tag; then it is installed into a fresh virtual environment and checked
# from there by wheel_check.py (the files a wheel must hold; the bundled
# OpenAI backend loads and draws an image against `visual-host mock-server`;
# the Talemate adapter finds it).
#
#   host-test/python/tests/wheel_check.sh [WHEEL [VISUAL_HOST]]
#
# Defaults: the one wheel in target/dist, and target/debug/visual-host. Run
# from .ci/run after `cargo xtask dist`; needs python3 and PyPI (auditwheel).
set -euo pipefail
cd "$(dirname "$0")/../../.."
wheel=${1:-$(ls target/dist/talemate_visual-*.whl)}
host=${2:-target/debug/visual-host}
out=target/wheel-check
rm -rf "$out" && mkdir -p "$out"

python3 -m venv "$out/tools"
"$out/tools/bin/pip" install --disable-pip-version-check --quiet auditwheel==6.8.2
"$out/tools/bin/auditwheel" show "$wheel" | tee "$out/auditwheel.txt"
tag=$(sed -n 's/.*platform tag: "\(.*\)".*/\1/p' "$out/auditwheel.txt" | tr -d '\n')
if [ -z "$tag" ]; then
    # auditwheel wraps its lines: the tag may stand on the next one.
    tag=$(tr '\n' ' ' <"$out/auditwheel.txt" | sed -n 's/.*platform tag: *"\([^"]*\)".*/\1/p')
fi
case "$tag" in
    manylinux_2_*)
        minor=${tag#manylinux_2_}; minor=${minor%%_*}
        [ "$minor" -le 28 ] || { echo "auditwheel: $tag needs a newer glibc than 2.28" >&2; exit 1; } ;;
    manylinux2014_* | manylinux2010_* | manylinux1_*) ;;
    *) echo "auditwheel: $tag is not a manylinux tag" >&2; exit 1 ;;
esac
case "$(basename "$wheel")" in
    *"-cp39-abi3-$tag.whl") ;;
    *) echo "$(basename "$wheel") is not tagged cp39-abi3-$tag" >&2; exit 1 ;;
esac

python3 -m venv "$out/venv"
"$out/venv/bin/pip" install --disable-pip-version-check --quiet "$wheel"

"$host" mock-server >"$out/mock.json" &
mock=$!
trap 'kill $mock 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out/mock.json" ] && break; sleep 0.1; done
# From outside the repository, so only the installed wheel can be imported.
case "$wheel" in /*) ;; *) wheel="$PWD/$wheel" ;; esac
(cd "$out" && venv/bin/python "$OLDPWD/host-test/python/tests/wheel_check.py" "$wheel" mock.json)
echo "wheel ok: $(basename "$wheel") is $tag"
