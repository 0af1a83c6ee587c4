"""Forms of the photo pages: a few pictures at once, each with its alt text; and one photo's
alt text."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import Length

from ..web.forms import Form
from .rules import MAX_ALT_TEXT, UPLOAD_ROWS

ALT_HINT = "What the photo shows, for people who cannot see it, e.g. “Cold room at −20 °C”."


class PhotoUploadForm(Form):
    """UPLOAD_ROWS rows of a file and its alt text; empty rows are skipped."""

    @property
    def rows(self) -> list[tuple]:
        return [
            (getattr(self, f"photo_{n}"), getattr(self, f"alt_text_{n}"))
            for n in range(1, UPLOAD_ROWS + 1)
        ]


for _n in range(1, UPLOAD_ROWS + 1):
    setattr(
        PhotoUploadForm,
        f"photo_{_n}",
        FileField(f"Photo {_n}"),
    )
    setattr(
        PhotoUploadForm,
        f"alt_text_{_n}",
        StringField(f"Alt text of photo {_n}", validators=[Length(max=MAX_ALT_TEXT)]),
    )


class AltTextForm(Form):
    alt_text = StringField("Alt text", validators=[Length(max=MAX_ALT_TEXT)], description=ALT_HINT)
