"""The official OpenAI Python SDK making the benchmark's generate call.

Run by visual-bench with one JSON argument:
  {"base_url", "api_key", "request": {the JSON body the component sent},
   "warmup", "calls"}
Prints one JSON object: the SDK version and the seconds of each timed call.
Each call is what a Python host does: images.generate, then decode b64_json.
"""

import base64
import json
import sys
import time

import openai

# Parameters images.generate takes by name; anything else goes in extra_body,
# so the JSON on the wire is the same as the component's.
NAMED = {
    "prompt", "model", "n", "size", "quality", "output_format", "background",
    "moderation", "output_compression", "response_format", "style", "user",
}


def main() -> None:
    cfg = json.loads(sys.argv[1])
    client = openai.OpenAI(
        api_key=cfg["api_key"], base_url=cfg["base_url"], max_retries=0, timeout=600.0
    )
    request = dict(cfg["request"])
    named = {k: v for k, v in request.items() if k in NAMED}
    extra = {k: v for k, v in request.items() if k not in NAMED}

    def one() -> tuple[float, int]:
        started = time.perf_counter()
        response = client.images.generate(**named, extra_body=extra or None)
        image = base64.b64decode(response.data[0].b64_json)
        elapsed = time.perf_counter() - started
        if image[:8] != b"\x89PNG\r\n\x1a\n":
            raise SystemExit("the SDK did not get a PNG")
        return elapsed, len(image)

    for _ in range(cfg["warmup"]):
        one()
    times, size = [], 0
    for _ in range(cfg["calls"]):
        elapsed, size = one()
        times.append(elapsed)
    print(json.dumps({"version": openai.__version__, "times_s": times, "image_bytes": size}))


if __name__ == "__main__":
    main()
