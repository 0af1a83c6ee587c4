"""Disputes: a party's claim on a booking that freezes its escrow until an operator decides."""
