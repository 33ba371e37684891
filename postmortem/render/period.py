"""The period review for management, as Markdown (tables) and as an HTML page (charts)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from babel.dates import format_date, format_interval, format_skeleton
from markupsafe import Markup

from postmortem.analysis.period import Period, PeriodReview
from postmortem.i18n import N_
from postmortem.render.chart.bars import period_charts, severity_label
from postmortem.render.environment import environment, render_inert, render_template
from postmortem.render.i18n import Language
from postmortem.render.markdown import tidy
from postmortem.render.page import markdown_to_html


def period_name(period: Period, language: Language) -> str:
    """Name a period for a reader, in the report's language: '3rd quarter 2024', 'août 2024'."""
    locale = language.locale
    if period.kind == "quarter":
        return format_skeleton("yQQQQ", period.start, locale=locale)
    if period.kind == "month":
        return format_skeleton("yMMMM", period.start, locale=locale)
    if period.kind == "year":
        return format_date(period.start, "y", locale=locale)
    if period.kind == "half":
        message = (N_("First half of %(year)s") if period.start.month == 1
                   else N_("Second half of %(year)s"))
        return language.gettext(message, year=format_date(period.start, "y", locale=locale))
    if period.kind == "last_12_months":
        return language.gettext("The 12 months to %(day)s", day=language.day(period.end))
    return format_interval(period.start, period.end, "yMMMd", locale=locale)


def render_period_markdown(review: PeriodReview, language: Language,
                           template_dirs: Sequence[Path] = (), link_suffix: str = ".md",
                           embedded: bool = False) -> str:
    """Return the period review as Markdown, every chart told as a table.

    `embedded`: made for the HTML page, which draws the title and the key figures itself.
    """
    env = environment(language, template_dirs)
    return tidy(render_inert(
        env, "period.md.j2", review=review, link_suffix=link_suffix, embedded=embedded,
        period_name=period_name(review.period, language),
        severity_label=lambda severity: severity_label(severity, language),
        month_name=lambda month: format_skeleton("yMMMM", month, locale=language.locale)))


def render_period_html(review: PeriodReview, language: Language,
                       template_dirs: Sequence[Path] = ()) -> str:
    """Return the period review as an HTML page with its charts (the PDF is printed from it)."""
    markdown = render_period_markdown(review, language, template_dirs, link_suffix=".html",
                                      embedded=True)
    body, _ = markdown_to_html(markdown, sibling_links=True, spacing=language.spacing,
                               lang=language.code)
    charts = [(chart.name, chart.title, Markup(chart.svg))
              for chart in period_charts(review, language)]
    return render_template(environment(language, template_dirs), "period.html.j2",
                           review=review, body=body, charts=charts, lang=language.code,
                           period_name=period_name(review.period, language),
                           severity_label=lambda severity: severity_label(severity, language))
