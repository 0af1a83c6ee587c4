"""The warehouse form, and its conversion to and from WarehouseData."""

from __future__ import annotations

from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..catalog import (
    HAZMAT_CLASSES,
    MAX_TEMPERATURE_C,
    MIN_TEMPERATURE_C,
    SERVICES,
    TEMPERATURE_ZONES,
)
from ..web.forms import Form, MultiCheckboxField, country_choices
from .models import Warehouse
from .rules import MAX_FLOOR_LOAD_KG_M2, MAX_PALLET_WEIGHT_KG
from .services import WarehouseData


def _zone_fields(cls):
    for kind, (label, low, high) in TEMPERATURE_ZONES.items():
        setattr(cls, f"{kind}_enabled", BooleanField(label))
        setattr(
            cls,
            f"{kind}_min_c",
            IntegerField(
                f"{label} from °C",
                default=low,
                validators=[Optional(), NumberRange(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)],
            ),
        )
        setattr(
            cls,
            f"{kind}_max_c",
            IntegerField(
                f"{label} to °C",
                default=high,
                validators=[Optional(), NumberRange(MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)],
            ),
        )
    return cls


@_zone_fields
class WarehouseForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    address = StringField("Street address", validators=[DataRequired(), Length(max=300)])
    city = StringField("City", validators=[DataRequired(), Length(max=120)])
    postal_code = StringField("Postal code", validators=[Optional(), Length(max=20)])
    country = SelectField("Country", validators=[DataRequired()])
    latitude = FloatField(
        "Latitude",
        validators=[Optional(), NumberRange(-90, 90)],
        description="Leave empty to place it at the city.",
    )
    longitude = FloatField("Longitude", validators=[Optional(), NumberRange(-180, 180)])
    timezone = StringField(
        "Time zone",
        validators=[Optional(), Length(max=64)],
        description="IANA name, e.g. Europe/Amsterdam; empty: the city's.",
    )
    bonded = BooleanField("Bonded warehouse")
    hazmat_classes = MultiCheckboxField(
        "Hazardous classes accepted", coerce=int, choices=list(HAZMAT_CLASSES.items())
    )
    max_pallet_height_cm = IntegerField(
        "Max pallet height (cm)", default=180, validators=[DataRequired(), NumberRange(1, 1000)]
    )
    max_pallet_weight_kg = IntegerField(
        "Max pallet weight (kg)",
        default=1000,
        validators=[DataRequired(), NumberRange(1, MAX_PALLET_WEIGHT_KG)],
    )
    floor_load_kg_m2 = IntegerField(
        "Floor load (kg/m²)",
        default=3000,
        validators=[DataRequired(), NumberRange(1, MAX_FLOOR_LOAD_KG_M2)],
    )
    services = MultiCheckboxField("Services", choices=list(SERVICES.items()))
    certifications = StringField(
        "Certifications",
        validators=[Optional(), Length(max=300)],
        description="Comma-separated, e.g. ISO 9001, AEO, GDP",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", "Choose…"), *country_choices()]

    def zone_rows(self):
        for kind in TEMPERATURE_ZONES:
            yield (
                getattr(self, f"{kind}_enabled"),
                getattr(self, f"{kind}_min_c"),
                getattr(self, f"{kind}_max_c"),
            )

    def to_data(self) -> WarehouseData:
        zones = {
            kind: (getattr(self, f"{kind}_min_c").data, getattr(self, f"{kind}_max_c").data)
            for kind in TEMPERATURE_ZONES
            if getattr(self, f"{kind}_enabled").data
        }
        return WarehouseData(
            name=self.name.data,
            address=self.address.data,
            city=self.city.data,
            postal_code=self.postal_code.data or "",
            country=self.country.data,
            latitude=self.latitude.data,
            longitude=self.longitude.data,
            timezone=self.timezone.data or "",
            bonded=self.bonded.data,
            temperature_zones=zones,
            hazmat_classes=self.hazmat_classes.data or [],
            max_pallet_height_cm=self.max_pallet_height_cm.data,
            max_pallet_weight_kg=self.max_pallet_weight_kg.data,
            floor_load_kg_m2=self.floor_load_kg_m2.data,
            services=self.services.data or [],
            certifications=self.certifications.data or "",
        )

    @classmethod
    def for_warehouse(cls, warehouse: Warehouse) -> WarehouseForm:
        form = cls(
            obj=warehouse, hazmat_classes=warehouse.hazmat_classes, services=warehouse.services
        )
        zones = {zone.kind: zone for zone in warehouse.temperature_zones}
        for kind in TEMPERATURE_ZONES:
            zone = zones.get(kind)
            getattr(form, f"{kind}_enabled").data = zone is not None
            if zone is not None:
                getattr(form, f"{kind}_min_c").data = zone.min_c
                getattr(form, f"{kind}_max_c").data = zone.max_c
        return form
