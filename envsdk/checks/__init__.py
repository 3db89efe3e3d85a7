"""The conformance checker: ``envsdk.check(factory, **config)`` and ``envsdk check TARGET``.

The checker is the contract (``envsdk/protocol.py`` is its text). It is a list of small named
checks, each a function of one ``Context`` that returns a short note (pass), or raises ``Failed``,
``Warned`` or ``Skipped``. Every finding names the property, what was expected, what was found,
and the fix. An exception raised by the env inside a check fails that check with the env's
traceback; the remaining checks still run. A check whose prerequisite failed is skipped (it says
which) rather than failing again for the same cause. ``quick`` skips the slow checks (fuzzing,
resources, backends).

One module per concern:

- ``report``: ``CheckResult`` and ``Report`` (the text and JSON reports), and the outcomes a
  check raises;
- ``record``: the recording context, ``Context``, ``record`` and ``Rollout`` (also
  ``envsdk.testing.rollout``);
- ``contract``, ``values``, ``robustness``: the checks themselves;
- ``runner``: ``CHECKS``, the explicit list that orders them, and ``check``.

No pytest here: env authors call ``envsdk.check`` from scripts or their own test suites
(``envsdk.testing.assert_passes_check``), and the CLI prints the same ``Report``.
"""

from envsdk.checks.record import Context, Rollout, record, rollout
from envsdk.checks.report import STATUSES, CheckResult, Failed, Report, Skipped, Warned
from envsdk.checks.runner import CHECK_NAMES, CHECKS, Check, check, run_checks

__all__ = [
    "CHECKS",
    "CHECK_NAMES",
    "STATUSES",
    "Check",
    "CheckResult",
    "Context",
    "Failed",
    "Report",
    "Rollout",
    "Skipped",
    "Warned",
    "check",
    "record",
    "rollout",
    "run_checks",
]
