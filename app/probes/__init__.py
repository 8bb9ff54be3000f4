"""Probes from the workstation: the console's own HTTP(S) checks of the services' health URLs.

* ``http_probe`` -- one check: status, keyword or JSON value in a bounded body, latency, TLS certificate
* ``runner``     -- which services are due, probing them concurrently, storing the results as checks
  from this workstation (``source = "workstation"``) beside the backend's
"""
