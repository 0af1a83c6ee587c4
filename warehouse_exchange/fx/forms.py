"""The operator's exchange-rate form."""

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField
from wtforms.validators import DataRequired, InputRequired

from ..web.forms import currency_choices, positive


class ExchangeRateForm(FlaskForm):
    currency = SelectField("Currency", validators=[DataRequired()])
    rate = DecimalField(
        "Units per 1 base unit",
        places=None,
        validators=[InputRequired(), positive],
    )
    rate_date = DateField("Rate date", validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency.choices = [("", "Choose…"), *currency_choices()]
