"""Hostile images are refused or repaired with a reason, never decoded past the limits, never a crash."""

from __future__ import annotations

import pytest
from images_support import encoded, gif_bomb, png_header_only
from PIL import Image

from checker.images.gate import gate_reason
from crawler.images.loading import ImageError, load_image, sniff
from crawler.images.settings import ImageSettings

SETTINGS = ImageSettings()


def _reason(raw: bytes, settings: ImageSettings = SETTINGS) -> str:
    with pytest.raises(ImageError) as caught:
        load_image(raw, settings)
    return caught.value.reason


def test_a_40000_square_png_is_refused_from_its_header_without_decoding() -> None:
    bomb = png_header_only(40_000, 40_000)
    assert len(bomb) < 200
    with pytest.raises(ImageError) as caught:
        load_image(bomb, SETTINGS)
    assert caught.value.reason == "too-many-pixels"
    assert "1600000000 pixels" in str(caught.value).replace(",", "") and "not decoded" in str(caught.value)


def test_an_animated_gif_bomb_is_refused_and_a_normal_animation_reads_its_first_frame() -> None:
    assert _reason(gif_bomb()) in ("too-many-pixels", "too-large")
    frames = [Image.new("RGB", (120, 80), colour) for colour in ("red", "blue", "green")]
    raw = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)
    loaded = load_image(raw, SETTINGS)
    assert (loaded.width, loaded.height) == (120, 80)
    assert loaded.image.getpixel((5, 5))[0] > 200  # plain frames alike: the first (red) one
    assert "animated image: frame 1 read (the one with most detail of the first 3)" in loaded.notes


def test_an_animation_whose_label_comes_after_a_blank_frame_reads_the_label() -> None:
    # The first frame blank, the label on the second: the image was gated as blank and the claim lost.
    from PIL import ImageDraw

    label = Image.new("RGB", (200, 80), "white")
    ImageDraw.Draw(label).rectangle((10, 10, 190, 70), outline="black", width=3)
    ImageDraw.Draw(label).text((20, 30), "T/DEMO 001-2019", fill="black")
    blank = Image.new("RGB", (200, 80), "white")
    raw = encoded(blank, "GIF", save_all=True, append_images=[label, blank], duration=50)
    loaded = load_image(raw, SETTINGS)
    assert "animated image: frame 2 read (the one with most detail of the first 3)" in loaded.notes
    assert loaded.image.getpixel((10, 10)) != (255, 255, 255)  # the label's frame


def test_truncated_images_are_errors_not_partial_pictures() -> None:
    jpeg = encoded(Image.effect_noise((400, 300), 40).convert("RGB"), "JPEG", quality=90)
    png = encoded(Image.effect_noise((400, 300), 40).convert("RGB"), "PNG")
    assert _reason(jpeg[: len(jpeg) // 2]) in ("truncated", "corrupt")
    assert _reason(png[: len(png) // 2]) in ("truncated", "corrupt")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"<!doctype html><html><body>not an image</body></html>", "not-an-image"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', "svg"),
        (b"<svg width='10' height='10'></svg>", "svg"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "unreadable"),
        # AVIF and HEIF are images in a format not decoded here, not "not an image" (was: not-an-image).
        (encoded(Image.new("RGB", (64, 32), "red"), "AVIF"), "unsupported-format"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\0" * 64, "unsupported-format"),
        # An XHTML page showing an inline <svg> near its top is a page, not an SVG image (was: "svg").
        (b'<?xml version="1.0"?><html><body><svg><text>x</text></svg></body></html>', "not-an-image"),
    ],
)
def test_wrong_types_and_svg_are_refused_by_their_bytes(raw: bytes, reason: str) -> None:
    assert _reason(raw) == reason


def test_zero_size_and_over_the_byte_cap() -> None:
    assert _reason(png_header_only(0, 100)) in ("zero-size", "unreadable")
    raw = encoded(Image.new("RGB", (64, 64), "white"), "PNG")
    assert _reason(raw, ImageSettings(max_bytes=len(raw) - 1)) == "too-many-bytes"


def test_cmyk_16_bit_palette_and_alpha_become_8_bit_rgb() -> None:
    cmyk = encoded(Image.new("CMYK", (50, 40), (0, 255, 255, 0)), "JPEG")
    loaded = load_image(cmyk, SETTINGS)
    assert loaded.image.mode == "RGB" and loaded.image.getpixel((3, 3))[0] > 200
    grey16 = Image.new("I;16", (50, 40), 0)
    grey16.paste(60000, (0, 0, 25, 40))
    loaded = load_image(encoded(grey16, "PNG"), SETTINGS)
    assert loaded.image.getpixel((2, 2))[0] == 255 and loaded.image.getpixel((40, 2))[0] == 0
    palette = Image.new("P", (50, 40), 0)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.info["transparency"] = 0
    loaded = load_image(encoded(palette, "PNG", transparency=0), SETTINGS)
    assert loaded.image.getpixel((2, 2)) == (255, 255, 255)  # transparent over white
    assert any("converted to RGB" in note for note in loaded.notes)


def test_exif_rotation_is_applied() -> None:
    image = Image.new("RGB", (200, 100), "white")
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    raw = encoded(image, "JPEG", exif=exif.tobytes())
    loaded = load_image(raw, SETTINGS)
    assert (loaded.width, loaded.height) == (100, 200)


def test_webp_and_sniffing_ignore_the_declared_type() -> None:
    raw = encoded(Image.new("RGB", (64, 48), "navy"), "WEBP")
    assert sniff(raw) == "webp"
    assert load_image(raw, SETTINGS).content_type == "image/webp"


@pytest.mark.parametrize(
    ("size", "reason"),
    [((16, 16), "tiny"), ((700, 12), "sliver"), ((44, 44), "icon"), ((600, 400), "blank")],
)
def test_the_gate_skips_what_cannot_hold_a_line_of_text(size: tuple[int, int], reason: str) -> None:
    assert gate_reason(Image.new("RGB", size, (250, 250, 250)), SETTINGS) == reason


def test_the_gate_lets_a_picture_with_contrast_through() -> None:
    image = Image.effect_noise((600, 400), 50).convert("RGB")
    assert gate_reason(image, SETTINGS) is None
