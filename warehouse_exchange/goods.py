"""The columns that describe goods, declared once for the models that store them: a lease's
SKU profile (bookings), the goods a transfer's taker declares (transfers), and the unit size
of a shipment line (shipments).

A mixin's columns come after a model's own columns in its table. The migrations put the
goods columns between a model's own, so the model's columns that follow them say
`sort_order=AFTER_GOODS`: a database made by `create_all` (as the benchmarks make theirs) then
has its columns in the order of a migrated one."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

#: the `sort_order` of the columns a model declares after its goods columns
AFTER_GOODS = 1


class UnitSizeColumns:
    """The size and weight of one unit of the goods (a carton, a pallet)."""

    #: True where the goods are learnt later than the row is made (a transfer's taker
    #: declares them when it asks for the lease): the columns may then be NULL
    goods_optional: ClassVar[bool] = False

    @declared_attr
    def unit_length_cm(cls) -> Mapped[int]:
        return mapped_column(Integer, nullable=cls.goods_optional)

    @declared_attr
    def unit_width_cm(cls) -> Mapped[int]:
        return mapped_column(Integer, nullable=cls.goods_optional)

    @declared_attr
    def unit_height_cm(cls) -> Mapped[int]:
        return mapped_column(Integer, nullable=cls.goods_optional)

    @declared_attr
    def unit_weight_kg(cls) -> Mapped[int]:
        return mapped_column(Integer, nullable=cls.goods_optional)


class SkuProfileColumns(UnitSizeColumns):
    """The SKU profile: the unit size, then what the goods tolerate and what they are."""

    @declared_attr
    def temperature_min_c(cls) -> Mapped[int]:
        return mapped_column(Integer, nullable=cls.goods_optional)

    @declared_attr
    def temperature_max_c(cls) -> Mapped[int]:
        return mapped_column(Integer, nullable=cls.goods_optional)

    @declared_attr
    def hazmat_class(cls) -> Mapped[int | None]:
        """The UN class of dangerous goods; None for goods that are not dangerous."""
        return mapped_column(Integer, nullable=True)

    @declared_attr
    def category(cls) -> Mapped[str]:
        return mapped_column(String(20), nullable=cls.goods_optional)

    @declared_attr
    def sku_count(cls) -> Mapped[int]:
        return mapped_column(Integer, nullable=cls.goods_optional)
