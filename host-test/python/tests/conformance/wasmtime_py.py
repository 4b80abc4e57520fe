"""Conformance smoke test: the backend component in plain wasmtime-py.

No code of this project is loaded: only wasmtime-py's own component API
(WASI 0.2 and wasi:http from wasmtime's C API). It calls `info`, opens a
client on the mock and makes one `generate` with WIT-shaped values (for
contract 0.3: a typed option, an empty `extra` list and the output format as
a string). Argument: one JSON object {"wasm", "base_url", "api_key",
"model"}. Prints one JSON object with what it saw.

wasmtime-py 50 lifts a `list<u8>` result through the C API's generic values,
charging 48 bytes of wasmtime's 128 MiB hostcall budget per byte: no call may
return more than about 2.67 MiB in all. The mock's default images are tens of
kilobytes.
"""

import json
import sys

from wasmtime import Config, Engine, Store, WasiConfig
from wasmtime.component import Component, Linker, Record, Variant

PREFIX = "talemate:visual/visual-backend@"


def record(**fields):
    r = Record()
    for name, value in fields.items():
        setattr(r, name.replace("_", "-"), value)
    return r


def unwrap(value, what):
    """A `result<T, error>`: wasmtime-py lifts ok as the bare value and the
    error variant as a `Variant` (its cases' payload types collide)."""
    if isinstance(value, Variant):
        if value.tag == "ok":
            return value.payload
        if value.tag == "err":
            value = value.payload
        raise SystemExit(f"{what} failed: {value.tag}: {value.payload!r}")
    return value


def main():
    cfg = json.loads(sys.argv[1])
    engine = Engine(Config())
    component = Component.from_file(engine, cfg["wasm"])
    exports = [name for name in component.type.exports(engine)]
    linker = Linker(engine)
    linker.add_wasip2()
    linker.add_wasi_http()
    store = Store(engine)
    store.set_wasi(WasiConfig())
    store.set_wasi_http()
    instance = linker.instantiate(store, component)
    contract = next(name for name in exports if name.startswith(PREFIX))
    v0_1 = contract.endswith("@0.1.0")  # a component built before contract 0.2
    v0_2 = contract.endswith("@0.2.0")  # options as text pairs, no extra, the output format an enum
    iface = instance.get_export_index(store, contract)

    def func(name):
        return instance.get_func(store, instance.get_export_index(store, name, iface))

    info = func("info")(store)
    capabilities = {c.capability: c for c in info.capabilities}
    if v0_1:
        # 0.1: one fixed settings record, and a request with typed options.
        settings = record(api_key=cfg["api_key"], base_url=cfg["base_url"], max_retries=0, extra_headers=[])
        for name in ("organization", "project", "azure", "max_response_bytes"):
            setattr(settings, name.replace("_", "-"), None)
        for name in ("connect", "generation", "between-bytes"):
            setattr(settings, f"{name}-timeout-ms", None)
        fields = dict(output_compression=None, background="opaque", moderation=None, style=None, user=None)
    else:
        # 0.2 and later: the settings the backend declares, by name, as values.
        settings = [
            record(name="api-key", value=Variant("text", cfg["api_key"])),
            record(name="base-url", value=Variant("text", cfg["base_url"])),
            record(name="max-retries", value=Variant("number", 0.0)),
        ]
        if v0_2:
            fields = dict(options=[record(name="background", value="opaque")])
        else:
            # 0.3: options are `parameter` records with a `value` variant; `extra` is new.
            fields = dict(options=[record(name="background", value=Variant("text", "opaque"))], extra=[])
    client = unwrap(func("[static]client.open")(store, settings), "open")
    request = record(
        prompt="a lighthouse at dusk",
        format="landscape",
        model=cfg["model"],
        size=None,
        n=None,
        quality=None,
        output_format="png",  # an enum case before 0.3, a string since
        **fields,
    )
    generation = unwrap(func("[method]client.generate")(store, client, request), "generate")
    image = generation.images[0]
    cost = generation.__dict__.get("cost")  # 0.3: an estimate from the usage and the model's prices
    print(json.dumps({
        "contract": contract,
        "name": info.name,
        "settings": [] if v0_1 else [s.name for s in info.settings],
        "default_model": capabilities["text-to-image"].__dict__.get("default-model"),
        "model": generation.model,
        "cost_usd": cost.usd if cost is not None else None,
        "image": {
            "mime_type": image.__dict__["mime-type"],
            "width": image.width,
            "height": image.height,
            "bytes": len(image.data),
            "png": bytes(image.data[:8]) == b"\x89PNG\r\n\x1a\n",
        },
    }))


if __name__ == "__main__":
    main()
