"""Every admin screen an organizer, a question author or a judge opens is Vietnamese.

A crawler logs in as staff of each official group and walks every admin page it
can reach from the index by links (app indexes, changelists with each filter,
search, sort, facet and date drill-down, add, change, history and delete pages),
then posts the forms empty (the "please correct the errors" page), runs each
action on one row and one action with no row selected. Each page's visible text,
plus the title / aria-label / placeholder / alt attributes and button labels, must
hold no English word outside a short allow list.

How an English word is told from Vietnamese written without accents: only
ASCII-only tokens of three letters or more are looked at, and a token counts as
English when it is a word of Django's own English admin, auth and core catalogues
(every string Django can print) or a word of one of our models' or fields' names
(which is what Django prints for a field or model without a verbose name, e.g.
"Computed by"), or a word of a small list of common English words. Vietnamese
syllables almost never are such words, and our Vietnamese text carries its accents.
"""

import gettext
import importlib.util
import io
import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from accounts.models import User
from tests.websec import admin_form_data, build_world, staff_in

pytestmark = pytest.mark.django_db

GROUPS = ["Ban Tổ chức", "Ban Giám khảo", "Tổ soạn thảo câu hỏi"]

DJANGO_DIR = Path(django.__file__).resolve().parent
DJANGO_CATALOGUES = [
    "contrib/admin/locale/en/LC_MESSAGES/django.po",
    "contrib/admin/locale/en/LC_MESSAGES/djangojs.po",
    "contrib/auth/locale/en/LC_MESSAGES/django.po",
    "contrib/contenttypes/locale/en/LC_MESSAGES/django.po",
    "contrib/sessions/locale/en/LC_MESSAGES/django.po",
    "conf/locale/en/LC_MESSAGES/django.po",
]
# Common words Django's catalogues happen not to use, and words of our domain that
# an untranslated label of ours would print.
COMMON_ENGLISH = frozenset(
    [
        "about",
        "after",
        "again",
        "all",
        "also",
        "and",
        "any",
        "approve",
        "approved",
        "are",
        "back",
        "been",
        "before",
        "being",
        "both",
        "but",
        "by",
        "can",
        "could",
        "decision",
        "did",
        "does",
        "done",
        "each",
        "edit",
        "false",
        "find",
        "first",
        "for",
        "from",
        "get",
        "got",
        "had",
        "has",
        "have",
        "her",
        "here",
        "him",
        "his",
        "how",
        "into",
        "its",
        "just",
        "last",
        "made",
        "make",
        "many",
        "more",
        "most",
        "much",
        "must",
        "new",
        "next",
        "not",
        "now",
        "off",
        "old",
        "once",
        "one",
        "only",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "show",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "too",
        "true",
        "two",
        "under",
        "until",
        "very",
        "was",
        "way",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "yes",
        "you",
        "your",
        "answer",
        "attempt",
        "award",
        "certificate",
        "choice",
        "code",
        "committee",
        "compute",
        "computed",
        "contest",
        "count",
        "disqualification",
        "duration",
        "export",
        "finished",
        "group",
        "job",
        "kind",
        "level",
        "member",
        "name",
        "occupation",
        "order",
        "participant",
        "phone",
        "prize",
        "question",
        "rank",
        "ranking",
        "reason",
        "result",
        "review",
        "revision",
        "round",
        "rule",
        "rules",
        "score",
        "slug",
        "stage",
        "status",
        "tier",
        "title",
        "topic",
        "unit",
        "updated",
        "voided",
        "winner",
    ]
)
# Words a Vietnamese administrator reads as they are.
ALLOWED = frozenset(
    {
        "excel",  # the spreadsheet program, by name
        "xlsx",  # a file type
        "pdf",
        "sha",  # SHA-256, the checksum's name
        "sms",
        "cccd",  # căn cước công dân
        "email",  # the usual Vietnamese word for it
        "vnd",  # the currency code
        "ubnd",  # Ủy ban nhân dân, in unit names
        "file",  # "tải file", "chọn file": everyday Vietnamese office usage
        "web",  # "trang web"
    }
)
# Vietnamese syllables that need no accent and are English words as well:
# "thu hồi", "than", "may mắn", "can thiệp", "thai sản", "tin", "con", "hay"...
VIETNAMESE_PLAIN = frozenset(
    {"ban", "can", "con", "dan", "hang", "hay", "long", "may", "sang", "tan", "than"}
    | {"thai", "thu", "tin", "tim"}
)
# Proper nouns and key names, allowed as whole phrases only.
ALLOWED_PHRASES = (
    "New Zealand",  # a nationality's name (accounts/countries.py)
    "“Control”",  # keyboard keys, in Django's multiple-select hint
    "“Command”",
    "máy Mac",
)
# English the awards app still prints: awards/ and templates/awards/ are being
# rewritten by someone else, who was told of each (file, line). An entry is
# (page view name pattern, text pattern), both regular expressions; the text is
# cut out of the fragment before its words are checked. Remove an entry once
# fixed: an entry that matches nothing any more fails
# test_the_pending_lists_only_name_english_still_shown, so the list only shrinks.
AWARDS_PENDING: list[tuple[str, str]] = [
    # The read-only `ruleset` JSON of a result, shown raw (awards/admin/results.py).
    (r"admin:awards_(round|unit)result_change(list)?", r'^\{"order": .*'),
    # RankingRules' JSON lists (order, unit order) shown raw to the judge, read-only,
    # in the contest's inline (awards/admin/contests.py).
    (r"admin:rounds_contest_change", r'^\[".*"\]$'),
    # The admin action names an AdminChange records, shown raw in its list and page.
    (r"admin:awards_adminchange_change(list)?", r"^[a-z]+(_[a-z]+)+$"),
    # AdminChange.changes, shown as raw JSON.
    (r"admin:awards_adminchange_change", r'^\{ "fields": .*\}$'),
    # The content-type filter of the AdminChange list offers the technical apps;
    # django-tasks-db's app name is not translatable (a plain string).
    (r"admin:awards_adminchange_changelist", r"Tasks Database Backend"),
]
# English from accounts/admin/ and accounts/models.py; same format.
ACCOUNTS_PENDING: list[tuple[str, str]] = []

SKIPPED_VIEWS = {
    "admin:logout",  # a POST form, and would end the session
    "admin:jsi18n",  # checked as a catalogue below
    "admin:view_on_site",
    "admin:autocomplete",  # JSON
}
PAGE_LIMIT = 800


def english_vocabulary() -> frozenset[str]:
    words = set(COMMON_ENGLISH)
    for catalogue in DJANGO_CATALOGUES:
        for line in (DJANGO_DIR / catalogue).read_text(encoding="utf-8").splitlines():
            if line.startswith(("msgid", '"')):
                # Placeholders (%(name)s, {min_days}) are not words anyone reads.
                line = re.sub(r"%\(\w+\)\w|\{\w+\}", " ", line)
                words.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", line))
    for model in apps.get_models(include_auto_created=True):
        names = [model.__name__, model._meta.model_name]
        names += [field.name for field in model._meta.get_fields()]
        for name in names:
            parts = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name)
            words.update(p.lower() for p in parts if len(p) >= 3)
    return frozenset(words - ALLOWED - VIETNAMESE_PLAIN)


ENGLISH = english_vocabulary()


class VisibleText(HTMLParser):
    """Text a person reads or hears: text nodes and labelling attributes."""

    LABELS = ("title", "aria-label", "placeholder", "alt")
    SILENT = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fragments: list[str] = []
        self._silent = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.SILENT:
            self._silent += 1
        for name in self.LABELS:
            if values.get(name):
                self.fragments.append(values[name])
        button = values.get("type") in {"submit", "button", "reset"}
        if tag == "input" and button and values.get("value"):
            self.fragments.append(values["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SILENT and self._silent:
            self._silent -= 1

    def handle_data(self, data: str) -> None:
        if not self._silent and data.strip():
            self.fragments.append(" ".join(data.split()))


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("#", "javascript:")):
            self.hrefs.append(href)


def english_words(text: str) -> list[str]:
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, " ")
    # A run of letters and digits (a checksum, a code) is an identifier, not a
    # word: "2dec8b37..." holds no English "dec".
    runs = re.findall(r"[^\W_]+", text)
    tokens = [run for run in runs if not any(c.isdigit() for c in run)]
    return [t for t in tokens if t.isascii() and len(t) >= 3 and t.lower() in ENGLISH]


def pending_for(view: str) -> list[tuple[str, str]]:
    return [
        (name, text)
        for name, text in AWARDS_PENDING + ACCOUNTS_PENDING
        if re.fullmatch(name, view)
    ]


class Crawl:
    """The admin as one user sees it; `found` maps page -> English fragments."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.client = Client()
        self.client.force_login(user)
        self.prefix = reverse("admin:index")
        self.seen: dict[str, set[str]] = {}  # view name -> query keys tried
        self.pages: dict[str, str] = {}  # url -> view name
        self.found: dict[str, list[str]] = defaultdict(list)
        self.pending_used: set[tuple[str, str]] = set()

    def login(self) -> None:
        # An action may have given the user a new password, which ends the session.
        self.user.refresh_from_db()
        self.client.force_login(self.user)

    def view_name(self, url: str) -> str | None:
        path = urlsplit(url).path
        if not path.startswith(self.prefix):
            return None
        try:
            match = resolve(path)
        except Resolver404:
            return None
        return match.view_name

    def check(self, label: str, view: str, response) -> None:
        if "text/html" not in response.get("Content-Type", ""):
            return
        parser = VisibleText()
        parser.feed(response.content.decode())
        for fragment in parser.fragments:
            for entry in pending_for(view):
                fragment, cut = re.subn(entry[1], " ", fragment)
                if cut:
                    self.pending_used.add(entry)
            words = english_words(fragment)
            if words:
                self.found[f"{label} [{view}]"].append(
                    f"{fragment[:120]!r} -> {', '.join(words)}"
                )

    def get(self, url: str) -> None:
        view = self.view_name(url)
        if view is None or view in SKIPPED_VIEWS:
            return
        # A page is worth a visit for each query key (filter, sort, search, facet,
        # date level) it adds, not for each combination of them.
        query = {key for key, _ in parse_qsl(urlsplit(url).query)} - {
            "_changelist_filters"
        }
        tried = self.seen.get(view)
        if (tried is not None and query <= tried) or len(self.pages) >= PAGE_LIMIT:
            return
        self.seen[view] = (tried or set()) | query
        response = self.client.get(url, follow=True)
        if response.status_code != 200:
            return
        self.pages[url] = view
        self.check(f"GET {url}", view, response)
        if "text/html" not in response.get("Content-Type", ""):
            return
        links = Links()
        links.feed(response.content.decode())
        for href in links.hrefs:
            self.get(urljoin(url, href))

    def post(self, url: str, data: dict, label: str) -> None:
        view = self.view_name(url) or url
        self.login()
        response = self.client.post(url, data, follow=True)
        if response.status_code == 200:
            self.check(f"POST {url} ({label})", view, response)

    def exercise_forms_and_actions(self) -> None:
        for url, view in list(self.pages.items()):
            if view.endswith(("_add", "_change", "password_change")):
                self.post(url, self.emptied_form(url), "empty form")
            if not view.endswith("_changelist") or urlsplit(url).query:
                continue
            self.login()
            response = self.client.get(url)
            action_form = response.context.get("action_form")
            # Not on oneself: a one-time password would end the session.
            rows = [r for r in response.context["cl"].result_list if r != self.user]
            if action_form is None or not rows:
                continue
            actions = [name for name, _ in action_form.fields["action"].choices if name]
            self.post(url, {"action": actions[0], "index": 0}, "action, no row")
            for action in actions:
                data = {"action": action, "index": 0, "_selected_action": rows[0].pk}
                self.post(url, data, f"action {action}")

    def emptied_form(self, url: str) -> dict:
        """The form as shown with its own fields blanked: every "required" error
        and the error note, while the inlines' management data stays valid."""
        response = self.client.get(url)
        if "adminform" not in (response.context or {}):
            return {}
        data = admin_form_data(response)
        for name in response.context["adminform"].form.fields:
            for key in [k for k in data if k == name or k.startswith(f"{name}_")]:
                data[key] = ""
        return data


def crawl_as(group: str) -> Crawl:
    crawl = Crawl(staff_in(group))
    crawl.get(reverse("admin:index"))
    crawl.exercise_forms_and_actions()
    return crawl


def report(found: dict[str, list[str]]) -> str:
    lines = []
    for page, fragments in sorted(found.items()):
        lines.append(page)
        lines.extend(f"    {f}" for f in dict.fromkeys(fragments))
    return "\n".join(lines)


def test_every_admin_page_of_each_official_group_is_vietnamese():
    build_world()

    crawls = {group: crawl_as(group) for group in GROUPS}

    for crawl in crawls.values():
        views = set(crawl.pages.values())
        assert "admin:index" in views
        assert any(v.endswith("_changelist") for v in views)
        assert any(v.endswith("_change") for v in views)
    english = {group: report(c.found) for group, c in crawls.items() if c.found}
    assert not english, "English on the admin pages of " + "\n".join(
        f"{group}:\n{pages}" for group, pages in english.items()
    )
    # One crawl serves both checks: a pending entry nothing matches any more is
    # fixed, and must leave the list.
    used = set().union(*(c.pending_used for c in crawls.values()))
    assert set(AWARDS_PENDING + ACCOUNTS_PENDING) <= used, (
        "fixed, remove from the pending lists: "
        f"{set(AWARDS_PENDING + ACCOUNTS_PENDING) - used}"
    )


def test_the_admin_scripts_speak_vietnamese(client):
    """The two-box selector, calendar and clock are drawn by scripts from the
    JavaScript catalogue: each admin script string has a Vietnamese translation."""
    client.force_login(staff_in("Ban Tổ chức"))
    source = (DJANGO_DIR / DJANGO_CATALOGUES[1]).read_text(encoding="utf-8")
    # Django's English catalogue leaves msgstr empty: fill it to keep every msgid.
    filled = re.sub(r'^(msgstr(\[\d+\])?) ""$', r'\1 "x"', source, flags=re.M)
    msgids = [key.decode().split("\0")[0] for key in load_msgfmt().parse_po(filled)]

    body = client.get(reverse("admin:jsi18n")).content.decode()
    catalogue = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S)[1])

    missing = [m for m in msgids if m and m not in catalogue]
    english = {
        m: catalogue[m]
        for m in msgids
        if m in catalogue
        and english_words(json.dumps(catalogue[m], ensure_ascii=False))
    }
    assert not missing, f"untranslated admin script strings: {missing}"
    assert not english, f"English in admin script strings: {english}"


def load_msgfmt():
    # `locale` is a standard-library module name: load ours by path.
    path = Path(settings.BASE_DIR) / "locale" / "msgfmt.py"
    spec = importlib.util.spec_from_file_location("project_msgfmt", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_catalogue_is_compiled_from_its_current_po():
    msgfmt = load_msgfmt()
    catalogues = msgfmt.catalogues()

    stale = [
        po.with_suffix(".mo")
        for po in catalogues
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").read_bytes() != msgfmt.compile_po(po)
    ]

    assert catalogues, "locale/vi/LC_MESSAGES/django.po is missing"
    assert not stale, f"run `python locale/msgfmt.py` (or make): {stale}"


def test_the_compiled_catalogue_reads_as_gnu_gettext_writes_it():
    msgfmt = load_msgfmt()
    po = (
        "# a translator's note\n"
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Save"\nmsgstr "Lưu"\n\n'
        'msgctxt "month"\nmsgid "May"\nmsgstr "Tháng Năm"\n\n'
        'msgid "%d day"\nmsgid_plural "%d days"\nmsgstr[0] "%d ngày"\n\n'
        '#, fuzzy\nmsgid "Delete"\nmsgstr "Xoá?"\n\n'
        'msgid "Untranslated"\nmsgstr ""\n\n'
        'msgid "Two "\n"lines"\nmsgstr "Hai "\n"dòng"\n'
    )

    catalogue = gettext.GNUTranslations(
        io.BytesIO(msgfmt.mo_bytes(msgfmt.parse_po(po)))
    )

    assert catalogue.gettext("Save") == "Lưu"
    assert catalogue.pgettext("month", "May") == "Tháng Năm"
    assert catalogue.ngettext("%d day", "%d days", 5) == "%d ngày"
    assert catalogue.gettext("Delete") == "Delete"  # fuzzy: left out
    assert catalogue.gettext("Untranslated") == "Untranslated"
    assert catalogue.gettext("Two lines") == "Hai dòng"


def test_a_checksum_is_not_read_as_english_but_a_word_beside_it_is():
    digest = "2dec8b37b0e9b1fe301e9da34023e22c4cc88e595670c31c76708bcadf0e6ad0"
    assert english_words(f"phiên bản 1; mã kiểm tra {digest}") == []
    assert english_words(f"mã kiểm tra {digest} Save") == ["Save"]
