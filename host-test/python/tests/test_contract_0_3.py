"""What contract 0.3 added, through the Python host, the real OpenAI
component and the strict mock: typed option values (text, numbers, flags,
images, JSON), `extra=` parameters, output formats by name (animated GIF,
SVG), number steps, the models' prices and each result's cost."""

from __future__ import annotations

import asyncio
import math

import pytest

from helpers import gif_frames, gif_size, png_size, solid_png
from talemate_visual import (
    Cost,
    CostItem,
    Generation,
    HelperUsage,
    InvalidInput,
    OutputFormat,
    Prices,
    Upstream,
)

FLARE = "gpt-image-2.6-flare"
SUNBURST = "gpt-image-2.6-sunburst"
#: A model released after the build: the backend passes whatever it is given through.
NOVA = "gpt-image-2.7-nova"


def generation_request(mock):
    (sent,) = [r for r in mock.requests() if r["path"].endswith(("/images/generations", "/images/edits"))]
    assert sent["ok"], sent
    return sent


# ---- what the models declare ---------------------------------------------------------


def test_models_declare_formats_options_steps_and_prices(openai):
    info = openai.info()
    create, edit, analysis = (info.capability(c) for c in ("text-to-image", "image-edit", "image-analysis"))
    assert (create.default_model, edit.default_model, analysis.default_model) == (FLARE, SUNBURST, "gpt-6-luna")
    assert create.accepts_extra_parameters and edit.accepts_extra_parameters and analysis.accepts_extra_parameters

    flare = create.model(FLARE)
    assert {"png", "jpeg", "webp", "gif", "svg"} <= set(flare.output_formats)
    assert flare.default_output_format == "png"
    assert flare.option("complexity").kind.choices == ("low", "medium", "high")
    frames = flare.option("frame_count").kind
    assert (frames.name, frames.range.min, frames.range.max, frames.range.integer) == ("number", 2, 16, True)
    duration = flare.option("frame-duration-ms").kind.range
    assert (duration.min, duration.max, duration.step) == (20, 2000, 10)
    assert isinstance(flare.prices, Prices) and flare.prices.image_output > 0 and flare.prices.source.startswith("http")

    sunburst = edit.model(SUNBURST)
    assert "svg" not in sunburst.output_formats and "gif" in sunburst.output_formats
    markup = sunburst.option("markup")
    assert (markup.kind.name, markup.kind.media_types) == ("image", ("image/png",))

    luna = analysis.model("gpt-6-luna")
    assert luna.output_formats == () and luna.prices.text_input > 0 and luna.prices.text_output > 0


# ---- typed options ---------------------------------------------------------------------


def test_options_reach_the_service_as_their_python_types(client, mock):
    generation = client.generate(
        "a lighthouse", "square", model=FLARE, output_format="webp", complexity="low", output_compression=80
    )
    assert generation.images[0].mime_type == "image/webp"
    params = generation_request(mock)["params"]
    assert params["complexity"] == "low"  # a string
    assert params["output_compression"] == 80 and type(params["output_compression"]) is int  # a number
    assert params["output_format"] == "webp"
    # The same through options=, names as declared.
    mock.clear_requests()
    client.generate("a lighthouse", "square", model=FLARE, options={"complexity": "high", "background": "opaque"})
    params = generation_request(mock)["params"]
    assert (params["complexity"], params["background"]) == ("high", "opaque")


def test_values_of_every_type_for_a_model_the_backend_does_not_know(client, mock):
    mock.add_model(
        NOVA,
        params={"shimmer": "bool", "layers": (0, 8), "mood": ["calm", "wild"], "palette": "any"},
        rules_of=FLARE,
    )
    client.generate(
        "a lighthouse",
        "square",
        model=NOVA,
        shimmer=True,  # a flag, not the number 1: bool is checked before int
        layers=3,
        mood="calm",
        options={"palette": {"primary": "teal", "accents": ["gold", "rust"]}},  # JSON
    )
    params = generation_request(mock)["params"]
    assert params["shimmer"] is True
    assert params["layers"] == 3 and type(params["layers"]) is int
    assert params["mood"] == "calm"
    assert params["palette"] == {"primary": "teal", "accents": ["gold", "rust"]}


def test_a_declared_option_is_checked_before_anything_is_sent(client, mock):
    with pytest.raises(InvalidInput, match="steps of 10"):
        client.generate("a fox", "square", model=FLARE, output_format="gif", frame_count=4, frame_duration_ms=125)
    with pytest.raises(InvalidInput, match="frame-count"):
        client.generate("a fox", "square", model=FLARE, output_format="gif", frame_count=True)  # a flag is no number
    assert mock.requests() == []


def test_python_values_of_no_parameter_type_are_refused_by_python(client, mock):
    with pytest.raises(TypeError, match="must be a str, bool, int, float, bytes"):
        client.generate("a fox", "square", options={"complexity": object()})
    with pytest.raises(ValueError, match="finite"):
        client.generate("a fox", "square", extra={"seed": math.nan})
    with pytest.raises(TypeError, match="extra must be a mapping"):
        client.generate("a fox", "square", extra=["seed"])
    with pytest.raises(TypeError, match="output_format must be a str"):
        client.generate("a fox", "square", output_format=3)
    assert mock.requests() == []


# ---- output formats: an animated GIF, an SVG ---------------------------------------------


def test_a_gif_with_four_frames(client, mock, tmp_path):
    generation = client.generate(
        "a lighthouse beam turning", "landscape", model=FLARE, output_format="gif", frame_count=4, frame_duration_ms=120
    )
    (image,) = generation.images
    assert (image.mime_type, image.extension) == ("image/gif", "gif")
    assert gif_frames(image.data) == 4
    assert (image.width, image.height) == gif_size(image.data)
    params = generation_request(mock)["params"]
    assert (params["output_format"], params["frame_count"], params["frame_duration_ms"]) == ("gif", 4, 120)
    assert image.save(tmp_path / "beam") == tmp_path / "beam.gif"
    assert (tmp_path / "beam.gif").read_bytes() == image.data


def test_an_svg_with_the_usage_of_its_author(client, mock, tmp_path):
    generation = client.generate("a flat lighthouse icon", "square", model=FLARE, output_format=OutputFormat.SVG)
    (image,) = generation.images
    assert (image.mime_type, image.extension, image.is_vector) == ("image/svg+xml", "svg", True)
    assert b"<svg" in image.data and image.width > 0 and image.height > 0
    assert generation_request(mock)["params"]["output_format"] == "svg"
    assert isinstance(generation.svg_usage, HelperUsage) and generation.svg_usage.model == "gpt-6-luna"
    assert generation.svg_usage.usage.total_tokens > 0
    # The SVG's author is priced too.
    assert any("gpt-6-luna" in item.what for item in generation.cost.items), generation.cost
    assert image.save(tmp_path / "icon").suffix == ".svg"


# ---- an image option: the markup of an edit --------------------------------------------


def test_a_markup_edit_sends_the_markup_as_a_png_part(client, mock):
    reference, markup = solid_png(64, 48), solid_png(64, 48, rgb=(255, 0, 0))
    edited = client.edit("put a flag where it is marked", [reference], "square", model=SUNBURST, options={"markup": markup})
    assert png_size(edited.images[0].data) == (edited.images[0].width, edited.images[0].height)
    sent = generation_request(mock)
    (part,) = [f for f in sent["files"] if f["name"] == "markup"]
    assert (part["content_type"], part["image"], part["len"]) == ("image/png", ("png", 64, 48), len(markup))
    # A bytearray or a memoryview is an image too, as a keyword.
    for value in (bytearray(markup), memoryview(markup)):
        mock.clear_requests()
        client.edit("again", reference, "square", model=SUNBURST, markup=value)
        assert [f["image"] for f in generation_request(mock)["files"] if f["name"] == "markup"] == [("png", 64, 48)]


# ---- extra parameters ----------------------------------------------------------------------


def test_extra_parameters_are_sent_as_given(client, mock):
    mock.add_model(NOVA, params={"seed": (0, 100)}, rules_of=FLARE)
    client.generate("a lighthouse", "square", model=NOVA, extra={"seed": 7})
    params = generation_request(mock)["params"]
    assert params["seed"] == 7 and type(params["seed"]) is int


def test_an_unknown_parameter_is_the_services_400(client, mock):
    with pytest.raises(Upstream) as caught:
        client.generate("a lighthouse", "square", model=FLARE, extra={"seed": 7})
    error = caught.value
    assert (error.status, error.code) == (400, "unknown_parameter")
    assert "Unknown parameter: 'seed'." in error.message
    (sent,) = mock.requests()
    assert not sent["ok"] and sent["message"] == "Unknown parameter: 'seed'."


def test_extra_parameters_cannot_replace_the_requests_own(client, mock):
    with pytest.raises(InvalidInput, match="model"):
        client.generate("a lighthouse", "square", extra={"model": "dall-e-3"})
    assert mock.requests() == []


def test_extra_on_every_call_sync_and_async(client, mock):
    image = solid_png(64, 48)
    analysis = client.analyze(image, "What colour?", extra={"seed": 7})
    (chat,) = [r for r in mock.requests() if r["path"].endswith("/chat/completions")]
    assert chat["ok"] and chat["params"]["seed"] == 7
    assert analysis.text

    async def main():
        mock.add_model(NOVA, params={"seed": (0, 100)}, rules_of=SUNBURST)
        generated = await client.agenerate("a fox", "square", model=NOVA, extra={"seed": 8}, complexity="low")
        edited = await client.aedit("a fox in snow", [image], "square", model=NOVA, extra={"seed": 9})
        answer = await client.aanalyze(image, "What is it?", extra={"seed": 10})
        return generated, edited, answer

    mock.clear_requests()
    generated, edited, answer = asyncio.run(main())
    assert isinstance(generated, Generation) and isinstance(edited, Generation) and answer.text
    seeds = [r["params"].get("seed") for r in mock.requests()]
    assert seeds == [8, "9", 10]  # the edit is multipart: its fields are text


# ---- prices and cost -----------------------------------------------------------------------


def test_each_result_carries_its_estimated_cost(client):
    generation = client.generate("a lighthouse", "square", model=FLARE)
    cost = generation.cost
    assert isinstance(cost, Cost) and cost.usd > 0
    assert cost.items and all(isinstance(i, CostItem) and i.tokens >= 0 for i in cost.items)
    assert math.isclose(sum(i.usd for i in cost.items), cost.usd, rel_tol=1e-9)
    assert any(i.what == "image output" and i.usd_per_million == 30.0 for i in cost.items), cost.items
    usage = generation.usage
    assert usage.output_image_tokens is not None and usage.output_image_tokens > 0
    assert str(cost).startswith("$")

    analysis = client.analyze(generation.images[0].data, "What is in it?", model="gpt-6-luna")
    assert analysis.cost is not None and analysis.cost.usd > 0
    assert analysis.usage.output_text_tokens is not None


def test_a_model_without_prices_has_no_cost(placeholder):
    with placeholder.open() as client:
        generation = client.generate("a fox", "square")
    assert generation.cost is None and generation.svg_usage is None
