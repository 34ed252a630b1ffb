"""The one place where the supported Home Assistant versions differ for this integration.

Home Assistant 2026.x validates with probatio, voluptuous' API-compatible successor, and aliases the
name voluptuous to it; 2025.x uses voluptuous itself. Importing whichever is the real one keeps both
lanes running the same code and gives the type checker the classes Home Assistant's signatures use.
"""

try:
    import probatio as vol
except ImportError:  # Home Assistant before 2026.x
    import voluptuous as vol  # type: ignore[no-redef]

__all__ = ["vol"]
