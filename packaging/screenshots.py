"""Screenshots of the desktop app's main states, for the README: `docs/screenshots/*.png`.

    .venv/bin/python packaging/screenshots.py [--out docs/screenshots]

Needs Debian's `xvfb` (`apt-get install xvfb`): without a $DISPLAY the script runs
itself again under `xvfb-run`, so the app is drawn by a real X server (the xcb
platform, as on a desktop) rather than offscreen. It builds the very app
`cairn-desktop` runs (desktop.app.build) on a temporary Cairn home with the bundled
models, writes a small demo corpus (notes, a two-page PDF, a damaged PDF) and a
folder of manual pages, drives the app as a person would and grabs the window:

first-launch, search (results and preview), answer (with a citation opened), folders
(indexing in progress), problems (a file that could not be read), settings, and
search-dark (the same window under a dark palette). With `--only scan`: scan-preview (a hit
in a scanned letter, its page with the matching words boxed).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (1360, 860)
NOTES = {
    "notes/knee-surgery-recovery.md": "# After the knee operation\n\nDr. Lindqvist said the reconstructed ligament "
    "needs six weeks before any running. Keep the leg raised, ice it three times a day, and start the "
    "physiotherapy exercises on day ten: heel slides, straight-leg raises and gentle bends.\n\n"
    "## Follow-up\n\nCheck-up at the orthopaedic clinic on 14 March. Bring the MRI disc.",
    "notes/sourdough.txt": "Feed the starter with equal weights of flour and water every morning. Let the dough "
    "rise overnight in a cool kitchen, shape it, then bake in a very hot oven (250 °C) in a covered pot for 20 "
    "minutes and 25 more without the lid, until the crust is dark brown.",
    "notes/garden-plan.txt": "Tomatoes go against the south wall; basil between them keeps the aphids away. Sow "
    "carrots and radishes together in April: the radishes mark the rows and are pulled before the carrots need "
    "the room. Compost the beds in October.",
    "home/boiler-service.txt": "The boiler was serviced on 3 October by Kettle & Sons. Pressure should sit "
    "between 1 and 1.5 bar when cold; if it drops below 1 bar, top it up with the filling loop under the unit. "
    "Next service due in October; reference 2024-BS-7781.",
    "home/lease-agreement.txt": "The tenant pays the rent on the first day of each month by bank transfer. The "
    "landlord keeps the security deposit of two months' rent until the flat is inspected at the end of the "
    "tenancy. Either party may end the lease with three months' notice in writing.",
    "home/insurance.txt": "Home contents are insured up to 40,000 euros, bicycles included when locked. Water "
    "damage from a burst pipe is covered; flooding from outside is not. Claims must be reported within 30 days "
    "with photographs and receipts.",
    "work/meeting-2024-05-02.md": "# Planning meeting, 2 May\n\nDecided: the new invoicing system goes live on 1 "
    "July. Maria owns the migration of old invoices; Tom writes the customer letter. Open question: whether "
    "the archive of paper receipts is scanned or kept in boxes for the seven years the law requires.",
    "work/travel-policy.txt": "Book trains for trips under six hours; flights need a manager's approval. Hotel "
    "costs are reimbursed up to 140 euros a night in capitals. Keep every receipt and file the expense report "
    "within a month of coming back.",
    "code/backup.sh": "#!/bin/sh\n# Nightly backup of the photo library to the external disk.\n"
    "# Keeps seven daily and four weekly snapshots; deletes older ones.\n"
    "rsync -a --delete ~/Pictures/ /mnt/backup/pictures/\n",
}
PDF_PAGES = (
    "Household budget 2024. Groceries average 620 euros a month; energy 140; the car 210 including insurance.",
    "Savings plan. Put 300 euros a month into the emergency fund until it holds six months of expenses, then "
    "move the surplus to the index fund. Review the plan every January.",
)


def write_demo(folder: Path) -> None:
    for name, text in NOTES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    try:
        from fpdf import FPDF
    except ImportError:  # a test extra: without it the demo has no PDF
        return
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in PDF_PAGES:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(folder / "home" / "budget-2024.pdf"))
    (folder / "home" / "scanned-letter.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntruncated\n")


def write_manuals(folder: Path, count: int) -> None:
    from benchmarks.textsource import man_pages

    folder.mkdir(parents=True)
    for i, (stem, name, body) in enumerate(man_pages(limit=count)):
        (folder / f"{stem}.txt").write_text(f"{name}\n\n{body[:6000]}", "utf-8")


@contextlib.contextmanager
def demo_home() -> Iterator[Path]:
    """A temporary home holding the demo folder: paths then read ~/Documents/..., as on a person's machine."""
    with tempfile.TemporaryDirectory(prefix="cairn-shots-") as tmp:
        os.environ["HOME"] = tmp
        write_demo(Path(tmp) / "Documents")
        yield Path(tmp)


class Shooter:
    """Drives the app and saves what the window shows."""

    def __init__(self, out: Path) -> None:
        from PySide6.QtWidgets import QApplication

        from desktop import theme

        self.out = out
        self.qt = QApplication.instance() or QApplication([sys.argv[0]])
        self.qt.setStyle("Fusion")
        self.qt.setApplicationName("Cairn")
        self.qt.setWindowIcon(theme.app_icon())

    def wait(self, condition: Callable[[], object], timeout: float = 300.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"screenshots: timed out waiting for {what or condition}")
            self.qt.processEvents()
            time.sleep(0.02)

    def settle(self, seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.qt.processEvents()
            time.sleep(0.02)

    def save(self, widget: object, name: str) -> None:
        self.settle()
        path = self.out / f"{name}.png"
        if not widget.grab().save(str(path)):  # type: ignore[attr-defined]
            raise SystemExit(f"screenshots: could not write {path}")
        print(f"wrote {path}", flush=True)


def shoot(out: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop import writer as W
    from desktop.app import build
    from desktop.settings import SettingsDialog

    shooter = Shooter(out)
    qt = shooter.qt
    with demo_home() as tmp:
        demo = tmp / "Documents"
        manuals = tmp / "Manuals"
        write_manuals(manuals, 160)
        app = build(tmp / "home", tray=False)
        window = app.window
        window.resize(*SIZE)
        app.start()
        shooter.wait(lambda: app.session.status is not None and app.writer.state == W.WATCHING, what="first launch")
        shooter.save(window, "first-launch")

        # search: a question in other words than the note's, its passage in the preview
        app.writer.add_folder(str(demo))
        shooter.wait(lambda: app.session.status is not None and app.session.status.files >= len(NOTES)
                     and app.writer.state == W.WATCHING, what="the demo folder to be indexed")
        window.focus_search()
        window.search.query.setText("when can I go jogging again after the operation")
        shooter.wait(lambda: bool(window.search.model.results), what="search results")
        window.search.view.setCurrentIndex(window.search.model.index(0))
        shooter.wait(lambda: window.preview.located is not None and not window.preview.note.isVisible(),
                     what="the preview")
        shooter.save(window, "search")

        # an answer, its first citation opened in the preview
        window.focus_ask()
        answers: list[object] = []
        window.ask.answerFinished.connect(answers.append)
        window.ask.question.setText("What pressure should the boiler have?")
        window.ask.ask()
        shooter.wait(lambda: bool(answers), what="the answer")
        sentences = getattr(answers[0], "sentences", ())
        cited = next((n for s in sentences for n in s.citations), 1)
        index = next((i for i, s in enumerate(sentences) if cited in s.citations), None)
        window.ask.show_source(cited, index)
        shooter.wait(lambda: window.preview.title.text().startswith("Source"), what="the cited passage")
        shooter.save(window, "answer")

        # folders: a second folder being indexed, with its progress
        app.writer.add_folder(str(manuals))
        window.tabs.setCurrentWidget(window.folders)
        shooter.wait(lambda: app.writer.last_progress is not None and app.writer.last_progress.files_done >= 25,
                     what="indexing progress")
        shooter.save(window, "folders")
        app.writer.pause()
        shooter.wait(lambda: app.writer.state == W.PAUSED, what="pause")
        app.session.refresh_status()
        shooter.settle(1.0)

        # problems: the damaged PDF, with the reason
        window.tabs.setCurrentWidget(window.problems)
        shooter.wait(lambda: bool(window.problems.rows()), what="the problems list")
        shooter.save(window, "problems")

        # settings
        dialog = SettingsDialog(app.session, window.prefs, window)
        dialog.show()
        shooter.wait(lambda: dialog.index_chunks is not None, what="the settings dialog")
        shooter.save(dialog, "settings")
        dialog.reject()

        # the same search under a dark palette: every colour Cairn adds follows it
        qt.setPalette(dark_palette())
        window.focus_search()
        window.search.view.setCurrentIndex(window.search.model.index(1))
        window.search.view.setCurrentIndex(window.search.model.index(0))
        shooter.wait(lambda: window.preview.located is not None and window.preview.title.text()
                     == Path(window.search.model.results[0].path).name, what="the preview, dark")
        shooter.settle(1.0)
        shooter.save(window, "search-dark")
        app.shutdown()
        qt.setPalette(QApplication.style().standardPalette())


def shoot_scan(out: Path) -> None:
    """scan-preview: a search hit in a scanned letter, the page as scanned with the matching words boxed."""
    from desktop import writer as W
    from desktop.app import build
    from tests.scans import LETTER, encoded, page

    shooter = Shooter(out)
    with demo_home() as tmp:
        demo = tmp / "Documents"
        scan = page(LETTER).rotate(-1.5, expand=True, fillcolor=250)  # fed in a little askew, as scanners do
        (demo / "home" / "solicitor-invoice-scan.jpg").write_bytes(encoded(scan, "JPEG", quality=70, dpi=(300, 300)))
        app = build(tmp / "home", tray=False)
        window = app.window
        window.resize(*SIZE)
        app.start()
        app.writer.add_folder(str(demo))
        shooter.wait(lambda: app.session.status is not None and app.session.status.files >= len(NOTES) + 1
                     and app.writer.state == W.WATCHING, what="the demo folder to be indexed")
        window.focus_search()
        for _ in range(60):  # the scan is read last (OCR): asked again until it is among the results
            window.search.query.setText("")
            window.search.query.setText("probate grant fees")
            shooter.settle(5.0)
            if any(r.path.endswith("-scan.jpg") for r in window.search.model.results):
                break
        else:
            raise SystemExit("screenshots: timed out waiting for the scan")
        row = next(i for i, r in enumerate(window.search.model.results) if r.path.endswith("-scan.jpg"))
        window.search.view.setCurrentIndex(window.search.model.index(row))
        preview = window.preview
        shooter.wait(lambda: preview.body.currentWidget() is preview.page, what="the page picture")
        shooter.save(window, "scan-preview")
        app.shutdown()


def dark_palette() -> object:
    from PySide6.QtGui import QColor, QPalette

    pal = QPalette()
    roles = QPalette.ColorRole
    for role, colour in ((roles.Window, "#2b2d30"), (roles.WindowText, "#e6e6e6"), (roles.Base, "#1e1f22"),
                         (roles.AlternateBase, "#2b2d30"), (roles.Text, "#e6e6e6"), (roles.Button, "#3a3d41"),
                         (roles.ButtonText, "#e6e6e6"), (roles.Highlight, "#3574f0"),
                         (roles.HighlightedText, "#ffffff"), (roles.ToolTipBase, "#3a3d41"),
                         (roles.ToolTipText, "#e6e6e6"), (roles.PlaceholderText, "#8c8c8c"), (roles.Link, "#6ea6ff"),
                         (roles.LinkVisited, "#c792ea"), (roles.Mid, "#4a4d52"), (roles.Dark, "#151618"),
                         (roles.Light, "#505357"), (roles.Shadow, "#000000")):
        pal.setColor(role, QColor(colour))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return pal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", choices=("all", "scan"), default="all", help="scan: only scan-preview.png")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        xvfb = shutil.which("xvfb-run")
        if xvfb is None:
            raise SystemExit("screenshots: no $DISPLAY and no xvfb-run: install Debian's xvfb (apt-get install xvfb).")
        screen = f"-screen 0 {SIZE[0] + 200}x{SIZE[1] + 200}x24 -dpi 96"
        sys.exit(subprocess.call([xvfb, "-a", "-s", screen, sys.executable, *sys.argv]))
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    args.out.mkdir(parents=True, exist_ok=True)
    (shoot_scan if args.only == "scan" else shoot)(args.out.resolve())


if __name__ == "__main__":  # the engine's file reader is a spawned process: this module is imported there too
    main()
