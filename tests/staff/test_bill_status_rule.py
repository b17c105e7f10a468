"""The one rule of a bill's status by its dates (drafting.policy.effective_status), walked case by case."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from drafting.policy import effective_status

NOW = datetime(2031, 3, 10, 12, 0, tzinfo=timezone.utc)
PAST, EARLIER, LATER, FUTURE = (NOW - timedelta(days=5), NOW - timedelta(days=1),
                                NOW + timedelta(days=1), NOW + timedelta(days=5))


@pytest.mark.parametrize("recorded, opens, closes, expected", [
    ("draft", None, None, "draft"),  # no dates: what an author set
    ("open", None, None, "open"),
    ("closed", None, None, "closed"),
    ("draft", LATER, FUTURE, "draft"),  # before opening: not yet open
    ("draft", PAST, FUTURE, "open"),  # opened by itself
    ("draft", PAST, EARLIER, "closed"),  # opened and closed by itself
    ("open", PAST, EARLIER, "closed"),  # closed by itself, nobody closed it
    ("open", PAST, None, "open"),
    ("open", LATER, None, "closed"),  # an opened bill rescheduled later waits closed, never a draft again
    ("closed", PAST, FUTURE, "open"),  # its closing date moved later: open again until then
    ("closed", PAST, EARLIER, "closed"),
    ("draft", None, EARLIER, "draft"),  # a closing date alone does not close what never opened
    ("open", None, EARLIER, "closed"),
    ("open", NOW, None, "open"),  # the dates are inclusive at opening, exclusive at closing
    ("open", PAST, NOW, "closed"),
])
def test_status_by_the_dates(recorded, opens, closes, expected):
    assert effective_status(recorded, opens, closes, NOW) == expected
