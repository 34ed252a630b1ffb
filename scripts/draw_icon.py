"""Draw the brand images: a Plex-orange chevron wearing a bow tie, on its own dark tile.

Writes custom_components/plex_butler/brand/icon.png (256x256), icon@2x.png (512x512) and logo.png (the
same mark: Plex Butler has no word mark). No dark_ variants: the tile is dark on light and dark themes.

Run from the checkout: scripts/lib/py314 run .venv/newest/bin/python scripts/draw_icon.py
"""

from PIL import Image, ImageDraw

S = 4  # supersample for smooth edges
size = 256 * S
img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
d = ImageDraw.Draw(img)
d.rounded_rectangle([8 * S, 8 * S, 248 * S, 248 * S], radius=48 * S, fill=(31, 31, 36, 255))
orange = (229, 160, 13, 255)
# Chevron (Plex's play mark)
d.polygon(
    [
        (78 * S, 40 * S),
        (124 * S, 40 * S),
        (182 * S, 112 * S),
        (124 * S, 184 * S),
        (78 * S, 184 * S),
        (136 * S, 112 * S),
    ],
    fill=orange,
)
# Bow tie below
white = (245, 245, 245, 255)
cy = 212 * S
d.polygon([(92 * S, cy - 18 * S), (124 * S, cy), (92 * S, cy + 18 * S)], fill=white)
d.polygon([(164 * S, cy - 18 * S), (132 * S, cy), (164 * S, cy + 18 * S)], fill=white)
d.ellipse([(120 * S, cy - 9 * S), (136 * S, cy + 9 * S)], fill=white)
for name, side in (("icon.png", 256), ("icon@2x.png", 512), ("logo.png", 256)):
    img.resize((side, side), Image.LANCZOS).save(f"custom_components/plex_butler/brand/{name}", optimize=True)
