"""Convert Natural Earth's 110m country outlines from world-atlas's TopoJSON into the small
GeoJSON the offline basemap draws (warehouse_exchange/static/maps/countries-110m.geojson).

Run once, when the outlines are to be refreshed:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/topojson_to_geojson.py package/countries-110m.json \
        warehouse_exchange/static/maps/countries-110m.geojson

The browser then needs no TopoJSON decoder. Each arc (a border or a coast, shared by the
countries on either side, so that they still meet) is simplified, and positions are rounded
to 0.1 degree (about 11 km, still finer than outlines drawn for 1:110 million, where a
millimetre is 110 km), which keeps the file small.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DECIMALS = 1
#: points of an arc closer than this (degrees) to the line through their neighbours are
#: dropped; arcs are shared by neighbouring countries, so their borders still meet
TOLERANCE = 0.1


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute longitude/latitude of every arc (a quantized topology stores deltas)."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for quantized in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in quantized:
            x, y = x + dx, y + dy
            lon, lat = x * scale_x + shift_x, y * scale_y + shift_y
            points.append((round(lon, DECIMALS), round(lat, DECIMALS)))
        arcs.append(simplified(points))
    return arcs


def _offset(point, start, end) -> float:
    """How far `point` is from the line through `start` and `end`."""
    (x, y), (x1, y1), (x2, y2) = point, start, end
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    if length == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    return abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length


def simplified(points: list) -> list:
    """Douglas-Peucker: the arc's ends, and the points that stray more than TOLERANCE."""
    if len(points) < 3:
        return points
    offsets = [_offset(p, points[0], points[-1]) for p in points[1:-1]]
    farthest = max(range(len(offsets)), key=offsets.__getitem__) + 1
    if offsets[farthest - 1] <= TOLERANCE:
        return [points[0], points[-1]]
    return simplified(points[: farthest + 1])[:-1] + simplified(points[farthest:])


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    """A closed ring from its arcs; a negative index ~i is arc i walked backwards. Each arc
    starts where the previous one ended, so that shared point is kept once."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    deduplicated = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    return [list(p) for p in deduplicated]


def geometry(shape: dict, arcs) -> dict | None:
    if shape["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r, arcs) for r in shape["arcs"]]}
    if shape["type"] == "MultiPolygon":
        polygons = [[ring(r, arcs) for r in polygon] for polygon in shape["arcs"]]
        return {"type": "MultiPolygon", "coordinates": polygons}
    return None  # a country with no outline at this scale


def convert(topology: dict) -> dict:
    arcs = decode_arcs(topology)
    features = []
    for shape in topology["objects"]["countries"]["geometries"]:
        outline = geometry(shape, arcs)
        if outline is not None:
            name = shape.get("properties", {}).get("name", "")
            features.append({"type": "Feature", "properties": {"name": name}, "geometry": outline})
    return {"type": "FeatureCollection", "features": features}


def main(source: str, target: str) -> None:
    collection = convert(json.loads(Path(source).read_text(encoding="utf-8")))
    Path(target).write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    print(f"{len(collection['features'])} countries, {Path(target).stat().st_size:,} bytes")


if __name__ == "__main__":
    main(*sys.argv[1:3])
