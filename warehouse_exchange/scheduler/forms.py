"""Forms of the jobs console."""

from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..web.forms import Form
from .demo_clock import MAX_DAYS


class AdvanceClockForm(Form):
    days = IntegerField(
        "Days", default=1,
        validators=[InputRequired("How many days?"), NumberRange(1, MAX_DAYS, "1 to 366 days")],
    )  # fmt: skip
