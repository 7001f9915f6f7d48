"""A PDF written page by page into a binary file, for a list of any length.

fpdf2 (reports.printed.pdf) keeps every page in memory until it writes the file.
Measured on this project's 2-core machine, 2026-12-05, with the ranking's paper:
fpdf2 took 3.4 s of CPU for 2,000 rows, and its peak Python memory (tracemalloc)
grew from 9.4 MiB at 2,000 rows to 22.7 MiB at 8,000, about 2.2 MiB a thousand
rows, so a province's 100,000 would take minutes and hundreds of MiB. This writer
sends each page to the file as soon as it is drawn and keeps one object offset per
page and the set of characters used: 100,000 rows, 3,295 pages, in 5.5 s of CPU;
a peak of 10.1 MiB at 2,000 rows and at 20,000 alike, most of it the font subset
made at the end. Text is set in the embedded Noto Sans (a subset of the glyphs used,
ids kept), as glyph ids with a ToUnicode map so it can be searched and copied. The
page count, unknown until the last page, is a small form drawn on every page and
written at the end ("Trang x/y").
"""

import functools
import io
import logging
import unicodedata
import zlib
from dataclasses import dataclass
from typing import IO

from fontTools import subset
from fontTools.ttLib import TTFont
from PIL import Image

from awards.certificates import FONT_DIR

PT_PER_MM = 72 / 25.4
REGULAR, BOLD = "F1", "F2"
_FILES = {REGULAR: "NotoSans-Regular.ttf", BOLD: "NotoSans-Bold.ttf"}
_TOTAL = "Tot"  # the form holding the page count
_QR = "Qr"
# fontTools reports every table it subsets at INFO: forty lines a document.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class Metrics:
    """What laying out text needs from a font: glyph ids and advance widths."""

    name: str
    glyphs: dict[int, int]  # code point -> glyph id
    widths: dict[int, int]  # glyph id -> advance, in 1/1000 of the font size
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]


@functools.cache
def metrics(font: str) -> Metrics:
    ttf = TTFont(FONT_DIR / _FILES[font], lazy=True)
    scale = 1000 / ttf["head"].unitsPerEm
    order = ttf.getGlyphOrder()
    glyphs = {code: ttf.getGlyphID(name) for code, name in ttf.getBestCmap().items()}
    hmtx = ttf["hmtx"]
    head = ttf["head"]
    return Metrics(
        name=ttf["name"].getDebugName(6),
        glyphs=glyphs,
        widths={gid: round(hmtx[order[gid]][0] * scale) for gid in range(len(order))},
        ascent=round(ttf["hhea"].ascent * scale),
        descent=round(ttf["hhea"].descent * scale),
        cap_height=round(ttf["OS/2"].sCapHeight * scale),
        bbox=tuple(
            round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)
        ),
    )


def width(text: str, font: str, size: float) -> float:
    """The width of one line of text in mm."""
    m = metrics(font)
    units = sum(m.widths[m.glyphs.get(ord(c), 0)] for c in text)
    return units * size / 1000 / PT_PER_MM


def _text_string(value: str) -> str:
    """A PDF string of UTF-16BE hex, for the document's properties."""
    return "<FEFF" + value.encode("utf-16-be").hex().upper() + ">"


class StreamedPdf:
    """Pages drawn in mm from the top left corner and written as they end."""

    def __init__(
        self,
        file: IO[bytes],
        *,
        width_mm: float,
        height_mm: float,
        info: dict[str, str],
    ) -> None:
        self.file = file
        self.width, self.height = width_mm, height_mm
        self.info = info
        self.offsets: list[int] = [0]  # by object number; 0 is the free head
        self.position = 0
        self.pages: list[int] = []
        # The characters each font has set, for its subset and ToUnicode map.
        self.used: dict[str, set[str]] = {REGULAR: set(), BOLD: set()}
        self.content: list[str] = []
        self.qr: bytes | None = None
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        # Known up front so pages can refer to them; written at the end.
        self.catalog, self.tree, self.resources = self._reserve(3)
        self.fonts = dict(zip((REGULAR, BOLD), self._reserve(2), strict=True))
        (self.total,) = self._reserve(1)
        (self.qr_id,) = self._reserve(1)

    # --- the file ----------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        self.file.write(data)
        self.position += len(data)

    def _reserve(self, count: int) -> list[int]:
        first = len(self.offsets)
        self.offsets.extend([0] * count)
        return list(range(first, first + count))

    def _object(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.position
        parts = [f"{number} 0 obj\n".encode(), body]
        if stream is not None:
            parts += [b"\nstream\n", stream, b"\nendstream"]
        parts.append(b"\nendobj\n")
        self._write(b"".join(parts))

    def _new(self, body: bytes, stream: bytes | None = None) -> int:
        (number,) = self._reserve(1)
        self._object(number, body, stream)
        return number

    def _stream(self, data: bytes, extra: str = "") -> tuple[bytes, bytes]:
        packed = zlib.compress(data, 6)
        return (
            f"<< /Length {len(packed)} /Filter /FlateDecode{extra} >>".encode(),
            packed,
        )

    # --- drawing -------------------------------------------------------------------

    def _x(self, x: float) -> str:
        return f"{x * PT_PER_MM:.2f}"

    def _y(self, y: float) -> str:
        return f"{(self.height - y) * PT_PER_MM:.2f}"

    def _glyphs(self, text: str, font: str) -> str:
        m = metrics(font)
        self.used[font].update(text)
        return "".join(f"{m.glyphs.get(ord(c), 0):04X}" for c in text)

    def text(
        self, x: float, baseline: float, text: str, font: str, size: float
    ) -> None:
        """One line of text starting at x, its baseline at `baseline` mm from the top."""
        text = unicodedata.normalize("NFC", text)
        if not text:
            return
        self.content.append(
            f"BT /{font} {size:g} Tf {self._x(x)} {self._y(baseline)} Td"
            f" <{self._glyphs(text, font)}> Tj ET"
        )

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        """A rectangle's outline, its top left corner at (x, y)."""
        self.content.append(
            f"{self._x(x)} {self._y(y + h)} {w * PT_PER_MM:.2f} {h * PT_PER_MM:.2f} re S"
        )

    def page_total(self, x: float, baseline: float) -> None:
        """The number of pages of the whole document, known once it is written."""
        self.content.append(
            f"q 1 0 0 1 {self._x(x)} {self._y(baseline)} cm /{_TOTAL} Do Q"
        )

    def qr_code(self, png: bytes, x: float, y: float, size: float) -> None:
        """The document's QR code (one per document), a square of `size` mm."""
        self.qr = png
        side = size * PT_PER_MM
        self.content.append(
            f"q {side:.2f} 0 0 {side:.2f} {self._x(x)} {self._y(y + size)} cm"
            f" /{_QR} Do Q"
        )

    def end_page(self) -> None:
        """Write the page drawn so far; the next drawing starts a new page."""
        body, packed = self._stream(
            ("0.2 w 0 G 0 g\n" + "\n".join(self.content)).encode("ascii")
        )
        contents = self._new(body, packed)
        page = self._new(
            f"<< /Type /Page /Parent {self.tree} 0 R /MediaBox [0 0"
            f" {self.width * PT_PER_MM:.2f} {self.height * PT_PER_MM:.2f}]"
            f" /Resources {self.resources} 0 R /Contents {contents} 0 R >>".encode()
        )
        self.pages.append(page)
        self.content = []

    # --- the end -------------------------------------------------------------------

    def close(self) -> int:
        """Write what the pages refer to, the cross-reference table and the
        trailer; the number of pages."""
        if self.content or not self.pages:
            self.end_page()
        count = str(len(self.pages))
        size = metrics(REGULAR).ascent * 8 / 1000
        form, packed = self._stream(
            f"BT /{REGULAR} 8 Tf 0 0 Td <{self._glyphs(count, REGULAR)}> Tj ET".encode(),
            f" /Type /XObject /Subtype /Form /BBox [0 -3 {len(count) * 8} {size:.1f}]"
            f" /Resources << /Font << /{REGULAR} {self.fonts[REGULAR]} 0 R >> >>",
        )
        self._object(self.total, form, packed)
        xobjects = f"/{_TOTAL} {self.total} 0 R"
        if self.qr is not None:
            self._qr_image()
            xobjects += f" /{_QR} {self.qr_id} 0 R"
        else:
            self._object(self.qr_id, b"null")
        fonts = " ".join(f"/{name} {pk} 0 R" for name, pk in self.fonts.items())
        self._object(
            self.resources,
            f"<< /Font << {fonts} >> /XObject << {xobjects} >> >>".encode(),
        )
        for name, pk in self.fonts.items():
            self._font(name, pk)
        kids = " ".join(f"{pk} 0 R" for pk in self.pages)
        self._object(
            self.tree,
            f"<< /Type /Pages /Kids [{kids}] /Count {len(self.pages)} >>".encode(),
        )
        self._object(
            self.catalog, f"<< /Type /Catalog /Pages {self.tree} 0 R >>".encode()
        )
        properties = " ".join(f"/{k} {_text_string(v)}" for k, v in self.info.items())
        info = self._new(f"<< {properties} >>".encode())
        start = self.position
        lines = [f"xref\n0 {len(self.offsets)}\n", "0000000000 65535 f \n"]
        lines += [f"{offset:010d} 00000 n \n" for offset in self.offsets[1:]]
        lines.append(
            f"trailer\n<< /Size {len(self.offsets)} /Root {self.catalog} 0 R"
            f" /Info {info} 0 R >>\nstartxref\n{start}\n%%EOF\n"
        )
        self._write("".join(lines).encode())
        return len(self.pages)

    def _qr_image(self) -> None:
        image = Image.open(io.BytesIO(self.qr)).convert("L")
        body, packed = self._stream(
            image.tobytes(),
            f" /Type /XObject /Subtype /Image /Width {image.width}"
            f" /Height {image.height} /ColorSpace /DeviceGray /BitsPerComponent 8",
        )
        self._object(self.qr_id, body, packed)

    def _font(self, font: str, number: int) -> None:
        """A Type0 font over the subset of glyphs used, ids kept as they are."""
        m = metrics(font)
        chars = sorted(self.used[font])
        by_glyph = {m.glyphs[ord(c)]: c for c in chars if ord(c) in m.glyphs}
        ttf = TTFont(FONT_DIR / _FILES[font])
        options = subset.Options()
        options.retain_gids = True
        options.notdef_outline = True
        options.layout_features = []
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=[0, *by_glyph])
        subsetter.subset(ttf)
        data = io.BytesIO()
        ttf.save(data)
        tag = "".join(chr(65 + (number + i) % 26) for i in range(6))
        name = f"{tag}+{m.name}"
        body, packed = self._stream(data.getvalue(), f" /Length1 {data.tell()}")
        file_id = self._new(body, packed)
        x0, y0, x1, y1 = m.bbox
        descriptor = self._new(
            f"<< /Type /FontDescriptor /FontName /{name} /Flags 32"
            f" /FontBBox [{x0} {y0} {x1} {y1}] /ItalicAngle 0 /Ascent {m.ascent}"
            f" /Descent {m.descent} /CapHeight {m.cap_height} /StemV 80"
            f" /FontFile2 {file_id} 0 R >>".encode()
        )
        widths = " ".join(f"{gid} [{m.widths[gid]}]" for gid in sorted(by_glyph))
        cid_font = self._new(
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name}"
            " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
            f" /FontDescriptor {descriptor} 0 R /DW 0 /W [{widths}]"
            " /CIDToGIDMap /Identity >>".encode()
        )
        body, packed = self._stream(_to_unicode(by_glyph))
        to_unicode = self._new(body, packed)
        self._object(
            number,
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H"
            f" /DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>".encode(),
        )


def _to_unicode(by_glyph: dict[int, str]) -> bytes:
    """The map from glyph ids back to the characters, for search and copy."""
    entries = [
        f"<{gid:04X}> <{char.encode('utf-16-be').hex().upper()}>"
        for gid, char in sorted(by_glyph.items())
    ]
    blocks = [
        f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar"
        for chunk in (entries[i : i + 100] for i in range(0, len(entries), 100))
    ]
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()
