"""A Python host for ``talemate:visual`` backends (WebAssembly components).

    from talemate_visual import VisualBackend

    backend = VisualBackend.load("openai_visual_backend.wasm")
    print(backend.info().label)
    with backend.open(api_key=key) as client:
        generation = client.generate("a lighthouse at dusk", "landscape")
        open("lighthouse.png", "wb").write(generation.images[0].data)

Any component exporting ``talemate:visual/visual-backend@0.3.x`` (or 0.2.x or
0.1.x, presented in the 0.3 shape) loads the same way; the host never knows which
service sits behind it. The loading, the sandbox and the calls are the Rust
host library's (``visual_host``), through the native extension ``_native``;
this package adds the result types and the exceptions.
"""

from . import _native
from ._native import (
    CONTRACT_VERSION,
    DEFAULT_MEMORY_LIMIT,
    SUPPORTED_VERSIONS,
    Client,
    GenerationStream,
    VisualBackend,
)
from .errors import (
    ERROR_CLASSES,
    Authentication,
    BackendTrapped,
    Cancelled,
    ContentPolicy,
    InvalidInput,
    LoadError,
    MalformedResponse,
    Network,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
    Timeout,
    Unsupported,
    Upstream,
    VisualBackendError,
)
from .types import (
    Analysis,
    BackendInfo,
    Capability,
    CapabilityInfo,
    Cost,
    CostItem,
    FieldSpec,
    FormatSize,
    FreeSizes,
    Generation,
    HelperUsage,
    Image,
    ImageFormat,
    Lifecycle,
    ModelEntry,
    ModelInfo,
    ModelState,
    NumberRange,
    OutputFormat,
    PartialImage,
    Prices,
    PromptStyle,
    Size,
    SizeRule,
    Status,
    StatusLevel,
    TimeoutLimits,
    TimeoutPhase,
    Usage,
    ValueKind,
)

__version__ = _native.__version__

__all__ = [
    "CONTRACT_VERSION",
    "DEFAULT_MEMORY_LIMIT",
    "SUPPORTED_VERSIONS",
    "Client",
    "GenerationStream",
    "VisualBackend",
    "ERROR_CLASSES",
    "Authentication",
    "BackendTrapped",
    "Cancelled",
    "ContentPolicy",
    "InvalidInput",
    "LoadError",
    "MalformedResponse",
    "Network",
    "NotFound",
    "PermissionDenied",
    "QuotaExceeded",
    "RateLimited",
    "Timeout",
    "Unsupported",
    "Upstream",
    "VisualBackendError",
    "Analysis",
    "BackendInfo",
    "Capability",
    "CapabilityInfo",
    "Cost",
    "CostItem",
    "FieldSpec",
    "FormatSize",
    "FreeSizes",
    "Generation",
    "HelperUsage",
    "Image",
    "ImageFormat",
    "Lifecycle",
    "ModelEntry",
    "ModelInfo",
    "ModelState",
    "NumberRange",
    "OutputFormat",
    "PartialImage",
    "Prices",
    "PromptStyle",
    "Size",
    "SizeRule",
    "Status",
    "StatusLevel",
    "TimeoutLimits",
    "TimeoutPhase",
    "Usage",
    "ValueKind",
]
