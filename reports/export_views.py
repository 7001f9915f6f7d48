import re
import tempfile
from collections.abc import Callable
from functools import wraps
from typing import IO
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.normalize import fold
from awards.models import RoundResult, UnitResult
from contest_portal.db_router import replica_reads
from contest_portal.numbers import thousands
from reports import catalogue, printed, selectors, services
from reports.models import ExportJob

XLSX = catalogue.CONTENT_TYPES["xlsx"]
# Small files stay in memory; a long list rolls over to a file on disk.
SPOOL_BYTES = 4 * 1024 * 1024
PERSONAL_PERMISSION = "reports.export_personal_data"
_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def export_view(view: Callable) -> Callable:
    """Signed in, allowed to export lists, GET only, never cached."""

    @login_required
    @permission_required("reports.export_lists", raise_exception=True)
    @require_GET
    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with replica_reads():  # the workbook is written before the view returns
            return view(request, *args, **kwargs)

    return wrapper


def content_disposition(filename: str) -> str:
    """An attachment name with an ASCII fallback and the exact UTF-8 name."""
    name = _UNSAFE_IN_FILENAME.sub("-", filename).strip()
    stem, _dot, extension = name.rpartition(".")
    ascii_name = f"{slugify(fold(stem)) or 'bao-cao'}.{extension}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _download(
    request: HttpRequest,
    *,
    kind: str,
    description: str,
    personal: bool,
    write: Callable[[IO[bytes]], int],
    extension: str = "xlsx",
) -> FileResponse:
    """Write the file to a spooled temporary file, log the download, send it."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        rows = write(spool)
        services.export_log_create(
            user=request.user,
            kind=kind,
            description=description,
            rows=rows,
            includes_personal_data=personal,
        )
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    # FileResponse closes the file once it has been sent.
    response = FileResponse(spool, content_type=catalogue.CONTENT_TYPES[extension])
    response["Content-Disposition"] = content_disposition(f"{description}.{extension}")
    return response


def _result(round_id: int) -> RoundResult:
    return get_object_or_404(
        RoundResult.objects.select_related("round__contest"), round_id=round_id
    )


@export_view
def export_list(request: HttpRequest) -> HttpResponse:
    """Every download the user may take, per contest and round."""
    return render(
        request,
        "reports/export_list.html",
        {
            "contests": selectors.export_contests(),
            "personal": request.user.has_perm(PERSONAL_PERMISSION),
        },
    )


@export_view
def export_winners(request: HttpRequest, round_id: int) -> HttpResponse:
    """Winners of a round; ?ca-nhan=1 adds phone and citizen ID for the committee."""
    personal = request.GET.get("ca-nhan") == "1"
    if personal and not request.user.has_perm(PERSONAL_PERMISSION):
        raise PermissionDenied
    return _catalogued(request, kind="winners", key=round_id, personal=personal)


PRINT_TYPES = {
    "xlsx": XLSX,
    "pdf": "application/pdf",
}


def _printable(fmt: str) -> None:
    if fmt not in PRINT_TYPES:
        raise Http404


def _printed(
    request: HttpRequest, *, kind: str, paper: printed.lists.Paper, fmt: str
) -> HttpResponse:
    """A list to print and sign, as .xlsx or PDF; logged like every download."""
    render = printed.paper_xlsx if fmt == "xlsx" else printed.paper_pdf
    body = render(paper)
    services.export_log_create(
        user=request.user,
        kind=kind,
        description=paper.filename,
        rows=len(paper.rows),
        includes_personal_data=False,
    )
    response = HttpResponse(body, content_type=PRINT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(f"{paper.filename}.{fmt}")
    return response


@export_view
def export_winners_printed(
    request: HttpRequest, round_id: int, fmt: str
) -> HttpResponse:
    """The round's winners to print and sign: the official header, the signatures,
    and for an approved list its checksum and QR code."""
    _printable(fmt)
    paper = printed.round_winners_paper(result=_result(round_id))
    return _printed(request, kind="winners-print", paper=paper, fmt=fmt)


@export_view
def export_ranking_pdf(request: HttpRequest, round_id: int) -> HttpResponse:
    """The full ranking as a PDF to read and sign; a long one is offered as a
    background job (the page's button posts to export-job-start)."""
    result = _result(round_id)
    rows = result.rows.count()
    if rows > printed.ranking_pdf_inline_max_rows():
        return render(
            request,
            "reports/export_ranking_pdf.html",
            {"result": result, "rows": thousands(rows)},
        )
    return _catalogued(request, kind="ranking-pdf", key=round_id)


@export_view
def export_unit_winners_printed(
    request: HttpRequest, slug: str, fmt: str
) -> HttpResponse:
    """The units awarded collective prizes, to print and sign."""
    _printable(fmt)
    result = get_object_or_404(
        UnitResult.objects.select_related("contest"), contest__slug=slug
    )
    paper = printed.unit_winners_paper(result=result)
    return _printed(request, kind="unit-winners-print", paper=paper, fmt=fmt)


def _catalogued(
    request: HttpRequest, *, kind: str, key: object, personal: bool = False
) -> FileResponse:
    """A download of the catalogue's list `kind` for `key` (a round id or a
    contest's slug), the same list the background job writes."""
    prepared = catalogue.prepare(
        kind=kind, key=str(key), personal=personal, by=request.user
    )
    return _download(
        request,
        kind=kind,
        description=prepared.description,
        personal=personal,
        write=prepared.write,
        extension=prepared.extension,
    )


@export_view
def export_ranking(request: HttpRequest, round_id: int) -> HttpResponse:
    return _catalogued(request, kind="ranking", key=round_id)


@export_view
def export_units(request: HttpRequest, slug: str) -> HttpResponse:
    return _catalogued(request, kind="units", key=slug)


@export_view
def export_questions(request: HttpRequest, round_id: int) -> HttpResponse:
    return _catalogued(request, kind="questions", key=round_id)


@export_view
def export_contest_questions(request: HttpRequest, slug: str) -> HttpResponse:
    return _catalogued(request, kind="contest-questions", key=slug)


@export_view
@permission_required(PERSONAL_PERMISSION, raise_exception=True)
def export_contestants(request: HttpRequest, slug: str) -> HttpResponse:
    return _catalogued(request, kind="contestants", key=slug, personal=True)


@export_view
def export_bank(request: HttpRequest) -> HttpResponse:
    return _catalogued(request, kind="bank", key="")


@login_required
@permission_required("reports.export_lists", raise_exception=True)
@require_POST
def export_job_start(request: HttpRequest) -> HttpResponse:
    """Queue a long list to be built in the background, then show its progress."""
    try:
        job = services.export_job_start(
            user=request.user,
            kind=request.POST.get("kind", ""),
            key=request.POST.get("key", "")[:100],
            personal=request.POST.get("ca-nhan") == "1",
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("reports:export-list")
    return redirect("reports:export-job", job_id=job.pk)


@export_view
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress; the page refreshes itself until the file is ready."""
    job = get_object_or_404(ExportJob, pk=job_id, user=request.user)
    return render(
        request, "reports/export_job.html", {"job": job, "extension": _extension(job)}
    )


def _extension(job: ExportJob) -> str:
    """What the job's file is, from its name: "pdf" or "xlsx"."""
    extension = job.file.name.rpartition(".")[2] if job.file else ""
    return extension if extension in catalogue.CONTENT_TYPES else "xlsx"


@export_view
def export_job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    """The finished file, for the person who asked for it only."""
    job = get_object_or_404(
        ExportJob, pk=job_id, user=request.user, status=ExportJob.Status.DONE
    )
    services.export_log_create(
        user=request.user,
        kind=job.kind,
        description=job.description,
        rows=job.rows,
        includes_personal_data=job.personal,
    )
    extension = _extension(job)
    response = FileResponse(
        job.file.open("rb"), content_type=catalogue.CONTENT_TYPES[extension]
    )
    response["Content-Disposition"] = content_disposition(
        f"{job.description}.{extension}"
    )
    return response
