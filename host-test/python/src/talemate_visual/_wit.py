"""Between Python objects and wasmtime-py's dynamic component values.

wasmtime-py (50.x) has no generated bindings for components; its dynamic API
passes records as ``wasmtime.component.Record`` objects whose attributes carry
the WIT field names (kebab-case, so ``getattr(r, "api-key")``), enums as
``str``, options as value-or-``None``, and variants as
``wasmtime.component.Variant(tag, payload)``. A ``result<T, E>`` comes back
as the bare payload when T and E lift to different Python classes and as
``Variant("ok" | "err", payload)`` when they do not; :func:`unwrap` accepts
both, so the code does not depend on that heuristic.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Optional, Sequence, Tuple, Type, TypeVar, Union

from wasmtime.component import Record, Variant

from . import errors, types as t

E = TypeVar("E", bound=Enum)

SizeLike = Union[t.Size, Tuple[int, int]]


# ---- Python -> WIT ----


def record(**fields: Any) -> Record:
    """A WIT record; Python's snake_case names become WIT's kebab-case."""
    r = Record()
    for name, value in fields.items():
        setattr(r, name.replace("_", "-"), value)
    return r


def enum(cls: Type[E], value: Any) -> Optional[str]:
    """The WIT case name of ``value``; a ValueError names the allowed ones."""
    if value is None:
        return None
    try:
        return cls(value).value
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in cls)
        raise ValueError(f"{value!r} is not a valid {cls.__name__}; use one of {allowed}") from None


def required_enum(cls: Type[E], value: Any) -> str:
    lowered = enum(cls, value)
    if lowered is None:
        raise ValueError(f"a {cls.__name__} is required")
    return lowered


def size_record(value: Optional[SizeLike]) -> Optional[Record]:
    if value is None:
        return None
    width, height = (value.width, value.height) if isinstance(value, t.Size) else value
    return record(width=int(width), height=int(height))


def blob(value: Any, what: str) -> bytes:
    """Image bytes as the binding wants them (``bytes``, not a view)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be bytes, not {type(value).__name__}")


def optional_int(value: Any) -> Optional[int]:
    return None if value is None else int(value)


def settings(s: t.Settings) -> Record:
    azure = s.azure
    return record(
        api_key=s.api_key,
        base_url=s.base_url,
        organization=s.organization,
        project=s.project,
        extra_headers=[record(name=h.name, value=h.value) for h in s.extra_headers],
        azure=None
        if azure is None
        else record(
            endpoint=azure.endpoint,
            api_version=azure.api_version,
            text_to_image_deployment=azure.text_to_image_deployment,
            image_edit_deployment=azure.image_edit_deployment,
            image_analysis_deployment=azure.image_analysis_deployment,
        ),
        connect_timeout_ms=optional_int(s.connect_timeout_ms),
        generation_timeout_ms=optional_int(s.generation_timeout_ms),
        between_bytes_timeout_ms=optional_int(s.between_bytes_timeout_ms),
        max_retries=optional_int(s.max_retries),
        max_response_bytes=optional_int(s.max_response_bytes),
    )


def generate_request(
    prompt: str,
    format: Any,
    *,
    model: Optional[str] = None,
    size: Optional[SizeLike] = None,
    n: Optional[int] = None,
    quality: Any = None,
    output_format: Any = None,
    output_compression: Optional[int] = None,
    background: Any = None,
    moderation: Any = None,
    style: Any = None,
    user: Optional[str] = None,
) -> Record:
    return record(
        prompt=str(prompt),
        format=required_enum(t.ImageFormat, format),
        model=model,
        size=size_record(size),
        n=optional_int(n),
        quality=enum(t.Quality, quality),
        output_format=enum(t.OutputFormat, output_format),
        output_compression=optional_int(output_compression),
        background=enum(t.Background, background),
        moderation=enum(t.Moderation, moderation),
        style=enum(t.Style, style),
        user=user,
    )


def edit_request(
    prompt: str,
    images: Union[bytes, Sequence[bytes]],
    format: Any,
    *,
    mask: Optional[bytes] = None,
    model: Optional[str] = None,
    size: Optional[SizeLike] = None,
    n: Optional[int] = None,
    quality: Any = None,
    output_format: Any = None,
    output_compression: Optional[int] = None,
    background: Any = None,
    input_fidelity: Any = None,
    user: Optional[str] = None,
) -> Record:
    # One reference image may be given bare.
    references: Sequence[Any] = [images] if isinstance(images, (bytes, bytearray, memoryview)) else images
    return record(
        prompt=str(prompt),
        format=required_enum(t.ImageFormat, format),
        model=model,
        images=[blob(i, "each reference image") for i in references],
        mask=None if mask is None else blob(mask, "the mask"),
        size=size_record(size),
        n=optional_int(n),
        quality=enum(t.Quality, quality),
        output_format=enum(t.OutputFormat, output_format),
        output_compression=optional_int(output_compression),
        background=enum(t.Background, background),
        input_fidelity=enum(t.InputFidelity, input_fidelity),
        user=user,
    )


def analyze_request(
    image: bytes,
    prompt: str,
    *,
    model: Optional[str] = None,
    detail: Any = None,
    max_output_tokens: Optional[int] = None,
) -> Record:
    return record(
        image=blob(image, "the image"),
        prompt=str(prompt),
        model=model,
        detail=enum(t.Detail, detail),
        max_output_tokens=optional_int(max_output_tokens),
    )


# ---- WIT -> Python ----


def get(r: Any, name: str) -> Any:
    return getattr(r, name)


def unwrap(value: Any) -> Any:
    """The ok payload of a ``result<T, error>``; raises the error's exception."""
    if isinstance(value, Variant):
        if value.tag == "ok":
            return value.payload
        if value.tag == "err" and isinstance(value.payload, Variant):
            raise error(value.payload)
        raise error(value)  # an untagged err: the error variant itself
    return value


def error(v: Variant) -> errors.VisualBackendError:
    kind, payload = v.tag, v.payload
    cls = errors.ERROR_CLASSES.get(kind)
    if cls is None:
        return errors.VisualBackendError(f"the backend returned an error this host does not know: {kind}")
    if kind == "timeout":
        return errors.Timeout(get(payload, "message"), phase=t.TimeoutPhase(get(payload, "phase")))
    if kind == "rate-limited":
        return errors.RateLimited(
            **_failure(get(payload, "failure")), retry_after_ms=get(payload, "retry-after-ms")
        )
    if isinstance(payload, str):
        return cls(payload)
    return cls(**_failure(payload))


def _failure(f: Any) -> dict:
    return {
        "message": get(f, "message"),
        "status": get(f, "status"),
        "code": get(f, "code"),
        "request_id": get(f, "request-id"),
    }


def backend_info(r: Any) -> t.BackendInfo:
    return t.BackendInfo(
        name=get(r, "name"),
        label=get(r, "label"),
        description=get(r, "description"),
        version=get(r, "version"),
        prompt_style=t.PromptStyle(get(r, "prompt-style")),
        capabilities=tuple(_capability_info(c) for c in get(r, "capabilities")),
    )


def _capability_info(r: Any) -> t.CapabilityInfo:
    return t.CapabilityInfo(
        capability=t.Capability(get(r, "capability")),
        supported=get(r, "supported"),
        models=tuple(_model_info(m) for m in get(r, "models")),
        default_model=get(r, "default-model"),
        accepts_unknown_models=get(r, "accepts-unknown-models"),
        max_reference_images=get(r, "max-reference-images"),
    )


def _model_info(r: Any) -> t.ModelInfo:
    return t.ModelInfo(
        id=get(r, "id"),
        label=get(r, "label"),
        note=get(r, "note"),
        sizes=tuple(
            t.FormatSize(t.ImageFormat(get(fs, "format")), _size(get(fs, "size"))) for fs in get(r, "sizes")
        ),
        max_reference_images=get(r, "max-reference-images"),
        max_prompt_chars=get(r, "max-prompt-chars"),
        max_images=get(r, "max-images"),
        streams_partial_images=get(r, "streams-partial-images"),
    )


def _size(r: Any) -> t.Size:
    return t.Size(get(r, "width"), get(r, "height"))


def image(r: Any) -> t.Image:
    return t.Image(
        data=get(r, "data"), mime_type=get(r, "mime-type"), width=get(r, "width"), height=get(r, "height")
    )


def usage(r: Any) -> Optional[t.Usage]:
    if r is None:
        return None
    return t.Usage(
        input_tokens=get(r, "input-tokens"),
        output_tokens=get(r, "output-tokens"),
        total_tokens=get(r, "total-tokens"),
        input_text_tokens=get(r, "input-text-tokens"),
        input_image_tokens=get(r, "input-image-tokens"),
    )


def generation(r: Any) -> t.Generation:
    return t.Generation(
        model=get(r, "model"),
        images=tuple(image(i) for i in get(r, "images")),
        revised_prompt=get(r, "revised-prompt"),
        usage=usage(get(r, "usage")),
    )


def analysis(r: Any) -> t.Analysis:
    return t.Analysis(
        text=get(r, "text"),
        model=get(r, "model"),
        finish_reason=get(r, "finish-reason"),
        truncated=get(r, "truncated"),
        usage=usage(get(r, "usage")),
    )


def status(r: Any) -> t.Status:
    problem = get(r, "problem")
    return t.Status(
        level=t.StatusLevel(get(r, "level")),
        message=get(r, "message"),
        model=get(r, "model"),
        problem=None if problem is None else error(problem),
    )


def event(v: Variant) -> Union[t.PartialImage, t.Generation]:
    if v.tag == "partial":
        p = v.payload
        return t.PartialImage(
            image_index=get(p, "image-index"), partial_index=get(p, "partial-index"), image=image(get(p, "image"))
        )
    if v.tag == "completed":
        return generation(v.payload)
    raise errors.VisualBackendError(f"the backend sent a stream event this host does not know: {v.tag}")
