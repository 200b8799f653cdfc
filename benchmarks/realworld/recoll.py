"""Recoll on the same corpus: recollindex with a private configuration, then what it got per file.

Install (Debian): `apt-get install recollcmd python3-recoll python3-xapian` and the helpers Recoll
runs for these formats: poppler-utils (PDF), antiword (.doc), catdoc (.xls, .ppt), unrtf (RTF),
python3-lxml and xsltproc (OpenDocument, Office Open XML, EPUB, FB2, Gnumeric...), libwpd-tools
(WordPerfect), untex, groff, python3-chardet. Recoll's own list of the helpers it wanted and did not
find is copied from its `missing` file into the results.

Per file, the figure is what Recoll stored in its Xapian index: each document's data record holds
its URL, internal path (a message in a mailbox, a member of an archive), MIME type and `dbytes`,
the size of the text it extracted, and `abstract`, the start of that text. A file "has text" for
Recoll when the abstracts of the documents under its URL hold at least 3 letters or digits once
Recoll's marker ("?!#@") and antiword's picture placeholders ("[pic]") are removed: `dbytes` alone
counts the blank lines and form feeds pdftotext writes for a page without text. Why Recoll got nothing from a file comes from
its log (loglevel 3: every filter error names the file). The index data are read with the system
Python (python3-xapian), in a child process.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

from benchmarks.realworld.cairn import _sample
from benchmarks.realworld.paths import CORPUS, RECOLL

SYSTEM_PYTHON = "/usr/bin/python3"
HELPERS = ("recollcmd", "python3-recoll", "python3-xapian", "poppler-utils", "antiword", "catdoc", "unrtf",
           "python3-lxml", "xsltproc", "libwpd-tools", "untex", "groff", "python3-chardet")

_READ_INDEX = r"""
import json, sys, xapian
db = xapian.Database(sys.argv[1])
out = []
for docid in range(1, db.get_lastdocid() + 1):
    try:
        doc = db.get_document(docid)
    except xapian.DocNotFoundError:
        continue
    data = {}
    for line in doc.get_data().decode("utf-8", "replace").splitlines():
        key, _, value = line.partition("=")
        data.setdefault(key, value)
    out.append({k: data.get(k, "") for k in ("url", "ipath", "mtype", "fbytes", "dbytes", "abstract")})
json.dump(out, sys.stdout)
"""


def run() -> None:
    conf = RECOLL / "conf"
    shutil.rmtree(conf, ignore_errors=True)
    conf.mkdir(parents=True)
    log = conf / "recollindex.log"
    # skippedNames is emptied: its defaults (tmp*, cache*, loop.ps, ...) would skip corpus files by name alone
    (conf / "recoll.conf").write_text(
        f"topdirs = {CORPUS}\nskippedNames = \nskippedPaths = \nnoaspell = 1\nloglevel = 3\n"
        f"logfilename = {log}\nindexallfilenames = 1\n")
    started = time.perf_counter()
    # Recoll's filters start with `#!/usr/bin/env python3`: they need Debian's Python (python3-lxml,
    # python3-recoll), not whichever python3 comes first on PATH (a virtualenv's or pyenv's)
    env = {**os.environ, "PATH": "/usr/bin:/bin:" + os.environ.get("PATH", "")}
    proc = subprocess.Popen(["recollindex", "-c", str(conf), "-z"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    peak = [0]
    done = threading.Event()
    threading.Thread(target=_sample, args=(proc.pid, peak, done), daemon=True).start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "recollcmd"], capture_output=True, text=True).stdout
    (RECOLL / "index.json").write_text(json.dumps({
        "returncode": os.waitstatus_to_exitcode(status), "wall": wall, "peak_tree_mb": peak[0] / 2**20,
        "peak_process_mb": usage.ru_maxrss / 1024, "version": version}))
    collect()


def collect() -> None:
    """Read what the last recollindex run stored (also alone: `recoll --collect`)."""
    conf = RECOLL / "conf"
    docs = json.loads(subprocess.run([SYSTEM_PYTHON, "-c", _READ_INDEX, str(conf / "xapiandb")], check=True,
                                     capture_output=True, text=True).stdout)
    files = _per_file(docs, _log_reasons(conf / "recollindex.log"))
    missing = (conf / "missing").read_text() if (conf / "missing").exists() else ""
    result = {**json.loads((RECOLL / "index.json").read_text()), "missing_helpers": missing, "files": files}
    (RECOLL / "recoll.json").write_text(json.dumps(result, indent=1))
    with_text = sum(1 for f in files.values() if f["has_text"])
    print(f"recollindex: {result['wall']:.1f} s, peak {result['peak_tree_mb']:.0f} MB, {len(docs)} documents, "
          f"{with_text} of {len(files)} files with text")


def _per_file(docs: list[dict[str, str]], reasons: dict[str, list[str]]) -> dict[str, dict[str, object]]:
    files: dict[str, dict[str, object]] = {}
    for doc in docs:
        url = doc["url"]
        if not url.startswith("file://"):
            continue
        path = url[len("file://"):]
        if not Path(path).is_file():
            continue
        entry = files.setdefault(path, {"mtype": "", "text_bytes": 0, "documents": 0, "reasons": [], "has_text": False,
                                        "excerpt": ""})
        text = re.sub(r"\[pic\]", "", doc["abstract"].replace("?!#@", "")).strip()
        if sum(c.isalnum() for c in text) >= 3 and not entry["has_text"]:
            entry["has_text"], entry["excerpt"] = True, " ".join(text.split())[:60]
        entry["documents"] = int(entry["documents"]) + 1
        if not doc["ipath"]:
            entry["mtype"] = doc["mtype"]
        entry["text_bytes"] = int(entry["text_bytes"]) + int(doc["dbytes"] or 0)
    for path in _all_files():
        entry = files.setdefault(path, {"mtype": "", "text_bytes": 0, "documents": 0, "reasons": [], "has_text": False,
                                        "excerpt": ""})
        entry["reasons"] = reasons.get(path, [])[:3]
    return files


def _all_files() -> list[str]:
    return [str(p) for p in CORPUS.rglob("*") if p.is_file()]


def _log_reasons(log: Path) -> dict[str, list[str]]:
    """Error and warning lines of the indexing log, by the corpus file they name."""
    reasons: dict[str, list[str]] = {}
    if not log.exists():
        return reasons
    prefix = str(CORPUS) + "/"
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith((":1:", ":2:")) or prefix not in line:
            continue
        start = line.index(prefix)
        end = min((i for i in (line.find(c, start) for c in "]|") if i > 0), default=len(line))
        reasons.setdefault(line[start:end], []).append(line.split("::", 1)[-1][:300])
    return reasons
