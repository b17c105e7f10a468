"""The synthesis of a consultation: its JSON (CONTRACT §7) and the context of ``synthesis/synthesis.html``,
with the geometry of its two charts (drawn by our own SVG templates, see README "Synthesis")."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from amendments.services.synthesis import RANKED, ArticleSummary, Day, Synthesis
from amendments.views.participation import STANCE_LABELS, VOTE_LABELS
from drafting.i18n import N_


def synthesis_json(found: Synthesis) -> dict[str, Any]:
    return {
        "participants": found.participants,
        "citizens": found.citizens.participants,
        "organizations": found.organizations.participants,
        "votes": found.votes,
        "amendments": found.amendments,
        "arguments": found.arguments,
        "by_day": [{"date": d.date.isoformat(), "votes": d.votes, "amendments": d.amendments,
                    "arguments": d.arguments, "participants": d.participants} for d in found.by_day],
        "articles": [{"id": a.id, "number": a.number, "votes": a.votes, "amendments": a.amendments,
                      "arguments": a.arguments, "positions_total": a.positions_total,
                      "positions": [{"id": p.id, "stance": p.stance, "label": p.label, "supporters": p.supporters,
                                     "citizens": p.citizens, "organizations": p.organizations}
                                    for p in a.positions]}
                     for a in found.articles],
        "answered": found.answered,
        "awaiting_answer": found.awaiting_answer,
    }


# --- charts --------------------------------------------------------------------------------------

CHART_WIDTH = 640
# Fill colours (SVG presentation attributes, allowed by a strict CSP), told apart in grey too.
COLOURS = {"votes": "#1f5f99", "amendments": "#8e44ad", "arguments": "#d9822b",
           "agree": "#2e7d32", "mixed": "#b8860b", "disagree": "#b71c1c"}
SERIES_LABELS = {"votes": N_("Votes"), "amendments": N_("Amendements"), "arguments": N_("Arguments")}
# A gap-filled day axis for consultations up to this long; a longer one shows active days only.
FILLED_DAYS = 190


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    series: str
    value: int


@dataclass
class Tick:
    at: float
    label: str
    day: date | None = None


@dataclass
class Chart:
    """One SVG chart: its size, bars, axis ticks, and the legend's series (keys of ``COLOURS``)."""

    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    top: int = 0
    colours: dict[str, str] = field(default_factory=lambda: dict(COLOURS))


def _scale_top(value: int) -> int:
    """A round number at least ``value`` for the axis (1, 2, 5, 10, 20, 50, …)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def axis_values(top: int) -> list[int]:
    """0, the middle when it is a whole number, and the top of an axis."""
    return [0, top // 2, top] if top % 2 == 0 else [0, top]


def filled_days(days: list[Day]) -> list[Day]:
    if not days or (days[-1].date - days[0].date).days >= FILLED_DAYS:
        return days
    by_date = {d.date: d for d in days}
    span = (days[-1].date - days[0].date).days
    return [by_date.get(days[0].date + timedelta(n)) or Day(days[0].date + timedelta(n)) for n in range(span + 1)]


def day_chart(days: list[Day]) -> Chart:
    """Contributions per day, stacked: votes, amendments, arguments."""
    series = ["votes", "amendments", "arguments"]
    left, bottom, height = 40, 30, 220
    chart = Chart(CHART_WIDTH, height, series=series)
    plot_height, plot_width = height - bottom - 10, CHART_WIDTH - left - 10
    chart.top = _scale_top(max((d.votes + d.amendments + d.arguments for d in days), default=0)) or 1
    step = plot_width / max(len(days), 1)
    bar = min(step * 0.8, 40)
    every = max(1, len(days) // 6)
    for i, day in enumerate(days):
        y = height - bottom
        x = left + i * step + (step - bar) / 2
        for name in series:
            value = getattr(day, name)
            size = value / chart.top * plot_height
            if value:
                chart.rects.append(Rect(round(x, 1), round(y - size, 1), round(bar, 1), round(size, 1),
                                        COLOURS[name], name, value))
            y -= size
        if i % every == 0:
            chart.x_ticks.append(Tick(round(left + (i + 0.5) * step, 1), day.date.isoformat(), day.date))
    chart.y_ticks = [Tick(round(height - bottom - plot_height * value / chart.top, 1), str(value))
                     for value in axis_values(chart.top)]
    return chart


def votes_chart(articles: list[ArticleSummary]) -> Chart:
    """Votes per article, one horizontal stacked bar each: agree, mixed, disagree."""
    series = ["agree", "mixed", "disagree"]
    left, row, top_margin = 90, 24, 10
    chart = Chart(CHART_WIDTH, top_margin + row * len(articles) + 30, series=series)
    plot_width = CHART_WIDTH - left - 20
    chart.top = _scale_top(max((sum(a.votes.values()) for a in articles), default=0)) or 1
    for i, article in enumerate(articles):
        x, y = float(left), top_margin + i * row + 3
        for name in series:
            size = article.votes[name] / chart.top * plot_width
            if article.votes[name]:
                chart.rects.append(Rect(round(x, 1), y, round(size, 1), row - 6, COLOURS[name], name,
                                        article.votes[name]))
            x += size
        chart.y_ticks.append(Tick(y + (row - 6) / 2, article.number))
    chart.x_ticks = [Tick(round(left + plot_width * value / chart.top, 1), str(value)) for value in axis_values(chart.top)]
    return chart


# --- the page ------------------------------------------------------------------------------------

@dataclass
class SynthesisPage:
    """For templates/synthesis/synthesis.html: ``found`` (the service's Synthesis), ``days`` (the
    day axis, gaps filled), the two charts, the ranked proposals, and the labels of votes and stances."""

    found: Synthesis
    days: list[Day]
    day_chart: Chart
    votes_chart: Chart
    supported: list
    series_labels: dict[str, str] = field(default_factory=lambda: {**SERIES_LABELS, **VOTE_LABELS})
    stance_labels: dict[str, str] = field(default_factory=lambda: dict(STANCE_LABELS))

    @property
    def answered_share(self) -> int:
        ranked = self.found.answered + self.found.awaiting_answer
        return round(100 * self.found.answered / ranked) if ranked else 0


def synthesis_page(found: Synthesis) -> SynthesisPage:
    days = filled_days(found.by_day)
    return SynthesisPage(found, days, day_chart(days), votes_chart(found.articles), found.supported[:RANKED])
