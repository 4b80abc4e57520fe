"""One host, several backends: the same code loads whichever .wasm it is
given (the OpenAI backend, the offline placeholder, placeholders built for
contracts 0.2 and 0.1) and gets each one's info and an image, with nothing rebuilt
or special-cased. Settings are passed by what each backend declares."""

from __future__ import annotations

import asyncio

import pytest

from conftest import TODAY, settings_for
from helpers import png_size
from talemate_visual import (
    Generation,
    InvalidInput,
    NotFound,
    PartialImage,
    PromptStyle,
    StatusLevel,
    Unsupported,
    VisualBackend,
)


def illustrate(path, values: dict):
    """What a Talemate-like app does with whatever backend the user picked:
    offer the settings it declares, then draw."""
    backend = VisualBackend.load(path, today=TODAY)
    info = backend.info()
    declared = {k: v for k, v in values.items() if info.setting(k) is not None}
    with backend.open(declared) as client:
        status = client.check("text-to-image")
        generation = client.generate("a lighthouse at dusk", "landscape")
    return backend, info, status, generation


@pytest.mark.parametrize("which", ["openai_wasm", "placeholder_wasm", "placeholder_v02_wasm", "placeholder_v01_wasm"])
def test_the_same_host_drives_any_backend(which, request, mock):
    path = request.getfixturevalue(which)
    backend, info, status, generation = illustrate(path, settings_for(mock))
    assert info.name == ("openai" if which == "openai_wasm" else "placeholder")
    assert info.prompt_style == PromptStyle.DESCRIPTIVE
    assert status.level != StatusLevel.ERROR, status
    (image,) = generation.images
    assert (image.width, image.height) == png_size(image.data)
    expected = {"placeholder_v01_wasm": "0.1.0", "placeholder_v02_wasm": "0.2.0"}.get(which, "0.3.0")
    assert backend.contract.endswith(expected)
    landscape = info.capability("text-to-image").model().size_for("landscape")
    if landscape is not None:
        assert (image.width, image.height) == (landscape.width, landscape.height)


def test_backends_are_loaded_side_by_side(openai, placeholder, mock):
    with openai.open(settings_for(mock)) as a, placeholder.open() as b:
        from_openai = a.generate("a fox", "square", model="gpt-image-2")
        from_placeholder = b.generate("a fox", "square")
    assert (openai.info().label, placeholder.info().label) == ("OpenAI", "Placeholder (offline)")
    assert png_size(from_openai.images[0].data) == png_size(from_placeholder.images[0].data) == (1024, 1024)
    assert from_placeholder.model == "placeholder"


# ---- the placeholder as a backend in its own right ----


def test_placeholder_needs_no_key_and_is_deterministic(placeholder):
    with placeholder.open() as client:
        assert client.check().level == StatusLevel.OK
        first = client.generate("a red fox", "portrait")
        again = client.generate("a red fox", "portrait")
        other = client.generate("a blue whale", "portrait")
        explicit = client.generate("a red fox", "square", size=(640, 480), n=2)
    assert png_size(first.images[0].data) == (1024, 1536)
    assert first.images[0].data == again.images[0].data
    assert first.images[0].data != other.images[0].data
    assert [png_size(i.data) for i in explicit.images] == [(640, 480), (640, 480)]


def test_placeholder_edits_analyzes_and_streams(placeholder):
    with placeholder.open() as client:
        reference = client.generate("a cat", "square").images[0].data
        edited = client.edit("a cat in a hat", [reference], "landscape", mask=reference)
        analysis = client.analyze(edited.images[0].data, "What is this?")
        with client.start_generate("a castle", "landscape", partial_images=1) as stream:
            events = list(stream)
    assert png_size(edited.images[0].data) == (1536, 1024)
    assert analysis.text.startswith("A PNG image, 1536x1024 pixels")
    assert analysis.finish_reason == "stop" and analysis.model == "placeholder"
    partial, final = events
    assert isinstance(partial, PartialImage) and isinstance(final, Generation)
    assert png_size(final.images[0].data) == (1536, 1024)


def test_placeholder_validates_like_a_real_backend(placeholder):
    with pytest.raises(InvalidInput, match="takes no settings"):
        placeholder.open(api_key="sk-x")
    with placeholder.open() as client:
        with pytest.raises(InvalidInput, match="prompt is empty"):
            client.generate("  ", "square")
        with pytest.raises(InvalidInput, match="reference image 1"):
            client.edit("x", [b"not an image"], "square")
        with pytest.raises(InvalidInput, match="not a PNG, JPEG, WebP or GIF"):
            client.analyze(b"not an image", "what?")
        with pytest.raises(InvalidInput, match="no quality tiers"):
            client.generate("x", "square", quality="high")
        with pytest.raises(InvalidInput, match="no options"):
            client.generate("x", "square", background="transparent")
        with pytest.raises(Unsupported, match="PNG only"):
            client.generate("x", "square", output_format="jpeg")
        with pytest.raises(NotFound):
            client.generate("x", "square", model="dall-e-3")


def test_placeholder_streams_to_an_event_loop(placeholder):
    async def main():
        async with await placeholder.aopen() as client:
            stream = await client.astart_generate("a harbour", "portrait", partial_images=3)
            return [event async for event in stream]

    events = asyncio.run(main())
    assert [e.partial_index for e in events[:-1]] == [0, 1, 2]
    assert isinstance(events[-1], Generation) and png_size(events[-1].images[0].data) == (1024, 1536)
