"""Forms of the account pages."""

from flask import current_app
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..catalog import ORGANIZATION_KINDS
from ..web.forms import Form, country_choices
from .passwords import MAX_LENGTH, MIN_LENGTH


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me logged in on this device")


PASSWORD_HINT = (
    f"{MIN_LENGTH} or more characters. Not a common password, and not your name, email address"
    " or organization: a few unrelated words work well."
)


class PasswordFields:
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=PASSWORD_HINT,
    )
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
    valid_days = SelectField("Expires after", coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = current_app.config["API_TOKEN_VALID_DAYS"]
        shorter = [d for d in current_app.config["API_TOKEN_LIFETIME_CHOICES"] if d < longest]
        self.valid_days.choices = [(days, f"{days} days") for days in (*shorter, longest)]
        if self.valid_days.data is None:
            self.valid_days.data = longest


class ChangePasswordForm(Form):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=PASSWORD_HINT,
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
    )


class ReasonForm(Form):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])
