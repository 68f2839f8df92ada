"""Reading PDFs: text, title, page count and size, in a child process with limits.

pypdfium2 (Apache-2.0/BSD) was fast, kept Arabic in logical order and failed cleanly on
truncated files (RESEARCH.md). It runs in `pdf_worker` under an address-space limit
and a wall-clock timeout, so a hostile or enormous file costs one failed record.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import dataclass

from catalogue.importers.errors import ParseError

MEMORY_LIMIT = 1024 * 1024 * 1024   # bytes of address space for the worker
TIMEOUT = 30.0                       # seconds per file


@dataclass(frozen=True)
class PdfInfo:
    """What a PDF holds."""

    title: str
    author: str
    subject: str
    keywords: str
    created: str
    pages: int
    size: int
    text: str


def _limits(memory: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def read_pdf(data: bytes, *, timeout: float = TIMEOUT, memory: int = MEMORY_LIMIT) -> PdfInfo:
    """Return what `data` (a PDF file) holds; raise ParseError on any failure."""
    if not data.lstrip()[:1024].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise ParseError("not a PDF file (no %PDF- header)")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(sys.path)}
    try:
        done = subprocess.run([sys.executable, "-m", "catalogue.importers.pdf_worker"],
                              input=data, capture_output=True, timeout=timeout, env=env,
                              preexec_fn=_limits(memory), check=False)
    except subprocess.TimeoutExpired:
        raise ParseError(f"reading the PDF took longer than {timeout:g} s") from None
    if done.returncode != 0:
        raise ParseError(f"the PDF reader stopped (exit {done.returncode}; "
                         "out of memory or a crash in the file)")
    try:
        result = json.loads(done.stdout.decode("utf-8"))
    except ValueError:
        raise ParseError("the PDF reader gave no answer") from None
    if not result.get("ok"):
        error = result.get("error", "unknown error")
        if "password" in error.lower():
            raise ParseError("the PDF is encrypted: it needs a password to be read")
        raise ParseError(f"unreadable PDF ({error})")
    return PdfInfo(title=result["title"].strip(), author=result["author"].strip(),
                   subject=result["subject"].strip(), keywords=result["keywords"].strip(),
                   created=result["created"], pages=int(result["pages"]), size=len(data),
                   text=result["text"])
