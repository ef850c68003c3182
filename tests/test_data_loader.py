"""DataLoader and train_test_split: coverage of every sample, reproducibility, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mlp.data import DataLoader, train_test_split


def epoch(loader):
    return [tuple(b.copy() for b in batch) for batch in loader]


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(0, 120),
    batch_size=st.integers(1, 40),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_sample_once_per_epoch(n, batch_size, shuffle, drop_last, seed):
    x = np.arange(n)
    y = np.arange(n) * 10  # a second array that must stay aligned with x
    images = np.arange(n * 6).reshape(n, 2, 3)
    loader = DataLoader(x, y, images, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed)
    for _ in range(2):  # two epochs
        batches = list(loader)
        assert len(batches) == len(loader)
        sizes = [len(b[0]) for b in batches]
        full, tail = divmod(n, batch_size)
        assert sizes == [batch_size] * full + ([tail] if tail and not drop_last else [])
        seen = np.concatenate([b[0] for b in batches]) if batches else np.array([], dtype=int)
        for xb, yb, ib in batches:
            np.testing.assert_array_equal(yb, xb * 10)
            np.testing.assert_array_equal(ib, images[xb])
        assert len(np.unique(seen)) == len(seen)  # no repeats
        if drop_last:
            assert len(seen) == full * batch_size
        else:
            assert sorted(seen.tolist()) == list(range(n))  # everything, exactly once
        if not shuffle:
            assert seen.tolist() == list(range(len(seen)))  # in order


def test_len():
    x = np.zeros(10)
    assert len(DataLoader(x, batch_size=3)) == 4
    assert len(DataLoader(x, batch_size=3, drop_last=True)) == 3
    assert len(DataLoader(x, batch_size=10)) == 1
    assert len(DataLoader(x, batch_size=11, drop_last=True)) == 0
    assert len(DataLoader(np.zeros(0), batch_size=4)) == 0


def test_each_epoch_is_a_new_permutation():
    loader = DataLoader(np.arange(100), batch_size=100, shuffle=True, seed=1)
    (first,), (second,) = next(iter(loader)), next(iter(loader))
    assert sorted(first) == sorted(second) == list(range(100))
    assert not np.array_equal(first, second)


def test_same_seed_same_sequence_across_epochs():
    def run(**kwargs):
        loader = DataLoader(np.arange(50), np.arange(50) % 7, batch_size=8, shuffle=True, **kwargs)
        return [epoch(loader) for _ in range(3)]

    def same(a, b):
        return all(
            len(ea) == len(eb) and all(all(np.array_equal(u, v) for u, v in zip(ba, bb)) for ba, bb in zip(ea, eb))
            for ea, eb in zip(a, b)
        )

    assert same(run(seed=42), run(seed=42))
    assert same(run(rng=np.random.default_rng(7)), run(rng=np.random.default_rng(7)))
    assert not same(run(seed=42), run(seed=43))


def test_rng_state_is_shared_with_caller():
    rng = np.random.default_rng(0)
    expected = np.random.default_rng(0).permutation(20)
    (batch,) = next(iter(DataLoader(np.arange(20), batch_size=20, shuffle=True, rng=rng)))
    np.testing.assert_array_equal(batch, expected)


def test_batches_are_tuples_and_views_without_shuffle():
    x = np.arange(12).reshape(6, 2)
    batches = list(DataLoader(x, batch_size=4))
    assert all(isinstance(b, tuple) and len(b) == 1 for b in batches)
    assert np.shares_memory(batches[0][0], x)


def test_accepts_lists_and_numpy_int_batch_size():
    (xb, yb), = list(DataLoader([1, 2, 3], [4, 5, 6], batch_size=np.int64(3)))
    assert xb.tolist() == [1, 2, 3] and yb.tolist() == [4, 5, 6]


@pytest.mark.parametrize(
    "arrays, kwargs, error, match",
    [
        ((np.zeros(5), np.zeros(4)), {}, ValueError, r"same length; got lengths \[5, 4\]"),
        ((np.zeros((5, 2)), np.zeros(4)), {}, ValueError, r"array 0: shape \(5, 2\), array 1: shape \(4,\)"),
        ((), {}, ValueError, "at least one array"),
        ((np.float64(3.0),), {}, ValueError, "scalar"),
        ((np.zeros(5),), {"batch_size": 0}, ValueError, "positive int, got 0"),
        ((np.zeros(5),), {"batch_size": -2}, ValueError, "positive int, got -2"),
        ((np.zeros(5),), {"batch_size": 2.5}, TypeError, "positive int, got float 2.5"),
        ((np.zeros(5),), {"batch_size": "4"}, TypeError, "positive int"),
        ((np.zeros(5),), {"batch_size": True}, TypeError, "positive int, got True"),
        ((np.zeros(5),), {"seed": 1, "rng": np.random.default_rng()}, ValueError, "not both"),
        ((np.zeros(5),), {"rng": 3}, TypeError, "numpy.random.Generator"),
    ],
)
def test_errors(arrays, kwargs, error, match):
    with pytest.raises(error, match=match):
        DataLoader(*arrays, **kwargs)


# --- train_test_split -----------------------------------------------------------------------------


def test_train_test_split_partitions_and_aligns():
    x, y = np.arange(100), np.arange(100) * 2
    (x_tr, y_tr), (x_te, y_te) = train_test_split(x, y, test_fraction=0.25, seed=3)
    assert (len(x_tr), len(x_te)) == (75, 25)
    assert sorted(np.concatenate([x_tr, x_te]).tolist()) == list(range(100))
    np.testing.assert_array_equal(y_tr, x_tr * 2)
    np.testing.assert_array_equal(y_te, x_te * 2)
    (again, _), _ = train_test_split(x, y, test_fraction=0.25, seed=3)
    np.testing.assert_array_equal(again, x_tr)


def test_train_test_split_without_shuffle_takes_tail():
    (tr,), (te,) = train_test_split(np.arange(10), test_fraction=0.2, shuffle=False)
    assert tr.tolist() == list(range(8)) and te.tolist() == [8, 9]


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_train_test_split_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="test_fraction must be in"):
        train_test_split(np.arange(4), test_fraction=fraction)


def test_train_test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"train_test_split: .*lengths \[4, 3\]"):
        train_test_split(np.arange(4), np.arange(3))
