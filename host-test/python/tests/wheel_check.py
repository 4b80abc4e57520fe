"""Run by wheel_check.sh with the fresh venv's Python: the wheel holds the
extension, the package, its type stubs, the Talemate adapter and the OpenAI
backend; installed, the backend loads from inside the package and draws an
image against the mock; the adapter finds it. No test mock in a wheel."""

import json
import struct
import sys
import zipfile
from pathlib import Path

wheel, mock_file = sys.argv[1], sys.argv[2]
names = set(zipfile.ZipFile(wheel).namelist())
required = [
    "talemate_visual/__init__.py",
    "talemate_visual/types.py",
    "talemate_visual/_enums.py",
    "talemate_visual/errors.py",
    "talemate_visual/_native.pyi",
    "talemate_visual/py.typed",
    "talemate_visual/_native.abi3.so",
    "talemate_visual/backends/openai_visual_backend.wasm",
    "talemate_visual/talemate/__init__.py",
    "talemate_visual/talemate/_agent.py",
    "talemate_visual/talemate/_spec.py",
]
missing = [name for name in required if name not in names]
assert not missing, f"the wheel lacks {missing}"

import talemate_visual  # noqa: E402
from talemate_visual import VisualBackend, _native  # noqa: E402
from talemate_visual.talemate import bundled_folder, find_components  # noqa: E402

site = Path(talemate_visual.__file__).parent
assert "site-packages" in str(site), f"imported {site}, not the installed wheel"
assert not hasattr(_native, "MockServer"), "a wheel must not carry the test mock"
(bundled,) = find_components()
assert bundled == bundled_folder() / "openai_visual_backend.wasm" and bundled.parent.parent == site, bundled

mock = json.loads(Path(mock_file).read_text())
backend = VisualBackend.load(bundled, cache=False)
assert backend.info().name == "openai"
with backend.open(api_key=mock["api_key"], base_url=mock["base_url"], max_retries=0) as client:
    image = client.generate("a lighthouse at dusk", "square", output_format="png").images[0]
assert image.data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", image.data[16:24]) == (1024, 1024)
print(f"wheel ok: {len(names)} files; the bundled OpenAI backend drew a {image.width}x{image.height} PNG")
