"""Optimizers (SGD, Adam, AdamW, RMSprop), learning-rate schedules and gradient clipping.

>>> opt = Adam(model.parameters(), lr=1e-3)
>>> for step in range(100):
...     loss = loss_fn(model(x), y)
...     opt.zero_grad()
...     loss.backward()
...     opt.step()

Each update rule is written once and serves both kinds of parameter:

* a scalar `Value` holds a Python float: the rule computes new floats and
  the state (momentum, moments) is floats;
* a `Tensor` holds a numpy array: the same lines update ``.data`` and the
  state arrays in place, with ``out=`` into scratch arrays kept between
  steps, so a step allocates nothing and records no graph.

The trick is augmented assignment: ``m *= beta1`` rebinds a float but
mutates an array in place. The few operations that have no augmented form
go through `_mul`, `_div` and `_sqrt`, which take ``out`` (None for floats).

Parameters whose ``grad`` is None are skipped (nothing reached them, or
`zero_grad` cleared them). `zero_grad` sets Value grads to 0.0 and array
grads to None.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Union

import numpy as np

from .nn.module import clear_grad, is_parameter

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "LRScheduler",
    "StepLR",
    "CosineAnnealingLR",
    "clip_grad_norm_",
]

Params = Union[Iterable[Any], Iterable[dict]]


# ---------------------------------------------------------------- base


class Optimizer:
    """Holds parameter groups and per-parameter state; subclasses define `_update`.

    ``params`` is an iterable of parameters, or of dicts ``{"params": [...],
    "lr": ...}`` whose entries override the defaults for that group (e.g. no
    weight decay for biases). Every group is a dict of hyperparameters plus
    its ``"params"`` list: ``optimizer.param_groups[0]["lr"]`` is what a
    schedule changes.
    """

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Any, dict[str, Any]] = {}  # keyed by the parameter object itself
        self._scratch: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._blocks: dict[Any, np.ndarray] = {}  # dtype -> a small scratch array (see _subtract_scaled)
        items = _as_param_list(params, type(self).__name__)
        if all(isinstance(item, dict) for item in items):
            for group in items:
                self.add_param_group(group)
        else:
            self.add_param_group({"params": items})

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add parameters with their own hyperparameters (the defaults fill the rest)."""
        name = type(self).__name__
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise ValueError(f"{name}: unknown hyperparameters {sorted(unknown)}; known: {sorted(self.defaults)}")
        params = _unique(_as_param_list(group["params"], name))
        for i, p in enumerate(params):
            _check_parameter(p, i, name)
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError(f"{name}: a parameter appears in more than one parameter group")
        full = {**self.defaults, **group, "params": params}
        self._validate(full)
        self.param_groups.append(full)

    def _validate(self, group: dict[str, Any]) -> None:
        _check(group["lr"] >= 0, self, f"lr must be >= 0, got {group['lr']}")
        _check(group.get("weight_decay", 0) >= 0, self, f"weight_decay must be >= 0, got {group.get('weight_decay')}")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient (Value -> 0.0, array -> None).

        ``set_to_none`` is accepted for PyTorch's scripts; a None gradient and
        a zero one make the same next step, so it is always None here.
        """
        for group in self.param_groups:
            for p in group["params"]:
                clear_grad(p)

    def step(self) -> None:
        """Update every parameter that has a gradient, using its group's hyperparameters."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                data = p.data
                is_array = type(data) is np.ndarray or isinstance(data, np.ndarray)
                g = _raw_grad(g, data, is_array)
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {}
                scratch = self._buffers(data) if is_array and self._uses_scratch(group) else (None, None)
                new = self._update(data, g, state, group, scratch)
                if not is_array:  # arrays were updated in place; a float must be stored back
                    p.data = new

    def _update(self, data: Any, grad: Any, state: dict, group: dict, scratch: tuple) -> Any:
        """Return the updated data (a float, or ``data`` itself changed in place)."""
        raise NotImplementedError

    def _uses_scratch(self, group: dict) -> bool:
        """Whether this group's update uses the scratch arrays (they only save allocations)."""
        return True

    def _block(self, dtype: Any) -> np.ndarray:
        """A small scratch array of ``dtype``, reused by every step and parameter (see `_subtract_scaled`)."""
        block = self._blocks.get(dtype)
        if block is None:
            block = self._blocks[dtype] = np.empty(_BLOCK, dtype)
        return block

    def _buffers(self, like: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Two scratch arrays shaped like ``like``, reused by every step and parameter of that shape."""
        key = (like.shape, like.dtype)
        pair = self._scratch.get(key)
        if pair is None:
            pair = self._scratch[key] = (np.empty_like(like), np.empty_like(like))
        return pair

    # ------------------------------------------------------------ state

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters and per-parameter state (copied), parameters referred to by position."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index[id(p)] = len(index)
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {
            index[id(p)]: {k: _copy(v) for k, v in s.items()}
            for group in self.param_groups
            for p in group["params"]
            if (s := self.state.get(p))
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict` saved, into an optimizer over parameters of the same layout."""
        groups = state_dict["param_groups"]
        if [len(g["params"]) for g in groups] != [len(g["params"]) for g in self.param_groups]:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the saved groups hold "
                f"{[len(g['params']) for g in groups]} parameters, this optimizer's "
                f"{[len(g['params']) for g in self.param_groups]}"
            )
        params = [p for g in self.param_groups for p in g["params"]]
        for saved, group in zip(groups, self.param_groups):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {params[int(i)]: {k: _copy(v) for k, v in s.items()} for i, s in state_dict["state"].items()}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            settings = ", ".join(f"{k}={v}" for k, v in group.items() if k != "params")
            count = len(group["params"])
            lines.append(f"  group {i}: {count} parameter{'s' if count != 1 else ''}, {settings}")
        return "\n".join(lines + [")"])


# ---------------------------------------------------------------- SGD


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay.

    PyTorch's formulation, for gradient g and parameter w::

        g = g + weight_decay * w
        buf = g                                     (first step)
        buf = momentum * buf + (1 - dampening) * g  (later steps)
        g = g + momentum * buf   if nesterov  else  buf     (when momentum > 0)
        w = w - lr * g
    """

    def __init__(
        self,
        params: Params,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        _check(group["momentum"] >= 0, self, f"momentum must be >= 0, got {group['momentum']}")
        _check(0 <= group["dampening"] <= 1, self, f"dampening must be in [0, 1], got {group['dampening']}")
        if group["nesterov"]:
            _check(
                group["momentum"] > 0 and group["dampening"] == 0,
                self,
                "nesterov momentum needs momentum > 0 and dampening = 0, "
                f"got momentum={group['momentum']}, dampening={group['dampening']}",
            )

    def _uses_scratch(self, group: dict) -> bool:
        return bool(group["momentum"] or group["weight_decay"])  # plain SGD is one expression

    def _update(self, data: Any, grad: Any, state: dict, group: dict, scratch: tuple) -> Any:
        s0, s1 = scratch
        lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
        d_p = grad  # never changed in place: it is the parameter's own .grad
        if weight_decay:
            d_p = _mul(data, weight_decay, s0)
            d_p += grad
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = _copy(d_p)
            else:
                buf *= momentum
                dampening = group["dampening"]
                buf += _mul(d_p, 1.0 - dampening, s1) if dampening else d_p
            state["momentum_buffer"] = buf
            if group["nesterov"]:
                ahead = _mul(buf, momentum, s1)
                ahead += d_p
                d_p = ahead
            else:
                d_p = buf
        if not isinstance(data, np.ndarray):
            return data - lr * d_p
        _subtract_scaled(data, d_p, lr, self._block(data.dtype))
        return data


# ---------------------------------------------------------------- Adam


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with PyTorch's L2 weight decay (added to the gradient).

    For gradient g at step t = 1, 2, ...::

        g = g + weight_decay * w
        m = beta1 * m + (1 - beta1) * g          (m, v start at 0)
        v = beta2 * v + (1 - beta2) * g**2
        w = w - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    which is the paper's m_hat / (sqrt(v_hat) + eps) with the bias
    corrections folded into the constants.
    """

    decoupled = False

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        betas = group["betas"]
        _check(len(betas) == 2, self, f"betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            _check(0 <= beta < 1, self, f"betas[{i}] must be in [0, 1), got {beta}")
        _check_eps(group["eps"], self)

    def _update(self, data: Any, grad: Any, state: dict, group: dict, scratch: tuple) -> Any:
        s0, s1 = scratch
        lr, (beta1, beta2), eps, weight_decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if weight_decay:
            if self.decoupled:  # AdamW: shrink the weights, leave the gradient alone
                data *= 1.0 - lr * weight_decay
            else:  # Adam: L2 penalty folded into the gradient
                decayed = _mul(data, weight_decay, s0)
                decayed += grad
                grad = decayed
        if not state:
            state["step"] = 0
            state["exp_avg"] = _zeros_like(data)
            state["exp_avg_sq"] = _zeros_like(data)
        t = state["step"] = state["step"] + 1
        m, v = state["exp_avg"], state["exp_avg_sq"]

        m *= beta1
        m += _mul(grad, 1.0 - beta1, s1)
        square = _mul(grad, grad, s1)
        square *= 1.0 - beta2
        v *= beta2
        v += square
        state["exp_avg"], state["exp_avg_sq"] = m, v  # floats were rebound, arrays unchanged

        denom = _sqrt(v, s1)
        denom /= math.sqrt(1.0 - beta2**t)
        denom += eps
        step = _div(m, denom, s1)
        step *= lr / (1.0 - beta1**t)
        data -= step
        return data


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Before each Adam step the weights shrink, ``w = w * (1 - lr * weight_decay)``,
    instead of ``weight_decay * w`` being added to the gradient; so the decay
    is not rescaled by Adam's per-parameter step sizes. Default weight_decay
    0.01, as in PyTorch.
    """

    decoupled = True

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


# ---------------------------------------------------------------- RMSprop


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e) in PyTorch's formulation, for gradient g::

        g = g + weight_decay * w
        v = alpha * v + (1 - alpha) * g**2                 (v starts at 0)
        avg = sqrt(v - mean_g**2) + eps   if centered   else   sqrt(v) + eps
              (mean_g = alpha * mean_g + (1 - alpha) * g, when centered)
        buf = momentum * buf + g / avg;  w = w - lr * buf  (when momentum > 0)
        w = w - lr * g / avg                               (otherwise)
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        _check(0 <= group["alpha"] < 1, self, f"alpha must be in [0, 1), got {group['alpha']}")
        _check_eps(group["eps"], self)
        _check(group["momentum"] >= 0, self, f"momentum must be >= 0, got {group['momentum']}")

    def _update(self, data: Any, grad: Any, state: dict, group: dict, scratch: tuple) -> Any:
        s0, s1 = scratch
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        if weight_decay:
            decayed = _mul(data, weight_decay, s0)
            decayed += grad
            grad = decayed
        if not state:
            state["step"] = 0
            state["square_avg"] = _zeros_like(data)
            if momentum:
                state["momentum_buffer"] = _zeros_like(data)
            if group["centered"]:
                state["grad_avg"] = _zeros_like(data)
        state["step"] += 1
        v = state["square_avg"]
        v *= alpha
        square = _mul(grad, grad, s1)
        square *= 1.0 - alpha
        v += square
        state["square_avg"] = v
        if group["centered"]:
            mean_g = state["grad_avg"]
            mean_g *= alpha
            mean_g += _mul(grad, 1.0 - alpha, s1)
            state["grad_avg"] = mean_g
            avg = _mul(mean_g, mean_g, s1)
            avg *= -1.0
            avg += v
            avg = _sqrt(avg, s1)
        else:
            avg = _sqrt(v, s1)
        avg += eps
        step = _div(grad, avg, s1)
        if momentum:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += step
            state["momentum_buffer"] = buf
            step = buf
        data -= step * lr
        return data


# ---------------------------------------------------------------- schedules


class LRScheduler:
    """Sets each group's ``lr`` from its initial value and the number of `step` calls.

    Call ``scheduler.step()`` once per epoch (or per batch), after
    ``optimizer.step()``. Subclasses define `lr_at`, a closed form in the
    step count, so skipping or repeating nothing can make the schedule drift.
    """

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._apply()

    def lr_at(self, base_lr: float, epoch: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and set the new learning rates."""
        self.last_epoch += 1
        self._apply()

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group, as last set."""
        return list(self._last_lr)

    def _apply(self) -> None:
        self._last_lr = [self.lr_at(base, self.last_epoch) for base in self.base_lrs]
        for group, lr in zip(self.optimizer.param_groups, self._last_lr):
            group["lr"] = lr


class StepLR(LRScheduler):
    """lr = initial_lr * gamma ** (epoch // step_size): divide by 1/gamma every step_size epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        if not gamma >= 0:
            raise ValueError(f"StepLR: gamma must be >= 0, got {gamma}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2.

    Falls from the initial rate to ``eta_min`` over ``T_max`` epochs along
    half a cosine (Loshchilov & Hutter's SGDR without restarts); past
    ``T_max`` it climbs back, as PyTorch's does.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive int, got {T_max!r}")
        if not eta_min >= 0:
            raise ValueError(f"CosineAnnealingLR: eta_min must be >= 0, got {eta_min}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0


# ---------------------------------------------------------------- clipping


def clip_grad_norm_(params: Iterable[Any] | Any, max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients together so their joint norm is at most ``max_norm``; return the norm before.

    The norm is taken over every number of every gradient, as if they were
    one long vector (floats and arrays alike). As in PyTorch, gradients are
    multiplied by ``max_norm / (norm + 1e-6)`` only when that is below 1, in
    place for arrays. Parameters whose grad is None are ignored.
    """
    if not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be > 0 (or inf), got {norm_type}")
    params = [params] if hasattr(params, "grad") else list(params)
    with_grad = [p for p in params if p.grad is not None]
    if not with_grad:
        return 0.0
    grads = [_raw_grad(p.grad, p.data, isinstance(p.data, np.ndarray)) for p in with_grad]
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) if np.size(g) else 0.0 for g in grads)
    elif norm_type == 2.0:
        total = math.sqrt(sum(float(np.vdot(g, g)) if isinstance(g, np.ndarray) else g * g for g in grads))
    else:
        total = sum(float(np.sum(np.abs(g) ** norm_type)) for g in grads) ** (1.0 / norm_type)
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for p in with_grad:
            if isinstance(p.grad, np.ndarray):
                p.grad *= coef
            else:  # a float (Value) or a gradient node (after create_graph=True)
                p.grad = p.grad * coef
    return total


# ---------------------------------------------------------------- helpers
# Float-or-array arithmetic: with out=None (floats) an ordinary expression,
# with an out array a ufunc writing into it (no temporary).


_BLOCK = 1 << 16  # elements per block of _subtract_scaled: 256 KiB of float32, inside a core's L2 cache


def _subtract_scaled(data: np.ndarray, g: Any, lr: float, block: np.ndarray) -> None:
    """``data -= g * lr`` (the same numbers), a block at a time through the small array ``block``.

    ``g * lr`` in one go is a fresh temporary as large as the weight, every
    step: new memory that the system zeroes page by page. On the seed's
    1568x784 layer that cost as much as the update itself (about 4 ms against
    1.2 ms, updating right after the gradient's outer product is made).
    """
    if data.size <= block.size or g.dtype != data.dtype or not (data.flags.c_contiguous and g.flags.c_contiguous):
        data -= g * lr
        return
    flat, g_flat = data.reshape(-1), g.reshape(-1)
    for start in range(0, flat.size, block.size):
        part = g_flat[start : start + block.size]
        scaled = block[: part.size]
        np.multiply(part, lr, out=scaled)
        flat[start : start + block.size] -= scaled


def _mul(a: Any, b: Any, out: np.ndarray | None) -> Any:
    return a * b if out is None else np.multiply(a, b, out=out)


def _div(a: Any, b: Any, out: np.ndarray | None) -> Any:
    return a / b if out is None else np.divide(a, b, out=out)


def _sqrt(a: Any, out: np.ndarray | None) -> Any:
    return math.sqrt(a) if out is None else np.sqrt(a, out=out)


def _zeros_like(x: Any) -> Any:
    return np.zeros_like(x) if isinstance(x, np.ndarray) else 0.0


def _copy(x: Any) -> Any:
    return x.copy() if isinstance(x, np.ndarray) else x


def _raw_grad(g: Any, data: Any, is_array: bool) -> Any:
    """The gradient as a float or an array matching ``data`` (a node's gradient is unwrapped)."""
    if is_array:
        if type(g) is not np.ndarray:
            g = np.asarray(g.data if hasattr(g, "_op") else g)
        if g.shape != data.shape:
            raise ValueError(f"gradient of shape {g.shape} for a parameter of shape {data.shape}")
        return g
    return g if type(g) is float else float(g)  # float() also unwraps a Value


def _as_param_list(params: Any, who: str) -> list[Any]:
    if hasattr(params, "parameters") and callable(params.parameters) and not isinstance(params, (list, tuple)):
        raise TypeError(f"{who} takes the parameters, not the model: pass model.parameters()")
    if hasattr(params, "grad") and hasattr(params, "data"):
        raise TypeError(f"{who} takes a list of parameters: wrap a single one as [p]")
    try:
        items = list(params)
    except TypeError:
        raise TypeError(f"{who} needs an iterable of parameters, got {type(params).__name__}") from None
    if not items:
        raise ValueError(f"{who} got an empty parameter list")
    return items


def _check_parameter(p: Any, position: int, who: str) -> None:
    """PyTorch's rule: only leaves that want a gradient can be optimized."""
    if not hasattr(p, "grad") or not isinstance(getattr(p, "data", None), (float, np.ndarray)):
        raise TypeError(f"{who} can only optimize parameters (a Value or an array Tensor), got {type(p).__name__}")
    if is_parameter(p):
        return
    if getattr(p, "_op", None) is not None:
        raise ValueError(
            f"{who}: can't optimize a non-leaf tensor (parameter {position} was made by the operation "
            f"{p._op.name!r}); optimize the leaves it was computed from, or use .detach().requires_grad_()"
        )
    raise ValueError(
        f"{who}: parameter {position} does not require grad, so it would never change; "
        "create it with requires_grad=True (or call .requires_grad_())"
    )


def _check_eps(eps: Any, optimizer: Any) -> None:
    # eps = 0 makes 0 / 0 = nan for any weight whose gradients have all been 0 so far.
    _check(
        isinstance(eps, (int, float)) and eps > 0,
        optimizer,
        f"eps must be > 0, got {eps!r} (eps = 0 turns a weight whose gradients have been 0 into nan)",
    )


def _unique(params: list[Any]) -> list[Any]:
    """Each parameter once, first occurrence first (by identity: a Tensor's == is elementwise)."""
    seen: set[int] = set()
    out = []
    for p in params:
        if id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    return out


def _check(condition: bool, optimizer: Any, message: str) -> None:
    if not condition:
        raise ValueError(f"{type(optimizer).__name__}: {message}")
