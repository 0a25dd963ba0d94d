"""Syntax tests run the error rules strictly: a rule that raises fails the test instead of
quietly falling back to the generic message."""

import pytest

from twinlang.syntax import errors


@pytest.fixture(autouse=True, scope="module")
def strict_rules():
    old, errors.STRICT = errors.STRICT, True
    yield
    errors.STRICT = old
