"""The OpenAI backend through the Python host, against the embedded mock."""

from __future__ import annotations

import asyncio
import threading

import pytest

from helpers import png_size
from talemate_visual import (
    Authentication,
    Capability,
    Generation,
    ImageFormat,
    InvalidInput,
    PartialImage,
    PromptStyle,
    Settings,
    Size,
    StatusLevel,
    Unsupported,
    VisualBackendError,
)

GPT_IMAGE_SIZES = {
    ImageFormat.LANDSCAPE: (1536, 1024),
    ImageFormat.PORTRAIT: (1024, 1536),
    ImageFormat.SQUARE: (1024, 1024),
}


def test_info_lists_capabilities_models_and_sizes(openai):
    info = openai.info()
    assert (info.name, info.prompt_style) == ("openai", PromptStyle.DESCRIPTIVE)
    assert openai.contract == "talemate:visual/visual-backend@0.1.0"
    for capability in Capability:
        assert info.supports(capability), capability
    text_to_image = info.capability("text-to-image")
    assert text_to_image.default_model == "dall-e-3"
    assert text_to_image.model("dall-e-3").size_for("landscape") == Size(1792, 1024)
    gpt_image = text_to_image.model("gpt-image-1")
    for format, (w, h) in GPT_IMAGE_SIZES.items():
        assert gpt_image.size_for(format) == Size(w, h)
    assert info.capability(Capability.IMAGE_EDIT).max_reference_images == 16
    assert info.capability(Capability.IMAGE_ANALYSIS).default_model == "gpt-4.1-mini"


def test_check_reports_ready_and_a_bad_key(openai, client, settings):
    status = client.check(Capability.TEXT_TO_IMAGE, "dall-e-3")
    assert status.level == StatusLevel.OK and status.ok, status
    assert status.model == "dall-e-3"
    # GPT image models may still need a verified organization: a warning, not an error.
    status = client.check(Capability.TEXT_TO_IMAGE, "gpt-image-1")
    assert status.level in (StatusLevel.OK, StatusLevel.WARNING) and status.problem is None, status
    assert status.model == "gpt-image-1"

    with openai.open(Settings(api_key="sk-wrong-key-123", base_url=settings.base_url, max_retries=0)) as bad:
        status = bad.check("text-to-image", "gpt-image-1")
    assert status.level == StatusLevel.ERROR
    assert isinstance(status.problem, Authentication), status
    assert "sk-wrong-key-123" not in status.message


@pytest.mark.parametrize("format", list(ImageFormat))
def test_generate_draws_the_size_of_the_format(client, format):
    generation = client.generate("a lighthouse at dusk, oil painting", format, model="gpt-image-1")
    assert isinstance(generation, Generation)
    assert generation.model.startswith("gpt-image-1")
    (image,) = generation.images
    assert image.mime_type == "image/png"
    assert (image.width, image.height) == GPT_IMAGE_SIZES[format]
    assert png_size(image.data) == GPT_IMAGE_SIZES[format]


def test_generate_with_dalle3_defaults(client):
    generation = client.generate("a red fox in snow", "landscape")
    assert generation.model == "dall-e-3"
    assert png_size(generation.images[0].data) == (1792, 1024)
    assert generation.revised_prompt  # dall-e-3 reports the prompt it used


def test_edit_with_a_reference_image(client):
    reference = client.generate("a cat", "square", model="gpt-image-1").images[0].data
    edited = client.edit("the same cat wearing a hat", [reference], "portrait", model="gpt-image-1")
    assert png_size(edited.images[0].data) == (1024, 1536)
    assert edited.images[0].data != reference


def test_analyze_answers_in_text(client):
    image = client.generate("a bowl of fruit", "square", model="gpt-image-1").images[0].data
    analysis = client.analyze(image, "What is in this picture?", max_output_tokens=200)
    assert analysis.text.strip()
    assert analysis.model.startswith("gpt-4.1-mini")
    assert analysis.finish_reason == "stop" and not analysis.truncated
    assert analysis.usage is not None and analysis.usage.total_tokens > 0


def test_bad_key_raises_authentication_without_the_key(openai, settings):
    with openai.open(api_key="sk-not-the-right-one", base_url=settings.base_url, max_retries=0) as bad:
        with pytest.raises(Authentication) as caught:
            bad.generate("a boat", "square", model="gpt-image-1")
    error = caught.value
    assert error.status == 401 and error.kind == "authentication"
    assert isinstance(error, VisualBackendError)
    assert "sk-not-the-right-one" not in str(error) and "sk-not-the-right-one" not in repr(error)


def test_dalle3_cannot_edit(client):
    with pytest.raises(Unsupported) as caught:
        client.edit("add a moon", [b"\x89PNG\r\n\x1a\n"], "square", model="dall-e-3")
    assert "gpt-image-1" in caught.value.message
    assert caught.value.status is None  # nothing was sent


def test_empty_prompt_is_invalid_input(client):
    with pytest.raises(InvalidInput):
        client.generate("", "square", model="gpt-image-1")


def test_python_side_arguments_are_checked_before_the_call(client):
    with pytest.raises(ValueError, match="ImageFormat"):
        client.generate("a boat", "panorama")
    with pytest.raises(TypeError, match="bytes"):
        client.analyze("not bytes", "what?")
    # The client is still usable afterwards.
    assert client.check().level == StatusLevel.OK


def test_streamed_generation_yields_partials_then_the_result(client):
    with client.start_generate("a castle", "landscape", model="gpt-image-1", partial_images=2) as stream:
        events = list(stream)
    partials = [e for e in events if isinstance(e, PartialImage)]
    assert partials and all(png_size(p.image.data) for p in partials)
    assert [p.partial_index for p in partials] == list(range(len(partials)))
    assert isinstance(events[-1], Generation) and stream.result is events[-1]
    assert png_size(events[-1].images[0].data) == (1536, 1024)


def test_async_calls_share_a_client_safely(client):
    async def main():
        return await asyncio.gather(
            client.agenerate("one", "square", model="gpt-image-1"),
            client.agenerate("two", "landscape", model="gpt-image-1"),
            client.acheck("text-to-image", "dall-e-3"),
        )

    one, two, status = asyncio.run(main())
    assert png_size(one.images[0].data) == (1024, 1024)
    assert png_size(two.images[0].data) == (1536, 1024)
    assert status.ok


def test_threads_share_a_client_safely(client):
    results, failures = [], []

    def work(i):
        try:
            results.append(client.generate(f"picture {i}", "square", model="gpt-image-1"))
        except Exception as e:  # surfaced by the assertion below
            failures.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(results) == 4 and all(png_size(g.images[0].data) == (1024, 1024) for g in results)
