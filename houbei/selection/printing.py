"""The selection documents printed to PDF (WeasyPrint), fast enough for a cycle's whole set.

Measured on a short 考察材料 (one page), three costs outweighed the document itself, and
none of them is the document's:

- the font: Noto Serif CJK SC holds 65,535 glyphs in a 26 MB collection; for every PDF
  WeasyPrint copies the collection into Python and subsets each weight twice, keeping the
  glyph ids (about 0.15 s a PDF, and 240 KB of it the fonts);
- the font configuration: without one given, each PDF loads fontconfig's afresh;
- the URL fetcher: each PDF builds one, and with it an SSL context loading the system's
  certificates (60 ms), for documents that fetch nothing.

So each weight is cut once, with HarfBuzz, to the characters a school's papers use —
GB 2312's 6,763 characters and its symbols, ASCII and Latin-1, punctuation, the full-width
forms and the few symbol blocks documents use — with the same outlines, metrics and layout
tables, and kept in a directory; the documents' CSS names the cut font first and the full
font after it, so a character outside the cut (a rare character in a name) is still
printed in the same typeface, only that PDF takes longer. Each process (each thread) keeps
one font configuration and one fetcher, which refuses every URL but the cut fonts' files.
Text stays extractable and the fonts embedded, as before.

``Printer`` prints many documents at once in worker processes (``forkserver``: started once,
WeasyPrint already imported, nothing of Django or the database in them) and on this
process when one worker or none is asked for.

Nothing here imports Django: the worker processes import this module alone."""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import gc
import hashlib
import logging
import multiprocessing
import multiprocessing.util
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# The typeface of every document (print.css names it too).
SOURCE_FAMILY = "Noto Serif CJK SC"
# The family the cut fonts are declared under in ``@font-face``.
FAMILY = "Houbei Noto Serif SC"
WEIGHTS = {"normal": "regular", "bold": "bold"}
# Raised whenever CHARACTERS changes, so that fonts cut before are cut again.
CUT_VERSION = 1

# Beside GB 2312, blocks a document may use: punctuation, letter-like symbols (℃, №), number
# forms (Ⅰ), arrows, mathematical operators (√, ≥), enclosed numbers (①), box drawing,
# geometric shapes (□, ●), stars (★), CJK symbols and punctuation, kana, enclosed CJK (㈠),
# CJK compatibility (㎡), vertical and small forms, full-width forms (＿).
RANGES = (
    (0x20, 0x7E),
    (0xA0, 0xFF),
    (0x2000, 0x206F),
    (0x2100, 0x21FF),
    (0x2200, 0x22FF),
    (0x2460, 0x24FF),
    (0x2500, 0x25FF),
    (0x2600, 0x26FF),
    (0x3000, 0x30FF),
    (0x3200, 0x33FF),
    (0xFE10, 0xFE1F),
    (0xFE30, 0xFE6F),
    (0xFF00, 0xFFEF),
)


def characters() -> list[int]:
    """The code points the cut fonts keep: GB 2312 (its 7,445 characters, read from
    Python's codec) and ``RANGES``."""
    found = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    for first, last in RANGES:
        found.update(range(first, last + 1))
    return sorted(found)


# --- the fonts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    path: Path
    index: int  # the face in a collection (.ttc)


def source_fonts() -> dict[str, Source]:
    """Where fontconfig finds each weight of ``SOURCE_FAMILY`` — the files WeasyPrint
    would print with — or nothing when the family is not installed (then the documents
    print with whatever fontconfig picks, as before)."""
    command = shutil.which("fc-match")
    if command is None:
        return {}
    found = {}
    for weight, name in WEIGHTS.items():
        try:
            # Fixed arguments, no shell: fontconfig's own answer to the CSS's font.
            answer = subprocess.run(  # noqa: S603
                [command, "-f", "%{family}|%{file}|%{index}", f"{SOURCE_FAMILY}:weight={name}"],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return {}
        families, _sep, rest = answer.partition("|")
        path, _sep, index = rest.partition("|")
        if SOURCE_FAMILY in families.split(",") and path and index.isdigit():
            found[weight] = Source(Path(path), int(index))
    return found


class _HarfBuzz:
    """The few HarfBuzz calls a cut needs, through ctypes (the libraries WeasyPrint loads)."""

    def __init__(self) -> None:
        names = (ctypes.util.find_library("harfbuzz"), "libharfbuzz.so.0")
        subset_names = (ctypes.util.find_library("harfbuzz-subset"), "libharfbuzz-subset.so.0")
        self.hb = self._load(names)
        self.subset = self._load(subset_names)
        p, u = ctypes.c_void_p, ctypes.c_uint
        for lib, name, restype, argtypes in (
            (self.hb, "hb_blob_create_from_file", p, [ctypes.c_char_p]),
            (self.hb, "hb_blob_destroy", None, [p]),
            (self.hb, "hb_blob_get_data", p, [p, ctypes.POINTER(u)]),
            (self.hb, "hb_face_create", p, [p, u]),
            (self.hb, "hb_face_destroy", None, [p]),
            (self.hb, "hb_face_get_glyph_count", u, [p]),
            (self.hb, "hb_face_reference_blob", p, [p]),
            (self.hb, "hb_set_add", None, [p, u]),
            (self.hb, "hb_set_add_range", None, [p, u, u]),
            (self.hb, "hb_set_clear", None, [p]),
            (self.hb, "hb_set_invert", None, [p]),
            (self.subset, "hb_subset_input_create_or_fail", p, []),
            (self.subset, "hb_subset_input_destroy", None, [p]),
            (self.subset, "hb_subset_input_set", p, [p, ctypes.c_int]),
            (self.subset, "hb_subset_input_set_flags", None, [p, u]),
            (self.subset, "hb_subset_input_unicode_set", p, [p]),
            (self.subset, "hb_subset_or_fail", p, [p, p]),
        ):
            function = getattr(lib, name)
            function.restype, function.argtypes = restype, argtypes

    @staticmethod
    def _load(names: Iterable[str | None]) -> ctypes.CDLL:
        error: OSError | None = None
        for name in names:
            if name:
                try:
                    return ctypes.CDLL(name)
                except OSError as failed:
                    error = failed
        raise OSError(f"HarfBuzz not found: {error}")

    def cut(self, source: Source, codepoints: Sequence[int]) -> bytes:
        """The face with only ``codepoints`` (and the glyphs its layout tables reach from
        them), every layout feature, name and language kept, glyph outlines untouched."""
        hb, sub = self.hb, self.subset
        blob = hb.hb_blob_create_from_file(str(source.path).encode())
        face = hb.hb_face_create(blob, source.index)
        request = sub.hb_subset_input_create_or_fail()
        try:
            unicodes = sub.hb_subset_input_unicode_set(request)
            for codepoint in codepoints:
                hb.hb_set_add(unicodes, codepoint)
            # hb_subset_sets_t: 4 name ids, 5 name languages, 6 layout features: all of them.
            for which in (4, 5, 6):
                kept = sub.hb_subset_input_set(request, which)
                hb.hb_set_clear(kept)
                hb.hb_set_invert(kept)
            # PASSTHROUGH_UNRECOGNIZED (keep tables it does not know), NOTDEF_OUTLINE.
            sub.hb_subset_input_set_flags(request, 0x20 | 0x40)
            cut = sub.hb_subset_or_fail(face, request)
            if not cut:
                raise OSError(f"HarfBuzz could not cut {source.path}")
            try:
                data_blob = hb.hb_face_reference_blob(cut)
                length = ctypes.c_uint()
                data = hb.hb_blob_get_data(data_blob, ctypes.byref(length))
                content = ctypes.string_at(data, length.value) if data else b""
                hb.hb_blob_destroy(data_blob)
            finally:
                hb.hb_face_destroy(cut)
        finally:
            sub.hb_subset_input_destroy(request)
            hb.hb_face_destroy(face)
            hb.hb_blob_destroy(blob)
        if not content:
            raise OSError(f"HarfBuzz gave an empty cut of {source.path}")
        return content


def _key(source: Source) -> str:
    stat = source.path.stat()
    text = f"{CUT_VERSION}|{source.path}|{source.index}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_fonts_lock = threading.Lock()
_fonts: dict[str, dict[str, Path]] = {}


def cut_fonts(directory: Path) -> dict[str, Path]:
    """The cut font of each weight (CSS weight → file), made on first use and kept in
    ``directory`` under a name that changes with the source file and ``CUT_VERSION``;
    written to a temporary name and renamed, so processes making them at the same time
    never read half a file. Empty when the source family is missing or HarfBuzz cannot
    cut it: the documents then print with the installed fonts directly."""
    with _fonts_lock:
        if str(directory) in _fonts:
            return _fonts[str(directory)]
        found: dict[str, Path] = {}
        try:
            sources = source_fonts()
            harfbuzz: _HarfBuzz | None = None
            codepoints: list[int] = []
            for weight, source in sources.items():
                target = (
                    directory / f"{FAMILY.replace(' ', '')}-{WEIGHTS[weight]}-{_key(source)}.otf"
                )
                if not target.exists():
                    harfbuzz = harfbuzz or _HarfBuzz()
                    codepoints = codepoints or characters()
                    directory.mkdir(parents=True, exist_ok=True)
                    part = target.with_suffix(f".{os.getpid()}.part")
                    part.write_bytes(harfbuzz.cut(source, codepoints))
                    os.replace(part, target)
                found[weight] = target
            if not sources:
                logger.warning(
                    "%s is not installed: the PDFs print with the fonts fontconfig finds.",
                    SOURCE_FAMILY,
                )
        except OSError as error:
            logger.warning(
                "The PDFs' fonts could not be cut (%s): printing with the full ones.", error
            )
            found = {}
        _fonts[str(directory)] = found
        return found


def font_faces(fonts: dict[str, Path]) -> str:
    """The ``@font-face`` rules declaring the cut fonts as ``FAMILY``."""
    return "".join(
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}"); '
        f"font-weight: {weight}; font-style: normal; }}\n"
        for weight, path in fonts.items()
    )


# --- printing ----------------------------------------------------------------------------

_local = threading.local()


def _tools(allowed: tuple[str, ...]) -> tuple[Any, Any]:
    """This thread's font configuration and fetcher (WeasyPrint's are not for sharing
    between threads); the fetcher allows the files ``allowed`` and nothing else."""
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    class LocalFonts(URLFetcher):  # type: ignore[misc]
        """Fetches the cut fonts' files and refuses everything else: the documents
        link nothing, and a name or a text in them must never reach the network."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file",))
            self.allowed: set[str] = set()

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url not in self.allowed:
                raise ValueError(f"Not fetched: {url}")
            return super().fetch(url, headers)

    if getattr(_local, "tools", None) is None:
        _local.tools = (FontConfiguration(), LocalFonts())
        if threading.current_thread() is threading.main_thread():
            atexit.register(_forget)
    font_config, fetcher = _local.tools
    fetcher.allowed.update(allowed)
    return font_config, fetcher


def _stylesheet(css: str, font_config: Any, fetcher: Any) -> Any:
    """``css`` parsed once per thread: the documents of a set share one stylesheet, and
    parsing it (with its ``@font-face`` rules) took a sixth of a short document's time."""
    from weasyprint import CSS

    parsed: dict[str, Any] = _local.__dict__.setdefault("stylesheets", {})
    if css not in parsed:
        if len(parsed) > 8:  # a few stylesheets at most; never grow without bound
            parsed.clear()
        parsed[css] = CSS(string=css, font_config=font_config, url_fetcher=fetcher)
    return parsed[css]


def pdf(html: str, allowed: tuple[str, ...] = (), css: str = "") -> bytes:
    """``html`` (a standalone page) as PDF, styled by ``css`` besides any style it holds.
    ``allowed``: the file URLs it may load — the cut fonts the ``@font-face`` rules name."""
    from weasyprint import HTML

    font_config, fetcher = _tools(allowed)
    sheets = [_stylesheet(css, font_config, fetcher)] if css else []
    document = HTML(string=html, url_fetcher=fetcher)
    return bytes(document.write_pdf(stylesheets=sheets, font_config=font_config))


def _forget() -> None:
    """Drop this thread's font configuration while the interpreter still runs: it
    removes its temporary copy of the fonts when it goes."""
    _local.__dict__.clear()
    gc.collect()  # the parsed stylesheets hold it in reference cycles


def _warm() -> None:
    """A worker's start: WeasyPrint imported and its font configuration built before the
    first document comes; its fonts' temporary copy removed when the worker ends (a worker
    leaves without running atexit)."""
    _tools(())
    multiprocessing.util.Finalize(None, _forget, exitpriority=10)


_pool_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def _executor(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("forkserver")
            # The server imports WeasyPrint once; every worker forks from it ready.
            context.set_forkserver_preload([__name__, "weasyprint"])
            _pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_warm)
            _pool_size = workers
        return _pool


def default_workers() -> int:
    """``HOUBEI_PDF_WORKERS`` if set, else one worker per core this process may use."""
    configured = os.environ.get("HOUBEI_PDF_WORKERS", "").strip()
    if configured.isdigit():
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def timed_pdf(html: str, allowed: tuple[str, ...] = (), css: str = "") -> tuple[bytes, float]:
    """``pdf``, with the CPU seconds it took in the process that printed it."""
    started = time.process_time()
    content = pdf(html, allowed, css)
    return content, time.process_time() - started


def _discard_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


@dataclass
class Job:
    """One PDF of a batch: ``result()`` gives its bytes and the CPU seconds its printing
    took (in the worker, or here)."""

    html: str
    allowed: tuple[str, ...]
    css: str = ""
    future: Future[tuple[bytes, float]] | None = None

    def result(self) -> tuple[bytes, float]:
        if self.future is not None:
            try:
                return self.future.result()
            except BrokenProcessPool:  # a worker died: this one and the rest print here
                _discard_pool()
                self.future = None
        return timed_pdf(self.html, self.allowed, self.css)


class Printer:
    """Prints a batch of documents. With ``workers`` ≥ 2 each ``submit`` goes to that many
    worker processes and this process goes on (building the Word and Excel files) while
    they print; with fewer, each is printed here when its result is asked for. A pool
    that breaks (a worker killed) prints what is left here."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        self.pool = _executor(self.workers) if self.workers >= 2 else None

    def warm(self, html: str, allowed: tuple[str, ...] = (), css: str = "") -> None:
        """Start every worker and have each print ``html`` once (loading its fonts and
        stylesheet), as a server's workers are after their first documents."""
        for job in [self.submit(html, allowed, css) for _n in range(max(self.workers, 1))]:
            job.result()

    def submit(self, html: str, allowed: tuple[str, ...] = (), css: str = "") -> Job:
        job = Job(html, allowed, css)
        if self.pool is not None:
            try:
                job.future = self.pool.submit(timed_pdf, html, allowed, css)
            except (RuntimeError, BrokenProcessPool):  # shut down or broken: print here
                _discard_pool()
                self.pool = None
        return job
