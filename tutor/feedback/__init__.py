"""Feedback on the learner's code: explain an error, warn about lines that do nothing.

Plain Python, unit-testable without a terminal or a worker. `idle` (the "this line
does nothing" pass) never imports torch and may run anywhere; `explain` and `runtime`
look at live tensors and import torch lazily, so only the worker (and the tests) pay
for it, and only when something failed or warned.
"""
