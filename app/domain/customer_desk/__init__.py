"""The customer desk: one customer diagnosed on one screen, and the billing and access actions that fix them.

* ``diagnosis`` reads everything support checks on a billing, access or
  processing problem (bounded, indexed queries for one customer);
* ``lifecycle``, ``entitlements`` and ``money`` are the pure rules behind it
  (docs/metrics.md, "Customer desk");
* ``actions`` says which actions exist, who may take them, and what each one
  asks of Stripe or the Ops API; ``validation`` refuses bad input in words;
* ``queue`` writes an accepted action and its outbox entry in one
  transaction; ``online`` checks Stripe and asks for the proration preview
  before the user confirms, when Stripe can be reached;
* ``summary`` is the text an escalation pastes; ``cli`` the headless commands.
"""
