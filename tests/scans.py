"""Scans the OCR tests make: typed text rendered at 300 dpi, then turned, soiled or split in columns.

Pillow's own bundled font (no system font needed), at 11 pt. The pictures are made in
memory and written only where a test puts them (its tmp_path).
"""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4 = (2480, 3508)  # 300 dpi
SIZE = 46  # 11 pt at 300 dpi

LETTER = [
    "Harbour & Vale Solicitors LLP",
    "14 Quayside Street, Bristol BS1 4QA",
    "",
    "Invoice number: INV-58213",
    "Our reference: HV/2024/0417",
    "",
    "Dear Ms Whitcombe,",
    "",
    "Thank you for your letter enclosing the signed statement of account.",
    "The probate application was lodged with the court on 28 February",
    "and we expect the grant within eight to ten weeks. Our fees for the",
    "work carried out to date are set out in the enclosed invoice, which",
    "totals 3,184.20 pounds including VAT.",
    "",
    "Yours sincerely,",
    "Jonathan Pryce-Harding",
]


def font(size: int = SIZE) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def page(lines: list[str], size: tuple[int, int] = A4, at: tuple[int, int] = (236, 236)) -> Image.Image:
    """A white page with `lines` typed on it, one per line."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    x, y = at
    for line in lines:
        draw.text((x, y), line, fill=0, font=font())
        y += int(SIZE * 1.5)
    return image


def wrapped(text: str, width: int = 1000) -> list[str]:
    """`text` in lines no wider than `width` pixels in the test font."""
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and measure.textlength(trial, font=font()) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line]


def two_columns(left: str, right: str) -> Image.Image:
    """Two columns of 1,000 pixels with a 100-pixel gutter, as a newsletter or a court form prints them."""
    image = page(wrapped(left))
    draw = ImageDraw.Draw(image)
    y = 236
    for line in wrapped(right):
        draw.text((1336, y), line, fill=0, font=font())
        y += int(SIZE * 1.5)
    return image


def soiled(image: Image.Image, seed: int = 3) -> Image.Image:
    """A poor scanner or a fax: blurred, speckled, saved as a low-quality JPEG."""
    rng = random.Random(seed)
    out = image.filter(ImageFilter.GaussianBlur(1.0))
    pixels = out.load()
    assert pixels is not None
    for _ in range(40_000):
        pixels[rng.randrange(out.width), rng.randrange(out.height)] = rng.choice((0, 128, 255))
    return Image.open(io.BytesIO(encoded(out, "JPEG", quality=35)))


def photo(seed: int = 5, size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    """A picture without text: soft gradients, blurred shapes and sensor noise, as a holiday snapshot."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(40, 300)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image = image.filter(ImageFilter.GaussianBlur(12))
    noise = Image.effect_noise(size, 18).convert("RGB")
    return Image.blend(image, noise, 0.15)


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def tiff_pages(pages: list[Image.Image]) -> bytes:
    """A multi-page TIFF (what scanners and fax software write), CCITT G4 compressed like theirs."""
    bilevel = [p.convert("1") for p in pages]
    return encoded(bilevel[0], "TIFF", save_all=True, append_images=bilevel[1:], compression="group4", dpi=(300, 300))


def png_claiming(width: int, height: int) -> bytes:
    """A decompression bomb: a tiny PNG whose header claims `width` x `height` pixels of 1-bit gray."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\x00" + bytes((width + 7) // 8)
    squeezer = zlib.compressobj(9)
    data = b"".join(squeezer.compress(row) for _ in range(min(height, 2000))) + squeezer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
