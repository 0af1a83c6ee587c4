"""Forms of the trust pages. Stars and dates are checked by the services, whose messages
appear beside the fields, so that a page and the API refuse the same input the same way."""

from __future__ import annotations

from flask_wtf.file import MultipleFileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..web.forms import Form, country_choices
from .rules import ASPECTS
from .verification import MAX_DOCUMENTS

STAR_CHOICES = [("", "Choose…")] + [(str(n), "★" * n + "☆" * (5 - n)) for n in range(5, 0, -1)]


def _number(value):
    """The number chosen, or the text as sent (the service names what is wrong)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


class VerificationForm(Form):
    registration_number = StringField("Registration number", validators=[Length(max=60)])
    registration_country = SelectField("Country of registration")
    address = TextAreaField("Registered address", validators=[Length(max=300)])
    contact_name = StringField("Contact person", validators=[Length(max=120)])
    contact_email = StringField("Contact email", validators=[Length(max=254)])
    contact_phone = StringField("Contact phone", validators=[Optional(), Length(max=40)])
    documents = MultipleFileField(
        "Documents",
        description=f"A register extract, licence or similar: images or PDFs, up to"
        f" {MAX_DOCUMENTS} files.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.registration_country.choices = [("", "Choose…"), *country_choices()]


class ReviewForm(Form):
    aspect_1 = SelectField(choices=STAR_CHOICES, coerce=_number, validate_choice=False)
    aspect_2 = SelectField(choices=STAR_CHOICES, coerce=_number, validate_choice=False)
    communication = SelectField(choices=STAR_CHOICES, coerce=_number, validate_choice=False)
    comment = TextAreaField("Comment", validators=[Length(max=2000)])

    def label_for(self, subject_role: str) -> None:
        """Name the aspects after whom the review is about."""
        for field, label in zip(
            (self.aspect_1, self.aspect_2, self.communication), ASPECTS[subject_role], strict=True
        ):
            field.label.text = label


class TextForm(Form):
    """One required text: a reason, a note or a reply (the service says when it is missing)."""

    text = TextAreaField("Reason", validators=[Length(max=2000)])


class BlacklistForm(Form):
    organization_id = SelectField("Organization", coerce=_number, validate_choice=False)
    reason = TextAreaField("Reason (public)", validators=[Length(max=500)])
    ends_on = DateField("Until (last day, optional)", validators=[Optional()])
