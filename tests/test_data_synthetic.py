import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mlp.data import make_blobs, make_moons, make_spirals, xor_dataset


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 300), st.integers(0, 2**31))
def test_moons_shapes_balance_and_seeding(n, seed):
    X, y = make_moons(n, noise=0.1, seed=seed)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert abs(int((y == 0).sum()) - int((y == 1).sum())) <= 1
    X2, y2 = make_moons(n, noise=0.1, seed=seed)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_noiseless_moons_lie_on_their_circles():
    X, y = make_moons(200, noise=0.0)
    upper = X[y == 0]
    lower = X[y == 1]
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)


@pytest.mark.parametrize("make", [make_blobs, make_spirals])
def test_multiclass_sets_have_every_class(make):
    X, y = make(300, 3, seed=1)
    assert X.shape == (300, 2)
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert not np.array_equal(make(300, 3, seed=2)[0], X)


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="n_samples >= 2"):
        make_moons(1)
    with pytest.raises(ValueError, match="classes"):
        make_spirals(10, 1)


def test_xor_labels():
    X, y = xor_dataset()
    assert (y == (X[:, 0] != X[:, 1])).all()


def test_spiral_points_are_distinct():
    X, _ = make_spirals(300, 3, 0.2, seed=5)
    assert len({tuple(p) for p in X}) == 300
