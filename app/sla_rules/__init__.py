"""SLA rules as plain data and pure functions: business calendars, policies, clocks.

Shared on purpose by the console (``app.domain.sla`` stores and shows the
clocks) and the demo backend (``app.demo`` computes the ``sla_due_at`` it
serves), so the two compute due instants with one implementation and agree by
construction.  That is why this package imports nothing from the project:
the layer contract in ``pyproject.toml`` keeps it a leaf, and the demo's
contract (which forbids the console's code) leaves it allowed.

* ``calendars`` -- working frames per weekday in an IANA zone, public holidays
  (the ``holidays`` package) and custom dates; business time on UTC instants.
* ``policies``  -- ordered policies (conditions, targets per metric, a
  calendar), the seed policy set, and parsing that names the wrong field.
* ``clocks``    -- each metric's clock from a ticket's event log: start,
  pauses, fulfilment, the breach and pre-breach instants.
"""
