"""The attempt page's questions as HTML, assembled from text escaped once per revision.

Thirty questions of four choices through the template engine cost more than the rest
of the request together; the markup here is the same the template used to produce.
"""

from collections.abc import Mapping

from django.utils.safestring import SafeString, mark_safe

from rounds.models import Attempt
from rounds.selectors import LETTERS, revisions_get


def attempt_questions_html(
    *, attempt: Attempt, posted: Mapping[int, int] | None = None
) -> tuple[SafeString, SafeString, int]:
    """(navigator items, question fieldsets, answered count) for the attempt page.

    `posted` (position -> shown choice) is what a refused form sent: it is shown
    ticked over the stored answers, so a refusal loses nothing the contestant chose.
    """
    posted = posted or {}
    revisions = revisions_get(item[0] for item in attempt.draw)
    nav: list[str] = []
    body: list[str] = []
    answered = 0
    for position, (revision_id, permutation) in enumerate(attempt.draw):
        revision = revisions[revision_id]
        given = attempt.answers[position]
        chosen = given[0] if given else None
        if position in posted and 0 <= posted[position] < len(permutation):
            chosen = permutation[posted[position]]
        number = position + 1
        if chosen is not None:
            answered += 1
            nav.append(
                f'<li><a href="#q{number}" data-nav="{position}" class="done" '
                f'aria-label="Câu {number}, đã trả lời">{number}</a></li>'
            )
        else:
            nav.append(
                f'<li><a href="#q{number}" data-nav="{position}" class="" '
                f'aria-label="Câu {number}">{number}</a></li>'
            )
        body.append(
            f'<fieldset class="question" id="q{number}" data-position="{position}">\n'
            f'  <legend><span class="qnum">Câu {number}.</span> {revision.text_html}'
            "</legend>\n  <div>\n"
        )
        for shown, original in enumerate(permutation):
            checked = " checked" if chosen == original else ""
            body.append(
                f'    <label class="choice"><input type="radio" name="q{position}" '
                f'value="{shown}"{checked}><span><span class="letter">'
                f"{LETTERS[shown]}.</span> {revision.choice_html[original]}</span></label>\n"
            )
        body.append("  </div>\n</fieldset>\n")
    return mark_safe("".join(nav)), mark_safe("".join(body)), answered
