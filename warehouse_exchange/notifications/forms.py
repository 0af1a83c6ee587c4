"""The page where a member chooses which notifications reach them by email."""

from flask_wtf import FlaskForm

from ..web.forms import MultiCheckboxField
from .kinds import KINDS


class EmailSettingsForm(FlaskForm):
    email_kinds = MultiCheckboxField("Send me an email about", choices=list(KINDS.items()))
