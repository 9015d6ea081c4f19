"""Safe image loading: sniff the type, read the header's size, refuse before decoding, then decode once.

Crawled images are hostile. The order matters: the byte cap and the header's pixel count are checked
before any pixel is decoded, so a decompression bomb or a 40,000 x 40,000 PNG is refused at the cost of
reading its header. SVG is never rasterised (a renderer is a large attack surface for untrusted input)."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageFile, ImageOps, ImageStat, UnidentifiedImageError

from crawler.content_coding import GZIP_MAGIC
from crawler.images.settings import ImageSettings
from markwatch.errors import InputError

# Formats we decode, by their magic bytes; everything else is refused with its reason.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"\xff\xd8\xff", 0, "jpeg"),
    (b"GIF87a", 0, "gif"),
    (b"GIF89a", 0, "gif"),
    (b"WEBP", 8, "webp"),
    (b"BM", 0, "bmp"),
)
CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
}
_OPENERS = ["PNG", "JPEG", "GIF", "WEBP", "BMP"]  # JPEG also opens MPO (multi-picture) files
# Never accept a truncated file as a partial picture: a half-decoded label would read as "no claim".
ImageFile.LOAD_TRUNCATED_IMAGES = False


class ImageError(InputError):
    """An image that was refused or could not be read; `reason` is a short stable name for counting."""

    def __init__(self, reason: str, message: str, *, source: str | None = None) -> None:
        super().__init__(message, source=source)
        self.reason = reason


@dataclass
class LoadedImage:
    """A decoded image as 8-bit RGB, upright (EXIF orientation applied), with what was done to it."""

    sha256: str
    format: str
    width: int
    height: int
    image: Image.Image
    notes: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        """The MIME type of the bytes as sniffed (not as any server declared)."""
        return CONTENT_TYPES[self.format]


# ISO base media files (major brand after `ftyp`) we do not decode: named, so the reason says what they are.
_AVIF_BRANDS = frozenset([b"avif", b"avis"])
_HEIF_BRANDS = frozenset([b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"])
_SVG_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--.*?-->|<!doctype[^>\[]*(?:\[.*?\])?\s*>)\s*)*<svg[\s>/]",
    re.DOTALL,
)
# Named formats read nowhere: refused with "unsupported-format" (not "not-an-image": they are images).
UNSUPPORTED = {"avif": "AVIF", "heif": "HEIF/HEIC"}


def sniff(raw: bytes) -> str | None:
    """The image format the bytes really are (png, jpeg, gif, webp, bmp), "svg" (also gzipped, .svgz), "avif",
    "heif", or None."""
    for magic, offset, name in _MAGIC:
        if raw[offset : offset + len(magic)] == magic:
            if name == "webp" and raw[:4] != b"RIFF":
                continue
            return name
    if raw[4:8] == b"ftyp":
        brand = raw[8:12]
        if brand in _AVIF_BRANDS:
            return "avif"
        if brand in _HEIF_BRANDS:
            return "heif"
    # The root element must be <svg> (after an XML declaration, comments, a doctype): an XHTML page that shows
    # an inline <svg> near its top is a page, not an SVG image.
    if _SVG_START.match(raw[:4096].lower()):
        return "svg"
    if raw.startswith(GZIP_MAGIC) and _SVG_START.match(_gzip_head(raw).lower()):
        return "svg"  # .svgz: gzipped SVG (checker/images/svg.py inflates it whole, bounded)
    return None


def _gzip_head(raw: bytes) -> bytes:
    """The first 4 KiB a gzip stream inflates to (at most 64 KiB read): enough to know an SVG, never a bomb."""
    try:
        return zlib.decompressobj(wbits=31).decompress(raw[: 64 * 1024], 4096)
    except zlib.error:
        return b""


def sha256_of(raw: bytes) -> str:
    """The evidence key of an image: sha256 of its bytes as fetched."""
    return hashlib.sha256(raw).hexdigest()


def check_size(width: int, height: int, settings: ImageSettings, source: str | None = None) -> None:
    """Refuse by the header's dimensions alone (zero-size, too wide or tall, too many pixels)."""
    if width <= 0 or height <= 0:
        raise ImageError("zero-size", f"image is {width} x {height} pixels", source=source)
    if max(width, height) > settings.max_side:
        raise ImageError(
            "too-large",
            f"image side {max(width, height)} px over the limit {settings.max_side}",
            source=source,
        )
    if width * height > settings.max_pixels:
        raise ImageError(
            "too-many-pixels",
            f"image is {width} x {height} = {width * height:,} pixels, over the limit {settings.max_pixels:,}"
            " (not decoded)",
            source=source,
        )


def _to_rgb(image: Image.Image, notes: list[str]) -> Image.Image:
    """8-bit RGB from any mode: palette and alpha over white, CMYK converted, 16-bit scaled down."""
    mode = image.mode
    if mode == "RGB":
        return image
    notes.append(f"mode {mode} converted to RGB")
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16/32-bit greys: scale the used range to 0..255 (a plain convert clips everything above 255 to white).
        extrema: Any = image.getextrema()
        low, high = int(extrema[0]), int(extrema[1])
        scale = 255.0 / max(1, high - low)
        grey = image.point(lambda v: (v - low) * scale).convert("L")
        return grey.convert("RGB")
    if mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    elif mode == "P":
        return image.convert("RGB")
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or image.mode == "RGBA":
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


# Frames of an animated image looked at to choose the one to read (a banner's first frame is often blank or a
# logo, the label comes later); each is decoded at most once, on a small copy. Changing the choice changes what
# is read: bump PREPARATION_VERSION (versions.py) so readings cached under the old choice are not reused.
ANIMATION_FRAMES = 8


def _busiest_frame(image: Image.Image) -> tuple[int, int]:
    """The index of the frame with the most detail (pixel spread) among the first ANIMATION_FRAMES, and how
    many frames were looked at. A frame that cannot be decoded ends the look."""
    best, best_spread, looked = 0, -1.0, 0
    for index in range(ANIMATION_FRAMES):
        try:
            image.seek(index)
            small = image.convert("L")
            small.thumbnail((256, 256))
        except (EOFError, OSError, ValueError):
            break
        looked += 1
        spread = ImageStat.Stat(small).stddev[0]
        if spread > best_spread:
            best, best_spread = index, spread
    return best, max(looked, 1)


def load_image(raw: bytes, settings: ImageSettings, *, source: str | None = None) -> LoadedImage:
    """Decode untrusted image bytes safely, or raise ImageError with the reason."""
    if not raw:
        raise ImageError("empty", "no image bytes", source=source)
    if len(raw) > settings.max_bytes:
        raise ImageError(
            "too-many-bytes",
            f"image is {len(raw):,} bytes, over the limit {settings.max_bytes:,}",
            source=source,
        )
    kind = sniff(raw)
    if kind == "svg":
        raise ImageError("svg", "SVG images are not rasterised from untrusted sources", source=source)
    if kind in UNSUPPORTED:
        raise ImageError(
            "unsupported-format",
            f"{UNSUPPORTED[kind]} images are not decoded (PNG, JPEG, GIF, WebP, BMP and SVG are)",
            source=source,
        )
    if kind is None:
        raise ImageError(
            "not-an-image", "the bytes are not a PNG, JPEG, GIF, WebP, BMP or SVG image", source=source
        )
    notes: list[str] = []
    with warnings.catch_warnings():
        # Our own pixel cap is lower and checked first; PIL's bomb warning would only be noise.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(raw), formats=_OPENERS)
        except UnidentifiedImageError:
            # Pillow's message names the in-memory file object (<_io.BytesIO object at 0x7f…>): nothing to show.
            raise ImageError("unreadable", f"the {kind} header is damaged", source=source) from None
        except (OSError, ValueError, SyntaxError) as exc:
            raise ImageError("unreadable", f"cannot read the {kind} header: {exc}", source=source) from None
        except Image.DecompressionBombError as exc:
            # Pillow's own backstop (2x its warning limit) fired while reading the header.
            raise ImageError("too-many-pixels", f"{exc} (not decoded)", source=source) from None
        check_size(image.width, image.height, settings, source)
        # is_animated looks at the second frame only (n_frames would walk an animated bomb to its end).
        frame = 0
        if getattr(image, "is_animated", False):
            frame, looked = _busiest_frame(image)
            notes.append(
                f"animated image: frame {frame + 1} read (the one with most detail of the first {looked})"
            )
        try:
            image.seek(frame)
            image.load()
            upright: Image.Image = ImageOps.exif_transpose(image) or image
        except Image.DecompressionBombError as exc:
            raise ImageError("too-many-pixels", str(exc), source=source) from None
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            reason = "truncated" if "truncat" in str(exc).lower() or isinstance(exc, EOFError) else "corrupt"
            raise ImageError(reason, f"cannot decode the {kind} image: {exc}", source=source) from None
    check_size(upright.width, upright.height, settings, source)
    rgb = _to_rgb(upright, notes)
    return LoadedImage(sha256_of(raw), kind, rgb.width, rgb.height, rgb, notes)
