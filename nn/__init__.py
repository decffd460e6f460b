"""Neural networks on the autograd engine: modules (Neuron, Layer, MLP), GPT parts, losses, optimizers, save/load."""
from .module import Module
from .layers import Layer, MLP, Neuron
from .losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from .optim import Adam, SGD
from .serialization import load, save
from .transformer import Embedding, Linear, log_softmax, rmsnorm, softmax

__all__ = ["Module", "Neuron", "Layer", "MLP", "SGD", "Adam", "mse_loss", "hinge_loss",
           "binary_cross_entropy", "cross_entropy", "save", "load",
           "Embedding", "Linear", "rmsnorm", "softmax", "log_softmax"]
