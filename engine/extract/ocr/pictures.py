"""Decoding pictures safely: every page of a file, or a clear reason why not.

An image file is the easiest bomb there is: a PNG of 30,000 x 30,000 pixels packs into a
few hundred kilobytes and decodes to almost a gigabyte. Its size is in the header, so it
is refused before a single pixel is decoded. A file that ends early (a truncated JPEG, an
unfinished download) is refused too rather than read as half a page of grey.

Pages come out in grayscale (all OCR needs, a third of the memory), turned as the camera's
EXIF orientation says, and scaled down when they hold more pixels than OCR needs.
"""

from __future__ import annotations

import functools
import importlib
import io
import re
import warnings
from collections.abc import Iterator

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from engine.errors import ImageRefused, UnsupportedFile

# Refused above this: a 600 dpi A3 scan is ~70 Mpx; a 30,000 x 30,000 bomb is 900 Mpx.
MAX_PIXELS = 100_000_000
# Read at most this many pixels: an A4 page at ~350 dpi. Larger pages (600 dpi scans, 48 Mpx phone photos)
# are scaled down first: text is as readable and OCR time grows with the pixel count.
OCR_PIXELS = 12_000_000
SMALL_PIXELS = 1_500_000  # read at twice the size below this: letters under ~20 pixels high are misread
MAX_FRAMES = 1_000  # pages of one multi-page TIFF
_FORMATS = ["PNG", "JPEG", "TIFF", "BMP", "DIB", "WEBP", "GIF"]  # a phone's MPO opens as JPEG
_HEIF = ["HEIF", "AVIF"]

TOO_LARGE = ("image too large to read safely: {w:,} x {h:,} pixels (Cairn reads images of up to "
             f"{MAX_PIXELS // 1_000_000} million pixels)")
TOO_MANY = ("image too large to read safely: {pixels:,} pixels (Cairn reads images of up to "
            f"{MAX_PIXELS // 1_000_000} million pixels)")
DAMAGED = "damaged image: the file ends early or its data is broken (getting or copying it again may help)"
NOT_AN_IMAGE = "not a picture Cairn can read (the file's content is no PNG, JPEG, TIFF, BMP, WebP or HEIC image)"
NO_HEIF = "HEIC/HEIF photo: this installation of Cairn has no HEIC decoder (the pi-heif package adds one)"


def _formats() -> list[str]:
    Image.init()  # every plugin registered (Pillow loads only the common five before it is asked)
    return _FORMATS + _HEIF if _heif_opener() else _FORMATS


@functools.cache
def _heif_opener() -> bool:
    """Register a HEIC decoder with Pillow: pi-heif (a dependency: libheif and libde265, decoder only),
    else pillow-heif where someone installed it instead (its wheel also carries the GPL x265 encoder)."""
    for name in ("pi_heif", "pillow_heif"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.register_heif_opener()
        return True
    return False


def _is_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"avif")


def open_picture(data: bytes) -> Image.Image:
    """The image, header read and size checked, not yet decoded."""
    formats = _formats()
    if _is_heif(data) and "HEIF" not in formats:
        raise UnsupportedFile(NO_HEIF)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below
            image = Image.open(io.BytesIO(data), formats=formats)
    except Image.DecompressionBombError as exc:  # over twice Pillow's own limit: refused in the header
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        raise ImageRefused(TOO_MANY.format(pixels=int(pixels[1]) if pixels else 0)) from None
    except UnidentifiedImageError:
        raise UnsupportedFile(NOT_AN_IMAGE) from None
    except Exception:  # a broken header breaks decoders in many ways
        raise ImageRefused(DAMAGED) from None
    _check_size(image)
    return image


def _check_size(image: Image.Image) -> None:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageRefused(TOO_LARGE.format(w=width, h=height))


def pages(image: Image.Image) -> Iterator[Image.Image]:
    """Each frame (a page of a multi-page TIFF) decoded, upright as photographed, grayscale, at most OCR_PIXELS."""
    for number, frame in enumerate(ImageSequence.Iterator(image), 1):
        if number > MAX_FRAMES:
            return
        _check_size(frame)
        yield _decoded(frame)
        if image.format not in ("TIFF", "MPO"):  # an animated GIF or WebP: its first picture is the page
            return


def frame_count(image: Image.Image) -> int:
    return min(int(getattr(image, "n_frames", 1)), MAX_FRAMES) if image.format in ("TIFF", "MPO") else 1


def in_colour(image: Image.Image, number: int) -> Image.Image:
    """Page `number` (1-based) decoded as the preview shows it: upright as photographed, in colour (RGB),
    at the proportions OCR read it in (so the kept word boxes fit it)."""
    if not 1 <= number <= frame_count(image):
        raise ImageRefused(f"the picture has no page {number}")
    image.seek(number - 1)
    _check_size(image)
    return _decoded(image, "RGB")


def _decoded(frame: Image.Image, mode: str = "L") -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # sizes are checked before
            frame.load()
            upright = ImageOps.exif_transpose(frame) or frame
            flat = _on_white(upright).convert(mode)
    except Image.DecompressionBombError:
        raise ImageRefused(TOO_LARGE.format(w=frame.width, h=frame.height)) from None
    except MemoryError:
        raise
    except Exception:  # truncated data ("image file is truncated"), broken strips, bad codes
        raise ImageRefused(DAMAGED) from None
    return scaled_for_ocr(flat)


def _on_white(image: Image.Image) -> Image.Image:
    """Transparent parts on white (a PNG with alpha is otherwise black text on black)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return image


def enlarged_if_small(image: Image.Image, dpi: int | None) -> Image.Image:
    """A small picture of low or unknown resolution (a receipt scanned at 150 dpi, a cropped photo) at twice
    its size, where Tesseract reads small letters better. Measured (docs/ocr.md): SROIE receipts, totals
    found 5 -> 6 of 8, dates 5 -> 7; a small 300 dpi crop (eurotext) read worse enlarged, so not those."""
    if image.width * image.height >= SMALL_PIXELS or (dpi is not None and dpi >= 200):
        return image
    return image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)


def scaled_for_ocr(image: Image.Image) -> Image.Image:
    pixels = image.width * image.height
    if pixels <= OCR_PIXELS:
        return image
    factor = (OCR_PIXELS / pixels) ** 0.5
    return image.resize((max(1, int(image.width * factor)), max(1, int(image.height * factor))), Image.Resampling.LANCZOS)
