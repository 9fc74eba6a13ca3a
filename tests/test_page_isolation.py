"""The site's pages change torch's process-wide state; none of it reaches the next page.

The engine's own tests (pageexec/tests) prove isolation without torch; this is the same
proof for the state a lesson page really changes, with the site's preload.
"""

from __future__ import annotations

import os

import pytest

from neutral import assert_isolated
from pageexec.runner import Runner


@pytest.fixture(scope="module")
def runner():
    runner = Runner(preload=["torch"], cwd=os.getcwd(), timeout=30, output_limit=10_000, workers=1)
    yield runner
    runner.close()


@pytest.mark.slow
@pytest.mark.parametrize("change, probe", [
    ("import torch; torch.set_printoptions(precision=2)", "import torch; print(torch.tensor([1/3]))"),
    ("import torch; torch.set_default_dtype(torch.float64)", "import torch; print(torch.tensor([1.0]).dtype)"),
    ("import torch; torch.manual_seed(0); torch.rand(5)", "import torch; print(torch.rand(1))"),
])
def test_torch_state_a_page_sets_is_gone_on_the_next_page(runner, change, probe):
    assert_isolated(runner, change, probe)
