package io.sparkrnn.engine.optim;

/** The update rules an {@link OptimizerConfig} can name; each follows the PyTorch optimizer of the same name. */
public enum OptimizerType {
    /** {@code torch.optim.SGD} without momentum. */
    SGD,
    /** {@code torch.optim.SGD(momentum=m)} (heavy ball, dampening 0). */
    MOMENTUM,
    /** {@code torch.optim.SGD(momentum=m, nesterov=True)}. */
    NESTEROV,
    /** {@code torch.optim.Adam}; weight decay is L2 added to the gradient. */
    ADAM,
    /** {@code torch.optim.AdamW}; weight decay is decoupled from the gradient. */
    ADAMW
}
