"""Neural-network building blocks: `Module`, scalar `Neuron`/`NeuronLayer`/`MLP`, losses, init.

Tensor layers and losses join this package as further imports below.
"""

from . import init
from .layers import (
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    linear,
    sequential_mlp,
)
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    MSELoss,
    NLLLoss,
    cross_entropy,
    nll_loss,
)
from .module import (
    LoadResult,
    Module,
    ModuleDict,
    ModuleList,
    Parameter,
    ParameterList,
    StateDictError,
    is_parameter,
)
from .scalar import MLP, Neuron, NeuronLayer
from .scalar_losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge_loss,
    l2_penalty,
    mse_loss,
)

__all__ = [
    "init",
    "Module",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "Parameter",
    "StateDictError",
    "LoadResult",
    "is_parameter",
    "Neuron",
    "NeuronLayer",
    "MLP",
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge_loss",
    "l2_penalty",
    "Linear",
    "Sequential",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "LogSoftmax",
    "Flatten",
    "Dropout",
    "Identity",
    "linear",
    "sequential_mlp",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "cross_entropy",
    "nll_loss",
]
