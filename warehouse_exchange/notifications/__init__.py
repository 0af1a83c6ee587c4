"""Notifications: an in-app inbox per organization, and emails to its members through an
outbox that a scheduled job sends."""
