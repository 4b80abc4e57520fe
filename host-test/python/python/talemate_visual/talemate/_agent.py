"""The Talemate side: one visual backend class per component, registered
into Talemate's backend registry, and the Visualizer agent's methods and
panels for it.

Talemate (0.36.1) is imported only inside :func:`install`, so this package
imports without it. What is used of Talemate, and where it is defined
(``vegu-ai/talemate`` at a1d209a9aedb2f26853416f2adb617be31404b49):

- ``talemate.agents.visual.backends``: ``Backend``, ``BackendStatus``,
  ``BackendStatusType``, ``BACKENDS``, ``register`` (``backends/__init__.py``);
- ``talemate.agents.visual.schema``: ``GEN_TYPE``, ``PROMPT_TYPE``,
  ``Resolution`` (``schema.py``);
- ``talemate.agents.base``: ``AgentAction``, ``AgentActionConfig``,
  ``AgentActionConditional``, ``AgentActionNote`` (``agents/base.py``);
- ``talemate.agents.visual.agent.VisualAgent``: ``init_actions``, the
  ``{name}_backend*`` / ``{name}_prepare_*`` / ``{name}_emit_status`` lookups,
  ``generate_timeout`` (``visual/agent.py``, ``generation.py``, ``analyze.py``);
- ``talemate.config.get_config().openai.api_key`` and
  ``talemate.instance.get_agent``;
- ``structlog``, Talemate's log (``server/run.py`` configures it), where each
  call's estimated cost goes.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from pathlib import Path
from typing import Any, Callable, ClassVar, Dict, List, Optional, Sequence, Tuple

from .. import errors
from ._spec import (
    OPENAI_KEY_MISSING,
    OPENAI_KEY_PATH,
    SLOT_BY_CAPABILITY,
    SLOTS,
    TALEMATE_MIME_TYPES,
    TIMEOUT_SETTING,
    KEY_SETTING,
    Component,
    Slot,
    cost_line,
    default_model,
    describe,
    format_choices,
    model_choices,
    output_format_for,
    settings_digest,
    status_for_check,
    status_for_error,
)

log = logging.getLogger("talemate_visual.talemate")

#: How long a live model list is reused before the next status check asks again.
MODELS_MAX_AGE = 600.0
#: How long fetching the live model list may take (it runs beside the status check).
MODELS_TIMEOUT = 30.0
#: Error cases from a real call that mark the model as not working until the
#: settings or the model change (a status check alone cannot see them).
STICKY_KINDS = {"authentication", "permission-denied", "not-found"}
#: The generation timeout when the Visualizer agent cannot be asked (seconds).
FALLBACK_TIMEOUT = 300
#: How the panel's output format field names the formats.
FORMAT_LABELS = {"png": "PNG", "jpeg": "JPEG (converted to PNG)", "webp": "WebP (converted to PNG)"}


class _Talemate:
    """The Talemate modules the adapter uses, imported once per install."""

    def __init__(self) -> None:
        import talemate.agents.base as base
        import talemate.agents.visual.backends as backends
        import talemate.agents.visual.schema as schema

        self.base = base
        self.backends = backends
        self.schema = schema

    @staticmethod
    def visual_agent_class():
        from talemate.agents.visual.agent import VisualAgent

        return VisualAgent

    @staticmethod
    def openai_key() -> Optional[str]:
        from talemate.config import get_config

        return get_config().openai.api_key or None

    @staticmethod
    def visual_agent():
        from talemate.instance import get_agent

        try:
            return get_agent("visual")
        except KeyError:
            return None

    @staticmethod
    def log():
        """Talemate's own log: structlog, as Talemate's backends log
        (``structlog.get_logger(...)``), configured by its ``server/run.py``;
        ``None`` without structlog (then this package's ``logging`` logger)."""
        try:
            import structlog
        except ImportError:
            return None
        return structlog.get_logger("talemate.agents.visual.wasm")


def log_cost(tm: _Talemate, backend: str, call: str, result: Any) -> None:
    """Writes a call's estimated cost to Talemate's log: the backend, the
    call, the model and the amount in US dollars (``None`` cost: the model's
    prices are unknown, said at debug level)."""
    cost = getattr(result, "cost", None)
    talemate_log = tm.log()
    if cost is None:
        if talemate_log is not None:
            talemate_log.debug("visual backend cost unknown", backend=backend, call=call, model=result.model)
        else:
            log.debug("%s: %s with %s: no prices known, no cost estimate", backend, call, result.model)
        return
    amount = cost_line(cost)
    if talemate_log is not None:
        talemate_log.info(
            "visual backend cost",
            backend=backend,
            call=call,
            model=result.model,
            cost=amount,
            usd=round(cost.usd, 6),
        )
    else:
        log.info("%s: %s with %s cost %s (estimate)", backend, call, result.model, amount)


def _to_png(data: bytes) -> bytes:
    """PNG bytes from a JPEG or WebP (Talemate stores and labels every result as PNG)."""
    try:
        from PIL import Image  # Talemate depends on Pillow
    except ImportError as e:  # pragma: no cover - Talemate always has Pillow
        raise RuntimeError("the backend answered in a format other than PNG and Pillow is not installed to convert it") from e
    out = io.BytesIO()
    Image.open(io.BytesIO(data)).save(out, format="PNG")
    return out.getvalue()


def backend_class(tm: _Talemate, component: Component) -> type:
    """The Talemate visual backend class for ``component``."""
    import pydantic

    backends = tm.backends
    Status, StatusType = backends.BackendStatus, backends.BackendStatusType
    GEN_TYPE, PROMPT_TYPE, Resolution = tm.schema.GEN_TYPE, tm.schema.PROMPT_TYPE, tm.schema.Resolution

    prompt_default = PROMPT_TYPE.DESCRIPTIVE if component.prompt_descriptive else PROMPT_TYPE.KEYWORDS

    def status(kind: str, message: Optional[str] = None):
        return Status(type=getattr(StatusType, kind), message=message)

    class ComponentBackend(backends.Backend):
        """A backend component (``talemate:visual`` WebAssembly) in Talemate."""

        component: ClassVar[Component]
        #: A checked status is reused this many seconds (Talemate asks every
        #: ~3 s); new settings or a new key have a cache key of their own.
        _test_conn_cache_maxage: ClassVar[int] = 10
        #: Live model lists by ``settings_key``: (time fetched, entries).
        live_models: ClassVar[Dict[str, Tuple[float, Any]]]

        prompt_type: PROMPT_TYPE = prompt_default
        #: The contract capability this instance serves (its selection).
        capability: str = "text-to-image"
        #: The model id; ``None`` for the backend's default.
        model: Optional[str] = None
        #: Declared settings by their contract names, as ``open()`` takes them.
        settings: Dict[str, Any] = pydantic.Field(default_factory=dict)
        #: A panel value that could not be read, shown as the status.
        settings_error: Optional[str] = None
        #: Report a warning as OK (shown amber), so Talemate uses the backend.
        use_despite_warnings: bool = False
        #: The panel's output format (png, jpeg or webp; ``None``: PNG).
        #: Whatever is asked for, Talemate gets PNG.
        output_format: Optional[str] = None

        _inflight: set = pydantic.PrivateAttr(default_factory=set)
        _problem: Optional[Tuple[Optional[str], str]] = pydantic.PrivateAttr(default=None)
        _accepted_warning: Optional[str] = pydantic.PrivateAttr(default=None)
        _models_task: Any = pydantic.PrivateAttr(default=None)

        # ---- what Talemate shows ------------------------------------------------

        @property
        def instance_label(self) -> str:
            return self.model or self.component.capability(self.capability).default_model or self.label

        @property
        def generator_label(self) -> Optional[str]:
            return self.instance_label

        @property
        def max_references(self) -> int:
            return self.component.max_references(self.model if self.capability == "image-edit" else None)

        @property
        def settings_key(self) -> str:
            """What the live model list depends on: the backend, the
            capability, the model and the settings (the key digested)."""
            key = tm.openai_key() if self.component.key_from_openai else None
            digest = settings_digest({**self.settings, "api-key": key or "", "model": self.model or ""})
            return f"{self.name}-{self.capability}-{digest}"

        @property
        def status_cache_key(self) -> str:
            """Talemate reuses a status by this key for
            ``_test_conn_cache_maxage`` seconds. The status depends on
            "Use while the status is a warning" too, so ticking it makes a
            new key and the very next check answers OK."""
            accept = "accept-warnings" if self.use_despite_warnings else "strict"
            return f"{self.settings_key}-{accept}"

        @property
        def status_color(self) -> str:
            if self._warning_accepted():
                return "warning"
            return super().status_color

        @property
        def status_description(self) -> str:
            if self._warning_accepted():
                return f"Connected to {self.instance_label} - {self.status.message}"
            return super().status_description

        def _warning_accepted(self) -> bool:
            return (
                self.status.type == StatusType.OK
                and self._accepted_warning is not None
                and self.status.message == self._accepted_warning
            )

        # ---- settings ---------------------------------------------------------------

        def _missing(self) -> Optional[str]:
            """Why nothing can be checked yet (a required setting not set)."""
            if self.component.key_from_openai and not tm.openai_key():
                return OPENAI_KEY_MISSING
            slot = SLOT_BY_CAPABILITY[self.capability]
            for field in self.component.required_fields:
                if self.settings.get(field.spec.name) in (None, ""):
                    return (
                        f"{field.spec.label} is not set: enter it in the {self.component.label} "
                        f"panel ({slot.subtitle}) of the Visualizer agent"
                    )
            return None

        def _open_settings(self, generation_timeout: Optional[float] = None) -> Dict[str, Any]:
            values = dict(self.settings)
            if self.component.key_from_openai:
                values[KEY_SETTING] = tm.openai_key()
            if generation_timeout is not None and self.component.info.setting(TIMEOUT_SETTING) is not None:
                import datetime

                values[TIMEOUT_SETTING] = datetime.timedelta(seconds=generation_timeout)
            return values

        @property
        def generate_timeout(self) -> float:
            """Talemate's "Image generation timeout" (seconds)."""
            agent = tm.visual_agent()
            try:
                return float(agent.generate_timeout) if agent is not None else FALLBACK_TIMEOUT
            except Exception:
                return FALLBACK_TIMEOUT

        async def _open(self, timeout: float):
            """A client of its own for one call (an instance takes microseconds),
            so no call ever waits behind another; the host caps every wait at
            ``timeout``."""
            return await self.component.backend.aopen(
                self._open_settings(timeout), max_timeouts={"first_byte": timeout}
            )

        async def _track(self, awaitable):
            """Awaits a call, keeping it where ``cancel_request`` can reach it."""
            future = asyncio.ensure_future(awaitable)
            self._inflight.add(future)
            try:
                return await future
            finally:
                self._inflight.discard(future)

        def _remember(self, error: BaseException, model: Optional[str]) -> None:
            kind = getattr(error, "kind", None)
            if kind in STICKY_KINDS:
                self._problem = (model, getattr(error, "message", str(error)))
                self.status = status("ERROR", self._problem[1])

        # ---- status -----------------------------------------------------------------

        async def ready(self):
            try:
                await self.ensure_test_connection_task()
            except Exception as e:
                self.status = status("ERROR", str(e))
            return self.status

        async def test_connection(self, timeout: int = 2):
            """What ``check`` finds, as a Talemate status, within ``timeout``
            seconds. Never raises."""
            try:
                return await asyncio.wait_for(self._check(timeout), timeout)
            except asyncio.TimeoutError:
                return status("ERROR", f"{self.label} did not answer the readiness check within {timeout} s")
            except asyncio.CancelledError:
                raise
            except Exception as e:
                return status(*status_for_error(e))

        async def _check(self, timeout: float):
            if self.settings_error:
                return status("ERROR", self.settings_error)
            missing = self._missing()
            if missing:
                return status("DISCONNECTED", missing)
            if self._problem is not None and self._problem[0] == self.model:
                return status("ERROR", self._problem[1])
            client = await self.component.backend.aopen(self._open_settings(), max_timeouts=float(timeout))
            found = await client.acheck(self.capability, self.model)
            kind, message = status_for_check(found)
            if kind == "WARNING" and self.use_despite_warnings:
                kind, self._accepted_warning = "OK", message
            if kind in ("OK", "WARNING"):
                self._refresh_models()
            return status(kind, message)

        def _refresh_models(self) -> None:
            """Starts fetching the live model list (beside the check, not within
            its two seconds) when the last one is old."""
            fetched = self.live_models.get(self.settings_key)
            if fetched and time.monotonic() - fetched[0] < MODELS_MAX_AGE:
                return
            if self._models_task is not None and not self._models_task.done():
                return
            self._models_task = asyncio.ensure_future(self._fetch_models(self.settings_key))

        async def _fetch_models(self, cache_key: str) -> None:
            try:
                client = await self.component.backend.aopen(self._open_settings(), max_timeouts=MODELS_TIMEOUT)
                entries = await asyncio.wait_for(client.amodels(self.capability), MODELS_TIMEOUT)
            except Exception as e:
                log.info("%s: no live model list (%s); offering the models the backend knows", self.name, e)
                return
            previous = self.live_models.get(cache_key)
            self.live_models[cache_key] = (time.monotonic(), entries)
            if previous is None or previous[1] != entries:
                agent = tm.visual_agent()
                if agent is not None:
                    await agent.emit_status()

        def live(self) -> Optional[Any]:
            fetched = self.live_models.get(self.settings_key)
            return fetched[1] if fetched else None

        # ---- work -------------------------------------------------------------------

        def _references(self, request) -> List[bytes]:
            if request.gen_type != GEN_TYPE.IMAGE_EDIT:
                return []
            refs = [r for r in (request.reference_bytes or []) if r]
            limit = self.max_references
            return refs[:limit] if limit else []

        async def generate(self, request, response):
            """Text to image in the request's format, or an edit when the
            request carries references; PNG into ``response.generated``."""
            refs = self._references(request)
            format = str(request.format.value if hasattr(request.format, "value") else request.format).lower()
            timeout = self.generate_timeout
            if refs:
                model = self.model if self.capability == "image-edit" else None
            else:
                if request.gen_type == GEN_TYPE.IMAGE_EDIT:
                    log.warning("%s: an edit without references (none found in the scene): drawing from the prompt", self.name)
                model = self.model if self.capability == "text-to-image" else None
            capability = self.component.capability("image-edit" if refs else "text-to-image")
            output_format = output_format_for(capability, model, self.output_format)
            try:
                client = await self._open(timeout)
                if refs:
                    call = client.aedit(request.prompt or "", refs, format, model=model, output_format=output_format)
                else:
                    call = client.agenerate(request.prompt or "", format, model=model, output_format=output_format)
                generation = await self._track(call)
            except errors.VisualBackendError as e:
                self._remember(e, self.model)
                raise
            log_cost(tm, self.name, "edit" if refs else "generate", generation)
            image = generation.images[0]
            if image.mime_type not in TALEMATE_MIME_TYPES:
                # Never asked for (see TALEMATE_FORMATS): an animation would be
                # flattened, and SVG markup must not be shown inline.
                raise ValueError(
                    f"{self.label} answered with {image.mime_type}, which Talemate cannot store; "
                    "it takes PNG, JPEG or WebP (converted to PNG)"
                )
            response.generated = image.data if image.mime_type == "image/png" else _to_png(image.data)
            request.resolution = Resolution(width=image.width, height=image.height)
            if self._problem is not None:
                self._problem = None
            return response

        async def analyze(self, request, response):
            """The image and the question in, the answer into ``response.analysis``."""
            refs = [r for r in (request.reference_bytes or []) if r]
            if not refs:
                raise ValueError(f"Image analysis needs the image, and asset {request.asset_id} is not in the active scene")
            try:
                client = await self._open(self.generate_timeout)
                analysis = await self._track(client.aanalyze(refs[0], request.prompt, model=self.model))
            except errors.VisualBackendError as e:
                self._remember(e, self.model)
                raise
            log_cost(tm, self.name, "analyze", analysis)
            response.analysis = analysis.text
            return response

        async def cancel_request(self):
            """Cancels every call this instance has in flight: the host drops
            it and closes its connection."""
            pending = [f for f in self._inflight if not f.done()]
            for future in pending:
                future.cancel()
            if pending:
                await asyncio.wait(pending, timeout=2)

    namespace = {
        "__module__": __name__,
        "__qualname__": f"{component.name}_backend",
        "name": component.name,
        "label": component.label,
        "description": component.info.description,
        "image_create": component.supports("text-to-image"),
        "image_edit": component.supports("image-edit"),
        "image_analyzation": component.supports("image-analysis"),
        "component": component,
        "live_models": {},
    }
    return type(f"{component.name}_backend", (ComponentBackend,), namespace)


# ---- the agent's side ----------------------------------------------------------------


def action_key(component: Component, slot: Slot) -> str:
    return f"{component.name}_{slot.suffix}"


def _model_field(tm: _Talemate, component: Component, slot: Slot, live=None, value=None):
    capability = component.capability(slot.capability)
    choices = model_choices(capability, live)
    Note = tm.base.AgentActionNote
    return tm.base.AgentActionConfig(
        type="text",
        label="Model",
        description=f"The {component.label} model for {slot.subtitle.lower()}",
        value=value if value is not None else default_model(capability, choices),
        choices=[{"label": c.label, "value": c.id} for c in choices],
        note_on_value={c.id: Note(text=c.note, color=c.color) for c in choices if c.note},
        save_on_change=True,
    )


def panels(tm: _Talemate, component: Component) -> Callable[[Dict[str, Any]], None]:
    """Adds the component's panels (one per capability it supports) to the
    agent's actions."""
    base = tm.base

    def add_actions(actions: Dict[str, Any]) -> None:
        for slot in SLOTS:
            if not component.supports(slot.capability):
                continue
            config: Dict[str, Any] = {}
            if component.key_from_openai:
                config["api_key"] = base.AgentActionConfig(
                    type="unified_api_key", value=OPENAI_KEY_PATH, label="OpenAI API Key"
                )
            config["model"] = _model_field(tm, component, slot)
            formats = format_choices(component.capability(slot.capability)) if slot.capability != "image-analysis" else []
            if len(formats) > 1:
                config["output_format"] = base.AgentActionConfig(
                    type="text",
                    label="Output format",
                    description=(
                        "The encoding the backend is asked for. Talemate stores and shows PNG, so JPEG and WebP "
                        "are converted to PNG; animated GIF and SVG are not offered."
                    ),
                    value="png" if "png" in formats else formats[0],
                    choices=[{"label": FORMAT_LABELS[f], "value": f} for f in formats],
                    save_on_change=True,
                )
            for field in component.fields:
                config[field.key] = base.AgentActionConfig(**field.config_kwargs())
            config["use_despite_warnings"] = base.AgentActionConfig(
                type="bool",
                value=False,
                label="Use while the status is a warning",
                description=(
                    "Talemate only uses a backend whose status is OK. A warning (for OpenAI's image models: "
                    "organization verification can only be confirmed by a real image call) keeps it from "
                    "being used until you turn this on; the status then stays amber with the warning."
                ),
                save_on_change=True,
            )
            actions[action_key(component, slot)] = base.AgentAction(
                enabled=True,
                container=True,
                icon=slot.icon,
                label=component.label,
                subtitle=slot.subtitle,
                description=component.info.description,
                condition=base.AgentActionConditional(attribute=f"_config.config.{slot.attribute}", value=component.name),
                config=config,
            )

    return add_actions


def _instance_fields(component: Component, slot: Slot, action) -> Dict[str, Any]:
    values = {key: cfg.value for key, cfg in (action.config or {}).items()}
    settings: Dict[str, Any] = {}
    problems = []
    for field in component.fields:
        try:
            value = field.to_setting(values.get(field.key))
        except (TypeError, ValueError) as e:
            problems.append(f"{field.label}: {e}")
            continue
        if value is not None:
            settings[field.spec.name] = value
    return {
        "capability": slot.capability,
        "model": values.get("model") or None,
        "settings": settings,
        "settings_error": "; ".join(problems) or None,
        "use_despite_warnings": bool(values.get("use_despite_warnings")),
        "output_format": values.get("output_format") or None,
    }


def agent_methods(tm: _Talemate, component: Component, cls: type) -> Dict[str, Callable]:
    """The ``{name}_backend*``, ``{name}_prepare_*`` and ``{name}_emit_status``
    methods the Visualizer agent looks up by the backend's name."""
    GEN_TYPE = tm.schema.GEN_TYPE
    Resolution = tm.schema.Resolution
    name = component.name
    methods: Dict[str, Callable] = {}

    def factory_for(slot: Slot):
        key = action_key(component, slot)

        async def factory(self, old_config: Optional[dict] = None, force: bool = False):
            fields = _instance_fields(component, slot, self.actions[key])
            current = getattr(self, slot.attribute, None)
            if force or not isinstance(current, cls) or current.capability != slot.capability:
                return cls(**fields)
            if any(getattr(current, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(current, k, v)
                current._problem = None
            return current

        factory.__name__ = f"{name}_{slot.attribute}"
        return factory

    for slot in SLOTS:
        if component.supports(slot.capability):
            methods[f"{name}_{slot.attribute}"] = factory_for(slot)

    async def prepare_generation(self, request):
        wanted = self.backend_image_edit if request.gen_type == GEN_TYPE.IMAGE_EDIT else self.backend
        backend = wanted if isinstance(wanted, cls) else next(
            (b for b in (self.backend, self.backend_image_edit) if isinstance(b, cls)), wanted
        )
        capability = component.info.capability(getattr(backend, "capability", "text-to-image"))
        model = capability.model(getattr(backend, "model", None)) if capability else None
        size = model.size_for(str(request.format.value).lower()) if model is not None else None
        if size is not None:
            request.resolution = Resolution(width=size.width, height=size.height)
        return backend

    async def prepare_analysis(self, request):
        return self.backend_image_analyzation

    async def emit_status(self, processing: Optional[bool] = None):
        """Offers the live model lists once they are known."""
        for slot in SLOTS:
            action = self.actions.get(action_key(component, slot)) if component.supports(slot.capability) else None
            instance = getattr(self, slot.attribute, None)
            if action is None or not isinstance(instance, cls):
                continue
            live = instance.live()
            if live is None:
                continue
            current = action.config["model"]
            fresh = _model_field(tm, component, slot, live, value=current.value)
            current.choices, current.note_on_value = fresh.choices, fresh.note_on_value

    if component.supports("text-to-image") or component.supports("image-edit"):
        methods[f"{name}_prepare_generation"] = prepare_generation
    if component.supports("image-analysis"):
        methods[f"{name}_prepare_analysis"] = prepare_analysis
    methods[f"{name}_emit_status"] = emit_status
    for method_name, fn in methods.items():
        fn.__name__ = method_name
        fn.__qualname__ = f"VisualAgent.{method_name}"
    return methods


def wrap_init_actions(agent_class: type) -> List[Callable[[Dict[str, Any]], None]]:
    """Makes ``agent_class.init_actions`` add the adapter's panels after its
    own, once; returns the list of panel adders it runs."""
    adders = agent_class.__dict__.get("_talemate_visual_panels")
    if adders is not None:
        return adders
    original = agent_class.init_actions.__func__
    adders = []

    def init_actions(cls, *args, **kwargs):
        actions = original(cls, *args, **kwargs)
        for add in adders:
            add(actions)
        return actions

    init_actions.__doc__ = original.__doc__
    agent_class.init_actions = classmethod(init_actions)
    agent_class._talemate_visual_panels = adders
    return adders


def register(tm: _Talemate, component: Component, agent_class: type) -> Optional[type]:
    """Registers ``component`` with Talemate: its backend class in
    ``BACKENDS``, its methods on the agent class, its panels in
    ``init_actions``. Returns the class, or ``None`` when the name is taken."""
    existing = tm.backends.BACKENDS.get(component.name)
    if existing is not None:
        if getattr(existing, "component", None) is not None:
            return existing  # installed before (install() is idempotent)
        log.warning("%s: a Talemate backend named %r exists already; not registered", component.path, component.name)
        return None
    cls = backend_class(tm, component)
    methods = agent_methods(tm, component, cls)
    clash = [m for m in methods if hasattr(agent_class, m)]
    if clash:
        log.warning("%s: the Visualizer agent already has %s; not registered", component.path, ", ".join(clash))
        return None
    tm.backends.register(cls)
    for method_name, fn in methods.items():
        setattr(agent_class, method_name, fn)
    wrap_init_actions(agent_class).append(panels(tm, component))
    log.info("registered the visual backend %s (%s) from %s", component.name, component.label, component.path)
    return cls


def install_components(
    components: Sequence[Tuple[Path, Any]], agent_class: Optional[type] = None
) -> List[type]:
    tm = _Talemate()
    agent_class = agent_class or tm.visual_agent_class()
    out: List[type] = []
    for path, backend in components:
        labels = [getattr(c, "label", "") for c in tm.backends.BACKENDS.values()]
        try:
            component = describe(path, backend, labels)
        except Exception as e:
            log.error("%s: cannot read the backend's info: %s", path, e)
            continue
        cls = register(tm, component, agent_class)
        if cls is not None and cls not in out:
            out.append(cls)
    return out


__all__ = ["install_components"]
