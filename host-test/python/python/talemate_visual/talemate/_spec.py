"""What the adapter makes of one backend component, without Talemate.

Everything here is plain data worked out from the component's ``info()``
(and, once a key is set, its live ``models`` list): the Talemate name and
label, the capability flags, the prompt type, the model choices with their
notes, the settings as panel fields, where the key comes from, and how a
readiness check reads as a Talemate status. ``_agent.py`` turns it into
Talemate classes and methods.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .. import errors
from ..types import BackendInfo, CapabilityInfo, FieldSpec, ModelState, PromptStyle, StatusLevel

log = logging.getLogger("talemate_visual.talemate")

#: Prefix of every Talemate backend name the adapter registers: Talemate
#: already has a backend named ``openai`` (and may add others), and the name
#: is also the prefix of the agent's ``{name}_backend...`` methods.
NAME_PREFIX = "wasm_"

#: Where Talemate's own OpenAI key lives (``Config.openai.api_key``), as the
#: ``unified_api_key`` panel field names it.
OPENAI_KEY_PATH = "openai.api_key"

#: The sentence a missing OpenAI key shows, saying where Talemate keeps it.
OPENAI_KEY_MISSING = (
    "No OpenAI API key: set it in Talemate under Settings > Application > OpenAI, "
    "or in the OpenAI API Key field of this backend's panel in the Visualizer agent"
)


@dataclass(frozen=True)
class Slot:
    """One of the Visualizer's three backend selections."""

    #: The contract's capability.
    capability: str
    #: The ``BackendBase`` flag that lists a backend in this selection.
    flag: str
    #: The agent attribute and the ``_config`` field of the selection.
    attribute: str
    #: The suffix of the panel's action key (``{name}_{suffix}``).
    suffix: str
    icon: str
    subtitle: str


SLOTS: Tuple[Slot, ...] = (
    Slot("text-to-image", "image_create", "backend", "image_create", "mdi-image", "Text to image"),
    Slot("image-edit", "image_edit", "backend_image_edit", "image_edit", "mdi-image-edit", "Image editing"),
    Slot("image-analysis", "image_analyzation", "backend_image_analyzation", "image_analyzation", "mdi-image-search", "Image analysis"),
)

SLOT_BY_CAPABILITY: Dict[str, Slot] = {s.capability: s for s in SLOTS}

#: Panel keys the adapter uses itself; a declared setting with one of these
#: names is given the key ``setting_<name>``.
RESERVED_KEYS = {"model", "api_key", "use_despite_warnings", "output_format"}

#: The output formats Talemate can take, in the order a panel offers them.
#: Talemate's Visualizer stores every image as PNG (base64 in the scene's
#: assets) and shows it inline, so a JPEG or WebP answer is converted to PNG;
#: a GIF would be flattened to one frame, and an SVG is markup that must never
#: be inlined into a page, so neither is ever offered or asked for.
TALEMATE_FORMATS = ("png", "jpeg", "webp")

#: The media types of what Talemate can store (after conversion to PNG).
TALEMATE_MIME_TYPES = {"image/png", "image/jpeg", "image/webp"}

#: Settings the adapter fills itself rather than showing them.
TIMEOUT_SETTING = "generation-timeout"
KEY_SETTING = "api-key"


def talemate_name(component_name: str) -> str:
    """The Talemate backend name for a component's machine name: lowercase,
    a Python identifier, prefixed (``openai`` -> ``wasm_openai``)."""
    cleaned = re.sub(r"[^0-9a-z]+", "_", component_name.lower()).strip("_") or "backend"
    return NAME_PREFIX + cleaned


def is_openai_url(url: Optional[str]) -> bool:
    if not url:
        return False
    host = re.sub(r"^[a-z]+://", "", url.strip().lower()).split("/")[0].split(":")[0]
    return host == "openai.com" or host.endswith(".openai.com")


def key_from_talemate_openai(info: BackendInfo) -> bool:
    """Whether the backend's key is Talemate's OpenAI key: the backend is
    named ``openai``, or it declares a secret ``api-key`` and its base URL is
    OpenAI's."""
    key = info.setting(KEY_SETTING)
    if key is None or key.kind.name != "secret":
        return False
    if info.name == "openai":
        return True
    base = info.setting("base-url")
    return base is not None and isinstance(base.default, str) and is_openai_url(base.default)


# ---- settings as panel fields ------------------------------------------------------


@dataclass(frozen=True)
class PanelField:
    """A declared setting as a field of the panel: the Talemate field type
    and how values cross between the panel and the contract."""

    key: str
    spec: FieldSpec
    #: ``text``, ``password``, ``number``, ``bool`` or ``blob``.
    type: str
    label: str
    value: Any
    choices: Optional[List[Dict[str, Any]]] = None
    min: Optional[float] = None
    max: Optional[float] = None
    step: Optional[float] = None

    def config_kwargs(self) -> Dict[str, Any]:
        """Keyword arguments for Talemate's ``AgentActionConfig``."""
        kwargs: Dict[str, Any] = {
            "type": self.type,
            "label": self.label,
            "description": self.spec.help or "",
            "value": self.value,
            "save_on_change": True,
        }
        for name in ("choices", "min", "max", "step"):
            if getattr(self, name) is not None:
                kwargs[name] = getattr(self, name)
        return kwargs

    def to_setting(self, value: Any) -> Any:
        """The panel's value as ``open()`` takes it; ``None`` when empty
        (the backend's default then applies)."""
        kind = self.spec.kind.name
        if value is None or (isinstance(value, str) and not value.strip() and kind != "flag"):
            return None
        if kind in ("text", "secret", "url", "choice"):
            return str(value).strip()
        if kind == "flag":
            return bool(value)
        if kind == "number":
            number = float(value)
            return int(number) if self.spec.kind.range and self.spec.kind.range.integer else number
        if kind == "duration":  # shown in seconds
            return datetime.timedelta(seconds=float(value))
        lines = [line.strip() for line in str(value).splitlines() if line.strip()]
        if kind == "text-list":
            return lines
        if kind == "pairs":
            pairs = []
            for line in lines:
                name, sep, text = line.partition(":")
                if not sep:
                    raise ValueError(f"{self.label}: {line!r} is not 'Name: value'")
                pairs.append((name.strip(), text.strip()))
            return pairs
        if kind == "json":
            try:
                return json.loads(str(value))
            except ValueError as e:
                raise ValueError(f"not a JSON document: {e}") from None
        return value


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def panel_field(spec: FieldSpec, key: str) -> PanelField:
    """The panel field for one declared setting, of the kind it declares:
    text and URLs a text field, a secret a password field, a choice a
    dropdown, a flag a checkbox, a bounded number a slider (other numbers a
    text field), a duration a number of seconds, lists and pairs a text area
    of one item (``Name: value``) per line, a JSON document a text area.
    (An image setting has no field: :func:`describe` leaves it out.)"""
    kind = spec.kind
    default = spec.default
    label = spec.label + (" (required)" if spec.required else "")
    if kind.name in ("text", "url"):
        return PanelField(key, spec, "text", label, default or "")
    if kind.name == "secret":
        return PanelField(key, spec, "password", label, default or "")
    if kind.name == "choice":
        choices = [{"label": c, "value": c} for c in kind.choices or ()]
        return PanelField(key, spec, "text", label, default or (kind.choices or ("",))[0], choices=choices)
    if kind.name == "flag":
        return PanelField(key, spec, "bool", label, bool(default))
    if kind.name == "number":
        r = kind.range
        if r and r.min is not None and r.max is not None and r.max - r.min <= 1000:
            step = 1 if r.integer else None
            value = default if default is not None else r.min
            return PanelField(key, spec, "number", label, value, min=r.min, max=r.max, step=step)
        return PanelField(key, spec, "text", label, _number_text(default) if default is not None else "")
    if kind.name == "duration":
        seconds = "" if default is None else _number_text(int(default) / 1000)
        return PanelField(key, spec, "text", f"{label} (seconds)", seconds)
    if kind.name == "text-list":
        return PanelField(key, spec, "blob", label, "\n".join(default or ()))
    if kind.name == "pairs":
        return PanelField(key, spec, "blob", f"{label} (Name: value, one a line)", "\n".join(f"{n}: {v}" for n, v in default or ()))
    if kind.name == "json":
        return PanelField(key, spec, "blob", f"{label} (JSON)", "" if default is None else json.dumps(default, indent=2))
    return PanelField(key, spec, "text", label, "" if default is None else str(default))


# ---- models as choices ----------------------------------------------------------


@dataclass(frozen=True)
class ModelChoice:
    id: str
    label: str
    #: The sentence under the field when this model is selected.
    note: Optional[str]
    #: ``warning`` for a deprecated model or one that needs a verified
    #: organization, else ``info``.
    color: str


def _choice(id: str, label: str, note: Optional[str], lifecycle) -> Optional[ModelChoice]:
    state = lifecycle.state if lifecycle else ModelState.ACTIVE
    if state == ModelState.RETIRED:
        return None
    parts = []
    color = "info"
    if state == ModelState.DEPRECATED:
        color = "warning"
        when = f"on {lifecycle.shutdown_date}" if lifecycle.shutdown_date else "soon"
        instead = f"; use {lifecycle.replacement} instead" if lifecycle.replacement else ""
        parts.append(f"Deprecated: stops being served {when}{instead}.")
        if lifecycle.shutdown_date:
            label = f"{label} (deprecated, stops {lifecycle.shutdown_date})"
        else:
            label = f"{label} (deprecated)"
    if note:
        parts.append(note)
        if "verif" in note.lower():
            color = "warning"
    return ModelChoice(id, label, " ".join(parts) or None, color)


def model_choices(capability: CapabilityInfo, live: Optional[Sequence[Any]] = None) -> List[ModelChoice]:
    """The models to offer for one capability: the live list (``models``)
    when there is one, else the models ``info()`` knows. Retired models and
    those the service does not list for this key are left out; a deprecated
    one says when it stops."""
    out: List[ModelChoice] = []
    seen = set()
    if live is not None:
        known = {m.id: m for m in capability.models}
        for entry in live:
            if not entry.listed or entry.id in seen:
                continue
            note = entry.note if entry.note is not None else getattr(known.get(entry.id), "note", None)
            choice = _choice(entry.id, entry.label or entry.id, note, entry.lifecycle)
            if choice:
                out.append(choice)
                seen.add(entry.id)
        if out:
            return out
    for model in capability.models:
        choice = _choice(model.id, model.label or model.id, model.note, model.lifecycle)
        if choice and model.id not in seen:
            out.append(choice)
            seen.add(model.id)
    return out


def default_model(capability: CapabilityInfo, choices: Sequence[ModelChoice]) -> Optional[str]:
    ids = [c.id for c in choices]
    if capability.default_model in ids:
        return capability.default_model
    return ids[0] if ids else capability.default_model


# ---- output formats ------------------------------------------------------------------


def format_choices(capability: CapabilityInfo) -> List[str]:
    """The output formats a panel offers for one capability: those of
    :data:`TALEMATE_FORMATS` that any of its models declares, never ``gif``
    or ``svg``."""
    declared = {f for m in capability.models for f in m.output_formats}
    return [f for f in TALEMATE_FORMATS if f in declared]


def output_format_for(capability: CapabilityInfo, model: Optional[str], wanted: Optional[str]) -> Optional[str]:
    """The ``output_format`` to ask ``model`` for: the panel's choice
    (``wanted``, PNG when none) when the model declares it, else PNG, else
    the first format Talemate can take that it declares; ``None`` for a known
    model that takes no choice. A model the backend does not know is asked
    for the panel's choice (the service decides). Never ``gif`` or ``svg``."""
    wanted = wanted if wanted in TALEMATE_FORMATS else "png"
    known = capability.model(model) if model else capability.model()
    if known is None:
        return wanted
    if not known.output_formats:
        return None
    for candidate in (wanted, "png", *TALEMATE_FORMATS):
        if candidate in known.output_formats:
            return candidate
    return None


def cost_line(cost: Any) -> str:
    """``$0.0421``, or ``at least $0.0421`` when part of the usage had no price."""
    amount = f"${cost.usd:.4f}"
    return amount if cost.complete else f"at least {amount}"


# ---- the component -----------------------------------------------------------------


@dataclass
class Component:
    """A backend component as the adapter offers it to Talemate."""

    path: Path
    backend: Any  # talemate_visual.VisualBackend
    info: BackendInfo
    name: str
    label: str
    key_from_openai: bool
    fields: List[PanelField] = field(default_factory=list)

    @property
    def prompt_descriptive(self) -> bool:
        return self.info.prompt_style == PromptStyle.DESCRIPTIVE

    def supports(self, capability: str) -> bool:
        return self.info.supports(capability)

    def capability(self, capability: str) -> CapabilityInfo:
        found = self.info.capability(capability)
        assert found is not None, capability
        return found

    def max_references(self, model: Optional[str]) -> int:
        """How many references an edit with ``model`` takes: the model's own
        figure when the backend knows it, else the most any of its models takes."""
        edit = self.info.capability("image-edit")
        if edit is None or not edit.supported:
            return 0
        known = edit.model(model) if model else edit.model()
        return known.max_reference_images if known is not None else edit.max_reference_images

    @property
    def required_fields(self) -> List[PanelField]:
        return [f for f in self.fields if f.spec.required]


def describe(path: Path, backend: Any, taken_labels: Sequence[str] = ()) -> Component:
    """Works out what Talemate is offered for the component ``backend``
    (loaded from ``path``)."""
    info = backend.info()
    key_from_openai = key_from_talemate_openai(info)
    fields = []
    for spec in info.settings:
        if spec.name == TIMEOUT_SETTING or (spec.name == KEY_SETTING and key_from_openai):
            continue
        if spec.kind.name == "image":
            log.warning("%s: setting %r takes an image, which a Talemate panel cannot give; left at its default", path, spec.name)
            continue
        key = spec.name.replace("-", "_")
        if key in RESERVED_KEYS:
            key = f"setting_{key}"
        fields.append(panel_field(spec, key))
    label = info.label if info.label not in taken_labels else f"{info.label} (component)"
    return Component(path, backend, info, talemate_name(info.name), label, key_from_openai, fields)


# ---- readiness as Talemate statuses ------------------------------------------------

#: The error cases whose light is amber (it may work later) or grey (nothing
#: was decided), as ``visual_host::status`` (host-test/host/src/status.rs)
#: maps them; every other case is red.
AMBER_KINDS = {"rate-limited"}
GREY_KINDS = {"cancelled"}


def status_for_error(error: BaseException) -> Tuple[str, str]:
    """A Talemate status type name and message for an error a call raised."""
    kind = getattr(error, "kind", None)
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    if kind in AMBER_KINDS:
        return "WARNING", message
    if kind in GREY_KINDS:
        return "DISCONNECTED", message
    return "ERROR", message


def status_for_check(status: Any) -> Tuple[str, str]:
    """A Talemate status type name and message for what ``check`` found:
    ok is OK, warning is WARNING (with the backend's sentence), error is
    ERROR with the backend's message (a rate limit WARNING, a cancelled
    check DISCONNECTED, as the host library's status lights have it)."""
    if status.level == StatusLevel.OK:
        return "OK", status.message
    if status.level == StatusLevel.WARNING:
        return "WARNING", status.message
    if status.problem is not None:
        kind, message = status_for_error(status.problem)
        return kind, status.message or message
    return "ERROR", status.message


def is_error(error: BaseException) -> bool:
    return isinstance(error, errors.VisualBackendError)


def settings_digest(values: Mapping[str, Any]) -> str:
    """A short stable digest of a set of settings, for cache keys (the key
    itself never appears in it)."""
    parts = []
    for name in sorted(values):
        value = values[name]
        if "key" in name:
            value = hashlib.sha256(str(value).encode()).hexdigest()[:12]
        parts.append(f"{name}={value!r}")
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:16]
