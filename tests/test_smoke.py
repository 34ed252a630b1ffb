from homeassistant.core import HomeAssistant

from tests.plex_emulator import PlexEmulator


async def test_smoke(hass: HomeAssistant, init_integration, emulator: PlexEmulator) -> None:
    states = hass.states.async_all()
    print([s.entity_id + "=" + s.state for s in states])
    await hass.services.async_call("button", "press", {"entity_id": "button.living_room_plex_start_all_tasks"}, blocking=True)
    print([s.entity_id + "=" + s.state for s in hass.states.async_all() if s.state == "on"])
    assert len(states) == 25
