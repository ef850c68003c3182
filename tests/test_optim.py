"""Optimizers against updates written out by hand, on float (Value) and array parameters."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from autograd_mlp.nn import MLP, mse_loss
from autograd_mlp.optim import (
    SGD,
    Adam,
    AdamW,
    CosineAnnealingLR,
    RMSprop,
    StepLR,
    clip_grad_norm_,
)
from autograd_mlp.value import Value

try:
    from autograd_mlp.tensor import Tensor
except ImportError:  # pragma: no cover
    Tensor = None


class ArrayParam:
    """A stand-in array parameter: .data ndarray, .grad ndarray or None."""

    def __init__(self, data):
        self.data = np.array(data, dtype=np.float64)
        self.grad = None
        self.requires_grad = True
        self._op = None
        self._prev = ()


def array_param_kinds():
    kinds = [ArrayParam]
    if Tensor is not None:
        kinds.append(lambda data: Tensor(np.array(data, dtype=np.float64), requires_grad=True))
    return kinds


# A few steps of made-up gradients for two weights starting at W0.
W0 = [0.8, -1.3]
GRADS = [[0.5, -0.2], [-1.0, 0.3], [0.25, 0.9], [2.0, -0.05]]


def run_values(make_optimizer):
    params = [Value(w) for w in W0]
    opt = make_optimizer(params)
    for grads in GRADS:
        for p, g in zip(params, grads):
            p.grad = g
        opt.step()
    return [p.data for p in params]


def run_arrays(make_optimizer, kind):
    param = kind([W0, W0[::-1]])  # a 2x2 array: the same two weights, twice
    data_before = param.data
    opt = make_optimizer([param])
    for grads in GRADS:
        grad = np.array([grads, grads[::-1]])
        param.grad = grad
        opt.step()
        np.testing.assert_array_equal(param.grad, grad)  # the gradient itself is never changed
    assert param.data is data_before  # updated in place
    return param.data


def assert_close(got, want, rel=1e-12):
    assert got == pytest.approx(want, rel=rel, abs=1e-15)


# ---------------------------------------------------------------- hand-written references


def sgd_by_hand(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    out = []
    for i, w in enumerate(W0):
        buf = None
        for grads in GRADS:
            g = grads[i] + weight_decay * w
            if momentum:
                buf = g if buf is None else momentum * buf + (1 - dampening) * g
                g = g + momentum * buf if nesterov else buf
            w = w - lr * g
        out.append(w)
    return out


def adam_by_hand(lr, b1, b2, eps, weight_decay=0.0, decoupled=False):
    """Kingma & Ba's Algorithm 1, with L2 (Adam) or decoupled (AdamW) decay."""
    out = []
    for i, w in enumerate(W0):
        m = v = 0.0
        for t, grads in enumerate(GRADS, start=1):
            g = grads[i]
            if decoupled:
                w = w - lr * weight_decay * w
            else:
                g = g + weight_decay * w
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat = m / (1 - b1**t)
            v_hat = v / (1 - b2**t)
            w = w - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(w)
    return out


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.8, dampening=0.3),
    dict(lr=0.1, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.01),
    dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    dict(lr=0.1, momentum=0.5, dampening=0.5, weight_decay=0.2),
]

ADAM_CASES = [
    dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8),
    dict(lr=0.1, betas=(0.5, 0.9), eps=1e-3),
    dict(lr=0.05, betas=(0.0, 0.0), eps=1e-8),
    dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1),
]


@pytest.mark.parametrize("hyper", SGD_CASES, ids=str)
def test_sgd_matches_hand_computed_steps(hyper):
    want = sgd_by_hand(**hyper)
    assert_close(run_values(lambda ps: SGD(ps, **hyper)), want)
    for kind in array_param_kinds():
        got = run_arrays(lambda ps: SGD(ps, **hyper), kind)
        assert_close(got[0].tolist(), want)
        assert_close(got[1].tolist(), want[::-1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hyper", [dict(lr=0.01), dict(lr=0.1, momentum=0.9, weight_decay=0.01)], ids=str)
def test_sgd_on_a_large_weight_gives_the_plain_formulas_bits(hyper, dtype):
    # A weight larger than the optimizer's scratch block is updated a block at a time
    # (optim._subtract_scaled); the numbers must be those of w - lr * d_p in one go.
    rng = np.random.default_rng(0)
    shape = (300, 517)  # 155,100 elements: more than two blocks, and a ragged last one
    w = Tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(3)]
    opt = SGD([w], **hyper)
    want = w.data.copy()
    buf = None
    lr, momentum, decay = hyper["lr"], hyper.get("momentum", 0.0), hyper.get("weight_decay", 0.0)
    for g in grads:
        w.grad = Tensor(g)
        opt.step()
        d_p = g + decay * want if decay else g
        if momentum:
            buf = d_p.copy() if buf is None else buf * momentum + d_p
            d_p = buf
        want = want - d_p * lr
        assert w.data.dtype == dtype
        np.testing.assert_array_equal(w.data, want)


@pytest.mark.parametrize("hyper", ADAM_CASES, ids=str)
def test_adam_matches_hand_computed_steps(hyper):
    b1, b2 = hyper["betas"]
    want = adam_by_hand(hyper["lr"], b1, b2, hyper["eps"], hyper.get("weight_decay", 0.0))
    assert_close(run_values(lambda ps: Adam(ps, **hyper)), want, 1e-11)
    for kind in array_param_kinds():
        got = run_arrays(lambda ps: Adam(ps, **hyper), kind)
        assert_close(got[0].tolist(), want, 1e-11)
        assert_close(got[1].tolist(), want[::-1], 1e-11)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1, 0.5])
def test_adamw_matches_hand_computed_steps(weight_decay):
    hyper = dict(lr=0.05, betas=(0.8, 0.99), eps=1e-8, weight_decay=weight_decay)
    want = adam_by_hand(0.05, 0.8, 0.99, 1e-8, weight_decay, decoupled=True)
    assert_close(run_values(lambda ps: AdamW(ps, **hyper)), want, 1e-11)
    got = run_arrays(lambda ps: AdamW(ps, **hyper), ArrayParam)
    assert_close(got[0].tolist(), want, 1e-11)


def test_adamw_decay_differs_from_adams_l2():
    hyper = dict(lr=0.05, weight_decay=0.5)
    adam = run_values(lambda ps: Adam(ps, **hyper))
    adamw = run_values(lambda ps: AdamW(ps, **hyper))
    plain = run_values(lambda ps: Adam(ps, lr=0.05))
    assert all(abs(a - b) > 1e-4 for a, b in zip(adam, adamw))
    assert all(abs(a - b) > 1e-4 for a, b in zip(adamw, plain))  # and the decay does something
    assert AdamW([Value(1.0)]).param_groups[0]["weight_decay"] == 0.01  # PyTorch's default


def test_first_adam_step_moves_each_weight_by_lr():
    # m_hat = g and v_hat = g**2 after one step, so the update is lr * g / |g|.
    params = [Value(0.0), Value(0.0), Value(0.0)]
    for p, g in zip(params, [3.0, -1e-3, 50.0]):
        p.grad = g
    Adam(params, lr=0.1, eps=1e-300).step()
    assert [p.data for p in params] == pytest.approx([-0.1, 0.1, -0.1], rel=1e-12)


def test_state_is_floats_for_values_and_arrays_updated_in_place_for_arrays():
    value, array = Value(1.0), ArrayParam([1.0, 2.0])
    opt = Adam([value, array], lr=0.1)
    value.grad, array.grad = 0.5, np.array([0.5, -0.5])
    opt.step()
    m_array = opt.state[array]["exp_avg"]
    opt.step()
    assert type(value.data) is float
    assert type(opt.state[value]["exp_avg"]) is float and type(opt.state[value]["exp_avg_sq"]) is float
    assert opt.state[array]["exp_avg"] is m_array
    assert opt.state[value]["step"] == opt.state[array]["step"] == 2


def test_array_steps_allocate_at_most_one_temporary():
    n = 250_000  # 2 MB a parameter: a temporary array would show up clearly
    params = [ArrayParam(np.zeros(n)), ArrayParam(np.zeros(n))]
    for p in params:
        p.grad = np.full(n, 0.5)
    for opt, temporaries in (
        (Adam(params, lr=1e-3, weight_decay=0.1), 0),
        (AdamW(params, lr=1e-3), 0),
        # SGD's final lr * grad is a fresh temporary on purpose (see SGD._update)
        (SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1), 1),
    ):
        opt.step()  # the first step creates the state and scratch arrays
        tracemalloc.start()
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < (temporaries + 0.05) * n * 8, (type(opt).__name__, peak)


def test_parameters_without_gradient_are_skipped():
    a, b = ArrayParam([1.0]), Value(2.0)
    b.grad = None  # e.g. cleared and never reached
    for opt in (SGD([a, b], lr=0.1, momentum=0.9), Adam([a, b], lr=0.1)):
        opt.step()
        assert a.data.tolist() == [1.0] and b.data == 2.0
        assert opt.state == {}


def test_zero_grad_values_to_zero_arrays_to_none():
    a, b = ArrayParam([1.0]), Value(2.0)
    a.grad, b.grad = np.ones(1), 3.0
    opt = SGD([a, b], lr=0.1)
    opt.zero_grad()
    assert a.grad is None and b.grad == 0.0


def test_training_an_mlp_reduces_the_loss():
    xs = [-1.0, -0.5, 0.0, 0.5, 1.0]
    ys = [x * x for x in xs]
    for make in (lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.02)):
        model = MLP(1, [8, 1], "tanh", rng=0)
        opt = make(model.parameters())
        first = None
        for _ in range(60):
            loss = mse_loss([model([x]) for x in xs], ys)
            first = first if first is not None else loss.data
            opt.zero_grad()
            loss.backward()
            opt.step()
        assert loss.data < 0.5 * first


def test_gradient_nodes_from_create_graph_are_unwrapped():
    w = Value(2.0)
    w.grad = Value(0.5)
    SGD([w], lr=0.1).step()
    assert w.data == pytest.approx(1.95) and type(w.data) is float


def test_wrong_gradient_shape_is_an_error():
    p = ArrayParam([1.0, 2.0])
    p.grad = np.ones(3)
    with pytest.raises(ValueError, match=r"gradient of shape \(3,\) for a parameter of shape \(2,\)"):
        SGD([p], lr=0.1).step()


# ---------------------------------------------------------------- groups, validation, state


def test_param_groups_override_defaults():
    a, b = Value(1.0), Value(1.0)
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = b.grad = 1.0
    opt.step()
    assert (a.data, b.data) == (0.9, 0.5)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="unknown hyperparameters"):
        opt.add_param_group({"params": [Value(0.0)], "betas": (0.9, 0.9)})


def test_duplicate_parameters_are_kept_once():
    w = Value(1.0)
    w.grad = 1.0
    opt = SGD([w, w], lr=0.1)
    opt.step()
    assert len(opt.param_groups[0]["params"]) == 1 and w.data == 0.9


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda ps: SGD(ps, lr=-0.1), "SGD: lr must be >= 0"),
        (lambda ps: SGD(ps, lr=0.1, momentum=-1), "momentum must be >= 0"),
        (lambda ps: SGD(ps, lr=0.1, dampening=2), "dampening must be in"),
        (lambda ps: SGD(ps, lr=0.1, nesterov=True), "nesterov momentum needs momentum > 0"),
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening = 0"),
        (lambda ps: SGD(ps, lr=0.1, weight_decay=-1), "weight_decay must be >= 0"),
        (lambda ps: Adam(ps, lr=float("nan")), "Adam: lr must be >= 0"),
        (lambda ps: Adam(ps, betas=(1.0, 0.999)), r"betas\[0\] must be in \[0, 1\)"),
        (lambda ps: Adam(ps, betas=(0.9, -0.1)), r"betas\[1\] must be in \[0, 1\)"),
        (lambda ps: Adam(ps, betas=(0.9,)), "betas must be a pair"),
        (lambda ps: Adam(ps, eps=-1e-8), "eps must be > 0"),
        (lambda ps: Adam(ps, eps=0.0), "eps must be > 0, got 0.0 .eps = 0 turns"),
        (lambda ps: RMSprop(ps, eps=0), "RMSprop: eps must be > 0"),
        (lambda ps: RMSprop(ps, alpha=1.0), r"alpha must be in \[0, 1\)"),
        (lambda ps: RMSprop(ps, momentum=-0.5), "momentum must be >= 0"),
        (lambda ps: AdamW(ps, weight_decay=-0.1), "AdamW: weight_decay must be >= 0"),
        (lambda ps: SGD([], lr=0.1), "empty parameter list"),
    ],
)
def test_bad_hyperparameters_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make([Value(1.0)])


def rmsprop_by_hand(lr, alpha, eps, weight_decay=0.0, momentum=0.0, centered=False):
    """PyTorch's RMSprop on plain floats, one weight at a time."""
    out = []
    for i, w0 in enumerate(W0):
        w, v, mean_g, buf = w0, 0.0, 0.0, 0.0
        for grads in GRADS:
            g = grads[i] + weight_decay * w
            v = alpha * v + (1 - alpha) * g * g
            if centered:
                mean_g = alpha * mean_g + (1 - alpha) * g
                avg = math.sqrt(v - mean_g * mean_g) + eps
            else:
                avg = math.sqrt(v) + eps
            if momentum:
                buf = momentum * buf + g / avg
                w = w - lr * buf
            else:
                w = w - lr * g / avg
        out.append(w)
    return out


@pytest.mark.parametrize(
    "hyper",
    [
        dict(lr=0.01, alpha=0.99, eps=1e-8),
        dict(lr=0.1, alpha=0.5, eps=1e-3, weight_decay=0.1),
        dict(lr=0.05, alpha=0.9, eps=1e-8, momentum=0.9),
        dict(lr=0.05, alpha=0.9, eps=1e-6, centered=True, momentum=0.5),
    ],
)
@pytest.mark.parametrize("kind", [Value, *array_param_kinds()])
def test_rmsprop_matches_hand_computed_steps(hyper, kind):
    params = [kind(w) for w in W0]
    opt = RMSprop(params, **hyper)
    for grads in GRADS:
        for p, g in zip(params, grads):
            p.grad = g if isinstance(p, Value) else np.array(g)
        opt.step()
    got = [float(np.asarray(p.data)) for p in params]
    assert got == pytest.approx(rmsprop_by_hand(**hyper), rel=1e-6)


def test_optimizers_refuse_non_leaves_and_tensors_without_grad_as_pytorch_does():
    w = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match=r"can't optimize a non-leaf tensor \(parameter 1 was made by the operation '\*'\)"):
        SGD([w, w * 2], lr=0.1)
    with pytest.raises(ValueError, match="parameter 0 does not require grad"):
        Adam([Tensor(np.ones(2))])
    with pytest.raises(ValueError, match="non-leaf"):
        RMSprop([Value(1.0) + 1])


def test_zero_grad_accepts_set_to_none():
    w = Tensor(np.ones(2), requires_grad=True)
    opt = SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad(set_to_none=True)
    assert w.grad is None


def test_helpful_errors_for_common_mistakes():
    model = MLP(2, [2, 1], rng=0)
    with pytest.raises(TypeError, match=r"pass model.parameters\(\)"):
        SGD(model, lr=0.1)
    with pytest.raises(TypeError, match=r"wrap a single one as \[p\]"):
        SGD(Value(1.0), lr=0.1)
    with pytest.raises(TypeError, match="can only optimize parameters"):
        SGD([1.0, 2.0], lr=0.1)


def test_optimizer_state_dict_round_trip():
    def make():
        return [Value(w) for w in W0] + [ArrayParam([W0, W0])]

    def feed(params, grads):
        for p in params[:2]:
            p.grad = grads[0]
        params[2].grad = np.full((2, 2), grads[1])

    first, second = make(), make()
    opt_a = Adam(first, lr=0.1)
    for grads in GRADS[:2]:
        feed(first, grads)
        opt_a.step()
    saved = opt_a.state_dict()
    for a, b in zip(first, second):  # the second model catches up, then takes over the state
        b.data = a.data.copy() if isinstance(a.data, np.ndarray) else a.data
    opt_b = Adam(second, lr=0.5)
    opt_b.load_state_dict(saved)
    assert opt_b.param_groups[0]["lr"] == 0.1
    for grads in GRADS[2:]:
        feed(first, grads)
        feed(second, grads)
        opt_a.step()
        opt_b.step()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.data, b.data)
    saved["state"][2]["exp_avg"][0, 0] = 99.0  # a copy, not the optimizer's own array
    assert opt_a.state[first[2]]["exp_avg"][0, 0] != 99.0
    with pytest.raises(ValueError, match="saved groups hold"):
        SGD([Value(1.0)], lr=0.1).load_state_dict(saved)


# ---------------------------------------------------------------- schedules


def test_step_lr():
    opt = SGD([Value(1.0)], lr=1.0)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    seen = [sched.get_last_lr()[0]]
    for _ in range(5):
        opt.step()
        sched.step()
        seen.append(opt.param_groups[0]["lr"])
    assert seen == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert sched.get_last_lr() == [0.25]


def test_cosine_annealing_lr_follows_the_closed_form_for_every_group():
    opt = SGD([{"params": [Value(1.0)], "lr": 1.0}, {"params": [Value(1.0)], "lr": 0.5}], lr=0.1)
    sched = CosineAnnealingLR(opt, T_max=4, eta_min=0.1)
    for epoch in range(9):
        for base, lr in zip([1.0, 0.5], sched.get_last_lr()):
            assert lr == pytest.approx(0.1 + (base - 0.1) * (1 + math.cos(math.pi * epoch / 4)) / 2)
        if epoch == 0:
            assert sched.get_last_lr() == [1.0, 0.5]
        if epoch == 4:
            assert sched.get_last_lr() == pytest.approx([0.1, 0.1])
        sched.step()
    assert [g["lr"] for g in opt.param_groups] == sched.get_last_lr()


def test_schedule_arguments_are_checked():
    opt = SGD([Value(1.0)], lr=1.0)
    with pytest.raises(ValueError, match="step_size"):
        StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="T_max"):
        CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(ValueError, match="eta_min"):
        CosineAnnealingLR(opt, T_max=3, eta_min=-1)


# ---------------------------------------------------------------- clipping


def clip_setup():
    a, b, c = Value(0.0), ArrayParam([0.0, 0.0]), ArrayParam([0.0])
    a.grad, b.grad, c.grad = 3.0, np.array([4.0, -12.0]), None
    return a, b, c


def test_clip_grad_norm_scales_floats_and_arrays_together():
    a, b, c = clip_setup()
    b_grad = b.grad
    total = clip_grad_norm_([a, b, c], max_norm=6.5)
    assert total == pytest.approx(13.0)  # sqrt(9 + 16 + 144)
    scale = 6.5 / (13.0 + 1e-6)
    assert a.grad == pytest.approx(3.0 * scale)
    np.testing.assert_allclose(b.grad, [4.0 * scale, -12.0 * scale])
    assert b.grad is b_grad  # in place
    assert c.grad is None
    new_norm = math.sqrt(a.grad**2 + float(np.sum(b.grad**2)))
    assert new_norm == pytest.approx(6.5, rel=1e-6)


def test_clip_grad_norm_leaves_small_gradients_alone():
    a, b, _ = clip_setup()
    assert clip_grad_norm_([a, b], max_norm=20.0) == pytest.approx(13.0)
    assert a.grad == 3.0 and b.grad.tolist() == [4.0, -12.0]


def test_clip_grad_norm_other_norms():
    a, b, _ = clip_setup()
    assert clip_grad_norm_([a, b], max_norm=100.0, norm_type=math.inf) == 12.0
    assert clip_grad_norm_([a, b], max_norm=100.0, norm_type=1.0) == pytest.approx(19.0)
    assert clip_grad_norm_([ArrayParam([1.0])], max_norm=1.0) == 0.0  # no gradients at all
    with pytest.raises(ValueError):
        clip_grad_norm_([a], max_norm=-1.0)
