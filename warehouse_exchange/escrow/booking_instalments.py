"""`booking.payment_instalments`: what the tenant of a booking pays, by when. Escrow makes the
instalments, so escrow attaches the relationship to bookings' model here, and bookings need not
import escrow. warehouse_exchange/models.py imports this with every model."""

from sqlalchemy.orm import relationship

from ..bookings.models import Booking
from .models import PaymentInstalment

Booking.payment_instalments = relationship(  # read-only: escrow writes the instalments
    PaymentInstalment, order_by=PaymentInstalment.sequence, viewonly=True
)
