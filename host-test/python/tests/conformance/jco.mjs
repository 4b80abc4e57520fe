// Conformance smoke test: the backend component transpiled by jco and run in
// Node with @bytecodealliance/preview2-shim as its WASI (wasi:http included).
// No code of this project is loaded. Calls `info`, opens a client on the mock
// and makes one `generate` with WIT-shaped values (for contract 0.3: a typed
// option, an empty `extra` list and the output format as a string). Argument:
// the transpiled module's path, then one JSON object {"base_url", "api_key",
// "model"}. Prints one JSON object.
//
// jco maps the contract this way: interface names in camelCase
// (`visualBackend`), records as plain objects with camelCase fields, variants
// as {tag, val}, enums as strings, `list<u8>` as Uint8Array, and a top-level
// `result` as the value or a thrown ComponentError whose `payload` is the error.

import { pathToFileURL } from "node:url";

const [modulePath, configJson] = process.argv.slice(2);
const cfg = JSON.parse(configJson);
const exports = await import(pathToFileURL(modulePath).href);
const contract = Object.keys(exports).find((name) => name.startsWith("talemate:visual/visual-backend@"));
const backend = exports[contract];
const v0_1 = contract.endsWith("@0.1.0"); // a component built before contract 0.2
const v0_2 = contract.endsWith("@0.2.0"); // options as text pairs, no extra

function call(what, f) {
  try {
    return f();
  } catch (e) {
    const payload = e && e.payload ? JSON.stringify(e.payload) : String(e);
    console.error(`${what} failed: ${payload}`);
    process.exit(1);
  }
}

const info = backend.info();
const client = call("open", () =>
  backend.Client.open(
    v0_1
      ? { apiKey: cfg.api_key, baseUrl: cfg.base_url, maxRetries: 0, extraHeaders: [] }
      : [
          { name: "api-key", value: { tag: "text", val: cfg.api_key } },
          { name: "base-url", value: { tag: "text", val: cfg.base_url } },
          { name: "max-retries", value: { tag: "number", val: 0 } },
        ],
  ),
);
// An enum case before 0.3 and a string since: "png" either way.
const request = { prompt: "a lighthouse at dusk", format: "landscape", model: cfg.model, outputFormat: "png" };
const shaped = v0_1
  ? { ...request, background: "opaque" }
  : v0_2
    ? { ...request, options: [{ name: "background", value: "opaque" }] }
    : // 0.3: options are `parameter` records with a `value` variant; `extra` is new.
      { ...request, options: [{ name: "background", value: { tag: "text", val: "opaque" } }], extra: [] };
const generation = call("generate", () => client.generate(shaped));
const image = generation.images[0];
const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => image.data[i] === b);
console.log(
  JSON.stringify({
    contract,
    name: info.name,
    settings: v0_1 ? [] : info.settings.map((s) => s.name),
    default_model: info.capabilities.find((c) => c.capability === "text-to-image").defaultModel,
    model: generation.model,
    cost_usd: generation.cost ? generation.cost.usd : null,
    image: { mime_type: image.mimeType, width: image.width, height: image.height, bytes: image.data.length, png },
  }),
);
