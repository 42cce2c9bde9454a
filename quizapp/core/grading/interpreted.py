"""What the grading child changes in Triton when it runs kernels under `TRITON_INTERPRET=1`.

`@triton.autotune` benchmarks its configs with the active driver's benchmarker
(`triton.runtime.driver.active.get_benchmarker()`), and the interpreter has no driver: on a
machine without a GPU a correct autotuned kernel fails with "0 active drivers". Under the
interpreter, timing configs would be meaningless anyway (and would make the chosen config,
hence the grade, depend on machine noise), so `use_interpreter_benchmarker()` gives every
autotuner that has no benchmarker of its own one that runs each config once and reports the
same time for all: every config still has to run without raising, as it does on a GPU, and
the first config that survives is the one used — the same one on every grade. Autotuning's
on-disk result cache, which asks the driver for its target, is bypassed the same way.

Called by the child before the solution is imported, and only when it interprets: compiled
Triton on a GPU keeps its real benchmarker. A solution that passes its own `do_bench=` to
`triton.autotune` keeps it (its problem if it needs a GPU).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any


def _run_once(kernel_call: Callable[[], Any],
              quantiles: Sequence[float] | None = None, **_: Any) -> Any:
    """The interpreter's "benchmark": run the config once; the same time for every config,
    so the autotuner keeps the first config that runs (its `min` is stable)."""
    kernel_call()
    return [0.0] * len(quantiles) if quantiles else 0.0


def use_interpreter_benchmarker() -> bool:
    """Under `TRITON_INTERPRET=1`, make `@triton.autotune` work without a driver (see the
    module docstring). True when installed; False when not interpreting, or when this
    Triton's autotuner lacks the hooks (then autotuned kernels fail as they did before)."""
    if os.environ.get("TRITON_INTERPRET", "0").lower() not in ("1", "true", "on", "yes"):
        return False
    try:
        from triton.runtime.autotuner import Autotuner
    except ImportError:
        return False
    if "do_bench" not in Autotuner.__dict__ or not hasattr(Autotuner, "check_disk_cache"):
        return False

    def do_bench(self: Any) -> Callable[..., Any]:
        chosen = getattr(self, "_do_bench", None)
        return chosen if chosen is not None else _run_once

    def check_disk_cache(self: Any, tuning_key: Any, configs: Any,
                         bench_fn: Callable[[], None]) -> bool:
        bench_fn()
        return False  # "not served from the cache"

    # A plain property (not cached): nothing of the driver's is ever looked up.
    Autotuner.do_bench = property(do_bench)  # type: ignore[assignment]
    Autotuner.check_disk_cache = check_disk_cache  # type: ignore[method-assign]
    return True
