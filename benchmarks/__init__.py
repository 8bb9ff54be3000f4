"""Performance measured as ratios against a peer or a floor timed in the same run.

Never wall-clock thresholds: the machines are shared and noisy, so every row
times its subject and its peer back to back and reports their ratio.
Run ``python -m benchmarks`` (all) or ``python -m benchmarks licensing sync``.
"""
