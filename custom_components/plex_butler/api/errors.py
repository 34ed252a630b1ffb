"""Errors raised by the Plex Butler client.

Every message is written for a person and never contains the token: the token only ever travels in a
request header, and no URL we build or print carries it.
"""


class PlexButlerError(Exception):
    """Base class for everything the client raises."""


class PlexButlerConnectionError(PlexButlerError):
    """The server could not be reached: refused, DNS, timeout, dropped connection or TLS."""


class PlexButlerSslError(PlexButlerConnectionError):
    """The TLS handshake failed, typically a certificate the machine does not trust."""


class PlexButlerAuthError(PlexButlerError):
    """The server refused the token (HTTP 401) or its rights (HTTP 403)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class PlexButlerForbiddenError(PlexButlerAuthError):
    """The token is valid but lacks admin rights (HTTP 403): the Butler is for the owner only."""


class PlexButlerNotFoundError(PlexButlerError):
    """The server does not know the task, or the name can never be a task name."""

    def __init__(self, message: str, *, task: str) -> None:
        super().__init__(message)
        self.task = task


class PlexButlerResponseError(PlexButlerError):
    """The server answered, but not with something we can use (malformed, oversized, unexpected)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PlexButlerSettingError(PlexButlerError):
    """The server refused a preference write: it has no such setting or refuses that value.

    Real servers answer 400 or 403 ("Attempt to set a preferences that doesn't exist") here, so a 403
    to a prefs write says nothing about the token.
    """

    def __init__(self, message: str, *, settings: tuple[str, ...]) -> None:
        super().__init__(message)
        self.settings = settings


class PlexWebAppUrlError(ValueError):
    """An address of plex.tv (Plex's web app or account site) was given where a server's belongs."""


class PlexTvError(PlexButlerError):
    """Base class of what the plex.tv client raises."""


class PlexTvConnectionError(PlexTvError):
    """plex.tv could not be reached or did not answer in time."""


class PlexTvAuthError(PlexTvError):
    """plex.tv refused the account token (HTTP 401 or 403)."""


class PlexTvBusyError(PlexTvError):
    """plex.tv asked to be asked later: too many requests (429) or a server error (5xx)."""


class PlexTvPinExpiredError(PlexTvError):
    """The sign-in PIN is gone: plex.tv answers 404 once it has expired."""


class PlexTvResponseError(PlexTvError):
    """plex.tv answered, but not with something we can use."""
