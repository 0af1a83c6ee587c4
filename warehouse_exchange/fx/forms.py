"""The operator's exchange-rate form."""

from wtforms import DateField, DecimalField, SelectField
from wtforms.validators import DataRequired, InputRequired

from ..web.forms import Form, currency_choices, positive


class ExchangeRateForm(Form):
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
