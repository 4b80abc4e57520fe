#!/usr/bin/env bash
# The release folder `cargo xtask dist` writes, checked as a user meets it:
# its layout and SHA256SUMS; then the archive unpacked in a fresh directory
# outside the source tree and run with a fresh HOME and nothing else in its
# environment: `--mock generate` writes a PNG with the bundled backend, and
# `--mock serve` starts with both components (copied from beside the binary
# into the new plugins folder).
#
#   host-test/xtask/dist_check.sh [DIST_DIR]    # default target/dist
#
# Run from .ci/run after `cargo xtask dist`. Needs curl. The wheel has its own
# check (host-test/python/tests/wheel_check.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
dist=$(cd "${1:-target/dist}" && pwd)
version=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
target=$(rustc -vV | sed -n 's/^host: //p')
name=visual-host-$version-$target

echo "-- the folder: $dist"
(cd "$dist" && ls -l && sha256sum -c SHA256SUMS)
expected="SHA256SUMS $name.tar.gz openai_visual_backend.wasm placeholder_backend.wasm"
for f in $expected; do [ -f "$dist/$f" ] || { echo "missing: $f" >&2; exit 1; }; done
ls "$dist"/talemate-visual-*.wit.wasm >/dev/null
if ls "$dist"/talemate_visual-*.whl >/dev/null 2>&1; then
    ls "$dist"/talemate_visual-"$version"-cp39-abi3-manylinux_2_*_x86_64.whl >/dev/null
fi
listed=$(tar -tzf "$dist/$name.tar.gz" | sort | tr '\n' ' ')
want="$name/ $name/LICENSE $name/README.md $name/openai_visual_backend.wasm $name/placeholder_backend.wasm $name/visual-host "
[ "$listed" = "$want" ] || { echo "the archive holds: $listed; expected: $want" >&2; exit 1; }

fresh=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
    rm -rf "$fresh"
}
trap cleanup EXIT
tar -xzf "$dist/$name.tar.gz" -C "$fresh"
mkdir "$fresh/home" "$fresh/work"
host="$fresh/$name/visual-host"
# Nothing from this environment: no source tree, no HOME, no cache, no key.
bare() { env -i HOME="$fresh/home" PATH=/usr/bin:/bin "$@"; }

echo "-- unpacked into $fresh, HOME=$fresh/home: generate"
(cd "$fresh/work" && bare "$host" --mock generate --model gpt-image-2.5-flare --format landscape \
    --prompt "a lighthouse at dusk, oil painting" --out lighthouse.png)
png=$(od -An -tx1 -N24 "$fresh/work/lighthouse.png" | tr -d ' \n')
# The PNG signature, IHDR, then 1536x1024.
[ "$png" = "89504e470d0a1a0a0000000d4948445200000600""00000400" ] || { echo "not a 1536x1024 PNG: $png" >&2; exit 1; }
"$host" --version

echo "-- serve"
(cd "$fresh/work" && exec env -i HOME="$fresh/home" PATH=/usr/bin:/bin "$host" --mock serve --port 0 \
    >"$fresh/serve.out" 2>"$fresh/serve.err") &
server=$!
for _ in $(seq 300); do grep -q token= "$fresh/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(head -1 "$fresh/serve.out")
[ -n "$url" ] || { cat "$fresh/serve.err" >&2; echo "serve printed no URL" >&2; exit 1; }
state=$(curl -sf -H "Authorization: Bearer ${url#*token=}" "${url%%/?token=*}/api/state")
for component in openai_visual_backend.wasm placeholder_backend.wasm; do
    case "$state" in *"\"file_name\":\"$component\""*) ;; *) echo "serve lacks $component: $state" >&2; exit 1;; esac
    [ -f "$fresh/home/.local/share/visual-host/plugins/$component" ]
done
kill -INT "$server"
wait "$server"
server=""
cat "$fresh/serve.err"
if grep -q "NOT LOADED" "$fresh/serve.err"; then echo "a backend did not load" >&2; exit 1; fi
echo "release folder ok: $name.tar.gz generates and serves with no source tree and a fresh HOME"
