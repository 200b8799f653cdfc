"""OCR engines compared on the same pages in the same run: accuracy, speed, memory.

    .venv/bin/pip install rapidfuzz pytesseract rapidocr-onnxruntime rapidocr   # the other candidates
    .venv/bin/python benchmarks/bench_ocr.py [--engines tesserocr,pytesseract,rapidocr-v4,rapidocr-v6]
                                             [--threads 2] [--pages] [--only NAME]

Pages: real scans nobody here wrote, with their ground-truth text, put under
bench-data/ocr/ by hand (provenance in docs/ocr.md; missing ones are skipped), scanned
shop receipts with their key fields (is the total, the date, the shop's name found?), and
A4 pages at 300 dpi that this script renders from a typed business letter and then
degrades (rotated a quarter turn, upside down, skewed, noisy JPEG, two columns).

Each engine runs in its own child process over all pages (so its peak memory is its
own, and one engine's threads never slow another's), limited to --threads threads
(OMP_THREAD_LIMIT for Tesseract, intra-op threads for ONNX Runtime). Every engine is
given the same job as the reader: find the page's orientation itself, then read it.

CER and WER are edit distances over the whole page in reading order (so a column
read in the wrong order costs), after folding typographic dashes, quotes and
bullets and collapsing whitespace; "words found" is the share of the ground truth's
words (as a multiset) that the output contains in any order: what keyword search needs.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data" / "ocr"
# "cairn" is what Cairn runs (engine.extract.ocr: tesserocr after OSD, deskew and speck removal)
ENGINES = ("cairn", "tesserocr", "pytesseract", "rapidocr-v4", "rapidocr-v6")
TESSDATA = "/usr/share/tesseract-ocr/5/tessdata"

# Real scans: (file under bench-data/ocr, ground truth file, what it is)
REAL = [
    ("tess/8087_054.3B.tif", "tess/8087_054.3B.txt", "magazine page, 2 columns + photo (ISRI/UNLV)"),
    ("tess/8071_093.3B.tif", "tess/8071_093.3B.txt", "magazine spread, 4 columns + photo (ISRI/UNLV)"),
    ("ocrmypdf/linn.png", "ocrmypdf/linn.gt.txt", "product sheet, 1 and 2 columns (Wikimedia)"),
    ("tess/phototest.tif", "tess/phototest.gold.txt", "short text, 200 dpi (Tesseract test)"),
    ("tess/eurotext.tif", "tess/eurotext.txt", "accented Latin text (Tesseract test)"),
    ("tess/phototest-rotated-R.png", "tess/phototest.gold.txt", "phototest turned 90 degrees"),
    ("tess/phototest-rotated-180.png", "tess/phototest.gold.txt", "phototest upside down"),
]

LETTER = """Harbour & Vale Solicitors LLP
14 Quayside Street, Bristol BS1 4QA
Telephone 0117 496 0321

Ms Eleanor Whitcombe
27 Larkspur Avenue
Cheltenham GL52 6RT

12 March 2024

Our reference: HV/2024/0417   Invoice number: INV-58213

Dear Ms Whitcombe,

Re: Estate of the late Mr Arthur Whitcombe

Thank you for your letter of 4 March enclosing the signed statement of account. We confirm that
the probate application was lodged with the court on 28 February and that we expect the grant
within eight to ten weeks. In the meantime we have written to the three banks named in the will
asking them to freeze the accounts and to confirm the balances held on the date of death.

The valuation of the property at 9 Orchard Close has been received from Mason Reid Surveyors
and stands at 412,500 pounds. The insurers have agreed to extend the unoccupied property cover
until the end of June, provided that the house is inspected every fourteen days and the water
supply remains switched off at the mains.

Our fees for the work carried out to date are set out in the enclosed invoice INV-58213, which
totals 3,184.20 pounds including VAT. Payment may be made from the estate account once it is
opened, and there is no need for you to pay this personally. Please keep the enclosed copy for
your own records and let us know if any figure appears to be incorrect.

If you have any questions about the next steps, please telephone me directly on the number
above or write to me quoting our reference. We shall write again as soon as the grant is issued.

Yours sincerely,

Jonathan Pryce-Harding
Partner, Private Client Department
"""


@dataclass
class Page:
    name: str
    path: Path
    truth: str
    what: str
    real: bool
    fields: dict[str, str] | None = None  # a receipt's key fields (company, date, address, total)


# ---------------------------------------------------------------- synthetic pages


def _font(size: int, bold: bool = False) -> Any:
    from PIL import ImageFont

    name = "DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"
    return ImageFont.truetype(f"/usr/share/fonts/truetype/dejavu/{name}", size)


def _draw_lines(draw: Any, lines: list[str], x: int, y: int, size: int) -> int:
    font = _font(size)
    for line in lines:
        draw.text((x, y), line, fill=0, font=font)
        y += int(size * 1.45)
    return y


def render_letter(columns: int = 1) -> tuple[Any, str]:
    """A4 at 300 dpi, 11 pt serif: the typed letter a firm sends."""
    from PIL import Image, ImageDraw

    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    size = 46  # 11 pt at 300 dpi
    if columns == 1:
        lines = LETTER.splitlines()
        _draw_lines(draw, lines, 236, 236, size)
        return page, LETTER
    words = " ".join(LETTER.split()).split(" ")
    font = _font(size)
    col_width, gap, lines, line = 960, 90, [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) > col_width:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    half = (len(lines) + 1) // 2
    _draw_lines(draw, lines[:half], 236, 236, size)
    _draw_lines(draw, lines[half:], 236 + col_width + gap, 236, size)
    return page, "\n".join(lines)


def _noisy_jpeg(image: Any, seed: int) -> Any:
    """A cheap scanner or fax: speckle, a slight blur, heavy JPEG."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    noisy = image.filter(ImageFilter.GaussianBlur(1.2))
    pixels = noisy.load()
    for _ in range(60_000):
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        pixels[x, y] = rng.choice((0, 90, 170, 255))
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG", quality=25)
    return Image.open(io.BytesIO(buffer.getvalue()))


def synthetic_pages() -> list[Page]:
    out_dir = DATA / "synthetic"
    out_dir.mkdir(parents=True, exist_ok=True)
    clean, truth = render_letter()
    two, two_truth = render_letter(columns=2)
    variants = {
        "letter-clean": (clean, truth, "typed letter, clean"),
        "letter-rot90": (clean.rotate(90, expand=True), truth, "turned a quarter"),
        "letter-rot180": (clean.rotate(180), truth, "upside down"),
        "letter-skew3": (clean.rotate(3, expand=True, fillcolor=255), truth, "skewed 3 degrees"),
        "letter-skew6": (clean.rotate(-6, expand=True, fillcolor=255), truth, "skewed 6 degrees the other way"),
        "letter-noisy": (_noisy_jpeg(clean, 7), truth, "blur, speckle, JPEG q25"),
        "letter-2col": (two, two_truth, "two columns"),
    }
    pages = []
    for name, (image, text, what) in variants.items():
        path = out_dir / f"{name}.png"
        if not path.exists():
            image.convert("L").save(path, dpi=(300, 300))
        pages.append(Page(name, path, text, what, real=False))
    return pages


# OCRmyPDF's linn.txt is an OCR output, not a transcript: these are its errors, checked against the picture.
LINN_FIXES = [
    ("state—of—the-art", "state-of-the-art"), (" 0r ", " or "), ("ﬁrst‘track", "first track"),
    ("sequence-—", "sequence—"), ("INSERT/ COPY", "INSERT/COPY"), ("FOOTSWIT CH", "FOOTSWITCH"),
    ("PLAY/ STOP", "PLAY/STOP"), ("high—speed", "high-speed"), ("MHZ", "MHz"), ("PER—MINUTE", "PER-MINUTE"),
    ("PER—BEAT", "PER-BEAT"), ("real—time", "real-time"), ("EDI]\n", "Linn\n"), ("3 1/2 ”", "3½″"),
    ("synthesizers !", "synthesizers!"), ("\n0 ", "\n• "),
]


def _linn_truth() -> None:
    """linn.gt.txt from linn.txt: its OCR errors fixed, the last heading moved after the second column."""
    source, target = DATA / "ocrmypdf" / "linn.txt", DATA / "ocrmypdf" / "linn.gt.txt"
    if target.exists() or not source.exists():
        return
    text = source.read_text(encoding="utf-8")
    for wrong, right in LINN_FIXES:
        text = text.replace(wrong, right)
    text = text.replace("Additional Features\n\n", "", 1)
    text = text.replace("demonstration!\n", "demonstration!\n\nAdditional Features\n", 1)
    target.write_text(text, encoding="utf-8")


def receipt_pages() -> list[Page]:
    """Scanned shop receipts of the ICDAR 2019 SROIE set, with their key fields (bench-data/ocr/sroie)."""
    pages = []
    for image in sorted((DATA / "sroie").glob("*.jpg")):
        key = image.with_suffix(".json")
        if key.exists():
            fields = json.loads(key.read_text(encoding="utf-8"))
            pages.append(Page(f"receipt-{image.stem}", image, "", "scanned receipt (SROIE)", True, fields))
    return pages


def receipt_scores(fields: dict[str, str], output: str) -> tuple[bool, bool, float]:
    """Total found, date found, share of the company name's words found: what a search for it needs."""
    text = normalise(output)
    company = normalise(fields.get("company", "")).split()
    have = set(text.lower().split())
    return (normalise(fields.get("total", "?")) in text, normalise(fields.get("date", "?")) in text,
            sum(w.lower() in have for w in company) / max(1, len(company)))


def real_pages() -> list[Page]:
    _linn_truth()
    pages = []
    for image, truth, what in REAL:
        if (DATA / image).exists() and (DATA / truth).exists():
            text = (DATA / truth).read_text(encoding="utf-8", errors="replace")
            pages.append(Page(Path(image).stem, DATA / image, text, what, real=True))
        else:
            print(f"(skipped {image}: not under bench-data/ocr, see docs/ocr.md)", file=sys.stderr)
    return pages


# ---------------------------------------------------------------- scoring

FOLD = str.maketrans({"—": "-", "–": "-", "‐": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "″": '"', "•": " ", "|": " "})


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(FOLD)
    return re.sub(r"\s+", " ", text).strip()


def scores(truth: str, output: str) -> tuple[float, float, float]:
    from rapidfuzz.distance import Levenshtein

    t, o = normalise(truth), normalise(output)
    cer = Levenshtein.distance(t, o) / max(1, len(t))
    tw, ow = t.split(), o.split()
    wer = Levenshtein.distance(tw, ow) / max(1, len(tw))
    strip = lambda w: w.strip(".,;:!?\"'()").lower()  # noqa: E731
    need, have = Counter(map(strip, tw)), Counter(map(strip, ow))
    found = sum(min(n, have[w]) for w, n in need.items()) / max(1, sum(need.values()))
    return cer, wer, found


# ---------------------------------------------------------------- engines (child side)


def _lines_from_boxes(boxes: list[tuple[Any, str]]) -> str:
    """RapidOCR gives text boxes, not lines: group boxes whose vertical centres lie within half a
    box height of each other, then read each group left to right (no column analysis)."""
    items = []
    for box, text in boxes:
        ys = [p[1] for p in box]
        xs = [p[0] for p in box]
        items.append(((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(xs), text))
    items.sort()
    lines: list[list[tuple[float, float, float, str]]] = []
    for item in items:
        if lines and abs(item[0] - lines[-1][0][0]) < lines[-1][0][1] / 2:
            lines[-1].append(item)
        else:
            lines.append([item])
    return "\n".join(" ".join(t for *_, t in sorted(line, key=lambda i: i[2])) for line in lines)


def _make_engine(name: str, threads: int) -> Any:
    from PIL import Image

    if name == "cairn":
        sys.path.insert(0, str(ROOT))
        from engine.extract.images import _dpi
        from engine.extract.ocr import enlarged_if_small, read_page, scaled_for_ocr

        read_page(Image.new("L", (64, 64), 255))  # loads the models, as the other engines do here

        def run(image: Image.Image) -> str:  # as engine.extract.images reads a one-page picture
            dpi = _dpi(image.info.get("dpi"))
            return read_page(enlarged_if_small(scaled_for_ocr(image.convert("L")), dpi), dpi).text

        return run
    if name == "tesserocr":
        import tesserocr

        osd = tesserocr.PyTessBaseAPI(path=TESSDATA, lang="osd", psm=tesserocr.PSM.OSD_ONLY)
        api = tesserocr.PyTessBaseAPI(path=TESSDATA, lang="eng", psm=tesserocr.PSM.AUTO)

        def run(image: Image.Image) -> str:
            osd.SetImage(image)
            found = osd.DetectOrientationScript()
            if found and found.get("orient_conf", 0) > 2 and found["orient_deg"]:
                image = image.rotate(found["orient_deg"], expand=True)
            api.SetImage(image)
            return str(api.GetUTF8Text())

        return run
    if name == "pytesseract":
        import pytesseract

        def run(image: Image.Image) -> str:
            try:
                osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)
                if osd["orientation_conf"] > 2 and osd["rotate"]:
                    image = image.rotate(-osd["rotate"], expand=True)
            except pytesseract.TesseractError:
                pass  # too little text to tell
            return str(pytesseract.image_to_string(image, lang="eng"))

        return run
    if name == "rapidocr-v4":
        from rapidocr_onnxruntime import RapidOCR as V4

        v4 = V4(det_intra_op_num_threads=threads, cls_intra_op_num_threads=threads,
                rec_intra_op_num_threads=threads)

        def run(image: Image.Image) -> str:
            import numpy as np

            result, _ = v4(np.asarray(image.convert("RGB")))
            return _lines_from_boxes([(b, t) for b, t, _s in (result or [])])

        return run
    if name == "rapidocr-v6":
        from rapidocr import RapidOCR as V6

        v6 = V6(params={"Global.log_level": "error",
                        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                        "EngineConfig.onnxruntime.inter_op_num_threads": 1})

        def run(image: Image.Image) -> str:
            import numpy as np

            out = v6(np.asarray(image.convert("RGB")))
            if out.boxes is None:
                return ""
            return _lines_from_boxes(list(zip(out.boxes.tolist(), out.txts)))

        return run
    raise SystemExit(f"unknown engine {name}")


def _cpu() -> float:
    """CPU seconds of this process and of the programs it ran (pytesseract's tesseract), all threads."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def worker(name: str, threads: int, paths: list[str]) -> None:
    from PIL import Image

    started = time.perf_counter()
    run = _make_engine(name, threads)
    print(json.dumps({"load": time.perf_counter() - started}), flush=True)
    for path in paths:
        with Image.open(path) as image:
            image.load()
            image = image.convert("L") if image.mode not in ("L", "RGB") else image
        started, cpu = time.perf_counter(), _cpu()
        text = run(image)
        print(json.dumps({"path": path, "seconds": time.perf_counter() - started,
                          "cpu": _cpu() - cpu, "text": text}), flush=True)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mib": peak_kib / 1024}), flush=True)


# ---------------------------------------------------------------- parent side


def run_engine(name: str, threads: int, pages: list[Page]) -> dict[str, Any]:
    env = dict(os.environ, OMP_THREAD_LIMIT=str(threads), OMP_NUM_THREADS=str(threads))
    cmd = [sys.executable, __file__, "--worker", name, "--threads", str(threads), *[str(p.path) for p in pages]]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    out: dict[str, Any] = {"pages": {}}
    for line in proc.stdout.splitlines():
        record = json.loads(line)
        if "path" in record:
            out["pages"][record["path"]] = record
        else:
            out.update(record)
    return out


def report(engines: list[str], results: dict[str, dict[str, Any]], pages: list[Page], per_page: bool) -> None:
    print(f"{'engine':<12} {'pages':<10} {'CER %':>6} {'WER %':>6} {'found %':>8} {'s/page':>7} {'CPU s':>6} "
          f"{'s/A4':>6} {'CPU s/A4':>8} {'load s':>6} {'peak MiB':>8}")
    for name in engines:
        res = results[name]
        if "error" in res:
            print(f"{name:<12} unavailable: {res['error']}")
            continue
        receipts = [(p, res["pages"][str(p.path)]) for p in pages if p.fields is not None]
        if receipts:
            found = [receipt_scores(p.fields or {}, r["text"]) for p, r in receipts]
            print(f"{name:<12} {len(receipts)} receipts: total found {sum(t for t, _, _ in found)}/{len(found)}, "
                  f"date found {sum(d for _, d, _ in found)}/{len(found)}, company words found "
                  f"{100 * sum(c for *_, c in found) / len(found):.0f} %, "
                  f"CPU {sum(r.get('cpu', 0.0) for _, r in receipts) / len(receipts):.2f} s each")
        for label, group in (("real", [p for p in pages if p.real and p.fields is None]),
                             ("synthetic", [p for p in pages if not p.real])):
            rows = [(p, res["pages"][str(p.path)]) for p in group]
            if not rows:
                continue
            s = [scores(p.truth, r["text"]) for p, r in rows]
            secs = [r["seconds"] for _, r in rows]
            a4 = [r["seconds"] for p, r in rows if not p.real]
            a4_cpu = [r.get("cpu", 0.0) for p, r in rows if not p.real]
            mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
            a4_text = f"{mean(a4):6.2f} {mean(a4_cpu):8.2f}" if a4 else "     -        -"
            cpu = mean([r.get("cpu", 0.0) for _, r in rows])
            print(f"{name:<12} {label:<10} {100 * mean([c for c, _, _ in s]):6.1f} {100 * mean([w for _, w, _ in s]):6.1f} "
                  f"{100 * mean([f for *_, f in s]):8.1f} {mean(secs):7.2f} {cpu:6.2f} {a4_text} {res['load']:6.2f} "
                  f"{res['peak_mib']:8.0f}")
    if not per_page:
        return
    print()
    print(f"{'page':<22} {'what':<46} " + " ".join(f"{n[:11]:>17}" for n in engines))
    print(f"{'':<22} {'':<46} " + " ".join(f"{'CER/found/CPU s':>17}" for _ in engines))
    for page in [p for p in pages if p.fields is None]:
        cells = []
        for name in engines:
            res = results[name]
            if "error" in res:
                cells.append(f"{'-':>17}")
                continue
            r = res["pages"][str(page.path)]
            cer, _, found = scores(page.truth, r["text"])
            cells.append(f"{100 * cer:6.1f}/{100 * found:5.1f}/{r.get('cpu', 0.0):4.1f}")
        print(f"{page.name:<22} {page.what[:46]:<46} " + " ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pages", action="store_true", help="also print each page's figures")
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.threads, args.paths)
        return
    pages = [p for p in real_pages() + receipt_pages() + synthetic_pages() if args.only in p.name]
    engines = args.engines.split(",")
    results = {name: run_engine(name, args.threads, pages) for name in engines}
    print(f"{len(pages)} pages, {args.threads} threads per engine, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the end (other work slows the wall-clock figures)\n")
    report(engines, results, pages, args.pages)


if __name__ == "__main__":
    main()
