"""The HTTP API's routes, one `APIRouter` per resource: what tills call (enrolment, journal,
feed, reports, photos), the health check, and the back office (`server.routes.admin`)."""

from __future__ import annotations

from fastapi import APIRouter

from server.routes import admin, enrolment, feed, health, journal, photos, reports, sold_out

ROUTERS: tuple[APIRouter, ...] = (
    enrolment.router,
    journal.router,
    feed.router,
    reports.router,
    photos.router,
    sold_out.router,
    admin.router,
    health.router,
)
