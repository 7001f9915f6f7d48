"""The parts of an .xlsx package other than its worksheets: content types,
relationships, properties, the workbook with its sheet list, and the styles."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from reports.xlsx.cells import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    FONTS,
    NORMAL,
    TEXT_XFS,
    attribute,
    escape,
    style,
)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_FIRST_FORMAT_ID = 164  # ids below are Excel's built-in formats
_THIN = (
    "".join(
        f'<{side} style="thin"><color indexed="64"/></{side}>'
        for side in ("left", "right", "top", "bottom")
    )
    + "<diagonal/>"
)


class Styles:
    """The cell formats of the whole workbook, known before any sheet is written:
    each borderless format, then a copy of each with thin borders from `boxed` on."""

    def __init__(self, number_formats: Iterable[str]) -> None:
        self.format_ids: dict[str, int] = {}
        self.xfs: list[tuple[int, int, int]] = [
            *TEXT_XFS,
            (NORMAL, self._format_id(DATE_FORMAT), 0),
            (NORMAL, self._format_id(DATETIME_FORMAT), 0),
        ]
        self.number_xfs: dict[str, int] = {}
        for code in number_formats:
            if code not in self.number_xfs:
                self.number_xfs[code] = len(self.xfs)
                self.xfs.append((NORMAL, self._format_id(code), 0))
        # The bordered copy of format n is format boxed + n.
        self.boxed = len(self.xfs)

    def _format_id(self, code: str) -> int:
        return self.format_ids.setdefault(code, _FIRST_FORMAT_ID + len(self.format_ids))

    def number_style(self, code: str | None, base: int = 0) -> str:
        """The s="..." attribute of a number in a column of this format; `base` is
        0 or `boxed`, for a cell of a bordered table."""
        return style(base + (0 if code is None else self.number_xfs[code]))

    def xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{pk}" formatCode="{attribute(code)}"/>'
            for code, pk in self.format_ids.items()
        )
        xfs = "".join(
            f'<xf numFmtId="{fmt}" fontId="{font}" fillId="0" borderId="{border}"'
            ' xfId="0"'
            + (' applyNumberFormat="1"' if fmt else "")
            + (' applyFont="1"' if font else "")
            + (' applyBorder="1"' if border else "")
            + (' quotePrefix="1"' if quoted else "")
            + "/>"
            for border in (0, 1)
            for font, fmt, quoted in self.xfs
        )
        return (
            f'{DECLARATION}<styleSheet xmlns="{MAIN_NS}">'
            f'<numFmts count="{len(self.format_ids)}">{formats}</numFmts>'
            f'<fonts count="{len(FONTS)}">{"".join(FONTS)}</fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/>'
            f"</border><border>{_THIN}</border></borders>"
            '<cellStyleXfs count="1">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{2 * len(self.xfs)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            '</cellStyles><dxfs count="0"/><tableStyles count="0"'
            ' defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
            "</styleSheet>"
        )


_CONTENT_TYPES = (
    DECLARATION
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels"'
    ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="{office}.styles+xml"/>'
    '<Override PartName="/docProps/core.xml"'
    ' ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{i}.xml"'
    ' ContentType="{office}.worksheet+xml"/>'
)
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_RELATIONSHIPS = (
    DECLARATION + f'<Relationships xmlns="{PKG_REL_NS}">{{}}</Relationships>'
)
_RELATIONSHIP = '<Relationship Id="rId{}" Type="{}" Target="{}"/>'
_CORE = (
    DECLARATION + "<cp:coreProperties"
    ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{properties}'
    '<dcterms:created xsi:type="dcterms:W3CDTF">{at}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{at}</dcterms:modified>'
    "</cp:coreProperties>"
)
_APP = (
    DECLARATION + "<Properties xmlns="
    '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel</Application></Properties>"
)


def _relationships(targets: Sequence[tuple[str, str]]) -> str:
    return _RELATIONSHIPS.format(
        "".join(
            _RELATIONSHIP.format(i, attribute(kind), attribute(target))
            for i, (kind, target) in enumerate(targets, start=1)
        )
    )


def package_parts(
    count: int, *, created: datetime, title: str = "", creator: str = ""
) -> dict[str, str]:
    """Every part but the worksheets and the workbook, which need the rows.
    `created` is aware; `title` and `creator` are text as a workbook holds it."""
    sheets = "".join(
        _SHEET_TYPE.format(i=i, office=_OFFICE) for i in range(1, count + 1)
    )
    properties = (
        f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(creator)}</dc:creator>"
        if title or creator
        else ""
    )
    created = created.astimezone(UTC)
    return {
        "[Content_Types].xml": _CONTENT_TYPES.format(office=_OFFICE, sheets=sheets),
        "_rels/.rels": _relationships(
            [
                (f"{REL_NS}/officeDocument", "xl/workbook.xml"),
                (f"{PKG_REL_NS}/metadata/core-properties", "docProps/core.xml"),
                (f"{REL_NS}/extended-properties", "docProps/app.xml"),
            ]
        ),
        "docProps/core.xml": _CORE.format(
            properties=properties, at=f"{created:%Y-%m-%dT%H:%M:%SZ}"
        ),
        "docProps/app.xml": _APP,
        "xl/_rels/workbook.xml.rels": _relationships(
            [
                *(
                    (f"{REL_NS}/worksheet", f"worksheets/sheet{i}.xml")
                    for i in range(1, count + 1)
                ),
                (f"{REL_NS}/styles", "styles.xml"),
            ]
        ),
    }


def workbook_xml(
    names: Sequence[str], filters: Sequence[str], titles: Sequence[str] = ()
) -> str:
    """The sheet list, a hidden filter name for each sheet with a filter, and the
    rows each sheet prints at the top of every page."""
    sheets = "".join(
        f'<sheet name="{attribute(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, start=1)
    )
    defined = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        + escape("'" + name.replace("'", "''") + "'!" + absolute)
        + "</definedName>"
        for i, (name, absolute) in enumerate(zip(names, filters, strict=True))
        if absolute
    ) + "".join(
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
        + escape("'" + name.replace("'", "''") + "'!" + rows)
        + "</definedName>"
        for i, (name, rows) in enumerate(zip(names, titles, strict=False))
        if rows
    )
    return (
        f'{DECLARATION}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheets}</sheets>"
        + (f"<definedNames>{defined}</definedNames>" if defined else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )
