"""Who may do what, and which state follows which: every permission and state rule of Navette, once.

Services enforce these rules (the ``require_*`` functions and ``transition`` raise the one refusal of
each rule); view models pass the answers to templates as booleans; templates decide nothing. The
functions read plain values (a bill's status, a person's roles, whether they author the bill):
looking those up in the database is the services' job.

Each refusal has one message, so it is translated once. The rules live in ``core`` (bills,
amendments, roles) and ``accounts`` (accounts, acting for someone, following); this package is
the one name every caller uses: ``from drafting import policy``.
"""
from drafting.policy.core import *  # noqa: F401,F403 (the package is the rules' one name)
from drafting.policy.accounts import *  # noqa: F401,F403
