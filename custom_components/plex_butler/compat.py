"""The one place where the supported Home Assistant versions differ for this integration.

- Home Assistant 2026.x validates with probatio, voluptuous' API-compatible successor, and aliases the
  name voluptuous to it; 2025.x uses voluptuous itself.
- 2026.x defines BinarySensorDeviceClass in binary_sensor.const (the package re-exports it, but not
  for a strict type checker); 2025.x defines it in the package.

Importing whichever is the real one keeps both lanes running the same code and gives the type checker
the classes Home Assistant's own signatures use.
"""

try:
    import probatio as vol
except ImportError:  # Home Assistant before 2026.x
    import voluptuous as vol  # type: ignore[no-redef]

try:
    from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
except ImportError:  # Home Assistant before 2026.x
    from homeassistant.components.binary_sensor import (  # type: ignore[attr-defined]
        BinarySensorDeviceClass,
    )

__all__ = ["BinarySensorDeviceClass", "vol"]
