"""Distances. The geodesic one (WGS-84, through geopy) is what users see and what decides
whether a warehouse is inside a radius; a spherical estimate, a hundred times cheaper, bounds
it so that the geodesic is computed only where it can change an answer."""

from __future__ import annotations

import math

from geopy.distance import geodesic

EARTH_MEAN_RADIUS_KM = 6371.0088
#: the spherical estimate and the geodesic distance differ by less than this factor (the
#: true bound is about 1.0056, where the ellipsoid departs most from the sphere)
SPHERE_ERROR = 1.01


def spherical_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi, half_dlambda = (phi2 - phi1) / 2, math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return geodesic((lat1, lon1), (lat2, lon2)).km
