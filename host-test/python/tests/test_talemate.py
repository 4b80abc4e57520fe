"""The Talemate adapter (``talemate_visual.talemate``) through the real
components against the mock, inside a stand-in of Talemate 0.36.1's
Visualizer (``tests/talemate_standin``, each symbol citing the Talemate file
it mirrors): registration, the three backend selections, the panels, the
model lists, the status of every kind, generate, edit with references,
analyze, "References N", cancel, the timeout, and a status check that never
waits behind a generation."""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import re
import shutil
import time

import pytest
import structlog.testing

from conftest import TODAY
from helpers import png_size, solid_png
from talemate_standin.harness import (
    AGENT_METHODS,
    PANELS,
    clear_status_cache,
    events,
    generated,
    openai_panels,
    save_mixed_settings,
    panel,
    save_settings,
    settle,
    stand_in,
    start,
)


@pytest.fixture
def talemate(tmp_path, monkeypatch, openai_wasm, placeholder_wasm):
    """A fresh stand-in Talemate, and a folder holding both components."""
    with stand_in(tmp_path, monkeypatch, TODAY) as tree:
        tree.components = tmp_path / "components"
        tree.components.mkdir()
        shutil.copy(openai_wasm, tree.components)
        shutil.copy(placeholder_wasm, tree.components)
        yield tree


def install(tree):
    import talemate.agents  # noqa: F401  (Talemate's own backends first)

    return tree.adapter.install(tree.components, bundled=False)


def install_openai(tree, mock, *, timeout=None, **panel_values):
    """Both components installed; the OpenAI backend draws, against the mock
    with its key, used despite a warning."""
    install(tree)
    panels = openai_panels(mock, use_despite_warnings=True, **panel_values)
    save_settings(key=mock.api_key, backend="wasm_openai", timeout=timeout, **panels)


def status_of(backend):
    return backend.status.type.name, backend.status.message


async def settled_agent():
    """The Visualizer agent, started as Talemate starts it, once its
    backends' first status checks have answered."""
    agent = await start()
    await settle(agent)
    return agent


async def generating_slowly(agent, mock, prompt: str, seconds: float):
    """A generation Talemate started whose first byte the mock holds back for
    ``seconds``, once it has reached the mock."""
    from talemate.agents.visual.schema import GenerationRequest

    mock.push_fault("no_first_byte", seconds=seconds)
    await agent.generate(GenerationRequest(prompt=prompt))
    while mock.in_flight() == 0:
        await asyncio.sleep(0.01)


async def disconnected(mock, since: float):
    """Waits until the mock has seen the client close the connection, at
    most 2 s after ``since``."""
    while mock.disconnects() == 0:
        assert time.monotonic() - since < 2, "the mock never saw the client go"
        await asyncio.sleep(0.01)


async def analyzed(agent):
    """Has Talemate analyze a 16x16 portrait of the scene, as it does, and
    waits (10 s at most) until it says so."""
    from talemate.agents.visual.schema import AnalysisRequest
    from talemate.context import active_scene
    from talemate.scene_assets import Scene

    active_scene.set(Scene({"portrait": solid_png(16, 16)}))
    await agent.analyze(AnalysisRequest(prompt="What colour is it?", asset_id="portrait"))
    for _ in range(200):
        if events("image_analyzed"):
            break
        await asyncio.sleep(0.05)


def test_every_component_in_the_folder_is_registered(talemate):
    classes = install(talemate)
    from talemate.agents.visual.agent import VisualAgent
    from talemate.agents.visual.backends import BACKENDS
    from talemate.agents.visual.schema import PROMPT_TYPE

    assert [c.name for c in classes] == ["wasm_openai", "wasm_placeholder"]
    assert list(BACKENDS) == ["openai", "wasm_openai", "wasm_placeholder"]  # Talemate's own stays
    openai, placeholder = classes
    assert (openai.label, placeholder.label) == ("OpenAI (component)", "Placeholder (offline)")
    for cls in classes:
        assert (cls.image_create, cls.image_edit, cls.image_analyzation) == (True, True, True)
        assert cls().prompt_type == PROMPT_TYPE.DESCRIPTIVE
        for method in AGENT_METHODS:
            assert callable(getattr(VisualAgent, f"{cls.name}_{method}"))
    assert openai.description.startswith("Images from OpenAI")
    # Installing again registers nothing twice.
    assert talemate.adapter.install(talemate.components, bundled=False) == classes


def test_the_three_selections_offer_each_backend(talemate, mock):
    install(talemate)
    save_mixed_settings(mock)

    async def main():
        agent = await start()
        config = agent.actions["_config"].config
        for selection in ("backend", "backend_image_edit", "backend_image_analyzation"):
            values = [c["value"] for c in config[selection].choices]
            assert values == ["openai", "wasm_openai", "wasm_placeholder", ""], selection
        assert (agent.backend.name, agent.backend.capability) == ("wasm_placeholder", "text-to-image")
        assert (agent.backend_image_edit.name, agent.backend_image_edit.capability) == ("wasm_openai", "image-edit")
        assert agent.backend_image_analyzation.capability == "image-analysis"
        # A panel per capability, shown only when its backend is selected.
        for suffix, attribute in (("image_create", "backend"), ("image_edit", "backend_image_edit"), ("image_analyzation", "backend_image_analyzation")):
            action = agent.actions[f"wasm_openai_{suffix}"]
            assert action.container and action.condition.attribute == f"_config.config.{attribute}"
            assert action.condition.value == "wasm_openai"
        # A change of panel settings updates the instance the slot holds.
        edit = agent.backend_image_edit
        agent.actions["wasm_openai_image_edit"].config["model"].value = "gpt-image-2"
        await agent.apply_config(actions=None)
        assert agent.backend_image_edit is edit and edit.model == "gpt-image-2"

    asyncio.run(main())


def test_panels_have_a_field_of_the_matching_kind_per_declared_setting(talemate):
    install(talemate)
    save_settings()

    async def main():
        agent = await start()
        config = agent.actions["wasm_openai_image_create"].config
        # The key is Talemate's own OpenAI key.
        assert (config["api_key"].type, config["api_key"].value) == ("unified_api_key", "openai.api_key")
        kinds = {key: field.type for key, field in config.items()}
        assert kinds == {
            "api_key": "unified_api_key",
            "model": "text",
            "output_format": "text",
            "base_url": "text",
            "organization": "text",
            "project": "text",
            "extra_headers": "blob",
            "azure_endpoint": "text",
            "azure_api_version": "text",
            "azure_text_to_image_deployment": "text",
            "azure_image_edit_deployment": "text",
            "azure_image_analysis_deployment": "text",
            "connect_timeout": "text",
            "between_bytes_timeout": "text",
            "max_retries": "number",
            "max_response_bytes": "text",
            "use_despite_warnings": "bool",
        }
        # No field for what Talemate decides itself: the key and the generation timeout.
        assert "generation_timeout" not in config
        # Only the formats Talemate can store (as PNG): never GIF or SVG, which the 2.6 models declare.
        assert [c["value"] for c in config["output_format"].choices] == ["png", "jpeg", "webp"]
        assert config["output_format"].value == "png"
        edit_formats = agent.actions["wasm_openai_image_edit"].config["output_format"].choices
        assert [c["value"] for c in edit_formats] == ["png", "jpeg", "webp"]
        assert "output_format" not in agent.actions["wasm_openai_image_analyzation"].config
        assert (config["max_retries"].min, config["max_retries"].max, config["max_retries"].step) == (0, 10, 1)
        assert config["base_url"].value == "https://api.openai.com/v1"
        assert config["connect_timeout"].label == "Connect timeout (seconds)" and config["connect_timeout"].value == "10"
        assert config["max_response_bytes"].value == "67108864"
        # The placeholder declares no settings: the model, and the warning switch.
        assert list(agent.actions["wasm_placeholder_image_create"].config) == ["model", "use_despite_warnings"]

    asyncio.run(main())


def test_models_are_offered_with_notes_and_lifecycle_then_the_live_list(talemate, mock):
    install(talemate)
    save_settings(key=mock.api_key, analysis="wasm_openai", **openai_panels(mock))
    mock.add_model("gpt-6.2-nova", "chat")  # served, and unknown to the backend

    async def main():
        agent = await start()
        create = agent.actions["wasm_openai_image_create"].config["model"]
        analysis = agent.actions["wasm_openai_image_analyzation"].config["model"]
        # Before any check: the models info() knows; retired ones are not offered.
        ids = [c["value"] for c in create.choices]
        assert ids == ["gpt-image-2.6-flare", "gpt-image-2.6-sunburst", "gpt-image-2.5-flare", "gpt-image-2.5-sunburst", "gpt-image-2"]
        assert create.value == "gpt-image-2.6-flare"
        assert "verified OpenAI organization" in create.note_on_value["gpt-image-2"].text
        assert create.note_on_value["gpt-image-2"].color == "warning"
        labels = {c["value"]: c["label"] for c in analysis.choices}
        assert labels["gpt-4.1-mini"] == "GPT-4.1 mini (deprecated, stops 2027-01-14)"
        note = analysis.note_on_value["gpt-4.1-mini"]
        assert (note.color, note.text.split(". ")[0]) == ("warning", "Deprecated: stops being served on 2027-01-14; use gpt-6-luna instead")
        assert analysis.value == "gpt-6-luna"
        assert "gpt-6.2-nova" not in labels
        # With a key, the live list replaces it once a check has passed.
        await settle(agent)
        for _ in range(100):
            await agent.emit_status()
            if "gpt-6.2-nova" in [c["value"] for c in analysis.choices]:
                break
            await asyncio.sleep(0.05)
        labels = {c["value"]: c["label"] for c in analysis.choices}
        assert labels["gpt-6.2-nova"] == "gpt-6.2-nova"
        assert labels["gpt-5"] == "GPT-5 (deprecated, stops 2026-12-11)"
        assert "dall-e-3" not in labels and analysis.value == "gpt-6-luna"
        assert any(r["path"] == "/v1/models" for r in mock.requests())

    asyncio.run(main())


def test_no_key_is_disconnected_and_says_where_to_set_it(talemate, mock):
    install(talemate)
    save_settings(key=None, backend="wasm_openai", **openai_panels(mock))

    async def main():
        agent = await settled_agent()
        kind, message = status_of(agent.backend)
        assert kind == "DISCONNECTED"
        assert "Settings > Application > OpenAI" in message and "OpenAI API Key" in message
        assert agent.backend.status_color == "muted"

    asyncio.run(main())
    assert mock.requests() == []


def test_ok_and_warning(talemate, mock):
    install(talemate)
    save_settings(key=mock.api_key, backend="wasm_openai", edit="wasm_openai", analysis="wasm_openai", **openai_panels(mock))

    async def main():
        agent = await settled_agent()
        assert status_of(agent.backend_image_analyzation) == ("OK", "`gpt-6-luna` is available")
        kind, message = status_of(agent.backend)
        assert kind == "WARNING" and "organization verification" in message
        assert agent.backend.status_description == f"Connected to gpt-image-2.6-flare - {message}"
        assert agent.ready is False  # Talemate uses only a backend whose status is OK
        # "Use while the status is a warning": OK for Talemate, still amber with the warning.
        agent.actions["wasm_openai_image_create"].config["use_despite_warnings"].value = True
        await agent.apply_config(actions=None)
        clear_status_cache()
        await settle(agent)
        assert status_of(agent.backend) == ("OK", message)
        assert agent.backend.status_color == "warning"
        assert agent.backend.status_description.endswith(message)
        assert agent.can_generate_images

    asyncio.run(main())


def test_ticking_use_despite_warnings_is_ok_at_the_very_next_check(talemate, mock):
    """The status cache key includes the option, so the next check after
    ticking it is a fresh one that answers OK (with the option left out of
    the key, Talemate kept showing the cached warning for 10 s)."""
    install(talemate)
    save_settings(key=mock.api_key, backend="wasm_openai", **openai_panels(mock))

    async def main():
        agent = await settled_agent()
        kind, message = status_of(agent.backend)
        assert kind == "WARNING" and not agent.can_generate_images
        option = agent.actions["wasm_openai_image_create"].config["use_despite_warnings"]
        option.value = True
        await agent.apply_config(actions=None)
        await settle(agent)  # no cache clearing: the very next check
        assert status_of(agent.backend) == ("OK", message)
        assert agent.backend.status_color == "warning" and agent.can_generate_images
        # Unticking it is the warning again, at once.
        option.value = False
        await agent.apply_config(actions=None)
        await settle(agent)
        assert status_of(agent.backend) == ("WARNING", message)

    asyncio.run(main())


def test_each_calls_estimated_cost_goes_to_talemates_log(talemate, mock):
    install(talemate)
    save_settings(
        key=mock.api_key,
        backend="wasm_openai",
        analysis="wasm_openai",
        **openai_panels(mock, use_despite_warnings=True),
    )

    async def main():
        from talemate.agents.visual.schema import FORMAT_TYPE, GenerationRequest

        agent = await settled_agent()
        await generated(agent, GenerationRequest(prompt="a lighthouse", format=FORMAT_TYPE.SQUARE))
        await analyzed(agent)

    with structlog.testing.capture_logs() as logs:
        asyncio.run(main())
    costs = {e["call"]: e for e in logs if e["event"] == "visual backend cost"}
    assert sorted(costs) == ["analyze", "generate"], logs
    generate, analyze = costs["generate"], costs["analyze"]
    assert (generate["model"], generate["backend"], generate["log_level"]) == ("gpt-image-2.6-flare", "wasm_openai", "info")
    assert analyze["model"] == "gpt-6-luna"
    for line in (generate, analyze):
        assert re.fullmatch(r"(at least )?\$\d+\.\d{4}", line["cost"]), line
        assert line["usd"] > 0


def test_the_panels_output_format_is_asked_for_and_stored_as_png(talemate, mock, monkeypatch):
    """A JPEG answer becomes PNG, as Talemate stores it (Pillow does that in
    Talemate; here a stand-in converter records the call)."""
    install_openai(talemate, mock, output_format="jpeg")
    import talemate_visual.talemate._agent as adapter_agent

    converted = []

    def to_png(data: bytes) -> bytes:
        converted.append(data)
        return solid_png(1024, 1536)

    monkeypatch.setattr(adapter_agent, "_to_png", to_png)

    async def main():
        from talemate.agents.visual.schema import FORMAT_TYPE, GenerationRequest

        agent = await start()
        assert agent.backend.output_format == "jpeg"
        await settle(agent)
        response = await generated(agent, GenerationRequest(prompt="a lighthouse", format=FORMAT_TYPE.PORTRAIT))
        assert png_size(response.generated) == (1024, 1536)

    asyncio.run(main())
    (jpeg,) = converted
    assert jpeg[:3] == b"\xff\xd8\xff"
    (sent,) = [r for r in mock.requests() if r["path"] == "/v1/images/generations"]
    assert sent["params"]["output_format"] == "jpeg"


def test_the_output_format_asked_for_is_never_gif_or_svg(openai):
    from talemate_visual.talemate._spec import TALEMATE_FORMATS, format_choices, output_format_for

    info = openai.info()
    create, edit = info.capability("text-to-image"), info.capability("image-edit")
    assert format_choices(create) == format_choices(edit) == list(TALEMATE_FORMATS) == ["png", "jpeg", "webp"]
    for wanted in (None, "png", "gif", "svg"):
        assert output_format_for(create, "gpt-image-2.6-flare", wanted) == "png", wanted
    assert output_format_for(create, None, "webp") == "webp"  # the default model
    assert output_format_for(create, "gpt-image-9-unknown", "jpeg") == "jpeg"  # the service decides
    assert output_format_for(create, "dall-e-3", "jpeg") is None  # a model that takes no choice


@pytest.mark.parametrize(
    "fault, words",
    [
        ("unauthorized", "API key was refused"),  # authentication
        ("org_not_verified", "must be verified"),  # permission-denied
        ("model_not_found", "not found"),  # not-found
        (None, "could not connect"),  # network
    ],
)
def test_errors_are_error_with_the_backends_message(talemate, mock, fault, words):
    install(talemate)
    panels = openai_panels(mock) if fault else openai_panels(mock, base_url="http://127.0.0.1:9/v1")
    save_settings(key=mock.api_key, backend="wasm_openai", **panels)
    if fault:
        mock.set_fault_always(fault)

    async def main():
        agent = await settled_agent()
        kind, message = status_of(agent.backend)
        assert kind == "ERROR" and words in message, message
        assert agent.backend.status_color == "error" and agent.backend.status_description == message
        assert mock.api_key not in message

    asyncio.run(main())


def test_a_rate_limited_check_is_a_warning(talemate, mock):
    install(talemate)
    save_settings(key=mock.api_key, analysis="wasm_openai", **openai_panels(mock))
    mock.set_fault_always("rate_limited")

    async def main():
        agent = await settled_agent()
        kind, message = status_of(agent.backend_image_analyzation)
        assert kind == "WARNING" and "rate limited" in message

    asyncio.run(main())


def test_generate_uses_the_format_not_the_resolution_and_returns_png(talemate, mock):
    install_openai(talemate, mock)

    async def main():
        from talemate.agents.visual.schema import FORMAT_TYPE, GenerationRequest

        agent = await settled_agent()
        request = GenerationRequest(prompt="a lighthouse at dusk", format=FORMAT_TYPE.PORTRAIT)
        assert (request.resolution.width, request.resolution.height) == (832, 1216)  # Talemate's SDXL default
        response = await generated(agent, request)
        assert response.backend_name == "wasm_openai"
        assert png_size(response.generated) == (1024, 1536)
        assert (request.resolution.width, request.resolution.height) == (1024, 1536)
        assert response.image_data.startswith("data:image/png;base64,")

    asyncio.run(main())
    (sent,) = [r for r in mock.requests() if r["path"] == "/v1/images/generations"]
    body = json.loads(sent["json"])
    assert (body["size"], body["output_format"], body["model"]) == ("1024x1536", "png", "gpt-image-2.6-flare")


def test_edit_sends_the_references_up_to_what_the_backend_takes(talemate, mock):
    install(talemate)
    save_settings(key=mock.api_key, edit="wasm_openai", **openai_panels(mock, use_despite_warnings=True))
    assets = {f"ref{i}": solid_png(8, 8, rgb=(i * 10, 0, 0)) for i in range(17)}
    inline = "data:image/png;base64," + base64.b64encode(solid_png(8, 8, rgb=(0, 0, 255))).decode()

    async def main():
        from talemate.agents.visual.schema import FORMAT_TYPE, GEN_TYPE, GenerationRequest
        from talemate.context import active_scene
        from talemate.scene_assets import Scene

        agent = await settled_agent()
        assert agent.agent_details["max_references"]["value"] == "References 16"
        active_scene.set(Scene(assets))
        two = GenerationRequest(
            prompt="the same lighthouse in winter",
            gen_type=GEN_TYPE.IMAGE_EDIT,
            format=FORMAT_TYPE.SQUARE,
            reference_assets=["ref1", "not-in-the-scene", "ref2"],
            inline_reference=inline,
        )
        response = await generated(agent, two)
        assert png_size(response.generated) == (1024, 1024)
        many = GenerationRequest(prompt="all of them", gen_type=GEN_TYPE.IMAGE_EDIT, reference_assets=list(assets))
        await generated(agent, many)

    asyncio.run(main())
    edits = [r for r in mock.requests() if r["path"] == "/v1/images/edits"]
    assert [r["ok"] for r in edits] == [True, True], edits
    images = [[p for p in r["parts"] if p[0] in ("image", "image[]")] for r in edits]
    assert [len(i) for i in images] == [3, 16]  # the inline reference first; 17 cut to 16
    assert edits[0]["model"] == "gpt-image-2.6-sunburst"


def test_references_n_follows_the_edit_model(talemate, mock):
    install(talemate)
    save_settings(key=mock.api_key, backend="wasm_openai", edit="wasm_placeholder", **openai_panels(mock))

    async def main():
        agent = await start()
        assert agent.agent_details["max_references"]["value"] == "References 16"
        assert agent.meta["image_edit"]["max_references"] == 16
        assert agent.backend.max_references == 16  # the text-to-image slot shows none
        assert "max_references" not in {k for k in agent.agent_details if k != "max_references"}

    asyncio.run(main())


def test_analyze_answers_into_the_response(talemate, mock):
    install(talemate)
    save_settings(key=mock.api_key, analysis="wasm_openai", **openai_panels(mock))

    async def main():
        agent = await settled_agent()
        await analyzed(agent)
        (event,) = events("image_analyzed")
        assert event["data"]["analysis"] and event["data"]["backend_name"] == "wasm_openai"

    asyncio.run(main())
    (sent,) = [r for r in mock.requests() if r["path"] == "/v1/chat/completions"]
    assert sent["model"] == "gpt-6-luna" and sent["ok"]


def test_cancel_closes_the_connection(talemate, mock):
    install_openai(talemate, mock)

    async def main():
        agent = await settled_agent()
        await generating_slowly(agent, mock, "a very slow lighthouse", seconds=20)
        started = time.monotonic()
        await agent.cancel_generation()  # tasks cancelled, then cancel_request()
        await disconnected(mock, since=started)
        await asyncio.sleep(0.1)
        assert mock.in_flight() == 0
        assert events("image_generation_failed") == [] and events("image_generated") == []

    asyncio.run(main())


def test_cancel_request_alone_cancels_the_call_in_flight(talemate, mock):
    install_openai(talemate, mock)

    async def main():
        from talemate.agents.visual.schema import GenerationRequest, GenerationResponse

        agent = await start()
        mock.push_fault("no_first_byte", seconds=20)
        request = GenerationRequest(prompt="a slow lighthouse")
        task = asyncio.ensure_future(agent.backend.generate(request, GenerationResponse(request=request)))
        while mock.in_flight() == 0:
            await asyncio.sleep(0.01)
        await agent.backend.cancel_request()
        with pytest.raises(asyncio.CancelledError):
            await task
        await disconnected(mock, since=time.monotonic())

    asyncio.run(main())


def test_a_slow_generation_does_not_delay_a_status_check(talemate, mock):
    install_openai(talemate, mock)

    async def main():
        agent = await settled_agent()
        await generating_slowly(agent, mock, "a slow lighthouse", seconds=8)
        started = time.monotonic()
        status = await agent.backend.test_connection()
        assert time.monotonic() - started < 1.5  # the generation waits 8 s for its first byte
        assert status.type.name == "OK" and mock.in_flight() == 1
        await agent.cancel_generation()

    asyncio.run(main())


def test_the_generation_timeout_is_talemates(talemate, mock):
    install_openai(talemate, mock, timeout=1)

    async def main():
        from talemate.agents.visual.schema import GenerationRequest

        agent = await settled_agent()
        mock.push_fault("no_first_byte", seconds=10)
        started = time.monotonic()
        await agent.generate(GenerationRequest(prompt="a slow lighthouse"))
        while not events("image_generation_failed"):
            assert time.monotonic() - started < 5
            await asyncio.sleep(0.02)
        (failed,) = events("image_generation_failed")
        assert "timed out" in failed["data"]["error"] or "first byte" in failed["data"]["error"], failed

    asyncio.run(main())


def test_an_image_call_refused_for_the_organization_turns_the_status_red(talemate, mock):
    install_openai(talemate, mock)

    async def main():
        from talemate.agents.visual.schema import GenerationRequest

        agent = await settled_agent()
        assert status_of(agent.backend)[0] == "OK"
        mock.push_fault("org_not_verified")
        await agent.generate(GenerationRequest(prompt="a lighthouse"))
        while not events("image_generation_failed"):
            await asyncio.sleep(0.02)
        clear_status_cache()
        await settle(agent)
        kind, message = status_of(agent.backend)
        assert kind == "ERROR" and "must be verified" in message

    asyncio.run(main())


def test_the_placeholder_draws_offline(talemate):
    install(talemate)
    save_settings(backend="wasm_placeholder", edit="wasm_placeholder", analysis="wasm_placeholder")

    async def main():
        from talemate.agents.visual.schema import FORMAT_TYPE, GenerationRequest

        agent = await settled_agent()
        assert [status_of(b)[0] for b in (agent.backend, agent.backend_image_edit, agent.backend_image_analyzation)] == ["OK"] * 3
        assert agent.ready
        response = await generated(agent, GenerationRequest(prompt="a fox", format=FORMAT_TYPE.LANDSCAPE))
        assert png_size(response.generated) == (1536, 1024)

    asyncio.run(main())


def test_a_panel_value_that_cannot_be_read_is_the_status(talemate, mock):
    install(talemate)
    save_settings(key=mock.api_key, backend="wasm_openai", **openai_panels(mock, connect_timeout="ten"))

    async def main():
        agent = await settled_agent()
        kind, message = status_of(agent.backend)
        assert kind == "ERROR" and message.startswith("Connect timeout (seconds):")

    asyncio.run(main())


def test_the_package_ships_the_openai_backend(talemate):
    """The wheel's layout, as the suite installs it: the bundled folder holds
    the OpenAI backend, and install() offers it with no folder given."""
    bundled = talemate.adapter.bundled_folder()
    assert (bundled / "openai_visual_backend.wasm").is_file(), bundled
    importlib.import_module("talemate.agents")

    classes = talemate.adapter.install()
    assert [c.name for c in classes] == ["wasm_openai"]


def test_a_saved_panel_is_kept_across_a_restart(talemate, mock):
    """The panels exist when the agent is built, so Talemate applies their
    saved values (agents/base.py:585-608 ignores unknown action keys)."""
    install(talemate)
    save_settings(key=mock.api_key, backend="wasm_openai", wasm_openai_image_create=panel(model="gpt-image-2", base_url=mock.base_url))

    async def main():
        agent = await start()
        assert agent.backend.model == "gpt-image-2"
        assert agent.backend.settings["base-url"] == mock.base_url

    asyncio.run(main())


def test_settings_of_every_kind_become_panel_fields(openai):
    """The kinds the OpenAI backend does not declare, on made-up settings."""
    import datetime

    from talemate_visual.talemate import _spec
    from talemate_visual.types import FieldSpec, NumberRange, ValueKind

    def field(kind, default=None, **kw):
        return _spec.panel_field(FieldSpec("x-y", "X", ValueKind(kind, **kw), default, "help", False), "x_y")

    choice = field("choice", choices=("low", "high"))
    assert (choice.type, choice.value, choice.choices) == ("text", "low", [{"label": "low", "value": "low"}, {"label": "high", "value": "high"}])
    assert (field("flag", True).type, field("flag", True).value, field("flag").to_setting(False)) == ("bool", True, False)
    assert field("secret").type == "password"
    listing = field("text-list", ("a", "b"))
    assert (listing.type, listing.value, listing.to_setting("a\n\n c ")) == ("blob", "a\nb", ["a", "c"])
    pairs = field("pairs", (("X-A", "1"),))
    assert (pairs.type, pairs.value, pairs.to_setting("X-A: 1\nX-B:two")) == ("blob", "X-A: 1", [("X-A", "1"), ("X-B", "two")])
    with pytest.raises(ValueError):
        pairs.to_setting("no colon")
    duration = field("duration", 1500)
    assert (duration.value, duration.to_setting("2.5")) == ("1.5", datetime.timedelta(seconds=2.5))
    slider = field("number", 3.0, range=NumberRange(0, 8, True))
    assert (slider.type, slider.min, slider.max, slider.step, slider.to_setting(4.0)) == ("number", 0, 8, 1, 4)
    free = field("number", range=NumberRange(1, None, False))
    assert (free.type, free.to_setting(" "), free.to_setting("2.5")) == ("text", None, 2.5)
    document = field("json", {"a": [1, 2]})
    assert (document.type, document.label, document.to_setting('{"b": true}')) == ("blob", "X (JSON)", {"b": True})
    assert '"a": [' in document.value
    with pytest.raises(ValueError, match="not a JSON document"):
        document.to_setting("{nope")


def test_the_key_is_talemates_for_openai_backends(openai):
    from dataclasses import replace

    from talemate_visual.talemate._spec import key_from_talemate_openai

    info = openai.info()
    assert key_from_talemate_openai(info)
    # Another name with OpenAI's base URL, and a gateway's base URL.
    assert key_from_talemate_openai(replace(info, name="my-openai"))
    gateway = tuple(replace(s, default="https://gateway.example/v1") if s.name == "base-url" else s for s in info.settings)
    assert not key_from_talemate_openai(replace(info, name="my-gateway", settings=gateway))
    no_key = tuple(s for s in info.settings if s.name != "api-key")
    assert not key_from_talemate_openai(replace(info, settings=no_key))


def test_talemate_names_are_identifiers():
    from talemate_visual.talemate import talemate_name

    assert [talemate_name(n) for n in ("openai", "my-backend.v2", "Ünï")] == ["wasm_openai", "wasm_my_backend_v2", "wasm_n"]
