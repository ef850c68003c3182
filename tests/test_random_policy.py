"""One random policy: every draw without its own seed/rng comes from the generator that
`manual_seed` set, taken at the moment of the draw, so a whole run repeats (issue 9)."""

import numpy as np

import autograd_mlp as am
from autograd_mlp import nn, tensor
from autograd_mlp.data import DataLoader, make_moons


def _draw_everything(dropout: nn.Dropout, loader: DataLoader) -> list[np.ndarray]:
    """Every kind of draw the library makes, in a fixed order."""
    draws = [tensor.randn(3, 4).data.copy(), tensor.rand(2, 2).data.copy()]
    draws += [p.data.copy() for p in nn.Linear(4, 3).parameters()]
    draws += [np.array([p.data for p in nn.MLP(2, [3, 1]).parameters()])]
    draws += [dropout(am.Tensor(np.ones((4, 5)))).data.copy()]
    draws += [np.concatenate([batch[0] for batch in loader])]
    draws += [make_moons(10, noise=0.1, seed=None)[0]]  # seed=None: the manual_seed generator
    return draws


def test_manual_seed_repeats_every_draw_including_objects_built_before_it():
    dropout = nn.Dropout(0.5)  # built before manual_seed: must still follow it
    loader = DataLoader(np.arange(20.0), batch_size=6, shuffle=True)
    am.manual_seed(123)
    first = _draw_everything(dropout, loader)
    am.manual_seed(123)
    second = _draw_everything(dropout, loader)
    am.manual_seed(124)
    other = _draw_everything(dropout, loader)
    for a, b, c in zip(first, second, other):
        np.testing.assert_array_equal(a, b)
        assert a.shape == c.shape
    # Another seed changes every kind of draw (a 20-element shuffle, 12 normals, ... coincide
    # by chance with negligible probability).
    for a, c in zip(first, other):
        assert not np.array_equal(a, c)


def test_an_explicit_seed_or_generator_is_independent_of_manual_seed():
    am.manual_seed(0)
    a = tensor.randn(5, rng=7).data.copy()
    am.manual_seed(1)
    b = tensor.randn(5, rng=7).data.copy()
    np.testing.assert_array_equal(a, b)
    x1, _ = make_moons(10, noise=0.1, seed=3)
    am.manual_seed(99)
    x2, _ = make_moons(10, noise=0.1, seed=3)
    np.testing.assert_array_equal(x1, x2)
