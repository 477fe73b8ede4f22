"""Optimizers over a batch of models at once: every parameter array carries the model axis and
every model its own learning rate, so one call updates all M models."""

import numpy as np


class Optimizer:
    """``sgd`` (with momentum), ``adam``, ``rmsprop`` or ``adagrad`` over a list of parameter
    arrays. ``step(params, grads, rates)`` updates ``params`` in place; ``rates[i]`` broadcasts
    against ``params[i]`` (one learning rate per model)."""

    def __init__(self, kind, params, momentum=0.0, beta_1=0.9, beta_2=0.999, epsilon=1e-8, rho=0.9):
        self.kind = kind
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.rho = rho
        self.t = 0
        self.first = [np.zeros_like(p) for p in params]
        self.second = [np.zeros_like(p) for p in params] if kind in ('adam', 'rmsprop', 'adagrad') else None

    def step(self, params, grads, rates):
        self.t += 1
        for i, (p, g, lr) in enumerate(zip(params, grads, rates)):
            if self.kind == 'sgd':
                if self.momentum:
                    v = self.first[i]
                    v *= self.momentum
                    v -= lr * g
                    p += v
                else:
                    p -= lr * g
            elif self.kind == 'adam':
                m, v = self.first[i], self.second[i]
                m *= self.beta_1
                m += (1.0 - self.beta_1) * g
                v *= self.beta_2
                v += (1.0 - self.beta_2) * (g * g)
                corrected = lr * (np.sqrt(1.0 - self.beta_2**self.t) / (1.0 - self.beta_1**self.t))
                p -= corrected * m / (np.sqrt(v) + self.epsilon)
            elif self.kind == 'rmsprop':
                v = self.second[i]
                v *= self.rho
                v += (1.0 - self.rho) * (g * g)
                p -= lr * g / (np.sqrt(v) + self.epsilon)
            elif self.kind == 'adagrad':
                v = self.second[i]
                v += g * g
                p -= lr * g / (np.sqrt(v) + self.epsilon)
            else:
                raise AssertionError(self.kind)
