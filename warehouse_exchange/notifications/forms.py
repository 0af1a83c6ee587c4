"""The page where a member chooses which notifications reach them by email."""

from ..web.forms import Form, MultiCheckboxField
from .kinds import KINDS


class EmailSettingsForm(Form):
    email_kinds = MultiCheckboxField("Send me an email about", choices=list(KINDS.items()))
