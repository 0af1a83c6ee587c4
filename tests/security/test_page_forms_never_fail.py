"""Whatever is typed into a page's form, the page answers, never a 5xx: hypothesis fills each
field of each form with arbitrary text, integers of any size, decimals (NaN and infinities
included) and dates of any year. The API gets the same from schemathesis, from its OpenAPI
document."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import wtforms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import warehouse_exchange
from tests.factories import ListingFactory, WarehouseFactory
from tests.helpers import booking_terms, goods, login
from warehouse_exchange.bookings.commands import BookingRequest, accept_booking, request_booking
from warehouse_exchange.photos.forms import PhotoUploadForm
from warehouse_exchange.web.forms import Form, SubForm

NOW = datetime.now(UTC)
TODAY = NOW.date()

#: integers an INTEGER or a BIGINT column cannot hold
BEYOND_COLUMNS = [str(2**31), str(2**63), str(-(2**63) - 1), "9" * 40]
HOSTILE_NUMBERS = ["1e14", "9e18", "1e400", "1e999999999", "NaN", "sNaN", "inf", "-Infinity",
                   "-0", ""]  # fmt: skip
#: text a browser can send: every character but the surrogates, which have no UTF-8
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)


@dataclass(frozen=True)
class PageForm:
    """A page, who opens it, the form it posts (or, for GET, reads from the query string)."""

    who: str
    path: str
    form: type[wtforms.Form]
    method: str = "POST"


def _forms(module: str, *names: str):
    loaded = importlib.import_module(f"warehouse_exchange.{module}.forms")
    return [getattr(loaded, name) for name in names]


SearchForm, = _forms("search", "SearchForm")  # fmt: skip
LoginForm, RegistrationForm, InvitationForm, ApiTokenForm, ChangePasswordForm = _forms(
    "accounts",
    "LoginForm",
    "RegistrationForm",
    "InvitationForm",
    "ApiTokenForm",
    "ChangePasswordForm",
)
(WarehouseForm,) = _forms("warehouses", "WarehouseForm")
(ListingForm,) = _forms("listings", "ListingForm")
BookingForm, BookingReasonForm = _forms("bookings", "BookingForm", "ReasonForm")
ReceiptForm, PayoutForm, EndLeaseForm, ReserveFundingForm = _forms(
    "escrow", "ReceiptForm", "PayoutForm", "EndLeaseForm", "ReserveFundingForm"
)
(ExchangeRateForm,) = _forms("fx", "ExchangeRateForm")
(EmailSettingsForm,) = _forms("notifications", "EmailSettingsForm")
(AdvanceClockForm,) = _forms("scheduler", "AdvanceClockForm")
(ShipmentForm,) = _forms("shipments", "ShipmentForm")
(DisputeForm,) = _forms("disputes", "DisputeForm")
(OfferForm,) = _forms("transfers", "OfferForm")
VerificationForm, ReviewForm, BlacklistForm = _forms(
    "trust", "VerificationForm", "ReviewForm", "BlacklistForm"
)

PAGES = [
    PageForm("anonymous", "/", SearchForm, "GET"),
    PageForm("anonymous", "/login", LoginForm),
    PageForm("anonymous", "/register", RegistrationForm),
    PageForm("owner", "/profile/invitations", InvitationForm),
    PageForm("owner", "/profile/tokens", ApiTokenForm),
    PageForm("owner", "/profile/password", ChangePasswordForm),
    PageForm("owner", "/warehouses/new", WarehouseForm),
    PageForm("owner", "/warehouses/{warehouse}/edit", WarehouseForm),
    PageForm("owner", "/warehouses/{warehouse}/photos", PhotoUploadForm),
    PageForm("owner", "/listings/{listing}/photos", PhotoUploadForm),
    PageForm("owner", "/listings/new/{warehouse}", ListingForm),
    PageForm("owner", "/listings/{listing}/edit", ListingForm),
    PageForm("owner", "/notifications/settings", EmailSettingsForm),
    PageForm("owner", "/bookings/{booking}/end-early", EndLeaseForm),
    PageForm("owner", "/bookings/{requested}/decline", BookingReasonForm),
    PageForm("exporter", "/listings/{listing}/book", BookingForm),
    PageForm("exporter", "/bookings/{booking}/shipments/new", ShipmentForm),
    PageForm("exporter", "/bookings/{booking}/disputes/new", DisputeForm),
    PageForm("exporter", "/bookings/{booking}/transfer", OfferForm),
    PageForm("exporter", "/trust/bookings/{booking}/review", ReviewForm),
    PageForm("exporter", "/trust/verification", VerificationForm),
    PageForm("operator", "/operator/exchange-rates/", ExchangeRateForm),
    PageForm("operator", "/operator/escrow", ReceiptForm),
    PageForm("operator", "/operator/escrow/payouts", PayoutForm),
    PageForm("operator", "/operator/reserve/fund", ReserveFundingForm),
    PageForm("operator", "/trust/operator/blacklist", BlacklistForm),
    PageForm("operator", "/operator/jobs/advance-clock", AdvanceClockForm),
]


def _plausible(field: wtforms.Field) -> str:
    """A value the field would accept, so that the other fields' values reach the services."""
    choices = getattr(field, "choices", None)
    if choices and not isinstance(choices, dict):
        offered = [str(c[0] if isinstance(c, tuple | list) else c) for c in choices]
        return next((value for value in offered if value), "")
    if isinstance(field, wtforms.IntegerField | wtforms.DecimalField | wtforms.FloatField):
        return "1"
    if isinstance(field, wtforms.DateField):
        return (TODAY + timedelta(days=7)).isoformat()
    if isinstance(field, wtforms.EmailField):
        return "someone@example.com"
    if isinstance(field, wtforms.PasswordField):
        return "a-long-password-1"
    if isinstance(field, wtforms.BooleanField):
        return "y"
    return "Rotterdam"


def _arbitrary(field: wtforms.Field) -> st.SearchStrategy[str]:
    """A number beyond a column, a hostile spelling of one, an integer of any size or any text,
    whatever the field: a select or a text box may be read as a number too."""
    beyond = st.sampled_from(BEYOND_COLUMNS)
    anything = st.one_of(beyond, st.sampled_from(HOSTILE_NUMBERS), st.integers().map(str), TEXT)
    if isinstance(field, wtforms.DecimalField | wtforms.FloatField):
        decimals = st.decimals(allow_nan=True, allow_infinity=True).map(str)
        anything = st.one_of(anything, decimals, st.floats().map(repr))
    if isinstance(field, wtforms.DateField | wtforms.DateTimeField):
        days = st.dates().map(date.isoformat)
        odd = st.sampled_from(["99999-01-01", "9999-12-31", "0001-01-01", "2024-02-30"])
        anything = st.one_of(odd, days, anything)
    return anything


def _leaf_fields(form: wtforms.Form):
    for field in form:
        if isinstance(field, wtforms.FormField):
            yield from _leaf_fields(field)
        elif isinstance(field, wtforms.FieldList):
            for entry in field:
                yield from _leaf_fields(entry) if isinstance(entry, wtforms.FormField) else [entry]
        elif not isinstance(field, wtforms.FileField | wtforms.SubmitField):
            yield field


def form_data(app, form_class: type[wtforms.Form]) -> st.SearchStrategy[dict]:
    """The form filled with plausible values but for one field that holds something arbitrary
    (so that it reaches the services), or with every field arbitrary or plausible."""
    with app.test_request_context():
        form = form_class(meta={"csrf": False}, formdata=None)
        fields = list(_leaf_fields(form))
    plausible = {field.name: _plausible(field) for field in fields}
    arbitrary = {field.name: _arbitrary(field) for field in fields}
    one_field = st.sampled_from(sorted(arbitrary)).flatmap(
        lambda name: arbitrary[name].map(lambda value: {**plausible, name: value})
    )
    every_field = st.fixed_dictionaries(
        {name: st.one_of(st.just(plausible[name]), arbitrary[name]) for name in plausible}
    )
    return st.one_of(one_field, one_field, every_field)


@pytest.fixture
def places(owner, exporter):
    warehouse = WarehouseFactory(organization=owner.organization)
    listing = ListingFactory(warehouse=warehouse, available_to=TODAY + timedelta(days=365))
    start = TODAY + timedelta(days=5)
    lease = BookingRequest(listing.id, 2, start, start + timedelta(days=60), goods())
    booking = accept_booking(
        owner, request_booking(exporter, lease, booking_terms(), NOW, TODAY).id, NOW
    )
    requested = request_booking(exporter, lease, booking_terms(), NOW, TODAY)
    return {"warehouse": warehouse.id, "listing": listing.id, "booking": booking.id,
            "requested": requested.id}  # fmt: skip


@pytest.mark.parametrize("page", PAGES, ids=lambda page: f"{page.who}:{page.path}")
def test_no_page_form_answers_a_5xx_whatever_is_typed(app, request, places, page):
    client = app.test_client()
    if page.who != "anonymous":
        login(client, request.getfixturevalue(page.who))
    path = page.path.format(**places)

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=form_data(app, page.form))
    def typed(data):
        if page.method == "GET":
            response = client.get(path, query_string=data)
        else:
            response = client.post(path, data=data)
        assert response.status_code < 500, (path, data, response.status_code)

    typed()


#: forms on pages whose object takes a longer journey to reach (a shipment on its way, a dispute
#: under review, a transfer on offer, an invitation): bounded like every form (see below), and
#: exercised by their own areas' tests
FORMS_NOT_WALKED = {
    "AcceptInvitationForm", "CancelShipmentForm", "CarrierTokenForm", "CheckInForm",
    "CountForm", "DecisionForm", "EarlyArrivalForm", "EventForm", "LineForm", "MessageForm",
    "OutboundForm", "RefundSentForm", "ShipmentChangeForm", "TakeOverForm", "TextForm",
    "TransferReceiptForm", "ReasonForm",
    # a photo's alt text needs a photo uploaded first; tests/test_photos_web.py types into it
    "AltTextForm",
}  # fmt: skip


def test_every_form_is_walked_or_named_as_not_walked():
    walked = {page.form.__qualname__ for page in PAGES}
    ours = {form.__qualname__ for form in _all_forms()} - {"Form", "SubForm"}
    assert ours - walked - FORMS_NOT_WALKED == set()


def _all_forms() -> set[type[wtforms.Form]]:
    for module in pkgutil.walk_packages(warehouse_exchange.__path__, "warehouse_exchange."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, pending = set(), [wtforms.Form]
    while pending:
        for subclass in pending.pop().__subclasses__():
            found.add(subclass)
            pending.append(subclass)
    return {f for f in found if f.__module__.startswith("warehouse_exchange.")}


def test_every_form_of_ours_is_bounded():
    """Every form derives from Form or SubForm, whose fields get the columns' bounds."""
    unbounded = [f.__qualname__ for f in _all_forms() if not issubclass(f, Form | SubForm)]
    assert unbounded == []
