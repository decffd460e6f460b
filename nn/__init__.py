"""Neural networks on the autograd engine: modules (Neuron, Layer, MLP), GPT parts, losses, optimizers, save/load."""
from .module import Module
from .layers import Layer, MLP, Neuron
from .losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from .optim import Adam, SGD
from .health import health
from .recorder import Recorder
from .serialization import load, save
from .transformer import Embedding, Linear, log_softmax, rmsnorm, softmax
from .bridge import from_torch, to_torch      # PyTorch is imported inside them only

__all__ = ["Module", "Neuron", "Layer", "MLP", "SGD", "Adam", "mse_loss", "hinge_loss",
           "binary_cross_entropy", "cross_entropy", "save", "load",
           "Embedding", "Linear", "rmsnorm", "softmax", "log_softmax", "to_torch", "from_torch", "health", "Recorder"]
