"""What the desk's core tests share: reading one customer at the business's fixed moment."""

from __future__ import annotations

from sqlalchemy import Engine

from app.config.settings import Settings
from app.domain.customer_desk.diagnosis import Diagnosis, diagnose
from tests.support.dataset import NOW


def diagnosis_of(engine: Engine, customer_id: str, settings: Settings | None = None) -> Diagnosis:
    with engine.connect() as conn:
        found = diagnose(conn, customer_id, NOW, settings or Settings())
    assert found is not None
    return found
