"""One host, two backends: the same code loads either .wasm and gets each
one's info and an image, with nothing rebuilt or special-cased."""

from __future__ import annotations

import asyncio

import pytest

from helpers import png_size
from talemate_visual import (
    Generation,
    InvalidInput,
    NotFound,
    PartialImage,
    PromptStyle,
    Settings,
    StatusLevel,
    Unsupported,
    VisualBackend,
)

EXPECTED = {
    "OPENAI_BACKEND_WASM": ("openai", "gpt-image-1"),
    "PLACEHOLDER_BACKEND_WASM": ("placeholder", None),
}


def illustrate(path, settings: Settings, model=None):
    """What a Talemate-like app does with whatever backend the user picked."""
    backend = VisualBackend.load(path)
    info = backend.info()
    with backend.open(settings) as client:
        generation = client.generate("a lighthouse at dusk", "landscape", model=model)
    return info, generation


@pytest.mark.parametrize("env", sorted(EXPECTED))
def test_the_same_host_drives_either_backend(env, request, settings):
    path = request.getfixturevalue("openai_wasm" if env.startswith("OPENAI") else "placeholder_wasm")
    name, model = EXPECTED[env]
    info, generation = illustrate(path, settings, model)
    assert info.name == name
    assert info.prompt_style == PromptStyle.DESCRIPTIVE
    landscape = info.capability("text-to-image").model(model).size_for("landscape")
    (image,) = generation.images
    assert (image.width, image.height) == (landscape.width, landscape.height) == (1536, 1024)
    assert png_size(image.data) == (1536, 1024)


def test_both_backends_are_loaded_side_by_side(openai, placeholder, settings):
    with openai.open(settings) as a, placeholder.open(settings) as b:
        from_openai = a.generate("a fox", "square", model="gpt-image-1")
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
    assert analysis.text.startswith("A PNG image, 1536x1024 pixels (landscape")
    assert analysis.finish_reason == "stop" and analysis.model == "placeholder"
    partial, final = events
    assert isinstance(partial, PartialImage) and png_size(partial.image.data) == (256, 170)
    assert isinstance(final, Generation) and png_size(final.images[0].data) == (1536, 1024)


def test_placeholder_validates_like_a_real_backend(placeholder):
    with placeholder.open() as client:
        with pytest.raises(InvalidInput, match="prompt is empty"):
            client.generate("  ", "square")
        with pytest.raises(InvalidInput, match="1 to 4"):
            client.generate("x", "square", n=5)
        with pytest.raises(InvalidInput, match="64 to 4096"):
            client.generate("x", "square", size=(10000, 10000))
        with pytest.raises(InvalidInput, match="reference image 1"):
            client.edit("x", [b"not an image"], "square")
        with pytest.raises(InvalidInput, match="not a PNG, JPEG, WebP or GIF"):
            client.analyze(b"not an image", "what?")
        with pytest.raises(Unsupported, match="PNG only"):
            client.generate("x", "square", output_format="jpeg")
        with pytest.raises(NotFound) as caught:
            client.generate("x", "square", model="dall-e-3")
        assert caught.value.code == "model_not_found"


def test_placeholder_streams_to_an_event_loop(placeholder):
    async def main():
        client = await placeholder.aopen()
        with client:
            stream = await client.astart_generate("a harbour", "portrait", partial_images=3)
            return [event async for event in stream]

    events = asyncio.run(main())
    assert [e.partial_index for e in events[:-1]] == [0, 1, 2]
    assert [png_size(e.image.data) for e in events[:-1]] == [(170, 256)] * 3
    assert isinstance(events[-1], Generation) and png_size(events[-1].images[0].data) == (1024, 1536)
