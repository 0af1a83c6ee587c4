"""The spherical estimate bounds the geodesic distance as search assumes it does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from warehouse_exchange.search.distance import SPHERE_ERROR, geodesic_km, spherical_km

latitudes = st.floats(min_value=-89.9, max_value=89.9)
longitudes = st.floats(min_value=-180, max_value=180)


@given(latitudes, longitudes, latitudes, longitudes)
def test_spherical_estimate_is_within_the_error_bound(lat1, lon1, lat2, lon2):
    exact = geodesic_km(lat1, lon1, lat2, lon2)
    estimate = spherical_km(lat1, lon1, lat2, lon2)
    if exact > 0.001:
        assert exact / SPHERE_ERROR <= estimate <= exact * SPHERE_ERROR


def test_known_distance():
    # Rotterdam to Antwerp, about 78 km
    assert round(geodesic_km(51.9225, 4.47917, 51.21989, 4.40346)) == 78
    assert abs(spherical_km(51.9225, 4.47917, 51.21989, 4.40346) - 78.2) < 0.6
