"""Read one PDF from standard input and print what it holds as JSON (see `pdf.py`).

Run in a child process under memory and CPU limits: PDFium is native code and not
thread-safe, and a hostile file must not take the crawler down with it.
"""

from __future__ import annotations

import json
import sys

MAX_TEXT = 200_000
MAX_PAGES_READ = 30


def read(data: bytes) -> dict:
    """Return title, author, subject, keywords, dates, page count and opening text."""
    import pypdfium2 as pdfium  # noqa: PLC0415  (only ever loaded in the worker)

    document = pdfium.PdfDocument(data)
    try:
        meta = document.get_metadata_dict(skip_empty=True)
        pages = len(document)
        parts, size = [], 0
        for index in range(min(pages, MAX_PAGES_READ)):
            page = document[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            parts.append(text)
            size += len(text)
            if size >= MAX_TEXT:
                break
        return {"title": meta.get("Title", ""), "author": meta.get("Author", ""),
                "subject": meta.get("Subject", ""), "keywords": meta.get("Keywords", ""),
                "created": meta.get("CreationDate", ""), "pages": pages,
                "text": "\n".join(parts)[:MAX_TEXT]}
    finally:
        document.close()


def main() -> int:
    data = sys.stdin.buffer.read()
    try:
        result = {"ok": True, **read(data)}
    except Exception as exc:  # report every failure as data, never a traceback
        result = {"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
