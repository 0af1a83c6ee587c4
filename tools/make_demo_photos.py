"""Draw the demo's warehouse photos: simple illustrations of loading docks, pallet racking, a
cold room, an open floor and a site from outside, made with Pillow so that they are ours to
ship. Run once; the JPEGs are kept in warehouse_exchange/demo_photos/ (about 150 kB in all).

    python tools/make_demo_photos.py
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

OUT = Path(__file__).resolve().parent.parent / "warehouse_exchange" / "demo_photos"
W, H = 800, 500


def font(size: int):
    return ImageFont.load_default(size=size)


def gradient(top, bottom, size=(W, H)) -> Image.Image:
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(size[1]):
        t = y / (size[1] - 1)
        draw.line(
            [(0, y), (size[0], y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return image


def box(draw, x, y, w, h, fill, edge=(90, 60, 30)):
    draw.rectangle([x, y, x + w, y + h], fill=fill, outline=edge)
    draw.line([(x + w / 2, y), (x + w / 2, y + h * 0.35)], fill=(200, 170, 110), width=3)


def pallet(draw, x, y, w, rng, cold=False):
    """A pallet of boxes standing on (x, y) = bottom-left."""
    draw.rectangle([x, y - 8, x + w, y], fill=(170, 130, 80), outline=(110, 80, 40))
    colours = (
        [(196, 150, 98), (184, 140, 90), (205, 163, 110)]
        if not cold
        else [(235, 240, 245), (220, 230, 240), (210, 222, 236)]
    )
    rows = rng.randint(2, 3)
    bw = w / 3
    for row in range(rows):
        for col in range(3):
            if row == rows - 1 and rng.random() < 0.25:
                continue
            box(
                draw,
                x + col * bw + 1,
                y - 8 - (row + 1) * bw * 0.8,
                bw - 2,
                bw * 0.8 - 2,
                rng.choice(colours),
            )


def docks(sky, wall):
    image = gradient(*sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 120, W, 380], fill=wall)  # the building
    draw.rectangle([0, 110, W, 125], fill=tuple(c - 30 for c in wall))
    for i in range(4):
        x = 40 + i * 190
        draw.rectangle([x - 8, 190, x + 138, 350], fill=(70, 76, 84))  # seal
        draw.rectangle([x, 200, x + 130, 345], fill=(190, 196, 204))  # shutter
        for y in range(206, 345, 9):
            draw.line([(x, y), (x + 130, y)], fill=(160, 166, 175), width=2)
        draw.rectangle([x + 50, 160, x + 80, 182], fill=(20, 70, 140))
        draw.text((x + 65, 171), str(i + 1), fill="white", font=font(16), anchor="mm")
        draw.rectangle([x - 6, 340, x + 6, 372], fill=(245, 200, 30))  # bumpers
        draw.rectangle([x + 124, 340, x + 136, 372], fill=(245, 200, 30))
        draw.ellipse([x + 58, 150, x + 72, 156], fill=(255, 210, 90))  # dock light
    draw.rectangle([0, 380, W, H], fill=(72, 76, 80))  # yard
    for i in range(5):
        draw.line([(20 + i * 190, 380), (-120 + i * 260, H)], fill=(235, 235, 235), width=4)
    # a trailer backed up to dock 2
    x = 240
    draw.polygon([(x - 20, H), (x + 150, H), (x + 140, 372), (x - 10, 372)], fill=(230, 232, 236))
    draw.polygon(
        [(x - 20, H), (x + 150, H), (x + 140, 372), (x - 10, 372)], outline=(120, 120, 120)
    )
    draw.rectangle([x + 10, 385, x + 120, 480], outline=(150, 150, 150), width=2)
    draw.rectangle([x - 20, 470, x + 5, 495], fill=(200, 40, 40))
    draw.rectangle([x + 125, 470, x + 150, 495], fill=(200, 40, 40))
    return image.filter(ImageFilter.SMOOTH)


def racking(seed: int, cold=False):
    rng = random.Random(seed)
    image = (
        gradient((228, 232, 238), (200, 206, 214))
        if not cold
        else gradient((210, 228, 245), (185, 208, 232))
    )
    draw = ImageDraw.Draw(image)
    vx, vy = W / 2, 200  # vanishing point down the aisle
    draw.polygon(
        [(0, H), (W, H), (vx + 40, vy + 40), (vx - 40, vy + 40)],
        fill=(150, 156, 160) if not cold else (190, 205, 220),
    )
    for side in (-1, 1):  # yellow aisle lines
        draw.line(
            [(vx + side * 30, vy + 40), (W / 2 + side * 300, H)], fill=(240, 200, 30), width=5
        )
    for side in (-1, 1):
        for bay in range(5):
            t0, t1 = 1 - bay * 0.2, 1 - (bay + 1) * 0.2
            x0, x1 = vx + side * (vx - 10) * t0, vx + side * (vx - 10) * t1
            floor0, floor1 = vy + 40 + (H - vy - 40) * t0, vy + 40 + (H - vy - 40) * t1
            top0, top1 = vy - 170 * t0, vy - 170 * t1
            for level in range(4):
                f = level / 4
                y0 = floor0 - (floor0 - top0) * f
                y1 = floor1 - (floor1 - top1) * f
                left, right = sorted([x0, x1])
                width = right - left
                if width > 12:
                    pallet(draw, left + 3, (y0 + y1) / 2 - 2, width - 6, rng, cold)
                draw.polygon(
                    [(x0, y0), (x1, y1), (x1, y1 - 6 * t1), (x0, y0 - 8 * t0)], fill=(235, 110, 30)
                )
            draw.line([(x0, floor0), (x0, top0)], fill=(30, 80, 160), width=max(2, round(10 * t0)))
    for i in range(6):  # lights
        y = 30 + i * 22
        draw.rectangle([vx - 60 + i * 8, y, vx + 60 - i * 8, y + 5], fill=(255, 252, 235))
    if cold:
        draw.rounded_rectangle([W - 190, 24, W - 24, 86], 8, fill=(20, 30, 45))
        draw.text((W - 107, 55), "-20.0 °C", fill=(90, 220, 255), font=font(30), anchor="mm")
        for _ in range(250):  # frost
            x, y = rng.randrange(W), rng.randrange(H)
            draw.point((x, y), fill=(255, 255, 255))
    return image.filter(ImageFilter.SMOOTH)


def floor(seed: int):
    rng = random.Random(seed)
    image = gradient((236, 238, 240), (214, 218, 222))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 210), (W, 210), (W, H), (0, H)], fill=(168, 172, 170))
    for i in range(7):  # skylights
        x = 40 + i * 110
        draw.polygon([(x, 20), (x + 80, 20), (x + 70, 60), (x + 10, 60)], fill=(250, 252, 255))
    for i in range(5):  # columns
        x = 60 + i * 170
        draw.rectangle([x, 90, x + 14, 300], fill=(30, 80, 160))
    for i in range(-4, 9):  # bays marked on the floor
        draw.line([(W / 2 + i * 60, 210), (W / 2 + i * 160, H)], fill=(240, 200, 30), width=3)
    draw.line([(0, 320), (W, 320)], fill=(240, 200, 30), width=3)
    draw.line([(0, 420), (W, 420)], fill=(240, 200, 30), width=4)
    for i in range(3):
        pallet(draw, 120 + i * 90, 400, 70, rng)
    draw.text((W - 40, 470), "BAY C", fill=(240, 200, 30), font=font(26), anchor="rm")
    return image.filter(ImageFilter.SMOOTH)


def exterior(seed: int):
    rng = random.Random(seed)
    image = gradient((120, 170, 225), (205, 225, 245))
    draw = ImageDraw.Draw(image)
    for _ in range(4):  # clouds
        x, y = rng.randrange(W), rng.randrange(30, 110)
        for dx in (0, 30, 60):
            draw.ellipse([x + dx, y, x + dx + 60, y + 30], fill=(248, 250, 252))
    draw.rectangle([0, 380, W, H], fill=(110, 150, 90))
    draw.polygon([(60, 380), (740, 380), (740, 190), (400, 150), (60, 190)], fill=(205, 210, 216))
    draw.polygon([(60, 190), (400, 150), (740, 190)], fill=(160, 166, 174))
    for i in range(13):
        x = 80 + i * 50
        draw.line([(x, 190), (x, 380)], fill=(185, 190, 198), width=2)
    draw.rectangle([60, 300, 740, 306], fill=(20, 70, 140))
    draw.rounded_rectangle([260, 205, 540, 245], 6, fill=(20, 70, 140))
    draw.text((400, 225), "LOGISTICS CENTRE", fill="white", font=font(22), anchor="mm")
    for i in range(5):
        draw.rectangle([110 + i * 125, 320, 190 + i * 125, 380], fill=(90, 96, 104))
    draw.polygon([(0, H), (W, H), (W, 400), (0, 430)], fill=(80, 84, 88))
    for i in range(3):  # parked trailers
        x = 90 + i * 230
        draw.rectangle(
            [x, 405 - i * 6, x + 170, 455 - i * 6], fill=(240, 242, 245), outline=(140, 140, 140)
        )
        draw.rectangle([x + 170, 418 - i * 6, x + 205, 455 - i * 6], fill=(200, 40, 40))
    return image.filter(ImageFilter.SMOOTH)


PHOTOS = {
    "docks-day.jpg": lambda: docks(((150, 195, 235), (215, 230, 245)), (196, 200, 206)),
    "docks-dusk.jpg": lambda: docks(((60, 70, 120), (240, 160, 110)), (150, 160, 176)),
    "racking.jpg": lambda: racking(3),
    "cold-room.jpg": lambda: racking(4, cold=True),
    "open-floor.jpg": lambda: floor(5),
    "exterior.jpg": lambda: exterior(6),
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    total = 0
    for name, draw in PHOTOS.items():
        path = OUT / name
        draw().save(path, "JPEG", quality=78, optimize=True, progressive=True)
        total += path.stat().st_size
        print(f"{name}: {path.stat().st_size // 1024} kB")
    print(f"{total // 1024} kB in all")


if __name__ == "__main__":
    main()
