"""Whether a server can be added with given data: reached, the token good for the Butler, the URL tidy.

Every way into the config flow ends here, so each says the same thing about the same server.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant

from .api import (
    PlexButlerAuthError,
    PlexButlerConnectionError,
    PlexButlerError,
    PlexButlerSslError,
    PlexWebAppUrlError,
    ServerIdentity,
    normalize_url,
)
from .clients import async_create_client
from .const import LOGGER


async def async_check_server(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[ServerIdentity | None, dict[str, Any], dict[str, str]]:
    """Reach the server with `data`: its identity and the data to store (URL normalized), or errors."""
    normalized = _normalized(data)
    if isinstance(normalized, str):
        return None, {}, {CONF_URL: normalized}
    client = await async_create_client(hass, normalized)
    try:
        identity = await client.get_identity()
        # The Butler needs the owner's token: a token that may read "/" but not the Butler fails here.
        await client.get_tasks()
    except PlexButlerSslError:
        return None, {}, {"base": "ssl_error"}
    except PlexButlerConnectionError:
        return None, {}, {"base": "cannot_connect"}
    except PlexButlerAuthError:
        return None, {}, {"base": "invalid_auth"}
    except PlexButlerError:
        LOGGER.exception("Unexpected answer from the Plex server")
        return None, {}, {"base": "unknown"}
    return identity, normalized, {}


def _normalized(data: Mapping[str, Any]) -> dict[str, Any] | str:
    """`data` with the server's base URL in place of what was typed or pasted; or the URL's form error."""
    try:
        return {**data, CONF_URL: str(normalize_url(data[CONF_URL]))}
    except PlexWebAppUrlError:
        return "plex_web_app"
    except ValueError:
        return "invalid_url"
