"""Python names a URL by its route: ``request.app.route_reverse(name, **parameters)``, never an f-string
of a path (a scan test holds drafting/ and amendments/ to it). A view model that writes links takes
the handler's ``route_reverse`` as a ``Reverse``; templates use ``url_for``."""
from __future__ import annotations

from typing import Callable

Reverse = Callable[..., str]
