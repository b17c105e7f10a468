"""An organization account changes its name or its declared interests, which the argument maps name
under the positions it holds: their stored documents (argument_maps) are written again in the same
transaction, so no page or JSON names it as it was. What it declared before stays, as rows
(``accounts.declarations``)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from amendments.services import argument_maps
from drafting.errors import Invalid
from drafting.models import User
from drafting.services import accounts
from drafting.services.accounts import OrganizationIn, validate_organization
from drafting.texts import normalise


def update_organization(session: Session, user: User, organization: OrganizationIn) -> User:
    """The signed-in organization's name and declared interests, as given (both: an empty declaration
    clears it), and its display name too when it was its name; a citizen's account has none (400)."""
    if user.kind != "organization":
        raise Invalid("organization", "only an organization account has a name and declared interests")
    validate_organization(organization)
    name = normalise(organization.name).strip()
    interests = normalise(organization.declared_interests).strip()
    if (name, interests) == (user.organization_name, user.declared_interests or ""):
        return user  # nothing declared anew: no row, no map written again
    if user.display_name == user.organization_name:  # the name it signs with is its name: it follows
        user.display_name = name[:120]
    user.organization_name = name
    user.declared_interests = interests
    accounts.declare(session, user)  # flushes the user's new columns with its row
    argument_maps.refresh_people(session, [user.id])
    return user
