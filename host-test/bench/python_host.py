"""The Python host (talemate_visual, the PyO3 extension over the Rust host
library) making the benchmark's calls.

Run by visual-bench with one JSON argument:
  {"mode": "serve" | "load", "wasm", "cache_dir", "cache_key_file", "base_url", "api_key",
   "model", "prompt", "reference" (a file, for edits), "calls" (for load)}

"serve" loads the component, opens a client, prints "ready", then answers
one command per line on stdin with one JSON line on stdout, so visual-bench
can time the Python host in the same rounds as the Rust host:
  "generate": one generate on the warm client -> {"t", "bytes"}
  "edit": a new client, one edit of the reference (only the call timed, as
          in the Rust host's row) -> {"t"}
"load" times cached loads and client opens -> {"load_s", "open_s"}.
The package is found on PYTHONPATH (visual-bench stages the extension it was
built with).
"""

import json
import sys
import time

from talemate_visual import VisualBackend


def timed(f):
    started = time.perf_counter()
    value = f()
    return time.perf_counter() - started, value


def main() -> None:
    cfg = json.loads(sys.argv[1])
    settings = {"api-key": cfg["api_key"], "base-url": cfg["base_url"], "max-retries": 0}

    def load():
        return VisualBackend.load(cfg["wasm"], cache=cfg["cache_dir"], cache_key_file=cfg["cache_key_file"])

    if cfg["mode"] == "load":
        # Cached loads (an earlier load filled the cache) and a client opened
        # on each: what a Python app pays at start-up.
        load().open(settings).close()
        loads, opens = [], []
        for _ in range(cfg["calls"]):
            t, backend = timed(load)
            assert backend.from_cache, "the load did not come from the cache"
            loads.append(t)
            t, client = timed(lambda: backend.open(settings))
            opens.append(t)
            client.close()
        print(json.dumps({"load_s": loads, "open_s": opens}))
        return

    backend = load()
    client = backend.open(settings)
    reference = None
    if cfg.get("reference"):
        with open(cfg["reference"], "rb") as f:
            reference = f.read()
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "generate":
            t, generation = timed(lambda: client.generate(cfg["prompt"], "landscape", model=cfg["model"]))
            reply = {"t": t, "bytes": len(generation.images[0].data)}
        elif command == "edit":
            with backend.open(settings) as fresh:
                t, generation = timed(
                    lambda: fresh.edit(cfg["prompt"], [reference], "landscape", model=cfg["model"])
                )
            reply = {"t": t, "images": len(generation.images)}
        else:
            reply = {"error": f"unknown command {command!r}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
