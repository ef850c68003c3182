"""``torch.nn``: this library's own `Module`, layers and losses under PyTorch's names.

Nothing here is a second implementation: ``torch.nn.Linear is autograd_mlp.nn.Linear``.
`Module` follows PyTorch's registration rule (modules, parameters and the
containers ModuleList/ModuleDict/ParameterList/Sequential are registered;
plain lists are not). See docs/from-pytorch.md.
"""

from __future__ import annotations

from ...nn import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    Module,
    ModuleDict,
    ModuleList,
    MSELoss,
    NLLLoss,
    Parameter,
    ParameterList,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .._unsupported import module_getattr
from . import functional, init, utils

__all__ = [
    "Module",
    "Parameter",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "Sequential",
    "Linear",
    "Identity",
    "Flatten",
    "Dropout",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "LogSoftmax",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "functional",
    "init",
    "utils",
]

__getattr__ = module_getattr(
    "torch.nn",
    {
        "Conv2d": "This library builds MLPs: Linear layers on flattened inputs (nn.Flatten()).",
        "RNN": "Only feed-forward layers exist here.",
        "LSTM": "Only feed-forward layers exist here.",
        "BatchNorm1d": "Not implemented; train without it or normalise the inputs.",
    },
)
