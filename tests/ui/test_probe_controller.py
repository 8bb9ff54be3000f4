"""The window probes while the backend answers, off the GUI thread, and pauses when it does not."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from app.store.schema import HealthCheck, Service
from tests.app.probes.support import serve
from tests.ui.helpers import wait_idle
from ui.probe_controller import ProbeController


def test_probes_run_while_online_and_stop_when_offline(qtbot, context):
    with serve() as base:
        with context.cache.engine.begin() as conn:
            conn.execute(insert(Service.__table__).values(id="api", name="API", url=f"{base}/ok"))
        controller = ProbeController(context)
        controller.set_online(True)
        wait_idle(qtbot, context.runner)
        assert controller.rounds == 1
        controller.set_online(False)
        assert not controller._timer.isActive()
        controller.stop()
    with context.cache.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(HealthCheck.__table__)
                              .where(HealthCheck.source == "workstation")).scalar_one()
    assert stored == 1
