"""A folder of saved pages holding every bad input of issue 15 among good pages (the test fixtures).

    python -m tests.robustness.bad_folder OUT [--max-bytes N]

builds it by hand (for `make run SOURCES=dump:OUT`) and prints the paper keys that must reach the
snapshot. `--max-bytes` must match the run's `[fetch] max_bytes`: one file is one byte larger.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from extract.clean import normalise_title
from extract.fetch import FetchSettings
from extract.parse import parse_paths

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
GOOD_FIXTURES = (
    "dump_spaced.txt",
    "hf_daily_2024-06-03.json",
    "hf_papers_2024-06-03.html",
    "hf_search_talking_head.json",
    "arxiv_old_form.xml",
    "arxiv_query_start0.xml",
)
HUGE_ABSTRACT = "We fine-tune BERT on SQuAD and report results. " + "padding " * 150_000  # ~1.2 M chars


def _item(arxiv_id: str, title: str | None, **paper: object) -> dict[str, object]:
    body: dict[str, object] = {"id": arxiv_id, "summary": "We evaluate on ImageNet.", "authors": [], **paper}
    if title is not None:
        body["title"] = title
    return {"paper": body, "publishedAt": "2024-06-01T00:00:00.000Z"}


def build(out: Path, max_bytes: int = FetchSettings.max_bytes) -> set[str]:
    """Write the folder; returns the keys (arXiv id, else normalised title) of every good paper in it."""
    good = out / "good"
    good.mkdir(parents=True, exist_ok=True)
    for name in GOOD_FIXTURES:
        (good / name).write_bytes((PAGES / name).read_bytes())
    # 3. two files of the same name in different subfolders, each with a paper of its own
    (out / "a").mkdir(exist_ok=True)
    (out / "b").mkdir(exist_ok=True)
    (out / "a" / "dup.txt").write_bytes((PAGES / "dump_compact.txt").read_bytes())
    (out / "b" / "dup.txt").write_text(
        "Daily Papers\nSubscribeA Paper Only In Folder B\nIts abstract mentions GPT-2.\n", encoding="utf-8"
    )
    bad = out / "bad"
    bad.mkdir(exist_ok=True)
    pages = {
        # 1. an abstract past spaCy's 1,000,000 characters, and 2. upvotes past int64
        "huge_and_overflow.json": [
            _item("2406.90001", "A Paper With a Huge Abstract", summary=HUGE_ABSTRACT),
            _item("2406.90002", "Upvotes Too Large As A String", upvotes="99999999999999999999999"),
            _item("2406.90003", "Upvotes Too Large As A Float", upvotes=1e30),
        ],
        # 4. one entry without a title among good ones
        "one_untitled.json": [
            _item("2406.90004", "A Good Entry Before"),
            _item("2406.90005", None),
            _item("2406.90006", "A Good Entry After"),
        ],
    }
    for name, value in pages.items():
        (bad / name).write_text(json.dumps(value), encoding="utf-8")
    (bad / "invalid_utf8.txt").write_bytes(b"Subscribe\n\nTitle \xff\xfe\n\nAbstract \xc3\n")  # 6.
    (bad / "truncated.json").write_bytes((PAGES / "hf_daily_2024-06-03.json").read_bytes()[:700])
    (bad / "arxiv_error.xml").write_bytes((PAGES / "arxiv_error.xml").read_bytes())
    (bad / "login.html").write_bytes(b"<html><body><h1>Please log in</h1></body></html>")
    (bad / "empty.txt").write_bytes(b"")
    (bad / "paper.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # 10. not a page format: skipped
    with (bad / "too_large.txt").open("wb") as handle:  # 11. one byte over the cap
        handle.truncate(max_bytes + 1)
    fifo = bad / "pipe.txt"  # 5. not a regular file
    if not fifo.exists():
        os.mkfifo(fifo)
    return good_keys(out)


def good_keys(out: Path) -> set[str]:
    records = parse_paths([out / "good", out / "a", out / "b"]).records
    keys = {r.arxiv_id or normalise_title(r.title) for r in records}
    return keys | {"2406.90001", "2406.90002", "2406.90003", "2406.90004", "2406.90006"}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--max-bytes", type=int, default=FetchSettings.max_bytes)
    args = parser.parse_args()
    keys = build(args.out, args.max_bytes)
    print(f"{args.out}: {len(keys)} good papers:")
    for key in sorted(keys):
        print(f"  {key}")


if __name__ == "__main__":
    main()
