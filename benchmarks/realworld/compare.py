"""Tables from the Cairn and Recoll runs: per format, the comparison, and the files they disagree on.

Writes results/report.md (the tables docs/realworld.md quotes) and results/disagreements.json,
and prints the report. A file "has text" for Cairn when it was indexed (fully or partly) with at
least one passage; for Recoll when the start of the text it extracted holds letters or digits
(benchmarks/realworld/recoll.py says how that is read).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks.realworld.paths import CAIRN, CORPUS, MANIFEST, RECOLL, RESULTS



def compare() -> None:
    manifest = json.loads(MANIFEST.read_text())
    cairn = _cairn_files()
    passes = {p.stem: json.loads(p.read_text()) for p in sorted(CAIRN.glob("*.json")) if p.stem != "pure"}
    recoll = json.loads((RECOLL / "recoll.json").read_text()) if (RECOLL / "recoll.json").exists() else None
    pure = json.loads((CAIRN / "pure.json").read_text()) if (CAIRN / "pure.json").exists() else None
    paths = [str(CORPUS / f["path"]) for f in manifest["files"]]
    sizes = Counter(str(f["format"]) for f in manifest["files"])
    # formats with one or two files (media, archives, rare templates) share a row, so the tables stay readable
    group = {fmt: fmt if n >= 3 else "other" for fmt, n in sizes.items()}
    fmt_of = {str(CORPUS / f["path"]): group[f["format"]] for f in manifest["files"]}
    passes = _grouped(passes, group)
    lines: list[str] = _sources(manifest)
    lines += _format_table(paths, fmt_of, cairn, passes, pure)
    lines += _reasons(paths, fmt_of, cairn)
    lines += _aborts(passes)
    disagreements: dict[str, list[dict[str, object]]] = {}
    if recoll:
        more, disagreements = _recoll_tables(paths, fmt_of, cairn, recoll["files"])
        lines += [f"\nRecoll {recoll['version']}: one recollindex pass over the whole corpus in {recoll['wall']:.0f} s, "
                  f"peak {recoll['peak_tree_mb']:.0f} MB (process tree), exit status {recoll['returncode']}."]
        if recoll["missing_helpers"].strip():
            lines += ["Helpers Recoll wanted and did not find:", "", "```", recoll["missing_helpers"].strip(), "```"]
        lines += more
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines) + "\n"
    (RESULTS / "report.md").write_text(text)
    (RESULTS / "disagreements.json").write_text(json.dumps(disagreements, indent=1))
    print(text)


def _sources(manifest: dict[str, list[dict[str, object]]]) -> list[str]:
    out = ["## Sources", "", "| source | registry | package | version | license | taken | files |", "|---|---|---|---|---|---|--:|"]
    for s in manifest["sources"]:
        out.append(f"| {s['name']} | {s['registry']} | {s['package']} | {s['version']} | {s['license']} | "
                   f"{', '.join(str(t) for t in s['take'])} | {s['files']} |")  # type: ignore[union-attr]
    dupes = sum(1 for f in manifest["left_out"] if str(f["why"]).startswith("same"))
    big = [f for f in manifest["left_out"] if not str(f["why"]).startswith("same")]
    out += ["", f"{len(manifest['files'])} files; left out: {dupes} duplicates of files already taken, "
            f"{len(big)} over the size cap" + (": " + ", ".join(f"{f['source']}:{f['member']}" for f in big) if big else ".")]
    return out + [""]


def _grouped(passes: dict[str, dict[str, object]], group: dict[str, str]) -> dict[str, dict[str, object]]:
    merged: dict[str, dict[str, list[object]]] = {}
    for fmt, run in passes.items():
        target = merged.setdefault(group.get(fmt, fmt), {"passes": [], "aborts": []})
        target["passes"] += run["passes"]  # type: ignore[operator]
        target["aborts"] += run["aborts"]  # type: ignore[operator]
    return merged  # type: ignore[return-value]


def _cairn_files() -> dict[str, dict[str, object]]:
    files: dict[str, dict[str, object]] = {}
    for p in CAIRN.glob("*.json"):
        if p.stem != "pure":
            files.update(json.loads(p.read_text())["files"])
    return files


def _has_text(row: dict[str, object] | None) -> bool:
    return bool(row) and row["status"] in ("indexed", "partial") and int(row["passages"]) > 0  # type: ignore[index, call-overload]


def _format_table(paths: list[str], fmt_of: dict[str, str], cairn: dict[str, dict[str, object]],
                  passes: dict[str, dict[str, object]], pure: dict[str, float] | None) -> list[str]:
    by_format: dict[str, Counter[str]] = defaultdict(Counter)
    passages: Counter[str] = Counter()
    for path in paths:
        row = cairn.get(path)
        status = "not run" if row is None else str(row["status"])
        by_format[fmt_of[path]][status] += 1
        passages[fmt_of[path]] += int(row["passages"]) if row else 0  # type: ignore[call-overload]
    out = ["## Cairn, per format", "",
           "| format | files | read | partly read | no text | refused | not supported | lost or not measured | passages | "
           "seconds | passages/s | peak MB | aborts |",
           "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    totals: Counter[str] = Counter()
    wall = reported = 0.0
    peak = 0.0
    aborts = timed = 0
    for fmt in sorted(by_format, key=lambda f: (f == "other", -sum(by_format[f].values()))):
        c = by_format[fmt]
        run = passes.get(fmt, {"passes": [], "aborts": []})
        seconds = sum(float(p["wall"]) for p in run["passes"])  # type: ignore[union-attr, index]
        said = sum(float(p["reported_seconds"] or 0) for p in run["passes"])  # type: ignore[union-attr, index]
        fpeak = max((float(p["peak_tree_mb"]) for p in run["passes"]), default=0.0)  # type: ignore[union-attr, index]
        n = sum(c.values())
        rate = passages[fmt] / said if said else 0.0
        out.append(f"| {fmt} | {n} | {c['indexed']} | {c['partial']} | {c['empty']} | {c['error']} | {c['skipped']} | "
                   f"{c['lost'] + c['not run'] + c['not measured']} | {passages[fmt]} | {seconds:.0f} | {rate:.1f} | {fpeak:.0f} | "
                   f"{len(run['aborts'])} |")  # type: ignore[arg-type]
        totals.update(c)
        timed += passages[fmt] if run["passes"] else 0
        wall, reported, peak, aborts = wall + seconds, reported + said, max(peak, fpeak), aborts + len(run["aborts"])  # type: ignore[arg-type]
    total_passages = sum(passages.values())
    out.append(f"| **all** | {len(paths)} | {totals['indexed']} | {totals['partial']} | {totals['empty']} | "
               f"{totals['error']} | {totals['skipped']} | {totals['lost'] + totals['not run'] + totals['not measured']} | {total_passages} | "
               f"{wall:.0f} | {timed / reported if reported else 0:.1f} | {peak:.0f} | {aborts} |")
    out += ["", f"seconds: wall time of the format's `cairn index` passes (model loading included); passages/s: "
            f"passages over the seconds Cairn itself reports ({reported:.0f} s in all; a pass stopped by hand "
            f"counts in neither)."]
    if pure:
        rate = timed / reported if reported else 0.0
        out.append(f"Pure embedding of {pure['passages']} of these passages: {pure['rate']:.1f} passages/s; "
                   f"indexing ran at {rate:.1f} passages/s = {rate / pure['rate']:.2f} of it.")
    return out


def _reason_key(reason: str) -> str:
    reason = re.sub(r"/\S+", "<path>", reason)
    reason = re.sub(r"\d+(\.\d+)?", "N", reason)
    return reason[:160]


def _reasons(paths: list[str], fmt_of: dict[str, str], cairn: dict[str, dict[str, object]]) -> list[str]:
    counts: Counter[tuple[str, str]] = Counter()
    formats: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for path in paths:
        row = cairn.get(path)
        if row and row["status"] not in ("indexed",):
            reason = str(row["error"] or "")
            key = (str(row["status"]), "unsupported file type" if reason.startswith("unsupported file type") else
                   _reason_key(reason))
            counts[key] += 1
            formats[key][Path(path).suffix.lower() or "(none)" if fmt_of[path] == "other" else fmt_of[path]] += 1
    out = ["", "## Cairn: why files were refused or partly read", "", "| status | reason | files | formats |",
           "|---|---|--:|---|"]
    for (status, reason), n in counts.most_common():
        where = ", ".join(f"{f} {k}" for f, k in formats[(status, reason)].most_common())
        out.append(f"| {status} | {reason.replace('|', '/')} | {n} | {where} |")
    return out


def _aborts(passes: dict[str, dict[str, object]]) -> list[str]:
    out = ["", "## Aborted passes", ""]
    found = [a for run in passes.values() for a in run["aborts"]]  # type: ignore[union-attr]
    if not found:
        return out + ["None: every pass completed."]
    for a in found:
        tail = "\n".join(str(a["stderr"]).strip().splitlines()[-12:])
        out += [f"- {a['format']}: exit {a['returncode']}; file being written: "
                f"{Path(str(a['first_file_without_row'])).relative_to(CORPUS) if a['first_file_without_row'] else '?'}"
                f" (aborts alone: {a.get('aborts_alone')})", "", "```", tail, "```", ""]
    return out


def _recoll_tables(paths: list[str], fmt_of: dict[str, str], cairn: dict[str, dict[str, object]],
                   recoll: dict[str, dict[str, object]]) -> tuple[list[str], dict[str, list[dict[str, object]]]]:
    by_format: dict[str, Counter[str]] = defaultdict(Counter)
    only_recoll: list[dict[str, object]] = []
    only_cairn: list[dict[str, object]] = []
    for path in paths:
        c, r = cairn.get(path), recoll.get(path, {"text_bytes": 0, "mtype": "", "reasons": [], "has_text": False})
        ct, rt = _has_text(c), bool(r["has_text"])
        fmt = fmt_of[path]
        by_format[fmt]["cairn"] += ct
        by_format[fmt]["recoll"] += rt
        by_format[fmt]["both"] += ct and rt
        by_format[fmt]["files"] += 1
        rel = str(Path(path).relative_to(CORPUS))
        if rt and not ct:
            by_format[fmt]["recoll only"] += 1
            only_recoll.append({"path": rel, "format": fmt, "cairn_status": c["status"] if c else "not run",
                                "cairn_reason": c["error"] if c else "", "recoll_bytes": r["text_bytes"],
                                "recoll_mtype": r["mtype"], "recoll_excerpt": r.get("excerpt", "")})
        elif ct and not rt:
            by_format[fmt]["cairn only"] += 1
            only_cairn.append({"path": rel, "format": fmt, "cairn_passages": c["passages"] if c else 0,
                               "recoll_mtype": r["mtype"], "recoll_reasons": r["reasons"]})
    out = ["", "## Cairn and Recoll: files each got text from", "",
           "| format | files | Cairn | Recoll | both | only Cairn | only Recoll |",
           "|---|--:|--:|--:|--:|--:|--:|"]
    total: Counter[str] = Counter()
    for fmt in sorted(by_format, key=lambda f: (f == "other", -by_format[f]["files"])):
        c = by_format[fmt]
        total.update(c)
        out.append(f"| {fmt} | {c['files']} | {c['cairn']} | {c['recoll']} | {c['both']} | {c['cairn only']} | "
                   f"{c['recoll only']} |")
    out.append(f"| **all** | {total['files']} | {total['cairn']} | {total['recoll']} | {total['both']} | "
               f"{total['cairn only']} | {total['recoll only']} |")
    share = total["recoll only"] / total["files"] if total["files"] else 0.0
    out += ["", f"Files Recoll extracts text from and Cairn does not: {total['recoll only']} = {share:.1%} of the corpus."]
    out += ["", "### Recoll has text, Cairn none", "", "| file | Cairn | Cairn's reason | Recoll's text begins | Recoll type |",
            "|---|---|---|---|---|"]
    for d in sorted(only_recoll, key=lambda d: (str(d["cairn_reason"]), str(d["path"]))):
        out.append(f"| {d['path']} | {d['cairn_status']} | {str(d['cairn_reason'] or '').replace('|', '/')[:140]} | "
                   f"{str(d['recoll_excerpt']).replace('|', '/')[:50]} | {d['recoll_mtype']} |")
    out += ["", "### Cairn has text, Recoll none", "", "| file | passages | Recoll type | Recoll's log |", "|---|--:|---|---|"]
    for d in sorted(only_cairn, key=lambda d: str(d["path"])):
        why = "; ".join(str(x) for x in d["recoll_reasons"])[:160].replace("|", "/")  # type: ignore[union-attr]
        out.append(f"| {d['path']} | {d['cairn_passages']} | {d['recoll_mtype']} | {why} |")
    return out, {"recoll_only": only_recoll, "cairn_only": only_cairn}
