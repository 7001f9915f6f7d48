import pytest

from rounds.selectors import draw_pools_forget, revisions_forget


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Question and draw caches live per process; test ids rolled back get reused."""
    draw_pools_forget()
    revisions_forget()
    yield
    draw_pools_forget()
    revisions_forget()
