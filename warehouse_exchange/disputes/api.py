"""API twins of the dispute pages, with the same permission rules."""

from __future__ import annotations

from flask import request

from ..adapters.clock import utc_now
from ..files.services import read_upload
from ..web.api import ApiBlueprint, ErrorSchema, PaginationArgs, page_body
from ..web.auth import api_actor, api_login_required
from . import commands, queries
from .commands import Decision, DisputeData, Upload
from .schemas import (
    DecisionInSchema,
    DisputeInSchema,
    DisputeMessageSchema,
    DisputePageSchema,
    DisputeSchema,
    EvidenceInSchema,
    MessageInSchema,
)

blp = ApiBlueprint("disputes_api", __name__, url_prefix="/disputes", description="Disputes")

THREAD_LIMIT = (
    "The party has written DISPUTE_MESSAGES_PER_HOUR messages (30) in this thread within the"
    " last hour; Retry-After says in how many seconds it may write again"
)


@blp.post("")
@api_login_required
@blp.arguments(DisputeInSchema)
@blp.response(201, DisputeSchema)
@blp.refuses(403, "forbidden: only the parties to the booking.")
@blp.refuses(404, "not_found: no such booking.")
@blp.refuses(409, "conflict: the booking cannot be disputed now, or already is.")
def open_dispute(args):
    """Open a dispute on a booking one is party to; evidence follows with POST …/evidence."""
    claimed = args["claimed"]
    data = DisputeData(
        args["category"], args["description"], claimed["amount_minor"], claimed["currency"]
    )
    return commands.open_dispute(api_actor(), args["booking_id"], data, utc_now())


@blp.get("")
@api_login_required
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, DisputePageSchema)
def list_disputes(args):
    """The organization's disputes; for operators, the queue of unresolved ones."""
    actor = api_actor()
    if actor.is_operator:
        return page_body(queries.dispute_queue(actor, args["page"], args["per_page"]))
    return page_body(queries.my_disputes(actor, args["page"], args["per_page"]))


@blp.get("/<id:dispute_id>")
@api_login_required
@blp.response(200, DisputeSchema)
def get_dispute(dispute_id: int):
    return queries.get_dispute(api_actor(), dispute_id)


@blp.get("/<id:dispute_id>/messages")
@api_login_required
@blp.response(200, DisputeMessageSchema(many=True))
def list_messages(dispute_id: int):
    """The thread, oldest first."""
    return queries.get_dispute(api_actor(), dispute_id).messages


@blp.post("/<id:dispute_id>/messages")
@api_login_required
@blp.arguments(MessageInSchema)
@blp.response(201, DisputeMessageSchema)
@blp.alt_response(429, schema=ErrorSchema, description=THREAD_LIMIT)
@blp.refuses(409, "conflict: the dispute is closed.")
def add_message(args, dispute_id: int):
    """Write in the thread of an unresolved dispute."""
    return commands.add_message(api_actor(), dispute_id, args["body"], [], utc_now())


@blp.post("/<id:dispute_id>/evidence")
@api_login_required
@blp.arguments(EvidenceInSchema, location="form")
@blp.response(201, DisputeMessageSchema)
@blp.alt_response(429, schema=ErrorSchema, description=THREAD_LIMIT)
@blp.refuses(409, "conflict: the dispute is closed.")
@blp.refuses_while_storage_is_down()
def add_evidence(args, dispute_id: int):
    """A message with evidence: a multipart form with `files` (images or PDFs, at least one)
    and `body`. 422 without a file, or with an empty one."""
    files = [
        Upload(upload.filename or "", read_upload(upload.stream, "files"))
        for upload in request.files.getlist("files")
    ]
    return commands.add_evidence(api_actor(), dispute_id, args["body"], files, utc_now())


@blp.post("/<id:dispute_id>/withdraw")
@api_login_required
@blp.response(200, DisputeSchema)
@blp.refuses(403, "forbidden: only the party that opened the dispute.")
@blp.refuses(409, "conflict: the dispute is closed.")
def withdraw(dispute_id: int):
    """Withdraw a dispute one's organization opened: the freeze lifts, nothing moves."""
    return commands.withdraw_dispute(api_actor(), dispute_id, utc_now())


@blp.post("/<id:dispute_id>/take")
@api_login_required
@blp.response(200, DisputeSchema)
@blp.refuses(403, "forbidden: only platform operators.")
@blp.refuses(409, "conflict: the dispute is closed or taken.")
def take(dispute_id: int):
    """Take the case (operators only)."""
    return commands.take_dispute(api_actor(), dispute_id, utc_now())


@blp.post("/<id:dispute_id>/decision")
@api_login_required
@blp.arguments(DecisionInSchema)
@blp.response(200, DisputeSchema)
@blp.refuses(403, "forbidden: only platform operators.")
@blp.refuses(409, "conflict: the dispute is not under review; reserve_too_small.")
def decide(args, dispute_id: int):
    """Decide the case (operators only): split the frozen escrow, maybe pay from the reserve."""
    return commands.decide_dispute(api_actor(), dispute_id, Decision(**args), utc_now())
