"""The OpenAI backend through the Python host, against the strict mock:
every operation, every error kind through the real component, and the
Python side of the contract (dataclasses, bytes, enums)."""

from __future__ import annotations

import asyncio

import pytest

from conftest import TODAY, settings_for
from helpers import png_size
from talemate_visual import (
    Analysis,
    Authentication,
    Capability,
    ContentPolicy,
    Generation,
    ImageFormat,
    InvalidInput,
    MalformedResponse,
    ModelEntry,
    Network,
    NotFound,
    PartialImage,
    PermissionDenied,
    PromptStyle,
    QuotaExceeded,
    RateLimited,
    Status,
    StatusLevel,
    Timeout,
    TimeoutPhase,
    Unsupported,
    Upstream,
    VisualBackendError,
    _native,
)

#: Served today, and known to the backend for every contract version it has had.
MODEL = "gpt-image-2"
SIZES = {
    ImageFormat.LANDSCAPE: (1536, 1024),
    ImageFormat.PORTRAIT: (1024, 1536),
    ImageFormat.SQUARE: (1024, 1024),
}


def contract_0_2(backend) -> bool:
    """Built for contract 0.2 or later (0.1 had fixed settings and no live model list)."""
    return not backend.contract.endswith("@0.1.0")


def require_0_2(backend):
    if not contract_0_2(backend):
        pytest.skip(f"the OpenAI component is built for {backend.contract}; this checks a 0.2 feature")


def test_info_declares_capabilities_models_and_settings(openai):
    info = openai.info()
    assert (info.name, info.prompt_style) == ("openai", PromptStyle.DESCRIPTIVE)
    for capability in Capability:
        found = info.capability(capability)
        assert found is not None and found.supported and found.models, capability
        assert found.default_model, capability
    key = info.setting("api-key")
    assert key is not None and key.kind.name == "secret" and key.python_name == "api_key"
    assert info.setting("base-url").kind.name == "url"
    assert info.setting("extra-headers").kind.name == "pairs"
    for name in ("connect-timeout", "generation-timeout", "between-bytes-timeout"):
        assert info.setting(name).kind.name == "duration", name
    assert info.setting("max-retries").kind.name == "number"
    gpt_image = info.capability("text-to-image").model(MODEL)
    assert gpt_image is not None
    for format, size in SIZES.items():
        assert (gpt_image.size_for(format).width, gpt_image.size_for(format).height) == size


def test_info_names_todays_defaults(openai):
    require_0_2(openai)
    info = openai.info()
    assert info.capability("text-to-image").default_model == "gpt-image-2.6-flare"
    assert info.capability("image-edit").default_model == "gpt-image-2.6-sunburst"
    assert info.capability("image-analysis").default_model == "gpt-6-luna"
    assert info.setting("api-key").required
    dall_e_3 = info.capability("text-to-image").model("dall-e-3")
    assert dall_e_3 is not None and dall_e_3.lifecycle.state == "retired"


def test_check_reports_ready_and_a_bad_key(openai, client, mock):
    status = client.check(Capability.TEXT_TO_IMAGE, MODEL)
    assert isinstance(status, Status) and status.model == MODEL
    assert status.level in (StatusLevel.OK, StatusLevel.WARNING) and status.problem is None, status
    with openai.open(api_key="sk-wrong-key-123", base_url=mock.base_url, max_retries=0) as bad:
        status = bad.check("text-to-image", MODEL)
    assert status.level == StatusLevel.ERROR
    assert isinstance(status.problem, Authentication), status
    assert "sk-wrong-key-123" not in status.message


def test_check_warns_about_a_deprecated_model(client):
    require_0_2(client.backend)
    status = client.check("image-analysis", "gpt-4o-mini")
    assert status.level == StatusLevel.WARNING and "2027-01-14" in status.message, status


@pytest.mark.parametrize("format", list(ImageFormat))
def test_generate_draws_the_size_of_the_format(client, format):
    generation = client.generate("a lighthouse at dusk, oil painting", format, model=MODEL)
    assert isinstance(generation, Generation) and generation.model.startswith(MODEL)
    (image,) = generation.images
    assert type(image.data) is bytes and image.mime_type == "image/png"
    assert (image.width, image.height) == SIZES[format] == png_size(image.data)


def test_generate_with_the_defaults(client, mock):
    generation = client.generate("a red fox in snow", "landscape")
    assert png_size(generation.images[0].data) == (generation.images[0].width, generation.images[0].height)
    (sent,) = mock.requests()
    assert sent["ok"], sent


def test_quality_tiers_and_free_sizes_of_the_2_5_family(client):
    require_0_2(client.backend)
    generation = client.generate("a harbour", "landscape", model="gpt-image-2.5-sunburst", quality="xhigh", size=(2560, 1440))
    assert png_size(generation.images[0].data) == (2560, 1440)
    with pytest.raises(InvalidInput):
        client.generate("a harbour", "landscape", model="gpt-image-2", quality="max")


def test_a_retired_model_is_not_found(client):
    with pytest.raises(NotFound) as caught:
        client.generate("a boat", "square", model="dall-e-3")
    assert caught.value.status == 404
    if contract_0_2(client.backend):
        assert "retired" in caught.value.message or "shut down" in caught.value.message


def test_edit_with_a_reference_image_and_a_mask(client, mock):
    reference = client.generate("a cat", "square", model=MODEL).images[0].data
    edited = client.edit("the same cat wearing a hat", [reference], "portrait", model=MODEL)
    assert png_size(edited.images[0].data) == (1024, 1536)
    assert edited.images[0].data != reference
    single = client.edit("the cat again", reference, "square", model=MODEL)  # one image, not a list
    assert png_size(single.images[0].data) == (1024, 1024)
    edit = mock.requests()[-1]
    assert edit["path"].endswith("/images/edits") and edit["ok"], edit


def test_analyze_answers_in_text(client):
    image = client.generate("a bowl of fruit", "square", model=MODEL).images[0].data
    analysis = client.analyze(image, "What is in this picture?", model="gpt-4.1-mini", max_output_tokens=200)
    assert isinstance(analysis, Analysis) and analysis.text.strip()
    assert analysis.finish_reason == "stop" and not analysis.truncated
    assert analysis.usage is not None and analysis.usage.total_tokens > 0


def test_models_lists_what_the_service_offers(client, mock):
    models = client.models("text-to-image")
    assert models and all(isinstance(m, ModelEntry) and m.capability == Capability.TEXT_TO_IMAGE for m in models)
    assert MODEL in {m.id for m in models}
    if contract_0_2(client.backend):
        # The service, not a table: a model added while it runs is listed at once.
        mock.add_model("gpt-image-9-test", "image")
        listed = {m.id: m for m in client.models("text-to-image")}
        assert listed["gpt-image-9-test"].listed
        dall_e_3 = listed.get("dall-e-3")
        assert dall_e_3 is None or not dall_e_3.listed


def test_a_streamed_generation_yields_partials_then_the_result(client):
    with client.start_generate("a castle", "landscape", model=MODEL, partial_images=2) as stream:
        events = list(stream)
    partials = [e for e in events if isinstance(e, PartialImage)]
    assert partials and all(png_size(p.image.data) for p in partials)
    assert [p.partial_index for p in partials] == list(range(len(partials)))
    assert isinstance(events[-1], Generation) and stream.result == events[-1]
    assert png_size(events[-1].images[0].data) == (1536, 1024)
    assert stream.next() is None


def test_a_streamed_edit_runs_to_its_result(client):
    reference = client.generate("a cat", "square", model=MODEL).images[0].data
    seen = []
    stream = client.start_edit("a cat in a hat", [reference], "square", model=MODEL, partial_images=1)
    result = stream.wait(on_partial=seen.append)
    assert seen and isinstance(seen[0], PartialImage)
    assert png_size(result.images[0].data) == (1024, 1024)


def test_async_calls_run_on_the_event_loop(client):
    async def main():
        loop_thread_ticks = 0

        async def ticker():
            nonlocal loop_thread_ticks
            while True:
                await asyncio.sleep(0.005)
                loop_thread_ticks += 1

        tick = asyncio.ensure_future(ticker())
        one, two, status, models = await asyncio.gather(
            client.agenerate("one", "square", model=MODEL),
            client.agenerate("two", "landscape", model=MODEL),
            client.acheck("text-to-image", MODEL),
            client.amodels(),
        )
        image = one.images[0].data
        analysis = await client.aanalyze(image, "what?", model="gpt-4.1-mini")
        edited = await client.aedit("more", [image], "square", model=MODEL)
        stream = await client.astart_generate("three", "portrait", model=MODEL, partial_images=1)
        events = [event async for event in stream]
        tick.cancel()
        return one, two, status, models, analysis, edited, events, loop_thread_ticks

    one, two, status, models, analysis, edited, events, ticks = asyncio.run(main())
    assert png_size(one.images[0].data) == (1024, 1024)
    assert png_size(two.images[0].data) == (1536, 1024)
    assert status.level != StatusLevel.ERROR and models
    assert isinstance(analysis, Analysis) and isinstance(edited, Generation)
    assert isinstance(events[0], PartialImage) and png_size(events[-1].images[0].data) == (1024, 1536)
    assert ticks > 0, "the event loop was blocked"


def test_async_open_and_context_managers(openai, mock):
    async def main():
        async with await openai.aopen(settings_for(mock)) as client:
            info = await openai.ainfo()
            generation = await client.agenerate("a fox", "square", model=MODEL)
        return info, generation

    info, generation = asyncio.run(main())
    assert info.name == "openai" and png_size(generation.images[0].data) == (1024, 1024)


# ---- every error kind, through the real component ----------------------------------


def _generate(client):
    return client.generate("a boat", "square", model=MODEL)


@pytest.mark.parametrize(
    "fault, error, status",
    [
        ("org_not_verified", PermissionDenied, 403),
        ("model_not_found", NotFound, 404),
        ("moderation_blocked", ContentPolicy, 400),
        ("insufficient_quota", QuotaExceeded, 429),
        ("server_error", Upstream, 500),
        ("bad_base64", MalformedResponse, 200),
    ],
)
def test_service_failures_raise_their_class(client, mock, fault, error, status):
    mock.push_fault(fault)
    with pytest.raises(error) as caught:
        _generate(client)
    assert caught.value.kind == error.kind and caught.value.status == status
    assert isinstance(caught.value, VisualBackendError)
    # The client carries on.
    assert _generate(client).images


def test_rate_limited_carries_the_wait(client, mock):
    mock.push_fault("rate_limited", retry_after_ms=120_000)
    with pytest.raises(RateLimited) as caught:
        _generate(client)
    assert caught.value.retry_after_ms == 120_000 and caught.value.status == 429


def test_a_bad_key_is_authentication_and_never_echoed(openai, mock):
    key = "sk-not-the-right-one-0123456789"
    with openai.open(api_key=key, base_url=mock.base_url, max_retries=0) as bad:
        with pytest.raises(Authentication) as caught:
            _generate(bad)
        mock.push_fault("echo_key")
        with pytest.raises(Authentication) as echoed:
            _generate(bad)
    for error in (caught.value, echoed.value):
        assert error.status == 401 and key not in str(error) and key not in repr(error)


def test_the_plugins_own_timeout(openai, mock):
    mock.set_fault_always("no_first_byte", seconds=5)
    with openai.open(settings_for(mock), generation_timeout=300) as client:
        with pytest.raises(Timeout) as caught:
            _generate(client)
    assert caught.value.phase is TimeoutPhase.FIRST_BYTE


def test_an_unreachable_service_is_network(openai):
    with openai.open(api_key="sk-x", base_url="http://127.0.0.1:9/v1", max_retries=0) as client:
        with pytest.raises(Network):
            _generate(client)


def test_invalid_input_and_unsupported_send_nothing(client, openai, gateway):
    with pytest.raises(InvalidInput):
        client.generate("", "square", model=MODEL)
    with openai.open(settings_for(gateway)) as through_gateway:
        with pytest.raises(Unsupported) as caught:
            through_gateway.edit("add a moon", [b"\x89PNG\r\n\x1a\n"], "square", model="dall-e-3")
    assert caught.value.status is None
    assert gateway.requests() == []


def test_azure_deployments(openai):
    azure = {"api_version": "2025-04-01-preview", "deployments": [("pictures", MODEL)]}
    with _native.MockServer("api", today=TODAY, azure=azure) as server:
        settings = {
            "api-key": server.api_key,
            "azure-endpoint": server.base_url,
            "azure-api-version": "2025-04-01-preview",
            "azure-text-to-image-deployment": "pictures",
            "max-retries": 0,
        }
        assert server.base_url.removeprefix("http://") in openai.allowed_hosts(settings)
        with openai.open(settings) as client:
            generation = client.generate("a lighthouse", "landscape")
        (sent,) = server.requests()
    assert png_size(generation.images[0].data) == (1536, 1024)
    assert "/openai/deployments/pictures/images/generations" in sent["path"] and sent["ok"], sent
