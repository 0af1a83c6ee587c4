"""Forms of the account pages."""

from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..catalog import ORGANIZATION_KINDS
from ..web.forms import Form, country_choices


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class PasswordFields:
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )


class RegistrationForm(Form, PasswordFields):
    organization_name = StringField("Organization", validators=[DataRequired(), Length(max=120)])
    kind = SelectField("We are", choices=list(ORGANIZATION_KINDS.items()))
    country = SelectField("Country of registration", choices=[("", "Choose…")])
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", "Choose…"), *country_choices()]


class InvitationForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class AcceptInvitationForm(Form, PasswordFields):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])


class ApiTokenForm(Form):
    name = StringField("Token name", validators=[DataRequired(), Length(max=80)])
