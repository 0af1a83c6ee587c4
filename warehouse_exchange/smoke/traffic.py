"""The smoke run's traffic: threads that search, book hot listings, accept requests, record
bank receipts (each one sent twice, to both instances at once) and upload documents through one
instance that an operator reads back through the other, until the time is up."""

from __future__ import annotations

import io
import queue
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from time import monotonic

from PIL import Image

from ..adapters.clock import utc_today
from .chaos import Chaos
from .http import Client, Tally
from .scenario import HotListing, Scenario

SEARCH_CENTRES = [(51.92, 4.48), (53.55, 9.99), (1.29, 103.85), (25.2, 55.27), (-33.87, 151.21)]
BOOKERS = 6
SEARCHERS = 3
WARM_UP_REQUESTS = 8


class Traffic:
    """The threads of one run, sharing the ports, the scenario, a tally and the queues that
    pass bookings from bookers to owners to the operator."""

    def __init__(self, ports: list[int], scenario: Scenario, seconds: float, seed: int = 7):
        self.ports, self.scenario, self.seconds = ports, scenario, seconds
        self.tally = Tally()
        self.requested: queue.Queue = queue.Queue()
        self.uploads_read = 0
        self.upload_mismatches: list[str] = []
        self._seed = seed
        self._stop_at = 0.0

    def run(self, chaos: Chaos | None = None) -> Tally:
        self._warm_up()
        self._stop_at = monotonic() + self.seconds
        faults = threading.Thread(target=chaos.run, daemon=True) if chaos else None
        if faults:
            faults.start()
        try:
            self._drive()
        finally:
            if chaos:
                chaos.stop()
                faults.join()
        return self.tally

    def _drive(self) -> None:
        workers: list[Callable[[int], None]] = (
            [self._search] * SEARCHERS + [self._book] * BOOKERS
            + [self._accept, self._receive, self._upload]
        )  # fmt: skip
        with ThreadPoolExecutor(len(workers)) as pool:
            for future in [pool.submit(work, number) for number, work in enumerate(workers)]:
                future.result()  # a client's own crash fails the run, loudly

    def _warm_up(self) -> None:
        """Workers load the app on their first request: wait for every one to be ready, so
        that the figures measure serving, not starting (not counted in the tally)."""
        for port in self.ports:
            client = Client(port, "198.51.100.250", Tally())
            for _ in range(WARM_UP_REQUESTS):
                client.request("warm-up", "GET", "/readyz")
                client.close()  # a new connection may reach another worker

    def _going(self) -> bool:
        return monotonic() < self._stop_at

    def _clients(self, number: int, token: str | None = None) -> list[Client]:
        """One client per instance, all with this thread's address."""
        address = f"198.51.100.{number + 1}"
        return [Client(port, address, self.tally, token) for port in self.ports]

    def _search(self, number: int) -> None:
        rng = random.Random(self._seed + number)
        clients = self._clients(number, self.scenario.bookers[0][1])
        while self._going():
            lat, lon = rng.choice(SEARCH_CENTRES)
            query = {"lat": lat, "lon": lon, "radius_km": rng.choice([50, 200, 800])}
            rng.choice(clients).request("search", "GET", "/api/v1/search", query=query)

    def _book(self, number: int) -> None:
        rng = random.Random(self._seed + 100 + number)
        clients = self._clients(100 + number)
        while self._going():
            listing = rng.choice(self.scenario.hot_listings)
            token = rng.choice(
                [token for org, token in self.scenario.bookers
                 if org != listing.owner_organization_id]
            )  # fmt: skip
            answer = rng.choice(clients).request(
                "book", "POST", "/api/v1/bookings", body=_booking(rng, listing), token=token
            )
            if answer.status == 201 and answer.json()["state"] == "requested":
                self.requested.put((answer.json()["id"], listing.owner_token))

    def _accept(self, number: int) -> None:
        rng = random.Random(self._seed + 200)
        clients = self._clients(200)
        while self._going():
            try:
                booking_id, owner_token = self.requested.get(timeout=0.5)
            except queue.Empty:
                continue
            path = f"/api/v1/bookings/{booking_id}/accept"
            rng.choice(clients).request("accept", "POST", path, body={}, token=owner_token)

    def _receive(self, number: int) -> None:
        """Pay what is due: each receipt sent to both instances at the same moment, as a
        replayed bank file would be; the platform must record it once."""
        clients = self._clients(210, self.scenario.operator_token)
        while self._going():
            due = clients[1].request("payments due", "GET", "/api/v1/escrow/payments-due",
                                     query={"per_page": 10})  # fmt: skip
            bookings = [i for i in due.json()["results"] if i.get("booking_id")] if due.body else []
            if not bookings:
                self._pause(0.5)
                continue
            receipt = _receipt(bookings[0])
            with ThreadPoolExecutor(2) as pool:
                for client in clients:
                    pool.submit(client.request, "receipt", "POST", "/api/v1/escrow/receipts",
                                body=receipt)  # fmt: skip

    def _upload(self, number: int) -> None:
        """Each uploader sends a document through the second instance; the operator, logged
        in on the first instance's pages (whose workers are being killed), reads it back and
        refuses it through the second, so that the uploader may send again."""
        reader = self._clients(220)[0]
        reader.log_in(self.scenario.operator_email, self.scenario.password)
        operator = self._clients(221, self.scenario.operator_token)[1]
        uploaders = [self._clients(230 + n, token)[1]
                     for n, token in enumerate(self.scenario.uploader_tokens)]  # fmt: skip
        turn = 0
        while turn == 0 or self._going():  # at least one, however slow the start
            self._upload_once(uploaders[turn % len(uploaders)], reader, operator, turn)
            turn += 1

    def _upload_once(self, sender: Client, reader: Client, operator: Client, turn: int) -> None:
        data = _picture(turn)
        answer = sender.request(
            "upload", "POST", "/api/v1/verifications", form=_verification_form(turn),
            files={"documents": (f"register-{turn}.png", "image/png", data)},
        )  # fmt: skip
        if answer.status != 201:
            return
        request = answer.json()
        document = request["documents"][0]["id"]
        path = f"/trust/verifications/{request['id']}/documents/{document}"
        read = reader.request("read upload", "GET", path)
        with self.tally.lock:
            self.uploads_read += read.status == 200 and read.body == data
            if read.status != 200 or read.body != data:
                self.upload_mismatches.append(f"{path}: {read.status}, {len(read.body)} bytes")
        operator.request("refuse upload", "POST", f"/api/v1/verifications/{request['id']}/reject",
                         body={"reason": "Smoke run"})  # fmt: skip

    def _pause(self, seconds: float) -> None:
        threading.Event().wait(min(seconds, max(0.0, self._stop_at - monotonic())))


def _booking(rng: random.Random, listing: HotListing) -> dict:
    latest_start = listing.last_day - timedelta(days=listing.min_days - 1)
    start = listing.first_day + timedelta(
        days=rng.randint(0, (latest_start - listing.first_day).days)
    )
    longest = min(listing.min_days * 3, (listing.last_day - start).days + 1)
    days = rng.randint(listing.min_days, longest)
    low, high = listing.temperature
    return {
        "listing_id": listing.id,
        "quantity": rng.randint(listing.min_units, listing.max_units),
        "start": start.isoformat(),
        "end": (start + timedelta(days=days - 1)).isoformat(),
        "sku_profile": {
            "unit_length_cm": 80, "unit_width_cm": 60, "unit_height_cm": 100,
            "unit_weight_kg": listing.max_weight_kg, "temperature_min_c": low,
            "temperature_max_c": high, "category": "general", "sku_count": 3,
        },
    }  # fmt: skip


def _receipt(due: dict) -> dict:
    reference = due["reference"]
    return {
        "reference": reference,
        "amount": due["amount"],
        "received_on": utc_today().isoformat(),
        "bank_reference": f"SMOKE-{reference}",
    }


def _verification_form(turn: int) -> dict:
    return {
        "registration_number": f"SMOKE-{turn:06d}",
        "registration_country": "NL",
        "address": "Waalhaven 1, Rotterdam",
        "contact_name": "Smoke Uploader",
        "contact_email": "uploader@smoke.example",
    }


def _picture(turn: int) -> bytes:
    """A small PNG, different every turn, so that a read of the wrong object shows."""
    image = Image.new("RGB", (64, 48), ((turn * 37) % 256, (turn * 91) % 256, 120))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
